"""Evaluation harness: retrieval, triage and assistant scores with figures (issues 3, 5, 6)."""

from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
"""The labelled sets and their sources (schemas in each generator's docstring)."""
RETRIEVAL_SET = DATA / "retrieval.jsonl"
TRIAGE_SET = DATA / "triage.jsonl"
