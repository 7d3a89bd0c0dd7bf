"""Hotspots: the grid where the same problem keeps being reported comes first, with its count against an even
spread, its week on week and the department responsible; a group of categories is counted together; Ray gives
what the process gives; a bad request is a 422 with a sentence."""

from __future__ import annotations

from fastapi.testclient import TestClient

from analytics.engine import BatchEngine
from analytics.hotspots import HotspotRequest, find_hotspots
from services.db import make_engine, session_factory

RAIN_COVER, WATER_COVER = "component-0103", "component-0101"


def _report(api: TestClient, category: str, grid: str, text: str = "井盖丢了") -> None:
    made = api.post("/v1/cases", json={"text": text, "category_code": category, "grid_id": grid, "source": "12345"})
    assert made.status_code == 201, made.text


def _grids(api: TestClient, n: int) -> list[str]:
    found = api.get("/v1/graph/search", params={"q": "网格", "label": "Grid", "limit": 50}).json()["items"]
    return sorted(g["id"] for g in found)[:n]


def test_a_grid_reported_again_and_again_is_the_top_hotspot_with_its_department(api: TestClient) -> None:
    hot, other, third = _grids(api, 3)
    for _ in range(4):
        _report(api, RAIN_COVER, hot)
    _report(api, RAIN_COVER, other)
    _report(api, RAIN_COVER, third)
    _report(api, "event-0102", third, "垃圾堆着")  # another problem: not counted
    run = api.post("/v1/analytics/hotspots", json={"categories": [RAIN_COVER]})
    assert run.status_code == 200, run.text
    body = run.json()
    assert body["cases"] == 6 and body["areas_with_cases"] == 3 and body["last_week"] == 6
    first, second = body["items"][:2]
    assert first["area_id"] == hot and first["count"] == 4 and first["last_week"] == 4 and first["significant"]
    assert second["count"] == 1 and not second["significant"]
    assert first["share_pct"] == round(100 * 4 / 6, 1) and first["expected"] == round(6 / body["grids"], 3)
    duty = api.get("/v1/graph/responsibility", params={"category": RAIN_COVER, "grid_id": hot}).json()
    assert first["department_id"] == duty["department"]["id"] and first["department"]
    assert body["run_id"].startswith(f"hotspots:{RAIN_COVER}:city:grid:last30d:")


def test_a_group_of_categories_is_counted_together(api: TestClient) -> None:
    hot, other = _grids(api, 2)
    for category in (RAIN_COVER, RAIN_COVER, WATER_COVER):
        _report(api, category, hot)
    _report(api, WATER_COVER, other)
    one = api.post("/v1/analytics/hotspots", json={"categories": [RAIN_COVER]}).json()
    both = api.post("/v1/analytics/hotspots", json={"categories": [RAIN_COVER, WATER_COVER]}).json()
    assert one["cases"] == 2 and both["cases"] == 4
    assert both["items"][0]["area_id"] == hot and both["items"][0]["by_category"] == {RAIN_COVER: 2, WATER_COVER: 1}
    assert set(both["categories"]) == {RAIN_COVER, WATER_COVER}


def test_streets_add_up_their_grids_and_no_category_counts_every_case(api: TestClient) -> None:
    grids = _grids(api, 40)
    for grid in grids[:3]:
        _report(api, RAIN_COVER, grid)
    _report(api, "event-0102", grids[0], "垃圾堆着")
    by_grid = api.post("/v1/analytics/hotspots", json={"categories": [RAIN_COVER], "top": 100}).json()
    by_street = api.post("/v1/analytics/hotspots", json={"categories": [RAIN_COVER], "level": "street", "top": 100}).json()
    per_street: dict[str, int] = {}
    for item in by_grid["items"]:
        per_street[item["street"]] = per_street.get(item["street"], 0) + item["count"]
    assert {i["street"]: i["count"] for i in by_street["items"]} == per_street
    # A street of n grids expects n grids' share of an even spread.
    assert all(abs(i["expected"] - by_grid["expected"] * i["grids"]) < 0.001 * i["grids"] for i in by_street["items"])
    assert any(i["grids"] > 1 for i in by_street["items"])
    assert api.post("/v1/analytics/hotspots", json={}).json()["cases"] == 4


def test_bad_requests_are_refused_with_a_sentence(api: TestClient) -> None:
    unknown = api.post("/v1/analytics/hotspots", json={"categories": ["component-9999"]})
    assert unknown.status_code == 422 and "component-9999" in unknown.json()["error"]["message"]
    assert api.post("/v1/analytics/hotspots", json={"categories": [RAIN_COVER], "level": "road"}).status_code == 422
    district = api.post("/v1/analytics/hotspots", json={"categories": [RAIN_COVER], "district": "A3区"})
    assert district.status_code == 422
    period = api.post("/v1/analytics/hotspots", json={"categories": [RAIN_COVER], "period": "上个月"})
    assert period.status_code == 422 and "上个月" in period.json()["error"]["message"]


def test_ray_scores_the_districts_as_the_process_does(api: TestClient, doc_graph, db_url: str,
                                                     ray_engine: BatchEngine) -> None:  # fmt: skip
    grids = _grids(api, 6)
    for i, grid in enumerate(grids):
        for _ in range(i % 3 + 1):
            _report(api, RAIN_COVER, grid)
    sessions = session_factory(make_engine(db_url))
    request = HotspotRequest(categories=[RAIN_COVER], top=20)
    here = find_hotspots(sessions, doc_graph, ray_engine, request.model_copy(update={"engine": "in-process"}))
    there = find_hotspots(sessions, doc_graph, ray_engine, request.model_copy(update={"engine": "ray"}))
    assert (here.engine, there.engine) == ("in-process", "ray") and here.cases == 12
    assert there.items == here.items and not there.failures
