"""Department roll-ups: each period's figures are the evaluation's for that period, ranked best first (lowest
first for rework), a district keeps to its cases, the backlog counts the cases each department holds now, Ray
gives what the process gives, and a bad period is a 422 with a sentence."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from analytics.department_rollups import DepartmentRollupRequest, roll_up_departments
from analytics.engine import BatchEngine
from core.times import CHINA
from services.db import make_engine, session_factory


def _dispatched(api: TestClient, category: str, grid: str, steps: tuple[str, ...] = ("立案", "派遣")) -> str:
    case = api.post("/v1/cases", json={"text": "测试案件", "category_code": category, "grid_id": grid}).json()
    for action in steps:
        moved = api.post(f"/v1/cases/{case['id']}/transition", json={"action": action, "actor": "tester"})
        assert moved.status_code == 200, moved.text
    return case["id"]


def _grids(api: TestClient) -> list[str]:
    found = api.get("/v1/graph/search", params={"q": "网格", "label": "Grid", "limit": 50}).json()["items"]
    return sorted(g["id"] for g in found)


def _seed(api: TestClient) -> list[str]:
    grids = _grids(api)
    _dispatched(api, "event-0102", grids[0], ("立案", "派遣", "签收", "处置反馈", "核查通过"))
    _dispatched(api, "event-0102", grids[1])
    _dispatched(api, "component-0103", grids[2], ("立案", "派遣", "签收", "处置反馈", "返工"))
    _dispatched(api, "component-0110", grids[-1])
    return grids


def test_each_period_is_the_evaluation_of_that_period_ranked(api: TestClient) -> None:
    _seed(api)
    month = f"{datetime.now(UTC).astimezone(CHINA):%Y-%m}"
    run = api.post("/v1/analytics/department-rollups", json={"periods": [month, "last7d"], "rank_by": "返工率"})
    assert run.status_code == 200, run.text
    body = run.json()
    assert [p["period"] for p in body["periods"]] == [month, "last7d"]
    evaluation = {i["department_id"]: i for i in api.get("/v1/evaluation", params={"period": month}).json()["items"]}
    rolled = {i["department_id"]: i for i in body["periods"][0]["items"]}
    assert set(rolled) == set(evaluation) and len(rolled) >= 2
    for department, item in rolled.items():
        assert {k: item[k] for k in evaluation[department]} == evaluation[department]
    rework = [i["返工率"]["value"] for i in body["periods"][0]["items"]]
    known = [v for v in rework if v is not None]
    assert known == sorted(known) and known[-1] > 0  # rework: the least first
    assert [i["rank"] for i in body["periods"][0]["items"]] == list(range(1, len(rolled) + 1))
    open_cases = api.get("/v1/cases", params={"open": True, "counts": True, "limit": 1}).json()["counts"]["total"]
    assert sum(b["open"] for b in body["backlog"]) == open_cases and all(b["name"] for b in body["backlog"])


def test_a_district_keeps_to_its_cases_and_ray_gives_what_the_process_gives(api: TestClient, doc_graph, db_url: str,
                                                                           ray_engine: BatchEngine) -> None:  # fmt: skip
    grids = _seed(api)
    district = grids[0][:6]
    mine = api.post("/v1/analytics/department-rollups", json={"periods": ["last7d"], "district": district}).json()
    dispatched = sum(i["派遣数"] for i in mine["periods"][0]["items"])
    expected = sum(1 for g in (grids[0], grids[1], grids[2], grids[-1]) if g.startswith(district))
    assert dispatched == expected < 4
    sessions = session_factory(make_engine(db_url))
    request = DepartmentRollupRequest(periods=["last7d", "last30d"])
    now = datetime.now(UTC)  # the rolling periods end at the same instant for both
    here = roll_up_departments(sessions, doc_graph, ray_engine, request.model_copy(update={"engine": "in-process"}), now=now)
    there = roll_up_departments(sessions, doc_graph, ray_engine, request.model_copy(update={"engine": "ray"}), now=now)
    assert (here.engine, there.engine) == ("in-process", "ray") and there.periods == here.periods


def test_bad_requests_are_refused_with_a_sentence(api: TestClient) -> None:
    period = api.post("/v1/analytics/department-rollups", json={"periods": ["上个月"]})
    assert period.status_code == 422 and "上个月" in period.json()["error"]["message"]
    twice = api.post("/v1/analytics/department-rollups", json={"periods": ["2026-11", "2026-11"]})
    assert twice.status_code == 422 and "重复" in twice.json()["error"]["message"]
    assert api.post("/v1/analytics/department-rollups", json={"rank_by": "满意度"}).status_code == 422
