"""Lon/lat geometry the graph's places need: WKT polygons, point in polygon, distances in metres."""

from __future__ import annotations

import math

# Kilometres per degree at the city's latitude (28.2° N): they size the box a radius search reads
# before exact distances are computed, and place the demo city's kilometre plane on the map. A city
# far from that latitude sets its own here, or the box is too narrow east–west.
KM_PER_DEG_LAT = 111.0
KM_PER_DEG_LON = 111.0 * math.cos(math.radians(28.2))


def polygon_wkt(ring: list[tuple[float, float]]) -> str:
    """A closed ring of (lon, lat) points as a WKT polygon (how grids store their shape)."""
    points = ", ".join(f"{lon} {lat}" for lon, lat in ring)
    return f"POLYGON(({points}))"


def parse_polygon_wkt(wkt: str) -> list[tuple[float, float]]:
    inner = wkt[wkt.index("((") + 2 : wkt.rindex("))")]
    return [(float(a), float(b)) for a, b in (pair.split() for pair in inner.split(","))]


def point_in_polygon(lon: float, lat: float, ring: list[tuple[float, float]]) -> bool:
    """Even-odd rule; points on the boundary count as inside the first grid that claims them."""
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
        if (y1 > lat) != (y2 > lat):
            cross = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if lon < cross:
                inside = not inside
    return inside


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))
