"""Who may do what (issue 17): API keys and OIDC tokens mapped to roles, checked on every write; the actor is
the caller's identity; the audit log records writes, refusals and the chat's case lookups, hash-chained — on
SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text

from api.app import create_app
from core.access import ROLES
from core.settings import Settings
from graph.demo.city import CityData
from graph.store import GraphStore
from services.access.keys import create_key


@pytest.fixture
def secured(base_settings: Settings, graph: GraphStore, db_url: str) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The app with keys required, and one key per role."""
    if graph.backend != "falkordb-embedded":
        pytest.skip("access tests need one graph engine only")
    settings = base_settings.model_copy(update={"db_url": db_url, "auth": "keys"})
    with TestClient(create_app(settings, store=graph)) as client:
        runtime = client.app.state.runtime
        with runtime.sessions() as session:
            keys = {role: create_key(session, f"{role}-tester", role).key for role in ROLES}
        yield client, keys


def _as(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _case_body(small_city: CityData) -> dict:
    grid = small_city.nodes["Grid"][0]["id"]
    return {"text": "幸福路上井盖没了，很危险", "category_code": "component-0101", "grid_id": grid}


def test_anonymous_writes_are_refused_with_a_sentence_and_reads_need_a_key(secured, small_city: CityData) -> None:
    client, keys = secured
    refused = client.post("/v1/cases", json=_case_body(small_city))
    assert refused.status_code == 401 and "身份认证" in refused.json()["error"]["message"]
    assert refused.headers["www-authenticate"].startswith("Bearer")
    assert client.get("/v1/cases").status_code == 401  # reads are closed unless open_reads says otherwise
    bogus = client.get("/v1/cases", headers=_as("yw_not-a-key"))
    assert bogus.status_code == 401 and "无效" in bogus.json()["error"]["message"]
    assert client.get("/healthz").status_code == 200  # liveness stays open
    assert client.get("/v1/cases", headers=_as(keys["official"])).status_code == 200


def test_every_write_route_refuses_an_anonymous_caller(secured) -> None:
    client, _ = secured
    writes = [(path, method) for path, item in client.app.openapi()["paths"].items() for method in item
              if method in ("post", "put", "patch", "delete")]  # fmt: skip
    assert len(writes) >= 15
    for path, method in writes:
        answer = client.request(method.upper(), path.replace("{", "").replace("}", ""), json={})
        assert answer.status_code == 401, (method, path, answer.status_code)


def test_each_role_does_its_own_duty_and_no_other(secured, small_city: CityData) -> None:
    client, keys = secured
    body = _case_body(small_city)
    wrong = client.post("/v1/cases", json=body, headers=_as(keys["official"]))
    assert wrong.status_code == 403 and "无权" in wrong.json()["error"]["message"]
    case = client.post("/v1/cases", json=body, headers=_as(keys["hotline"]))
    assert case.status_code == 201
    move = {"action": "立案", "actor": "市长办公室"}  # a body's actor is not who acted
    assert client.post(f"/v1/cases/{case.json()['id']}/transition", json=move, headers=_as(keys["hotline"])).status_code == 403
    moved = client.post(f"/v1/cases/{case.json()['id']}/transition", json=move, headers=_as(keys["dispatcher"]))
    assert moved.status_code == 200
    assert [h["actor"] for h in moved.json()["history"]] == ["hotline-tester", "dispatcher-tester"]
    memo = client.post("/v1/memos", json={"topic": "道路积水内涝"}, headers=_as(keys["official"]))
    assert memo.status_code == 403
    reading = {"readings": [{"sensor_id": small_city.nodes["Sensor"][0]["id"], "ts": "2026-12-01T08:00:00+08:00", "value": 1.0}]}
    assert client.post("/v1/monitoring/readings", json=reading, headers=_as(keys["dispatcher"])).status_code == 403
    assert client.post("/v1/monitoring/readings", json=reading, headers=_as(keys["device"])).status_code == 200
    assert client.get("/v1/cases", headers=_as(keys["device"])).status_code == 403  # a gateway posts, never reads
    assert client.get("/v1/audit", headers=_as(keys["dispatcher"])).status_code == 403


def test_keys_are_kept_hashed_and_a_revoked_key_stops_at_once(secured) -> None:
    client, keys = secured
    runtime = client.app.state.runtime
    with runtime.sessions() as session:
        stored = " ".join(str(row) for row in session.execute(text("SELECT * FROM api_keys")).all())
    assert not any(key in stored for key in keys.values())
    made = client.post("/v1/keys", json={"name": "张三", "role": "analyst"}, headers=_as(keys["admin"]))
    assert made.status_code == 201 and made.json()["key"].startswith("yw_")
    new = made.json()["key"]
    me = client.get("/v1/me", headers=_as(new)).json()
    assert (me["name"], me["role"], me["via"]) == ("张三", "analyst", "key")
    assert "memo" in me["may"] and "transition" not in me["may"]  # what a screen may offer this caller
    assert client.post(f"/v1/keys/{made.json()['id']}/revoke", headers=_as(keys["admin"])).status_code == 200
    assert client.get("/v1/me", headers=_as(new)).status_code == 401
    listed = client.get("/v1/keys", headers=_as(keys["admin"])).json()["items"]
    assert any(k["id"] == made.json()["id"] and k["revoked_at"] for k in listed) and "key" not in listed[0]


def test_the_audit_log_records_who_did_what_and_shows_any_change_afterwards(secured, small_city: CityData) -> None:
    client, keys = secured
    case = client.post("/v1/cases", json=_case_body(small_city), headers=_as(keys["hotline"]) | {"X-Request-ID": "req-42"})
    client.post(f"/v1/cases/{case.json()['id']}/transition", json={"action": "立案"}, headers=_as(keys["official"]))
    log = client.get("/v1/audit", headers=_as(keys["admin"])).json()["items"]
    created = next(e for e in log if e["action"] == "POST /v1/cases")
    assert (created["actor"], created["role"], created["outcome"], created["request_id"]) == ("hotline-tester", "hotline", 201, "req-42")
    refused = next(e for e in log if e["action"] == "POST /v1/cases/{case_id}/transition")
    assert (refused["actor"], refused["outcome"], refused["target"]) == ("official-tester", 403, f"/v1/cases/{case.json()['id']}/transition")
    assert "幸福路" not in json.dumps(log, ensure_ascii=False)  # citizens' words are never in the log
    assert case.headers["x-request-id"] == "req-42"
    check = client.get("/v1/audit/verify", headers=_as(keys["admin"])).json()
    assert check["intact"] and check["rows"] == len(log)
    runtime = client.app.state.runtime
    with runtime.sessions() as session:  # someone with database access rewrites who did it
        session.execute(text("UPDATE audit_log SET actor = 'nobody' WHERE seq = :seq"), {"seq": created["seq"]})
        session.commit()
    broken = client.get("/v1/audit/verify", headers=_as(keys["admin"])).json()
    assert not broken["intact"] and broken["first_broken"] == created["seq"]


def test_the_chat_answers_in_the_callers_role_and_its_case_lookups_are_audited(secured, small_city: CityData) -> None:
    client, keys = secured
    case = client.post("/v1/cases", json=_case_body(small_city), headers=_as(keys["hotline"])).json()
    reply = client.post("/v1/chat", json={"message": f"案件 {case['id']} 现在到哪一步了", "role": "analyst"},
                        headers=_as(keys["official"]))  # fmt: skip
    assert reply.status_code == 200
    log = client.get("/v1/audit", params={"action": "chat:"}, headers=_as(keys["admin"])).json()["items"]
    assert any(e["actor"] == "official-tester" and e["target"] == case["id"] for e in log)
    # A write the assistant prepared is confirmed only by a role that may do it.
    asked = client.post("/v1/chat", json={"message": f"把案件 {case['id']} 立案"}, headers=_as(keys["official"])).json()
    assert asked["pending"]["calls"][0]["name"] == "transition_case"
    denied = client.post("/v1/chat/confirm", json={"session_id": asked["session_id"], "approved": True},
                         headers=_as(keys["official"]))  # fmt: skip
    assert denied.status_code == 403 and "仍待" in denied.json()["error"]["message"]
    done = client.post("/v1/chat/confirm", json={"session_id": asked["session_id"], "approved": True},
                       headers=_as(keys["dispatcher"]))  # fmt: skip
    assert done.status_code == 200
    history = client.get(f"/v1/cases/{case['id']}", headers=_as(keys["official"])).json()["history"]
    assert history[-1]["action"] == "立案" and history[-1]["actor"] == "dispatcher-tester"


class _Jwks(BaseHTTPRequestHandler):
    body = b"{}"

    def do_GET(self) -> None:  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


def test_a_city_identity_providers_token_is_accepted_with_its_role(base_settings: Settings, graph: GraphStore,
                                                                   tmp_path) -> None:  # fmt: skip
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    if graph.backend != "falkordb-embedded":
        pytest.skip("access tests need one graph engine only")
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    _Jwks.body = json.dumps({"keys": [public | {"kid": "city-1", "use": "sig", "alg": "RS256"}]}).encode()
    server = HTTPServer(("127.0.0.1", 0), _Jwks)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings = base_settings.model_copy(update={
        "db_url": f"sqlite:///{tmp_path / 'oidc.db'}", "auth": "keys", "oidc_issuer": "https://idp.city.example",
        "oidc_audience": "yiwang", "oidc_jwks_url": f"http://127.0.0.1:{server.server_port}/jwks"})  # fmt: skip

    def token(role: object, **claims: object) -> str:
        payload = {"sub": "u-1", "preferred_username": "李四", "iss": "https://idp.city.example", "aud": "yiwang",
                   "exp": int(time.time()) + 300, "role": role, **claims}  # fmt: skip
        return jwt.encode(payload, private, algorithm="RS256", headers={"kid": "city-1"})

    try:
        with TestClient(create_app(settings, store=graph)) as client:
            me = client.get("/v1/me", headers=_as(token(["staff", "dispatcher"]))).json()
            assert (me["name"], me["role"], me["via"]) == ("李四", "dispatcher", "token") and "transition" in me["may"]
            assert client.get("/v1/me", headers=_as(token("analyst", aud="another-app"))).status_code == 401
            assert client.get("/v1/me", headers=_as(token("analyst", exp=int(time.time()) - 10))).status_code == 401
            assert client.get("/v1/me", headers=_as(token("mayor"))).status_code == 403
    finally:
        server.shutdown()


def test_citizens_data_is_stored_redacted_and_the_original_shown_only_to_those_who_need_it(secured, small_city: CityData) -> None:
    client, keys = secured
    report = "我是张三，电话13912345678，住幸福小区2栋3单元501室，卡号6222021234567890128被扣费"
    case = client.post("/v1/cases", json=_case_body(small_city) | {"text": report}, headers=_as(keys["hotline"])).json()
    for secret in ("13912345678", "501", "6222021234567890128", "张三"):
        assert secret not in case["text"]
    assert "幸福小区2栋" in case["text"]  # the building places the report; the flat does not
    assert client.get(f"/v1/cases/{case['id']}", headers=_as(keys["official"])).json()["original_text"] is None
    assert client.get(f"/v1/cases/{case['id']}", headers=_as(keys["hotline"])).json()["original_text"] == report
    listed = client.get("/v1/cases", headers=_as(keys["hotline"])).json()["items"]
    assert "13912345678" not in json.dumps(listed)
    moved = client.post(f"/v1/cases/{case['id']}/transition", json={"action": "立案", "note": "已电话13912345678联系"},
                        headers=_as(keys["dispatcher"]))  # fmt: skip
    assert "13912345678" not in moved.json()["history"][-1]["note"]
    # A report pasted into the chat: no tool argument, citation or checkpoint keeps the number.
    reply = client.post("/v1/chat", json={"message": "幸福路井盖没了，我电话13912345678"}, headers=_as(keys["hotline"]))
    assert reply.status_code == 200 and "13912345678" not in reply.text
    runtime = client.app.state.runtime
    with runtime.sessions() as session:  # every table: cases, history, audit, the chat's checkpoints
        names = inspect(session.get_bind()).get_table_names()
        assert any("checkpoint" in name for name in names)
        for name in names:  # all but the one column meant for the original, read by hotline and admin only
            columns = ", ".join(f'"{c["name"]}"' for c in inspect(session.get_bind()).get_columns(name) if c["name"] != "original_text")
            for row in session.execute(text(f'SELECT {columns} FROM "{name}"')):
                assert "13912345678" not in repr(row), name


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/v1/forecast", {"series_id": "ett:OT", "horizon": True}, "horizon"),
    ("/v1/forecast", {"series_id": "ett:OT", "horizon": "24"}, "horizon"),
    ("/v1/analytics/anomalies", {"kind": "water_level", "hours": True}, "hours"),
    ("/v1/chat/confirm", {"session_id": "s1", "approved": "false"}, "approved"),
])  # fmt: skip
def test_a_bool_or_a_string_is_no_number(secured, path: str, body: dict, field: str) -> None:
    client, keys = secured
    answer = client.post(path, json=body, headers=_as(keys["admin"]))
    assert answer.status_code == 422 and field in answer.json()["error"]["message"]


