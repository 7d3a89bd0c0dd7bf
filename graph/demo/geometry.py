"""Plane geometry of the demo city: kilometre rectangles, their partition, and lon/lat conversion."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

# A市's origin (south-west corner); the demo city spans about 42 km × 30 km north-east of it.
ORIGIN_LON, ORIGIN_LAT = 112.80, 28.05
KM_PER_DEG_LAT = 111.0
KM_PER_DEG_LON = 111.0 * math.cos(math.radians(28.2))


@dataclass(frozen=True)
class Rect:
    """Axis-aligned rectangle in kilometres east (x) and north (y) of the origin."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def area(self) -> float:
        return self.width * self.height

    def contains(self, x: float, y: float) -> bool:
        return self.x0 <= x <= self.x1 and self.y0 <= y <= self.y1

    def random_point(self, rng: random.Random, margin: float = 0.02) -> tuple[float, float]:
        mx, my = self.width * margin, self.height * margin
        return rng.uniform(self.x0 + mx, self.x1 - mx), rng.uniform(self.y0 + my, self.y1 - my)


def partition(rect: Rect, n: int, rng: random.Random, jitter: float = 0.2) -> list[Rect]:
    """Split ``rect`` into ``n`` near-square cells (rows of cells, sizes jittered by ±``jitter``)."""
    rows = max(1, min(n, round(math.sqrt(n * rect.height / rect.width))))
    per_row = [n // rows + (1 if i < n % rows else 0) for i in range(rows)]
    row_weights = [count * rng.uniform(1 - jitter, 1 + jitter) for count in per_row]
    cells: list[Rect] = []
    y = rect.y0
    for row, count in enumerate(per_row):
        y_next = rect.y1 if row == rows - 1 else y + rect.height * row_weights[row] / sum(row_weights)
        widths = [rng.uniform(1 - jitter, 1 + jitter) for _ in range(count)]
        x = rect.x0
        for col in range(count):
            x_next = rect.x1 if col == count - 1 else x + rect.width * widths[col] / sum(widths)
            cells.append(Rect(x, y, x_next, y_next))
            x = x_next
        y = y_next
    return cells


def to_lonlat(x: float, y: float) -> tuple[float, float]:
    return round(ORIGIN_LON + x / KM_PER_DEG_LON, 6), round(ORIGIN_LAT + y / KM_PER_DEG_LAT, 6)


def polygon_wkt(rect: Rect) -> str:
    """The rectangle as a closed WKT polygon in lon/lat (counter-clockwise)."""
    corners = [(rect.x0, rect.y0), (rect.x1, rect.y0), (rect.x1, rect.y1), (rect.x0, rect.y1), (rect.x0, rect.y0)]
    points = ", ".join("{} {}".format(*to_lonlat(x, y)) for x, y in corners)
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
