"""Hotline triage (issue 6): from a raw citizen report to category, place, department, urgency and
duplicates — writing nothing until a person confirms."""
