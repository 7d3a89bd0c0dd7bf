"""The demo city is deterministic, internally consistent and built from the real place names."""

from __future__ import annotations

from collections import Counter

import pytest

from graph.demo.city import DISTRICTS, CityData, build_city
from graph.demo.files import write_city
from graph.demo.places import PLACES_CSV, read_places
from graph.domain import DomainTables
from graph.geometry import parse_polygon_wkt, point_in_polygon
from graph.ids import label_for_id


def test_same_seed_same_city_other_seed_other_city(domain: DomainTables, small_city: CityData, tmp_path) -> None:
    again = build_city(domain, PLACES_CSV, seed=small_city.seed, scale=small_city.scale)
    other = build_city(domain, PLACES_CSV, seed=small_city.seed + 1, scale=small_city.scale)
    hashes = [write_city(c, tmp_path / name)["hash"] for c, name in ((small_city, "a"), (again, "b"), (other, "c"))]
    assert hashes[0] == hashes[1] != hashes[2]


def test_every_node_id_has_the_shape_of_its_label(small_city: CityData) -> None:
    for label, rows in small_city.nodes.items():
        assert {label_for_id(row["id"]) for row in rows} == {label}, label


def test_divisions_nest_by_code(small_city: CityData) -> None:
    """GB/T 30428.1: grid = 6 admin + 3 street + 3 community + 3 sequence."""
    for grid in small_city.nodes["Grid"]:
        assert grid["id"].startswith(grid["community"]) and grid["community"].startswith(grid["street"])
        assert grid["street"].startswith(grid["district"])
    assert len(small_city.nodes["District"]) == 7
    assert 500 <= len(small_city.nodes["Grid"]) <= 700


def test_every_category_has_one_responsible_department_in_every_district(small_city: CityData, domain) -> None:
    departments = {d["id"] for d in small_city.nodes["Department"]}
    districts = {d["id"] for d in small_city.nodes["District"]}
    for target in ("ComponentCategory", "EventCategory"):
        rules = small_city.rels[("RESPONSIBLE_FOR", "Department", target)]
        pairs = Counter((r["to"], r["props"]["district"]) for r in rules)
        categories = {c["id"] for c in small_city.nodes[target]}
        assert set(pairs) == {(c, d) for c in categories for d in districts}
        assert set(pairs.values()) == {1}
        assert {r["from"] for r in rules} <= departments


def test_assets_lie_in_their_grid_and_are_coded_by_district_and_class(small_city: CityData) -> None:
    grids = {g["id"]: parse_polygon_wkt(g["polygon_wkt"]) for g in small_city.nodes["Grid"]}
    for asset in small_city.nodes["Asset"]:
        assert point_in_polygon(asset["lon"], asset["lat"], grids[asset["grid"]]), asset["id"]
        assert asset["id"][:6] == asset["district"] and asset["id"][6:10] == asset["category"]


def test_sensors_sit_on_assets_whose_class_carries_that_kind(small_city: CityData, domain: DomainTables) -> None:
    kinds = {c.code: set(c.sensor_kinds) for c in domain.components}
    assets = {a["id"]: a for a in small_city.nodes["Asset"]}
    assert small_city.nodes["Sensor"]
    for sensor in small_city.nodes["Sensor"]:
        assert sensor["kind"] in kinds[assets[sensor["asset"]]["category"]]


def test_real_place_names_resolve_to_their_district(small_city: CityData) -> None:
    """Places citizens name in real messages (mined, ≥80 % one district) exist in that district."""
    district_name = {d["id"]: d["name"] for d in small_city.nodes["District"]}
    located = {}
    for label in ("Street", "Road", "Landmark"):
        for row in small_city.nodes[label]:
            located[row["name"]] = district_name[row["district"]]
    mined = [p for p in read_places(PLACES_CSV) if p["kind"] in ("road", "landmark")]
    assert len(mined) > 300
    found = [p for p in mined if located.get(p["name"]) == p["district"]]
    assert len(found) == len(mined)


def test_department_count_and_levels(small_city: CityData) -> None:
    levels = Counter(d["level"] for d in small_city.nodes["Department"])
    assert 35 <= levels["city"] + levels["enterprise"] + levels["district"] <= 55
    assert levels["street"] == len(small_city.nodes["Street"])


@pytest.mark.slow
def test_default_scale_matches_the_brief(domain: DomainTables) -> None:
    city = build_city(domain, PLACES_CSV, seed=1, scale=1.0)
    assert len(city.nodes["Asset"]) == pytest.approx(50_000, rel=0.01)
    assert len(city.nodes["Sensor"]) == pytest.approx(5_000, rel=0.01)
    assert [d["name"] for d in city.nodes["District"]] == [name for name, *_ in DISTRICTS]


def test_a_sibling_city_has_its_own_codes_names_and_place(domain: DomainTables, small_city: CityData) -> None:
    from graph.demo.sibling import as_sibling

    b = as_sibling(build_city(domain, PLACES_CSV, seed=small_city.seed + 7, scale=small_city.scale), "990200", "B市")
    assert [d["id"] for d in b.nodes["District"]] == [f"9902{i:02d}" for i in range(1, len(DISTRICTS) + 1)]
    assert [d["name"] for d in b.nodes["District"]] == [f"B{i}区" for i in range(1, len(DISTRICTS) + 1)]
    for label, rows in b.nodes.items():
        assert {label_for_id(row["id"]) for row in rows} == {label}, label  # ids keep their shapes
        text = repr(rows)
        assert "A市" not in text and "A1区" not in text and "'9901" not in text and "S9901" not in text, label
    grids = b.nodes["Grid"]
    assert all(g["id"].startswith(g["district"]) for g in grids)
    a_east = max(g["max_lon"] for g in small_city.nodes["Grid"])
    assert abs(min(g["min_lon"] for g in grids) - a_east) < 1e-3  # beside A市, sharing its eastern border
    for grid in grids[:20]:
        assert point_in_polygon(grid["lon"], grid["lat"], parse_polygon_wkt(grid["polygon_wkt"]))
    ends = {row["from"] for rows in b.rels.values() for row in rows} | {row["to"] for rows in b.rels.values() for row in rows}
    ids = {row["id"] for rows in b.nodes.values() for row in rows}
    assert ends <= ids  # every relationship still joins two of its nodes
