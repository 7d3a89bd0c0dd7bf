"""The shapes every part of federation shares: a fact as made, and a fact as it travels (with its number)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field


@dataclass(frozen=True)
class Fact:
    """One kind of figure for one scope (a day, a month, the city), as a platform publishes it."""

    kind: str
    scope: str
    payload: dict[str, Any]


class Item(BaseModel):
    """A fact in transit: numbered by the sender's outbox, so the receiver keeps it once."""

    seq: int = Field(ge=1, le=2**31 - 1)
    kind: str = Field(min_length=1, max_length=32)
    scope: str = Field(min_length=1, max_length=64)
    as_of: AwareDatetime
    payload: dict[str, Any]
