"""Evaluation harness: retrieval, triage and assistant scores with figures (issues 3, 5, 6, 14)."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

DATA = Path(__file__).resolve().parent / "data"
"""The labelled sets and their sources (schemas in each generator's docstring and docs/evals.md)."""
RETRIEVAL_SET = DATA / "retrieval.jsonl"
TRIAGE_SET = DATA / "triage.jsonl"

M = TypeVar("M", bound=BaseModel)


def read_models(path: Path, model: type[M]) -> list[M]:
    """One ``model`` per non-empty line of a JSONL file; a line that does not fit is an error naming it
    (a set that does not read is unscorable, never partly scored)."""
    from evals.metrics import Unscorable

    items = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if line.strip():
            try:
                items.append(model.model_validate_json(line))
            except ValidationError as exc:
                raise Unscorable(f"{path.name} line {number}: {exc}") from exc
    return items
