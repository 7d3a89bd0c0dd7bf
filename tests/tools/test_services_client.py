"""The services client's one table of operations: every operation has its in-process answer and its HTTP
route, and the two transports give the same answer (or the same error) for every operation."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.exceptions import YiwangError
from core.settings import Settings
from core.times import CHINA
from tools import local
from tools.client import OPERATIONS, LocalServices, RemoteServices, ServicesClient


@pytest.fixture(scope="module")
def api(doc_settings: Settings, doc_graph, doc_index, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = tmp_path_factory.mktemp("client") / "client.db"
    settings = doc_settings.model_copy(update={"db_url": f"sqlite:///{db}", "mqtt_url": ""})
    with TestClient(create_app(settings, store=doc_graph, document_index=doc_index)) as client:
        yield client


def test_every_operation_has_an_in_process_answer_with_the_same_parameters() -> None:
    for name, op in OPERATIONS.items():
        answer = getattr(local, name, None)
        assert answer is not None, f"tools.local has no {name}"
        assert list(inspect.signature(answer).parameters)[1:] == op.parameters(), name


def test_every_operation_has_its_route_on_the_server(api: TestClient) -> None:
    paths = api.get("/openapi.json").json()["paths"]
    routes = {(method.upper(), path) for path, methods in paths.items() for method in methods}
    for op in OPERATIONS.values():
        assert (op.method, op.path) in routes, f"{op.name}: no {op.method} {op.path}"


def _without_clock(value: Any) -> Any:
    """``as_of`` says when an answer was computed, ``seconds`` how long it took: the fields two calls a moment
    apart may differ in."""
    if isinstance(value, dict):
        return {k: _without_clock(v) for k, v in value.items() if k not in ("as_of", "seconds")}
    if isinstance(value, list):
        return [_without_clock(v) for v in value]
    return value


def _outcome(call: Callable[[ServicesClient], Any], client: ServicesClient) -> Any:
    try:
        return _without_clock(call(client))
    except YiwangError as exc:
        return (type(exc).__name__, exc.message)


def test_both_transports_agree_on_every_operation(api: TestClient, doc_graph, doc_index) -> None:
    runtime = api.app.state.runtime
    local_client = LocalServices(doc_graph, runtime.sessions, Settings().shared_dir, doc_index, runtime.triage)
    remote_client = RemoteServices("http://testserver", client=api)
    sensor = api.get("/v1/monitoring/sensors", params={"kind": "water_level", "limit": 1}).json()["items"][0]
    now = datetime.now(UTC).replace(microsecond=0)
    readings = [{"sensor_id": sensor["id"], "ts": (now - timedelta(minutes=m)).isoformat(), "value": 3.0 + m} for m in (1, 2)]
    assert api.post("/v1/monitoring/readings", json={"readings": readings}).json()["accepted"] == 2
    window = {"since": now - timedelta(hours=1), "until": now}
    report = {"text": "幸福路上的井盖丢了，很危险", "category_code": "component-0101", "grid_id": sensor["grid_id"]}
    created: dict[str, str] = {}

    # Writes go in process first, then over HTTP with the same Idempotency-Key: HTTP must replay the first
    # result, which holds only if both transports name the write the same way.
    calls: dict[str, Callable[[ServicesClient], Any]] = {
        "search_entities": lambda c: c.search_entities("A3区", limit=3),
        "themes": lambda c: c.themes(),
        "node": lambda c: c.node("990103", limit=5),
        "responsibility": lambda c: c.responsibility("event-0405", district="990103"),
        "find_assets": lambda c: c.find_assets(category="0204", limit=3),
        "asset_stats": lambda c: c.asset_stats(category=["0204", "0110"], status=["完好"], group_by="district"),
        "search_documents": lambda c: c.search_documents("井盖缺失多久处置", 3, {"level": "市级"}),
        "sensors": lambda c: c.sensors(kind="water_level", district=sensor["district"], limit=5),
        "readings": lambda c: c.readings(sensor["id"], since=window["since"].isoformat()),  # a string, as a recipe gives it
        "sensor_stats": lambda c: c.sensor_stats("water_level", sensor["district"], **window),
        "alarms": lambda c: c.alarms(state="open"),
        "alarm_stats": lambda c: c.alarm_stats(state="open", opened="2026", group_by="kind"),
        "vitals": lambda c: c.vitals("990103"),
        "forecast": lambda c: c.forecast(f"sensor:{sensor['id']}", 6),
        "sensor_forecasts": lambda c: c.sensor_forecasts("water_level", sensor["district"], 6, 5),
        "create_case": lambda c: created.setdefault("case", c.create_case(report, idempotency_key="agree-1")["id"]),
        "transition_case": lambda c: c.transition_case(created["case"], {"action": "立案", "actor": "值班员"}, idempotency_key="agree-2"),
        "case": lambda c: c.case(created["case"]),
        "cases": lambda c: c.cases(state="立案", limit=5),
        "case_stats": lambda c: c.case_stats(district="990103", source="12345"),
        "evaluation": lambda c: c.evaluation(),
        "federation_facts": lambda c: c.federation_facts("case_stats", f"{now.astimezone(CHINA):%Y-%m}"),
        "federation_sources": lambda c: c.federation_sources(),
        "department_rollups": lambda c: c.department_rollups([f"{now.astimezone(CHINA):%Y-%m}"], rank_by="结案率"),
        "hot_topics": lambda c: c.hot_topics("2019-07", "A3区", 3, ["噪音"]),
        "anomalies": lambda c: c.anomalies("water_level", sensor["district"], 6, 5),
        "hotspots": lambda c: c.hotspots(["component-0101"], sensor["district"], f"{now.astimezone(CHINA):%Y-%m}"),
        "triage": lambda c: c.triage({"text": "垃圾成堆好几天没人清"}),
    }
    assert set(calls) == set(OPERATIONS), "every operation of the client is compared here"
    for name, call in calls.items():
        assert _outcome(call, local_client) == _outcome(call, remote_client), name
    assert remote_client.case(created["case"])["state"] == "立案"
    assert remote_client.readings(sensor["id"], since=window["since"])[-1]["value"] == 4.0


def test_a_time_given_as_text_is_read_in_process_as_over_http_and_a_bad_one_is_refused(api: TestClient, doc_graph, doc_index) -> None:
    runtime = api.app.state.runtime
    local_client = LocalServices(doc_graph, runtime.sessions, Settings().shared_dir, doc_index, runtime.triage)
    remote_client = RemoteServices("http://testserver", client=api)
    for client in (local_client, remote_client):
        assert client.cases(since="2000-01-01T00:00:00+08:00", limit=5) == client.cases(limit=5)
    with pytest.raises(YiwangError) as refused:
        local_client.cases(since="昨天")
    assert refused.value.status == 422 and "since" in refused.value.message