def test_a_transition_refuses_true_as_a_version(secured, small_city: CityData) -> None:
    client, keys = secured
    case = client.post("/v1/cases", json=_case_body(small_city), headers=_as(keys["hotline"])).json()
    answer = client.post(f"/v1/cases/{case['id']}/transition", json={"action": "立案", "expected_version": True},
                         headers=_as(keys["dispatcher"]))  # fmt: skip
    assert answer.status_code == 422 and "expected_version" in answer.json()["error"]["message"]


def test_control_characters_are_refused_and_never_quote_internals(secured, small_city: CityData) -> None:
    client, keys = secured
    nul = client.post("/v1/cases", json=_case_body(small_city) | {"text": "井盖\x00没了"}, headers=_as(keys["hotline"]))
    assert nul.status_code == 422 and "控制字符" in nul.json()["error"]["message"]
    search = client.get("/v1/graph/search", params={"q": "幸福\x00路"}, headers=_as(keys["official"]))
    assert search.status_code == 422 and "MATCH" not in search.text and "NUL" in search.json()["error"]["message"]
    huge = client.get("/v1/graph/nodes/" + "x" * 20_000, headers=_as(keys["official"]))
    assert huge.status_code == 404 and len(huge.text) < 1000 and "截断" in huge.text  # never echoed back whole


