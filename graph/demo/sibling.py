"""Another city of the same province, for the federation demo: the generated A市 renamed and moved. Codes
take the city's own administrative prefix (990100 → 990200: districts 990201…, grids, assets, sensors and
departments with them), names its letter (A1区 → B1区, A市 → B市), and the map moves east so the two cities share
a border. Built from another seed, its streets, grids, assets and cases differ too."""

from __future__ import annotations

import re
from typing import Any

from graph.demo.city import CITY_ID, CITY_NAME, CityData
from graph.geometry import KM_PER_DEG_LON, parse_polygon_wkt, polygon_wkt

LON_KEYS = ("lon", "min_lon", "max_lon", "from_lon", "to_lon")
GAP_KM = 42.0  # A市 is 42 km wide: its neighbour starts where it ends, so a case can lie on their border


def as_sibling(city: CityData, code: str, name: str) -> CityData:
    """``city`` (A市 as generated) as the city ``name`` with administrative code ``code`` (e.g. 990200, B市)."""
    if not re.fullmatch(r"99\d{2}00", code) or code == CITY_ID:
        raise ValueError(f"a sibling city's code is 99NN00 and not {CITY_ID}, got {code!r}")
    old_prefix, new_prefix = CITY_ID[:4], code[:4]
    old_letter, new_letter = CITY_NAME[0], name[0]
    shift = GAP_KM * (int(code[2:4]) - int(CITY_ID[2:4])) / KM_PER_DEG_LON
    codes = re.compile(rf"(?<!\d){old_prefix}(?=\d{{2}})")
    district_names = re.compile(rf"{old_letter}(\d)区")

    def text(value: str) -> str:
        value = codes.sub(new_prefix, value)
        return district_names.sub(rf"{new_letter}\1区", value).replace(CITY_NAME, name)

    def props(row: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for key, value in row.items():
            if key == "polygon_wkt":
                value = polygon_wkt([(round(lon + shift, 6), lat) for lon, lat in parse_polygon_wkt(value)])
            elif key in LON_KEYS and isinstance(value, float):
                value = round(value + shift, 6)
            elif isinstance(value, str):
                value = text(value)
            elif isinstance(value, list):
                value = [text(v) if isinstance(v, str) else v for v in value]
            elif isinstance(value, dict):
                value = props(value)
            out[key] = value
        return out

    moved = CityData(seed=city.seed, scale=city.scale, merge_on=city.merge_on)
    for label, rows in city.nodes.items():
        moved.nodes[label] = [props(row) for row in rows]
    for key, rows in city.rels.items():
        moved.rels[key] = [props(row) for row in rows]
    return moved
