"""Where a point is: the unit grid that contains it."""

from __future__ import annotations

from graph.geometry import parse_polygon_wkt, point_in_polygon
from graph.models import Entity
from graph.queries.rows import to_entity
from graph.store import GraphStore


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