def test_an_idempotency_key_replays_the_first_memo_and_the_first_readings_result(secured, small_city: CityData) -> None:
    client, keys = secured
    sensor = small_city.nodes["Sensor"][0]["id"]
    batch = {"readings": [{"sensor_id": sensor, "ts": "2026-12-01T08:00:00+08:00", "value": 1.0}]}
    gateway = _as(keys["device"]) | {"Idempotency-Key": "gw-batch-1"}
    first, again = (client.post("/v1/monitoring/readings", json=batch, headers=gateway).json() for _ in range(2))
    assert first["accepted"] == 1 and again == first  # the retry is told what the first did, not "duplicate"
    other = client.post("/v1/monitoring/readings", json={"readings": []}, headers=gateway)
    assert other.status_code == 409  # one key, another body
    analyst = _as(keys["analyst"]) | {"Idempotency-Key": "memo-1"}
    one = client.post("/v1/memos", json={"topic": "道路积水内涝"}, headers=analyst)
    two = client.post("/v1/memos", json={"topic": "道路积水内涝"}, headers=analyst)
    assert one.status_code == two.status_code == 201 and one.json()["id"] == two.json()["id"]
    runtime = client.app.state.runtime
    with runtime.sessions() as session:
        assert session.execute(text("SELECT COUNT(*) FROM memos")).scalar() == 1


