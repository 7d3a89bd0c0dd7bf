"""``/v1/chat`` over HTTP on each database (the checkpointer lives there), SSE, and the tool client
speaking HTTP to the same app giving what the in-process client gives."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.settings import Settings
from graph.queries.responsibility import responsible_department
from tools.client import LocalServices, RemoteServices


@pytest.fixture
def api(doc_settings: Settings, doc_graph, doc_index, db_url: str) -> Iterator[TestClient]:
    settings = doc_settings.model_copy(update={"db_url": db_url, "mqtt_url": ""})
    with TestClient(create_app(settings, store=doc_graph, document_index=doc_index)) as client:
        yield client


def test_chat_answers_with_the_contract_fields_and_remembers_the_session(api: TestClient, doc_graph) -> None:
    expected = responsible_department(doc_graph, "component-0204", district="990105").department.name
    first = api.post("/v1/chat", json={"message": "A5区的桥梁归哪个部门管？"})
    assert first.status_code == 200
    body = first.json()
    assert set(body) >= {"session_id", "answer", "citations", "tool_calls", "mode"}
    assert body["mode"] == "offline-planner" and expected in body["answer"]
    assert {"id", "name", "args", "ok"} <= set(body["tool_calls"][0])
    assert {c["kind"] for c in body["citations"]} >= {"tool", "graph"}
    ids = {c["id"] for c in body["citations"]}
    assert all(call["id"] in ids for call in body["tool_calls"] if call["ok"])

    follow = api.post("/v1/chat", json={"message": "那它的状态怎么样？", "session_id": body["session_id"]}).json()
    assert follow["session_id"] == body["session_id"]
    # "它" is A5区's bridges: the follow-up looks them up there and states the status of one of them.
    looked_up = follow["tool_calls"][0]["args"]
    assert looked_up["district"] == "990105" and looked_up["category"] == "component-0204", looked_up
    assert "A5区" in follow["answer"] and "桥梁" in follow["answer"] and "状态" in follow["answer"]


def test_chat_stream_sends_tokens_then_the_full_answer(api: TestClient) -> None:
    with api.stream("POST", "/v1/chat/stream", json={"message": "全市生命体征怎么样？"}) as response:
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
        text = "".join(response.iter_text())
    events = [block.split("\n", 1) for block in text.strip().split("\n\n")]
    names = [e[0].removeprefix("event: ") for e in events]
    assert names[-1] == "done" and "token" in names and "tool" in names
    done = json.loads(events[-1][1].removeprefix("data: "))
    tokens = "".join(json.loads(e[1].removeprefix("data: "))["text"] for e in events if e[0] == "event: token")
    assert tokens == done["answer"] and done["citations"]


@pytest.mark.parametrize("body, status", [({"message": ""}, 422), ({}, 422), ({"message": "x" * 5000}, 422),
                                          ({"message": "你好", "role": "mayor"}, 422),
                                          ({"message": "你好", "session_id": "../etc"}, 422)])  # fmt: skip
def test_bad_chat_requests_get_a_clear_error(api: TestClient, body: dict, status: int) -> None:
    response = api.post("/v1/chat", json=body)
    assert response.status_code == status and response.json()["error"]["message"]


def test_confirm_without_a_pending_write_is_refused(api: TestClient) -> None:
    session = api.post("/v1/chat", json={"message": "全市生命体征怎么样？"}).json()["session_id"]
    response = api.post("/v1/chat/confirm", json={"session_id": session, "approved": True})
    assert response.status_code == 422 and "没有待确认" in response.json()["error"]["message"]


def test_remote_and_local_clients_agree(api: TestClient, doc_graph, doc_index) -> None:
    remote = RemoteServices("http://testserver", client=api)
    local = LocalServices(doc_graph, api.app.state.runtime.sessions, Settings().shared_dir, doc_index, api.app.state.runtime.triage)
    assert remote.responsibility("event-0405", district="990103") == local.responsibility("event-0405", district="990103")
    assert remote.search_entities("A3区", limit=3) == local.search_entities("A3区", limit=3)
    assert remote.find_assets(category="0204", limit=3) == local.find_assets(category="0204", limit=3)
    assert remote.vitals("990103")[0]["code"] == local.vitals("990103")[0]["code"]
    assert [h["chunk_id"] for h in remote.search_documents("井盖缺失多久处置", 3)] == \
           [h["chunk_id"] for h in local.search_documents("井盖缺失多久处置", 3)]
    report = {"text": "垃圾成堆好几天没人清"}
    assert remote.triage(report)["category"] == local.triage(report)["category"]
    sensor = api.get("/v1/monitoring/sensors", params={"kind": "water_level", "limit": 1}).json()["items"][0]
    now = datetime.now(UTC).replace(microsecond=0)
    readings = [{"sensor_id": sensor["id"], "ts": (now - timedelta(minutes=m)).isoformat(), "value": 3.0 + m} for m in (1, 2)]
    assert api.post("/v1/monitoring/readings", json={"readings": readings}).json()["accepted"] == 2
    window = {"since": now - timedelta(hours=1), "until": now}
    stats = remote.sensor_stats("water_level", sensor["district"], **window)
    assert stats == local.sensor_stats("water_level", sensor["district"], **window)
    assert (stats[0]["sensor_id"], stats[0]["max"]) == (sensor["id"], 5.0)
    from core.exceptions import NotFound

    with pytest.raises(NotFound):
        remote.case("C20990101-FFFFFFFF")
