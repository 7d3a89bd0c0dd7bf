"""Pydantic shapes of what graph queries return (also the HTTP response bodies)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

# Properties kept out of API answers: internal search keys.
HIDDEN_PROPERTIES = frozenset({"search_text", "load_hash"})


class Entity(BaseModel):
    id: str
    label: str
    name: str
    properties: dict[str, Any] = Field(default_factory=dict)
    score: float | None = None

    @classmethod
    def from_row(cls, labels: list[str], props: dict[str, Any], score: float | None = None) -> Entity:
        visible = {k: v for k, v in props.items() if k not in HIDDEN_PROPERTIES}
        return cls(id=str(props.get("id")), label=labels[0] if labels else "", name=str(props.get("name", "")),
                   properties=visible, score=score)  # fmt: skip


class Neighbor(BaseModel):
    rel: str
    direction: str  # "out" or "in", seen from the node asked for
    properties: dict[str, Any] = Field(default_factory=dict)
    node: Entity


class NodeDetail(BaseModel):
    node: Entity
    neighbors: list[Neighbor]
    neighbor_counts: dict[str, int] = Field(
        default_factory=dict, description="All neighbours by 'REL:direction', also those past the limit."
    )


class RuleRef(BaseModel):
    rule_id: str
    sla_hours: int | None = None
    urgent_sla_hours: int | None = None
    basis: str | None = None


class Responsibility(BaseModel):
    """Who handles a category in a place, and the rule that says so."""

    category: Entity
    district: Entity
    department: Entity
    rule: RuleRef
    grid_id: str | None = None
    street_office: Entity | None = Field(None, description="属地街道 (the street office of the grid), if a grid is given.")


class CountRow(BaseModel):
    label: str
    district: str | None
    type: str | None
    count: int
