"""Reading a node returned as ``labels(n) AS labels, properties(n) AS props`` into an ``Entity``."""

from __future__ import annotations

from graph.models import Entity
from graph.store import Row


def to_entity(row: Row, score: float | None = None) -> Entity:
    return Entity.from_row(row["labels"], row["props"], score)
