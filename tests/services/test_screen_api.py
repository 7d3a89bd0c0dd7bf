"""What the operations screen reads besides the contract: the city's map and node briefs from the graph,
the vital signs' trend, cases per district, the memo list and the evaluation record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from core.eval_record import latest, record
from graph.demo.city import CityData


def test_the_map_has_every_district_and_grid_outline_within_its_bounds(client: TestClient, small_city: CityData) -> None:
    city = client.get("/v1/graph/map").json()
    assert {d["id"] for d in city["districts"]} == {d["id"] for d in small_city.nodes["District"]}
    assert {g["id"] for g in city["grids"]} == {g["id"] for g in small_city.nodes["Grid"]}
    x0, y0, x1, y1 = city["bounds"]
    for area in city["districts"] + city["grids"]:
        assert area["ring"][0] == area["ring"][-1] and len(area["ring"]) >= 4  # closed outlines
        assert x0 <= area["lon"] <= x1 and y0 <= area["lat"] <= y1


def test_briefs_name_and_place_the_ids_asked_and_leave_unknown_ones_out(client: TestClient, small_city: CityData) -> None:
    sensor, department = small_city.nodes["Sensor"][0], small_city.nodes["Department"][0]
    items = client.get("/v1/graph/briefs", params={"ids": f"{sensor['id']},{department['id']},S0000000000000000-01,nonsense"}).json()["items"]
    by_id = {b["id"]: b for b in items}
    assert set(by_id) == {sensor["id"], department["id"]}
    assert (by_id[sensor["id"]]["lon"], by_id[sensor["id"]]["lat"]) == (sensor["lon"], sensor["lat"])
    assert by_id[department["id"]]["name"] == department["name"] and by_id[department["id"]]["lon"] is None


def test_a_vital_signs_trend_counts_the_alarms_open_at_each_hour(client: TestClient, small_city: CityData) -> None:
    sensor = next(s for s in small_city.nodes["Sensor"] if s["kind"] == "gas_concentration")
    opened = datetime.now(UTC) - timedelta(hours=3, minutes=30)
    body = {"readings": [{"sensor_id": sensor["id"], "ts": opened.isoformat(), "value": 40.0}]}
    assert client.post("/v1/monitoring/readings", json=body).json()["accepted"] == 1
    trend = {t["code"]: t["points"] for t in client.get("/v1/monitoring/vitals/trend", params={"hours": 6}).json()["items"]}
    gas = [value for _, value in trend["gas_leak_alarms"]]
    assert len(gas) == 7 and gas[:3] == [0, 0, 0] and gas[3:] == [1, 1, 1, 1]  # opened between hours 3 and 4 ago
    assert client.get("/v1/monitoring/vitals/trend", params={"hours": 0}).status_code == 422


def test_case_stats_count_each_district_and_add_up(client: TestClient, small_city: CityData) -> None:
    grids = small_city.nodes["Grid"]
    far = next(g for g in grids if g["district"] != grids[0]["district"])
    for grid in (grids[0], grids[0], far):
        body = {"text": "井盖没了", "category_code": "component-0101", "grid_id": grid["id"]}
        assert client.post("/v1/cases", json=body).status_code == 201
    stats = client.get("/v1/cases/stats", params={"period": "last1d"}).json()
    counts = {d["district"]: (d["total"], d["open"]) for d in stats["by_district"]}
    assert counts == {grids[0]["district"]: (2, 2), far["district"]: (1, 1)} and stats["total"] == 3


def test_the_evaluation_record_keeps_each_sections_newest_run(tmp_path: Path) -> None:
    assert latest(tmp_path)["sections"] == {} and "yiwang eval" in latest(tmp_path)["hint"]
    record({"created": "2026-12-01T00:00:00+00:00", "commit": "a1", "target": "local",
            "sections": {"chat": {"figures": {"correct": 0.7}}, "triage": {"figures": {"top1": 0.9}}}}, tmp_path)  # fmt: skip
    record({"created": "2026-12-02T00:00:00+00:00", "commit": "b2", "target": "local",
            "sections": {"chat": {"figures": {"correct": 0.75}}}}, tmp_path)  # fmt: skip
    kept = latest(tmp_path)["sections"]
    assert kept["chat"]["figures"] == {"correct": 0.75} and kept["chat"]["commit"] == "b2"
    assert kept["triage"]["figures"] == {"top1": 0.9} and kept["triage"]["created"] == "2026-12-01T00:00:00+00:00"
