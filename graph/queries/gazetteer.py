"""The city's names and places, read in bulk for the gazetteers that find them in text (triage's place
finder, the assistant's lexicon, the document retrievers' entity linker) and for the labelled triage set."""

from __future__ import annotations

from dataclasses import dataclass

from graph.models import Entity
from graph.queries.rows import to_entity
from graph.schema import named_label
from graph.store import GraphStore


@dataclass(frozen=True)
class Area:
    """A street or community, with the district (and, for a community, the street) it lies in."""

    id: str
    name: str
    district: str
    street: str | None = None


@dataclass(frozen=True)
class Crossing:
    """Where two roads intersect (``INTERSECTS`` runs from road ``a`` to road ``b``)."""

    a_id: str
    a_name: str
    b_id: str
    b_name: str
    lon: float
    lat: float
    name: str


@dataclass(frozen=True)
class NamedEntity:
    """What a node is called: name, short name, aliases and (for categories) colloquial keywords."""

    id: str
    name: str | None
    short_name: str | None
    aliases: list[str]
    keywords: list[str]
    level: str | None
    district: str | None


def district_names(store: GraphStore) -> dict[str, str]:
    """District id → name."""
    return {row["id"]: row["name"] for row in store.ro_query("MATCH (d:District) RETURN d.id AS id, d.name AS name")}


def streets(store: GraphStore) -> list[Area]:
    rows = store.ro_query("MATCH (s:Street) RETURN s.id AS id, s.name AS name, s.district AS district")
    return [Area(row["id"], row["name"], row["district"]) for row in rows]


def communities(store: GraphStore) -> list[Area]:
    rows = store.ro_query("MATCH (c:Community) RETURN c.id AS id, c.name AS name, c.district AS d, c.street AS s")
    return [Area(row["id"], row["name"], row["d"], row["s"]) for row in rows]


def roads(store: GraphStore) -> list[Entity]:
    """Every road with its properties (its numbered line: ``from_lon`` … ``to_lat``, ``max_number``), in id order."""
    return [to_entity(row) for row in store.ro_query(
        "MATCH (r:Road) RETURN labels(r) AS labels, properties(r) AS props ORDER BY props.id")]  # fmt: skip


def landmarks(store: GraphStore) -> list[Entity]:
    """Every landmark with its properties (position, grid, district), in id order."""
    return [to_entity(row) for row in store.ro_query(
        "MATCH (l:Landmark) RETURN labels(l) AS labels, properties(l) AS props ORDER BY props.id")]  # fmt: skip


def road_crossings(store: GraphStore) -> list[Crossing]:
    """Every intersection, ordered by the two roads' names."""
    rows = store.ro_query(
        "MATCH (a:Road)-[x:INTERSECTS]->(b:Road) RETURN a.id AS a_id, a.name AS a_name, b.id AS b_id, "
        "b.name AS b_name, x.lon AS lon, x.lat AS lat, x.name AS name ORDER BY a_name, b_name"
    )
    return [Crossing(**row) for row in rows]


def named_entities(store: GraphStore, label: str) -> list[NamedEntity]:
    """The names of every node of one of the named labels (``graph.schema.NAMED_LABELS``)."""
    rows = store.ro_query(
        f"MATCH (n:{named_label(label)}) RETURN n.id AS id, n.name AS name, n.short_name AS short_name, n.aliases AS aliases, "
        "n.keywords AS keywords, n.level AS level, n.district AS district"
    )
    return [NamedEntity(id=row["id"], name=row["name"], short_name=row["short_name"], aliases=row["aliases"] or [],
                        keywords=row["keywords"] or [], level=row["level"], district=row["district"])
            for row in rows]  # fmt: skip
