"""Three levels, one network: two cities publish to a province served by a real uvicorn on loopback (its own
database, SQLite and PostgreSQL), through their outboxes over HTTP; the province's figures are the cities' own,
a city cut off mid-sync catches up with nothing lost or counted twice, and a platform speaks only for itself."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from federation_support import City, Province, make_city, served_province
from sqlalchemy import select
from tests_support import Proxy

from core.exceptions import BackendUnavailable
from core.settings import Settings
from core.times import CHINA
from graph.store import GraphStore
from services.dispatch.cases import create_case, get_case, list_cases, transition
from services.dispatch.demo_history import seed_case_history
from services.dispatch.models import CaseCreate, CaseFilter, TransitionRequest
from services.dispatch.performance import evaluate_departments
from services.dispatch.stats import case_stats
from services.federation import outbox, push
from services.federation.handovers import HandoverRequest, hand_over
from services.federation.models import Item
from services.federation.tables import OutboxRow


@pytest.fixture
def province(base_settings: Settings, graph: GraphStore, db_url: str) -> Iterator[Province]:
    if graph.backend != "falkordb-embedded":
        pytest.skip("one graph engine is enough")
    with served_province(base_settings, graph, db_url) as served:
        yield served


def _city(base: Settings, graph: GraphStore, tmp_path: Path, code: str, name: str, seed: int, province: Province) -> City:
    return make_city(base, graph, tmp_path, code, name, seed, province)


def _province_facts(province: Province, kind: str, scope: str) -> dict[str, dict]:
    response = httpx.get(f"{province.url}/v1/federation/facts", params={"kind": kind, "scope": scope},
                         headers={"Authorization": f"Bearer {province.admin}"})  # fmt: skip
    assert response.status_code == 200, response.text
    return {held["source"]: held for held in response.json()["items"]}


def _month() -> str:
    return f"{datetime.now(UTC).astimezone(CHINA):%Y-%m}"


def test_the_provinces_figures_are_the_cities_own_and_add_up(base_settings, graph, tmp_path, province) -> None:
    cities = [_city(base_settings, graph, tmp_path, "990100", "A市", 11, province),
              _city(base_settings, graph, tmp_path, "990200", "B市", 22, province)]  # fmt: skip
    for city in cities:
        done = push.publish(city.sessions, graph, city.settings)
        assert done.made >= 5 and done.sent == done.made and done.duplicates == 0
    month = _month()
    held = _province_facts(province, "case_stats", month)
    own = {}
    for city in cities:  # the city's own figures at the moment its fact is as of
        as_of = datetime.fromisoformat(held[city.settings.platform_code]["as_of"])
        with city.sessions() as session:
            own[city.settings.platform_code] = case_stats(session, month, now=as_of)
    assert set(held) == {"990100", "990200"}
    for code, stats in own.items():
        figures = held[code]["payload"]
        assert (figures["total"], figures["open"], figures["closed"], figures["overdue"]) == (
            stats.total, stats.open, stats.closed, stats.overdue)
        assert held[code]["seq"] >= 1 and held[code]["as_of"]  # citable: which batch, as of when
    assert sum(h["payload"]["total"] for h in held.values()) == sum(s.total for s in own.values())
    # Two different cities, not one counted twice: their month differs (by category, by department — early in
    # a month the two seeded histories can hold the same total: 39 and 39 on 7 December).
    assert own["990100"].model_dump(exclude={"data_since"}) != own["990200"].model_dump(exclude={"data_since"})
    evaluation = _province_facts(province, "evaluation", month)
    assert all(item["按期处置率"]["denominator"] >= item["按期处置率"]["numerator"]
               for h in evaluation.values() for item in h["payload"]["items"])  # the counts behind each rate came too
    names = _province_facts(province, "metadata", "codes")["990200"]["payload"]
    assert {"districts", "departments", "categories"} <= names.keys()
    sources = httpx.get(f"{province.url}/v1/federation/sources", headers={"Authorization": f"Bearer {province.admin}"})
    assert [(s["code"], s["stale"]) for s in sources.json()["items"]] == [("990100", False), ("990200", False)]
    # Publishing again with nothing changed sends nothing.
    again = push.publish(cities[0].sessions, graph, cities[0].settings)
    assert (again.made, again.sent) == (0, 0)


def test_a_city_cut_off_mid_sync_catches_up_with_nothing_lost_or_counted_twice(base_settings, graph, tmp_path,
                                                                                 province) -> None:  # fmt: skip
    host, port = province.url.removeprefix("http://").split(":")
    proxy = Proxy((host, int(port)))
    try:
        city = _city(base_settings, graph, tmp_path, "990100", "A市", 11, province)
        city.settings = city.settings.model_copy(update={"parent_url": f"http://127.0.0.1:{proxy.port}"})
        proxy.cut()
        assert push.snapshot(city.sessions, graph) >= 5
        with pytest.raises(BackendUnavailable, match="发件箱"):
            push.send(city.sessions, city.settings)
        with city.sessions() as session:
            waiting = outbox.state(session).pending
            seed_case_history(session, graph, seed=99, days=1, per_day=5)  # the city goes on while cut off
        assert waiting >= 5 and push.snapshot(city.sessions, graph) >= 1
        proxy.restore()
        done = push.send(city.sessions, city.settings)
        with city.sessions() as session:
            assert outbox.state(session).pending == 0
            items = [Item(seq=r.seq, kind=r.kind, scope=r.scope, as_of=r.as_of.replace(tzinfo=UTC), payload={})
                     for r in session.scalars(select(OutboxRow))]  # fmt: skip
            now_stats = case_stats(session, _month())
        assert done.sent == len(items) and done.duplicates == 0
        assert _province_facts(province, "case_stats", _month())["990100"]["payload"]["total"] == now_stats.total
        # The acknowledgement lost: the same batch delivered again is recognised, not stored twice.
        replay = httpx.post(f"{province.url}/v1/federation/batches",
                            json={"source": {"code": "990100", "name": "A市"}, "items": [i.model_dump(mode="json") for i in items]},
                            headers={"Authorization": f"Bearer {province.keys['990100']}"})  # fmt: skip
        assert replay.status_code == 200 and replay.json()["accepted"] == 0 and replay.json()["duplicates"] == len(items)
        assert _province_facts(province, "case_stats", _month())["990100"]["payload"]["total"] == now_stats.total
    finally:
        proxy.cut()
        proxy.listener.close()


def test_a_platform_speaks_only_for_itself(province) -> None:
    body = {"source": {"code": "990200", "name": "B市"}, "items": []}
    as_a = httpx.post(f"{province.url}/v1/federation/batches", json=body,
                      headers={"Authorization": f"Bearer {province.keys['990100']}"})  # fmt: skip
    assert as_a.status_code == 403 and "990100" in as_a.json()["error"]["message"]
    assert httpx.post(f"{province.url}/v1/federation/batches", json=body).status_code == 401
    asked = httpx.post(f"{province.url}/v1/chat", json={"message": "A1区有多少案件"},
                       headers={"Authorization": f"Bearer {province.keys['990100']}"})  # fmt: skip
    assert asked.status_code == 403  # a platform's key publishes figures; it is no person asking


def test_a_running_city_publishes_on_its_own_schedule(base_settings, graph, tmp_path, province) -> None:
    from runtime import open_runtime

    city = _city(base_settings, graph, tmp_path, "990200", "B市", 22, province)
    settings = city.settings.model_copy(update={"db_url": f"sqlite:///{tmp_path / '990200.db'}", "sync_interval_s": 0.5})
    heard: list[dict] = []
    with open_runtime(settings, {"publisher"}, graph=graph) as runtime:
        for _ in range(100):
            listed = httpx.get(f"{province.url}/v1/federation/sources", headers={"Authorization": f"Bearer {province.admin}"})
            heard = listed.json()["items"]
            if heard:
                break
            time.sleep(0.1)
        assert runtime.publisher is not None and runtime.publisher.last_error is None
    assert [(s["code"], s["name"]) for s in heard] == [("990200", "B市")]


def _as(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_a_supervision_order_goes_down_onto_the_case_and_its_receipt_comes_back(base_settings, graph, tmp_path,
                                                                               province) -> None:  # fmt: skip
    city = _city(base_settings, graph, tmp_path, "990100", "A市", 11, province)
    push.publish(city.sessions, graph, city.settings)
    with city.sessions() as session:
        case = next(c for c in list_cases(session, CaseFilter(open=True), limit=50).items if c.deadline)
    due = datetime.now(UTC) + timedelta(hours=2)
    unknown = httpx.post(f"{province.url}/v1/federation/orders", headers=_as(province.admin),
                         json={"target": "990300", "case_id": case.id, "text": "请核查"})  # fmt: skip
    assert unknown.status_code in (400, 422) and "尚未上报" in unknown.json()["error"]["message"]
    sent = httpx.post(f"{province.url}/v1/federation/orders", headers=_as(province.admin),
                      json={"target": "990100", "case_id": case.id, "text": "群众反映强烈，请两小时内办结并反馈",
                            "due_at": due.isoformat()})  # fmt: skip
    assert sent.status_code == 201, sent.text
    push.publish(city.sessions, graph, city.settings)  # the city takes it in when it next publishes
    with city.sessions() as session:
        supervised = get_case(session, case.id)
    entry = supervised.history[-1]
    assert entry.action == "督办" and "两小时内办结" in entry.note and entry.actor.startswith("西地省")
    assert supervised.state == case.state and supervised.version == case.version + 1  # recorded, nothing moved
    assert datetime.fromisoformat(supervised.deadline) <= due
    listed = httpx.get(f"{province.url}/v1/federation/orders", headers=_as(province.admin)).json()["items"]
    assert (listed[0]["id"], listed[0]["applied"], listed[0]["case_state"]) == (sent.json()["id"], "已记入案件流转记录", case.state)
    with city.sessions() as session:
        transition(session, graph, case.id, TransitionRequest(action="作废", note="重复件"))
        session.commit()
    push.publish(city.sessions, graph, city.settings)
    listed = httpx.get(f"{province.url}/v1/federation/orders", headers=_as(province.admin)).json()["items"]
    assert listed[0]["case_state"] == "作废"  # the province follows the case to its end
    push.publish(city.sessions, graph, city.settings)
    with city.sessions() as session:  # fetched again, an order is not recorded twice
        assert [h.action for h in get_case(session, case.id).history].count("督办") == 1


def test_a_major_incident_goes_up_within_seconds(base_settings, graph, tmp_path, province) -> None:
    from runtime import open_runtime
    from services.monitoring.readings import ReadingIn, ingest

    city = _city(base_settings, graph, tmp_path, "990100", "A市", 11, province)
    settings = city.settings.model_copy(update={"db_url": f"sqlite:///{tmp_path / '990100.db'}", "sync_interval_s": 300})
    sensor = next(s for s in graph.ro_query("MATCH (s:Sensor {kind: 'gas_concentration'}) RETURN s.id AS id LIMIT 1"))["id"]

    def held() -> list[str]:
        items = _province_facts(province, "major_alarms", "open").get("990100", {"payload": {"items": []}})["payload"]["items"]
        return [a["sensor_id"] for a in items]

    with open_runtime(settings, {"publisher", "monitoring"}, graph=graph) as runtime:
        for _ in range(100):  # the first publication, at start
            if "990100" in _province_facts(province, "major_alarms", "open"):
                break
            time.sleep(0.1)
        assert sensor not in held()
        with runtime.sessions() as session:
            ingest(session, runtime.registry, [ReadingIn(sensor_id=sensor, ts=datetime.now(UTC), value=40.0)])
            session.commit()
        started = time.monotonic()
        while sensor not in held() and time.monotonic() - started < 10:
            time.sleep(0.2)
        assert sensor in held(), "the gas leak did not reach the province"
        assert time.monotonic() - started < 5  # long before the 300 s interval


def test_the_provinces_assistant_compares_its_cities_from_what_they_sent(base_settings, graph, tmp_path,
                                                                        province) -> None:  # fmt: skip
    cities = [_city(base_settings, graph, tmp_path, "990100", "A市", 11, province),
              _city(base_settings, graph, tmp_path, "990200", "B市", 22, province)]  # fmt: skip
    for city in cities:
        push.publish(city.sessions, graph, city.settings)
    ask = lambda message: httpx.post(f"{province.url}/v1/chat", json={"message": message},  # noqa: E731
                                     headers=_as(province.admin), timeout=30).json()  # fmt: skip
    rates = ask("西地省各市本月按期处置率对比")
    own = {}
    for city in cities:
        with city.sessions() as session:
            items = evaluate_departments(session, _month()).items
        num, den = sum(i.按期处置率.numerator for i in items), sum(i.按期处置率.denominator for i in items)
        own[city.settings.platform_name] = f"{round(100 * num / den, 1):g}%（{num}/{den}）"
    for name, figure in own.items():
        assert f"{name} {figure}" in rates["answer"], rates["answer"]  # the city's own counts, not a mean of rates
    assert "批次 #" in rates["answer"] and len(rates["citations"]) == 2
    assert {c["id"] for c in rates["citations"]} == {rates["tool_calls"][0]["id"]}
    most = ask("哪个城市本月未办结的案件最多？")
    with cities[0].sessions() as a, cities[1].sessions() as b:
        counts = {"A市": case_stats(a, _month()).open, "B市": case_stats(b, _month()).open}
    top = max(counts, key=counts.get)
    assert most["answer"].rstrip("。").split("。")[-1].startswith(top) or f"{top}最多" in most["answer"], most["answer"]
    unknown = ask("各市的空气质量怎么样")
    assert "可以对比" in unknown["answer"] and not unknown["citations"]


def test_a_city_whose_codes_differ_is_mapped_by_code_and_what_cannot_be_is_reported(base_settings, graph, tmp_path,
                                                                                  province) -> None:  # fmt: skip
    city = _city(base_settings, graph, tmp_path, "990100", "A市", 11, province)
    push.publish(city.sessions, graph, city.settings)
    odd = {"districts": [{"code": "990201", "name": "B1区"}, {"code": "990101", "name": "借用区"}],
           "departments": [],
           "categories": [{"id": "component-0101", "code": "0101", "name": "窨井盖"},
                          {"id": "event-9999", "code": "9999", "name": "共享单车乱停"}]}  # fmt: skip
    item = {"seq": 1, "kind": "metadata", "scope": "codes", "as_of": datetime.now(UTC).isoformat(), "payload": odd}
    sent = httpx.post(f"{province.url}/v1/federation/batches", json={"source": {"code": "990200", "name": "B市"}, "items": [item]},
                      headers=_as(province.keys["990200"]))  # fmt: skip
    assert sent.status_code == 200
    report = {r["source"]: r for r in httpx.get(f"{province.url}/v1/federation/codes", headers=_as(province.admin)).json()["items"]}
    a, b = report["990100"], report["990200"]
    assert a["categories"] > 50 and a["mapped"] == a["categories"] and not a["unmapped"] and not a["foreign_districts"]
    assert (b["categories"], b["mapped"]) == (2, 1)
    assert [u["code"] for u in b["unmapped"]] == ["event-9999"] and "无法对应" in b["unmapped"][0]["problem"]
    assert [r["code"] for r in b["renamed"]] == ["component-0101"] and "名称不同" in b["renamed"][0]["problem"]
    assert [d["code"] for d in b["foreign_districts"]] == ["990101"]


def test_a_boundary_case_is_handed_over_to_the_neighbour_with_its_history(base_settings, graph, tmp_path,
                                                                         province) -> None:  # fmt: skip
    a = _city(base_settings, graph, tmp_path, "990100", "A市", 11, province)
    b = _city(base_settings, graph, tmp_path, "990200", "B市", 22, province)
    grid = max(graph.ro_query("MATCH (g:Grid) RETURN g.id AS id, g.max_lon AS x"), key=lambda g: g["x"])["id"]  # the east edge
    with a.sessions() as session:
        case = create_case(session, graph, CaseCreate(text="交界处路面塌陷，电话13912345678", category_code="event-0101",
                                                      grid_id=grid))  # fmt: skip
        transition(session, graph, case.id, TransitionRequest(action="立案"))
        session.commit()
        closed = hand_over(session, graph, HandoverRequest(case_id=case.id, to="990200", note="位于B市一侧"), "派遣员甲", "990100")
        session.commit()
    assert closed.state == "作废" and "移交至 990200" in closed.history[-1].note
    push.publish(a.sessions, graph, a.settings)  # up with A's figures
    push.publish(b.sessions, graph, b.settings)  # B takes it in when it next publishes
    with b.sessions() as session:
        opened = list_cases(session, CaseFilter(source="handover"), limit=5).items
    assert len(opened) == 1
    new = opened[0]
    assert "13912345678" not in new.text and "塌陷" in new.text  # the report travels redacted
    entry = new.history[-1]
    assert entry.action == "接收移交" and case.id in entry.note and "立案" in entry.note and entry.actor == "A市"
    push.publish(b.sessions, graph, b.settings)
    receipts = _province_facts(province, "handover_receipts", "all")["990200"]["payload"]["items"]
    assert [(r["case_id"], r["new_case_id"]) for r in receipts] == [(case.id, new.id)]
    push.publish(b.sessions, graph, b.settings)
    with b.sessions() as session:  # fetched again, never opened twice
        assert len(list_cases(session, CaseFilter(source="handover"), limit=5).items) == 1


def test_a_province_publishes_its_cities_added_up_to_the_nation(base_settings, graph, tmp_path, province) -> None:
    cities = [_city(base_settings, graph, tmp_path, "990100", "A市", 11, province),
              _city(base_settings, graph, tmp_path, "990200", "B市", 22, province)]  # fmt: skip
    for city in cities:
        push.publish(city.sessions, graph, city.settings)
    with served_province(base_settings, graph, f"sqlite:///{tmp_path / 'nation.db'}", level="nation", code="100000",
                         name="全国", lower=("990000",)) as nation:  # fmt: skip
        runtime = province.app.state.runtime
        settings = province.settings.model_copy(update={"parent_url": nation.url, "parent_key": nation.keys["990000"]})
        done = push.publish(runtime.sessions, graph, settings)
        assert done.sent >= 4
        held = _province_facts(nation, "case_stats", _month())["990000"]
        own = [_province_facts(province, "case_stats", _month())[c.settings.platform_code]["payload"] for c in cities]
        assert held["payload"]["total"] == sum(o["total"] for o in own) and held["source_name"] == "西地省"
        assert {c["code"]: c["total"] for c in held["payload"]["by_city"]} == {
            c.settings.platform_code: o["total"] for c, o in zip(cities, own, strict=True)}  # each city's figure kept
        asked = httpx.post(f"{nation.url}/v1/chat", json={"message": "各省本月按期处置率对比"}, headers=_as(nation.admin)).json()
        assert asked["answer"].startswith("全国各省本月按期处置率") and "西地省" in asked["answer"] and "批次 #" in asked["answer"]


def test_a_provincial_memo_sets_the_cities_side_by_side_from_their_batches(base_settings, graph, tmp_path,
                                                                         province) -> None:  # fmt: skip
    cities = [_city(base_settings, graph, tmp_path, "990100", "A市", 11, province),
              _city(base_settings, graph, tmp_path, "990200", "B市", 22, province)]  # fmt: skip
    for city in cities:
        push.publish(city.sessions, graph, city.settings)
    made = httpx.post(f"{province.url}/v1/memos", json={"topic": "各市城市运行情况"}, headers=_as(province.admin), timeout=60)
    assert made.status_code == 201, made.text
    memo = made.json()
    for section in ("## 背景", "## 现状", "## 研判", "## 建议", "## 依据"):
        assert section in memo["markdown"]
    for city in cities:
        with city.sessions() as session:
            total = case_stats(session, _month()).total
        assert f"| {city.settings.platform_name} | {total}[" in memo["markdown"]  # the city's own figure, cited
    assert all(c["id"].startswith("batch:") and "批次 #" in c["title"] for c in memo["citations"])
    docx = httpx.get(f"{province.url}/v1/memos/{memo['id']}.docx", headers=_as(province.admin), timeout=60)
    assert docx.status_code == 200 and docx.content[:2] == b"PK"


def test_the_provinces_evaluation_lists_every_citys_departments_with_their_counts(base_settings, graph, tmp_path,
                                                                                 province) -> None:  # fmt: skip
    city = _city(base_settings, graph, tmp_path, "990100", "A市", 11, province)
    push.publish(city.sessions, graph, city.settings)
    got = httpx.get(f"{province.url}/v1/evaluation", headers=_as(province.admin)).json()
    with city.sessions() as session:
        own = evaluate_departments(session, _month()).items
    assert {i["department_id"]: i["按期处置率"]["numerator"] for i in got["items"]} == {
        f"990100:{i.department_id}": i.按期处置率.numerator for i in own}
    other = httpx.get(f"{province.url}/v1/evaluation", params={"period": "2025-01"}, headers=_as(province.admin))
    assert other.status_code in (400, 422) and "本月" in other.json()["error"]["message"]


def test_a_case_is_handed_over_only_to_a_platform_the_province_knows(base_settings, graph, tmp_path, province) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app

    a = _city(base_settings, graph, tmp_path, "990100", "A市", 11, province)
    b = _city(base_settings, graph, tmp_path, "990200", "B市", 22, province)
    push.publish(b.sessions, graph, b.settings)  # the province has heard from B市 only
    settings = a.settings.model_copy(update={"db_url": f"sqlite:///{tmp_path / '990100.db'}", "auth": "off"})
    with TestClient(create_app(settings, store=graph)) as client:
        case = client.get("/v1/cases", params={"open": "true", "limit": 1}).json()["items"][0]
        unknown = client.post("/v1/federation/handovers", json={"case_id": case["id"], "to": "990300", "note": "在邻市"})
        assert unknown.status_code in (400, 422) and "没有登记 990300" in unknown.json()["error"]["message"], unknown.text
        assert "B市(990200)" in unknown.json()["error"]["message"]
        assert client.get(f"/v1/cases/{case['id']}").json()["state"] == case["state"]  # nothing closed
        handed = client.post("/v1/federation/handovers", json={"case_id": case["id"], "to": "990200", "note": "在邻市"})
        assert handed.status_code == 200 and handed.json()["state"] == "作废"
