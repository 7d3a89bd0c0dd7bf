"""Memo themes (汛期排水防涝, 燃气安全…): each with the categories it INCLUDES, its sensor kinds and policies."""

from __future__ import annotations

from pydantic import BaseModel, Field

from graph.queries.assets import sensor_kinds
from graph.store import GraphStore


class ThemeSummary(BaseModel):
    id: str
    name: str
    aliases: list[str]
    description: str
    categories: list[str] = Field(description="category ids; empty: every category")
    category_names: list[str]
    sensor_kinds: list[str]
    sensor_kind_names: dict[str, str] = Field(description="kind → its name (积水/管网水位)")
    policies: list[str] = Field(description="Policy ids")
    hot_topics: bool


def themes(store: GraphStore) -> list[ThemeSummary]:
    """Every theme, in id order (none in a graph loaded before themes existed)."""
    rows = store.ro_query(
        "MATCH (t:Theme) OPTIONAL MATCH (t)-[:INCLUDES]->(c) "
        "WITH t, c ORDER BY c.id "
        "RETURN properties(t) AS props, collect(c.id) AS categories, collect(c.name) AS names ORDER BY props.id"
    )
    names = {kind.kind: kind.name for kind in sensor_kinds(store)}
    return [ThemeSummary(id=row["props"]["id"], name=row["props"]["name"], aliases=row["props"].get("aliases") or [],
                         description=row["props"].get("description", ""), categories=row["categories"],
                         category_names=row["names"], sensor_kinds=row["props"].get("sensor_kinds") or [],
                         sensor_kind_names={k: names.get(k, k) for k in row["props"].get("sensor_kinds") or []},
                         policies=row["props"].get("policies") or [], hot_topics=bool(row["props"].get("hot_topics")))
            for row in rows]  # fmt: skip
