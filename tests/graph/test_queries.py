"""Domain queries on a real engine; expected answers come from the generated city files."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from core.exceptions import InvalidInput, NotFound
from graph.demo.city import CityData
from graph.geometry import distance_m
from graph.queries.assets import asset_by_code, assets_in_area, assets_within, count_assets, sensors_of_asset
from graph.queries.entities import get_node, search_entities
from graph.queries.places import grid_at
from graph.queries.responsibility import responsible_department
from graph.queries.stats import counts_by_type_and_district, district_totals
from graph.store import GraphStore


def test_search_finds_exact_names_aliases_and_ids(graph: GraphStore, small_city: CityData) -> None:
    road = small_city.nodes["Road"][5]
    assert search_entities(graph, road["name"])[0].id == road["id"]
    grid = small_city.nodes["Grid"][10]
    assert search_entities(graph, grid["id"])[0].name == grid["name"]
    water = next(d for d in small_city.nodes["Department"] if "自来水公司" in d["aliases"])
    assert water["id"] in [e.id for e in search_entities(graph, "自来水公司")]


def test_search_is_fuzzy_on_a_wrong_character_and_extra_words(graph: GraphStore) -> None:
    assert search_entities(graph, "望京西路12号")[0].name == "望京西路"
    assert search_entities(graph, "忘京西路")[0].name == "望京西路"  # a typo
    assert search_entities(graph, "丽发新城小区东门", label="Landmark")[0].name == "丽发新城"


@pytest.mark.parametrize(("q", "label", "message"), [("", None, "为空"), ("路" * 201, None, "过长"), ("路", "Nope", "未知")])
def test_search_rejects_bad_input(graph: GraphStore, q: str, label: str | None, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        search_entities(graph, q, label=label)


def test_node_with_neighbours_and_counts(graph: GraphStore, small_city: CityData) -> None:
    grid = small_city.nodes["Grid"][0]
    assets_in_grid = sum(1 for label in ("Asset", "Landmark") for a in small_city.nodes[label] if a["grid"] == grid["id"])
    detail = get_node(graph, grid["id"], neighbor_limit=3)
    assert detail.node.name == grid["name"]
    assert detail.neighbor_counts.get("IN_GRID:in", 0) == assets_in_grid
    assert {"rel": "IN", "direction": "out"} in [{"rel": n.rel, "direction": n.direction} for n in detail.neighbors]
    assert len([n for n in detail.neighbors if n.direction == "in"]) <= 3
    assert "search_text" not in detail.node.properties


@pytest.mark.parametrize("node_id", ["990199999999999", "no-such-thing", "dept-nobody"])
def test_unknown_node_is_not_found(graph: GraphStore, node_id: str) -> None:
    with pytest.raises(NotFound, match="未找到"):
        get_node(graph, node_id)


def test_asset_by_code_and_its_sensors(graph: GraphStore, small_city: CityData) -> None:
    sensor = small_city.nodes["Sensor"][0]
    asset = asset_by_code(graph, sensor["asset"])
    assert asset.properties["grid"] == sensor["grid"]
    expected = sorted(s["id"] for s in small_city.nodes["Sensor"] if s["asset"] == sensor["asset"])
    assert [s.id for s in sensors_of_asset(graph, sensor["asset"])] == expected
    with pytest.raises(InvalidInput, match="16 位"):
        asset_by_code(graph, "123")


def test_assets_of_a_type_in_a_street_and_district(graph: GraphStore, small_city: CityData) -> None:
    asset = small_city.nodes["Asset"][0]
    expected = sorted(a["id"] for a in small_city.nodes["Asset"]
                      if a["street"] == asset["street"] and a["category"] == asset["category"])  # fmt: skip
    found = assets_in_area(graph, category=asset["category"], street=asset["street"], limit=1000)
    assert [a.id for a in found] == expected
    in_district = assets_in_area(graph, district=asset["district"], limit=5)
    assert len(in_district) == 5 and {a.properties["district"] for a in in_district} == {asset["district"]}
    with pytest.raises(InvalidInput, match="只指定一个范围"):
        assets_in_area(graph, grid=asset["grid"], district=asset["district"])


def test_assets_within_radius_match_brute_force(graph: GraphStore, small_city: CityData) -> None:
    rng = random.Random(7)
    for _ in range(5):
        centre = rng.choice(small_city.nodes["Asset"])
        radius = rng.choice([300, 800, 1500])
        expected = sorted(
            (round(distance_m(centre["lon"], centre["lat"], a["lon"], a["lat"]), 1), a["id"])
            for a in small_city.nodes["Asset"]
            if distance_m(centre["lon"], centre["lat"], a["lon"], a["lat"]) <= radius
        )
        found = assets_within(graph, centre["lon"], centre["lat"], radius, limit=10_000)
        assert [(a.properties["distance_m"], a.id) for a in found] == expected


def test_grid_at_point_is_the_assets_grid(graph: GraphStore, small_city: CityData) -> None:
    for asset in random.Random(3).sample(small_city.nodes["Asset"], 30):
        assert grid_at(graph, asset["lon"], asset["lat"]).id == asset["grid"]
    assert grid_at(graph, 100.0, 20.0) is None


def test_responsible_department_follows_the_rules(graph: GraphStore, small_city: CityData) -> None:
    rules = small_city.rels[("RESPONSIBLE_FOR", "Department", "EventCategory")]
    offices = {r["to"]: r["from"] for r in small_city.rels[("COVERS", "Department", "Street")]}
    for rule in random.Random(5).sample(rules, 10):
        grid = next(g for g in small_city.nodes["Grid"] if g["district"] == rule["props"]["district"])
        answer = responsible_department(graph, rule["to"], grid_id=grid["id"])
        assert answer.department.id == rule["from"]
        assert answer.rule.rule_id == rule["props"]["rule_id"]
        assert answer.street_office.id == offices[grid["street"]]
        by_district = responsible_department(graph, rule["to"], district=rule["props"]["district"])
        assert by_district.department.id == rule["from"]


@pytest.mark.parametrize(
    ("category", "grid_id", "district", "error", "message"),
    [
        ("0401", None, "990101", InvalidInput, "类别编号"),
        ("event-0401", None, None, InvalidInput, "网格"),
        ("event-0401", "990101999999999", None, NotFound, "未找到网格"),
        ("event-9999", None, "990101", NotFound, "责任规则"),
    ],
)
def test_responsibility_bad_input(graph: GraphStore, category, grid_id, district, error, message) -> None:
    with pytest.raises(error, match=message):
        responsible_department(graph, category, grid_id=grid_id, district=district)


def test_counts_by_type_and_district_match_the_city(graph: GraphStore, small_city: CityData) -> None:
    rows = counts_by_type_and_district(graph)
    totals = {r.label: r.count for r in rows if r.district is None}
    assert totals["Asset"] == len(small_city.nodes["Asset"]) and totals["Grid"] == len(small_city.nodes["Grid"])
    per_district = district_totals(rows, "Sensor")
    for district in small_city.nodes["District"]:
        expected = sum(1 for s in small_city.nodes["Sensor"] if s["district"] == district["id"])
        assert per_district.get(district["id"], 0) == expected


def test_assets_counted_per_road_street_and_grid_match_the_city(graph: GraphStore, small_city: CityData) -> None:
    district = small_city.nodes["Asset"][0]["district"]
    mine = [a for a in small_city.nodes["Asset"] if a["district"] == district]
    roads = Counter(a["name"].split("(")[1].rstrip(")") for a in mine)
    assert {g["key"]: g["count"] for g in count_assets(graph, district=district, group_by="road")} == dict(roads)
    streets = Counter(a["street"] for a in mine)
    assert {g["key"]: g["count"] for g in count_assets(graph, district=district, group_by="street")} == dict(streets)
    grids = count_assets(graph, district=district, group_by="grid")
    assert sum(g["count"] for g in grids) == len(mine)
    # "部件按大类统计": each category folded into its class, as the city's component table names them
    majors = {c["id"]: c["major_name"] for c in small_city.nodes["ComponentCategory"]}
    classes = Counter(majors[f"component-{a['category']}"] for a in mine)
    assert {g["key"]: g["count"] for g in count_assets(graph, district=district, group_by="major")} == dict(classes)
    with pytest.raises(InvalidInput, match="road"):
        count_assets(graph, group_by="owner")