def test_a_caller_over_its_rate_gets_429_with_retry_after_and_others_go_on(base_settings: Settings, graph: GraphStore,
                                                                           tmp_path) -> None:  # fmt: skip
    if graph.backend != "falkordb-embedded":
        pytest.skip("access tests need one graph engine only")
    settings = base_settings.model_copy(update={"db_url": f"sqlite:///{tmp_path / 'rate.db'}", "auth": "keys",
                                               "rate_per_minute": 5})  # fmt: skip
    with TestClient(create_app(settings, store=graph)) as client:
        with client.app.state.runtime.sessions() as session:
            busy, calm = (create_key(session, name, "official").key for name in ("busy", "calm"))
        answers = [client.get("/v1/cases", headers=_as(busy)) for _ in range(7)]
        assert [a.status_code for a in answers[:5]] == [200] * 5 and answers[5].status_code == 429
        assert int(answers[5].headers["retry-after"]) >= 1 and "每分钟最多 5 次" in answers[5].json()["error"]["message"]
        assert client.get("/v1/cases", headers=_as(calm)).status_code == 200  # one caller's limit is its own


def test_the_openapi_document_declares_the_errors_every_route_can_answer(secured) -> None:
    client, _ = secured
    paths = client.get("/openapi.json").json()["paths"]
    for path, item in paths.items():
        for method, operation in item.items():
            declared = set(operation["responses"])
            assert {"401", "403", "404", "409", "422", "429"} <= declared, (method, path)
            assert operation["responses"]["403"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")
