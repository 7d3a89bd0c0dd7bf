"""The city drawn from the graph's own geometry: district and grid outlines for the operations screen's map,
and any nodes named and placed in one call."""

from __future__ import annotations

from collections import defaultdict

from pydantic import BaseModel

from graph.geometry import parse_polygon_wkt
from graph.ids import label_for_id
from graph.store import GraphStore

MAX_BRIEFS = 500


class Area(BaseModel):
    """A district or a unit grid: its outline as [lon, lat] pairs and its centre."""

    id: str
    name: str
    district: str
    ring: list[tuple[float, float]]
    lon: float
    lat: float


class CityMap(BaseModel):
    city: str
    districts: list[Area]
    grids: list[Area]
    bounds: tuple[float, float, float, float]  # min lon, min lat, max lon, max lat


class Brief(BaseModel):
    """A node in a word: its name and, where it has one, its place (a screen naming ids, a map placing them)."""

    id: str
    label: str
    name: str
    lon: float | None = None
    lat: float | None = None


def city_map(store: GraphStore) -> CityMap:
    """Every district and grid outline (the screen draws them; 588 grids in the demo city)."""
    city = store.ro_query("MATCH (c:City) RETURN c.name AS name LIMIT 1")
    districts = store.ro_query(
        "MATCH (d:District) RETURN d.id AS id, d.name AS name, d.id AS district, d.polygon_wkt AS wkt, "
        "d.lon AS lon, d.lat AS lat ORDER BY id")  # fmt: skip
    grids = store.ro_query(
        "MATCH (g:Grid) RETURN g.id AS id, g.name AS name, g.district AS district, g.polygon_wkt AS wkt, "
        "g.lon AS lon, g.lat AS lat ORDER BY id")  # fmt: skip
    areas = [[_area(row) for row in rows if row["wkt"]] for rows in (districts, grids)]
    points = [point for area in areas[0] + areas[1] for point in area.ring]
    lons, lats = [p[0] for p in points] or [0.0], [p[1] for p in points] or [0.0]
    return CityMap(city=city[0]["name"] if city else "", districts=areas[0], grids=areas[1],
                   bounds=(min(lons), min(lats), max(lons), max(lats)))  # fmt: skip


def _area(row: dict) -> Area:
    return Area(id=row["id"], name=row["name"] or row["id"], district=row["district"] or "",
                ring=parse_polygon_wkt(row["wkt"]), lon=row["lon"], lat=row["lat"])  # fmt: skip


def briefs(store: GraphStore, ids: list[str]) -> list[Brief]:
    """Name and place of each of ``ids``; an id unknown to the graph is left out."""
    by_label: dict[str, list[str]] = defaultdict(list)
    for node_id in ids[:MAX_BRIEFS]:
        label = label_for_id(node_id)
        if label is not None:
            by_label[label].append(node_id)
    # One query per label, so each looks its ids up in that label's index; the label comes from the id's shape.
    return [Brief(id=row["id"], label=label, name=row["name"] or row["id"], lon=row["lon"], lat=row["lat"])
            for label, wanted in sorted(by_label.items())
            for row in store.ro_query(f"MATCH (n:{label}) WHERE n.id IN $ids RETURN n.id AS id, n.name AS name, "
                                      "n.lon AS lon, n.lat AS lat", {"ids": wanted})]  # fmt: skip
