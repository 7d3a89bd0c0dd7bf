"""Unit grids: the one containing a point, whether one exists, all of their ids and shapes."""

from __future__ import annotations

from dataclasses import dataclass

from graph.geometry import parse_polygon_wkt, point_in_polygon
from graph.ids import label_for_id
from graph.models import Entity
from graph.queries.rows import to_entity
from graph.store import GraphStore


@dataclass(frozen=True)
class GridShape:
    """A unit grid's place: its street and district, bounding box and polygon ring (lon, lat)."""

    id: str
    street: str
    district: str
    box: tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat
    ring: list[tuple[float, float]]


def grid_at(store: GraphStore, lon: float, lat: float) -> Entity | None:
    """The unit grid containing a point (point in polygon), or ``None`` outside the city."""
    rows = store.ro_query(
        "MATCH (g:Grid) WHERE g.min_lon <= $lon AND g.max_lon >= $lon AND g.min_lat <= $lat AND g.max_lat >= $lat "
        "RETURN labels(g) AS labels, properties(g) AS props ORDER BY props.id",
        {"lon": lon, "lat": lat},
    )
    for row in rows:
        if point_in_polygon(lon, lat, parse_polygon_wkt(row["props"]["polygon_wkt"])):
            return to_entity(row)
    return None


def grid_exists(store: GraphStore, grid_id: str) -> bool:
    if label_for_id(grid_id) != "Grid":
        return False
    return bool(store.ro_query("MATCH (g:Grid {id: $id}) RETURN g.id AS id", {"id": grid_id}))


def grid_ids(store: GraphStore) -> list[str]:
    """Every unit grid's id, in id order."""
    return [row["id"] for row in store.ro_query("MATCH (g:Grid) RETURN g.id AS id ORDER BY id")]


def grid_shapes(store: GraphStore) -> list[GridShape]:
    rows = store.ro_query(
        "MATCH (g:Grid) RETURN g.id AS id, g.street AS street, g.district AS district, g.min_lon AS x0, "
        "g.min_lat AS y0, g.max_lon AS x1, g.max_lat AS y1, g.polygon_wkt AS wkt")  # fmt: skip
    return [GridShape(row["id"], row["street"], row["district"], (row["x0"], row["y0"], row["x1"], row["y1"]),
                      parse_polygon_wkt(row["wkt"])) for row in rows]  # fmt: skip


def nearest_grid(store: GraphStore, lon: float, lat: float) -> str | None:
    """The unit grid containing a point, or else the one whose box is nearest (a case handed over from a
    neighbouring city lies on or just past the border); ``None`` only in a city without grids."""
    inside = grid_at(store, lon, lat)
    if inside is not None:
        return inside.id
    shapes = grid_shapes(store)

    def gap(shape: GridShape) -> float:
        x0, y0, x1, y1 = shape.box
        return max(x0 - lon, 0.0, lon - x1) ** 2 + max(y0 - lat, 0.0, lat - y1) ** 2

    return min(shapes, key=gap).id if shapes else None
