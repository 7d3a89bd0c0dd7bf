"""Evaluation harness: retrieval, triage and assistant scores with figures (issues 3, 5, 6)."""
