"""What the graph holds, for ``yiwang graph stats``: nodes per label, assets and sensors per district."""

from __future__ import annotations

from collections import defaultdict

from graph.models import CountRow
from graph.store import GraphStore


def counts_by_type_and_district(store: GraphStore) -> list[CountRow]:
    """Node counts per label, and assets and sensors per district and type."""
    out = [CountRow(label=r["label"], district=None, type=None, count=r["n"])
           for r in store.ro_query("MATCH (n) RETURN labels(n)[0] AS label, count(*) AS n ORDER BY label")]  # fmt: skip
    for label, type_field in (("Asset", "category_name"), ("Sensor", "kind")):
        rows = store.ro_query(
            f"MATCH (n:{label}) RETURN n.district AS district, n.{type_field} AS type, count(*) AS n "
            "ORDER BY district, type"
        )
        out += [CountRow(label=label, district=r["district"], type=r["type"], count=r["n"]) for r in rows]
    return out


def district_totals(rows: list[CountRow], label: str) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        if row.label == label and row.district:
            totals[row.district] += row.count
    return dict(totals)
