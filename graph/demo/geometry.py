"""Plane geometry of the demo city: kilometre rectangles, their partition, and their place on the map."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from graph.geometry import KM_PER_DEG_LAT, KM_PER_DEG_LON, polygon_wkt

# A市's origin (south-west corner); the demo city spans about 42 km × 30 km north-east of it.
ORIGIN_LON, ORIGIN_LAT = 112.80, 28.05


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


def rect_wkt(rect: Rect) -> str:
    """The rectangle as a closed WKT polygon in lon/lat (counter-clockwise)."""
    corners = [(rect.x0, rect.y0), (rect.x1, rect.y0), (rect.x1, rect.y1), (rect.x0, rect.y1), (rect.x0, rect.y0)]
    return polygon_wkt([to_lonlat(x, y) for x, y in corners])
