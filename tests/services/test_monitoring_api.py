"""/v1/monitoring on SQLite and PostgreSQL: validation, alarms with hysteresis, bursts, vitals."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from core.times import CHINA, local_iso
from graph.demo.city import CityData
from graph.store import GraphStore
from services.db import make_engine, migrate, session_factory
from services.monitoring.readings import ingest_rows, readings_of
from services.monitoring.registry import Registry, sync_sensors

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def _sensor(small_city: CityData, kind: str) -> dict:
    return next(s for s in small_city.nodes["Sensor"] if s["kind"] == kind)


def _post(client: TestClient, *readings: tuple[str, datetime, float]) -> dict:
    body = {"readings": [{"sensor_id": s, "ts": t.isoformat(), "value": v} for s, t, v in readings]}
    # Raw JSON so a device's NaN token reaches the server as it would in the field.
    response = client.post("/v1/monitoring/readings", content=json.dumps(body), headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text
    return response.json()


def test_registry_is_synced_from_the_graph(client: TestClient, small_city: CityData) -> None:
    items = client.get("/v1/monitoring/sensors", params={"limit": 10_000}).json()["items"]
    assert {s["id"] for s in items} == {s["id"] for s in small_city.nodes["Sensor"]}
    level = _sensor(small_city, "water_level")
    one = client.get("/v1/monitoring/sensors", params={"asset_id": level["asset"]}).json()["items"]
    assert level["id"] in [s["id"] for s in one] and one[0]["thresholds"]["direction"] in ("above", "below")


def test_every_reading_is_accepted_or_rejected_with_its_reason(client: TestClient, small_city: CityData) -> None:
    sensor = _sensor(small_city, "water_pressure")["id"]
    result = _post(client, (sensor, T0, 0.35), ("S9999999999999999-01", T0, 1.0), (sensor, T0 + timedelta(minutes=1), 99.0),
                   (sensor, datetime.now(UTC) + timedelta(days=2), 0.3), (sensor, T0, 0.36),
                   (sensor, T0 + timedelta(minutes=2), float("nan")), (sensor, datetime(1, 1, 1, tzinfo=UTC), 0.3))  # fmt: skip
    assert result["accepted"] == 1
    reasons = {r["index"]: r["reason"] for r in result["rejected"]}
    assert set(reasons) == {1, 2, 3, 4, 5, 6}
    assert "unknown sensor" in reasons[1] and "physical range" in reasons[2] and "future" in reasons[3]
    assert "duplicate" in reasons[4] and "finite" in reasons[5]
    assert "three years old" in reasons[6]  # a clock fault (0001-01-01) is never stored
    again = _post(client, (sensor, T0, 0.37))
    assert again["accepted"] == 0 and "exists" in again["rejected"][0]["reason"]
    stored = client.get("/v1/monitoring/readings", params={"sensor_id": sensor}).json()["items"]
    assert [r["value"] for r in stored] == [0.35]


def test_naive_timestamp_is_refused_whole(client: TestClient, small_city: CityData) -> None:
    sensor = _sensor(small_city, "water_pressure")["id"]
    response = client.post("/v1/monitoring/readings", json={"readings": [{"sensor_id": sensor, "ts": "2026-11-24T10:00:00", "value": 0.3}]})
    assert response.status_code == 422 and "offset" in response.json()["error"]["message"]


def test_alarm_opens_escalates_and_closes_with_hysteresis(client: TestClient, small_city: CityData) -> None:
    sensor = _sensor(small_city, "water_level")
    values = [5, 15, 25, 50, 9.8, 12, 5]  # watch 10, warning 20, alarm 40 (cm)
    for minute, value in enumerate(values):
        _post(client, (sensor["id"], T0 + timedelta(minutes=minute), value))
    alarms = client.get("/v1/monitoring/alarms", params={"district": sensor["district"]}).json()["items"]
    assert len(alarms) == 1
    alarm = alarms[0]
    assert (alarm["state"], alarm["level"], alarm["peak"], alarm["threshold"]) == ("closed", "alarm", 50, 40)
    assert alarm["asset_id"] == sensor["asset"] and alarm["grid_id"] == sensor["grid"]
    assert alarm["closed_at"] == local_iso(T0 + timedelta(minutes=6))  # the 9.8 and 12 readings kept it open


def test_one_asset_s_open_alarms_are_asked_by_its_id(client: TestClient, small_city: CityData) -> None:
    first, other = [s for s in small_city.nodes["Sensor"] if s["direction"] == "above"
                    and s["kind"] == "water_level"][:2]  # fmt: skip
    assert first["asset"] != other["asset"]
    for minute, spec in enumerate((first, other)):
        _post(client, (spec["id"], T0 + timedelta(minutes=minute), spec["threshold_alarm"] + 1))
    mine = client.get("/v1/monitoring/alarms", params={"state": "open", "asset_id": first["asset"]}).json()["items"]
    assert [a["sensor_id"] for a in mine] == [first["id"]]


def test_a_burst_opens_one_alarm(client: TestClient, small_city: CityData) -> None:
    spec = next(s for s in small_city.nodes["Sensor"] if s["direction"] == "above")
    sensor = spec["id"]

    def burst(offset: int) -> dict:
        return _post(client, *[(sensor, T0 + timedelta(seconds=offset * 1000 + i), spec["threshold_alarm"]) for i in range(100)])

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(burst, range(4)))
    assert sum(r["accepted"] for r in results) == 400
    open_alarms = client.get("/v1/monitoring/alarms", params={"state": "open"}).json()["items"]
    assert [a["sensor_id"] for a in open_alarms] == [sensor]


def test_vitals_reflect_open_alarms_per_district(client: TestClient, small_city: CityData) -> None:
    sensor = _sensor(small_city, "water_level")
    _post(client, (sensor["id"], T0, 30.0))
    city = {v["code"]: v for v in client.get("/v1/monitoring/vitals").json()["items"]}
    assert city["waterlogging_points"]["value"] == 1 and city["waterlogging_points"]["status"] == "watch"
    assert {"code", "name", "value", "unit", "status", "as_of"} <= city["water_pressure_compliance"].keys()
    other = next(d["id"] for d in small_city.nodes["District"] if d["id"] != sensor["district"])
    elsewhere = {v["code"]: v for v in client.get("/v1/monitoring/vitals", params={"district": other}).json()["items"]}
    assert elsewhere["waterlogging_points"]["value"] == 0 and elsewhere["waterlogging_points"]["status"] == "normal"


def test_unknown_sensor_readings_are_404(client: TestClient) -> None:
    response = client.get("/v1/monitoring/readings", params={"sensor_id": "S0000000000000000-01"})
    assert response.status_code == 404


def test_concurrent_batches_with_the_same_readings_store_each_once(client: TestClient, small_city: CityData) -> None:
    sensor = _sensor(small_city, "water_pressure")["id"]
    batch = [(sensor, T0 + timedelta(seconds=i), 0.3) for i in range(200)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: _post(client, *batch), range(4)))
    assert sum(r["accepted"] for r in results) == 200
    assert sum(len(r["rejected"]) for r in results) == 600
    assert all("duplicate" in x["reason"] for r in results for x in r["rejected"])
    assert len(client.get("/v1/monitoring/readings", params={"sensor_id": sensor}).json()["items"]) == 200


def test_late_readings_are_stored_but_do_not_flip_the_alarm(client: TestClient, small_city: CityData) -> None:
    sensor = _sensor(small_city, "water_level")
    _post(client, (sensor["id"], T0 + timedelta(minutes=10), 30.0))  # newest: an alarm opens
    late = _post(client, (sensor["id"], T0, 1.0))  # an older, normal reading arrives late
    assert late["accepted"] == 1
    alarms = client.get("/v1/monitoring/alarms", params={"state": "open"}).json()["items"]
    assert [a["sensor_id"] for a in alarms] == [sensor["id"]]
    stored = client.get("/v1/monitoring/readings", params={"sensor_id": sensor["id"]}).json()["items"]
    assert [r["value"] for r in stored] == [1.0, 30.0]


def test_a_batch_partly_stored_already_stores_only_the_new_readings(client: TestClient, small_city: CityData) -> None:
    sensor = _sensor(small_city, "water_pressure")["id"]
    _post(client, *[(sensor, T0 + timedelta(minutes=m), 0.3) for m in (1, 3)])
    result = _post(client, *[(sensor, T0 + timedelta(minutes=m), 0.4) for m in range(5)])
    assert result["accepted"] == 3
    assert [(r["index"], "exists" in r["reason"]) for r in result["rejected"]] == [(1, True), (3, True)]
    stored = client.get("/v1/monitoring/readings", params={"sensor_id": sensor}).json()["items"]
    assert [r["value"] for r in stored] == [0.4, 0.3, 0.4, 0.3, 0.4]  # the first value of each time is kept


def test_concurrent_batches_over_the_same_sensors_are_all_stored(client: TestClient, small_city: CityData) -> None:
    specs = small_city.nodes["Sensor"][:40]

    def batch(n: int) -> dict:
        # Each batch names the sensors in another order, so the writers' row locks cross.
        order = specs if n % 2 else list(reversed(specs))
        return _post(client, *[(s["id"], T0 + timedelta(minutes=n), s["range_min"]) for s in order])

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(batch, range(8)))
    assert [r["accepted"] for r in results] == [len(specs)] * 8
    latest = {s["id"]: s for s in client.get("/v1/monitoring/sensors", params={"limit": 10_000}).json()["items"]}
    assert {latest[s["id"]]["last_ts"] for s in specs} == {local_iso(T0 + timedelta(minutes=7))}


def test_the_newest_value_is_not_overwritten_by_a_late_reading(client: TestClient, small_city: CityData) -> None:
    sensor = _sensor(small_city, "water_pressure")

    def newest() -> tuple[float, str]:
        item = client.get("/v1/monitoring/sensors", params={"asset_id": sensor["asset"]}).json()["items"]
        mine = next(s for s in item if s["id"] == sensor["id"])
        return mine["last_value"], mine["last_ts"]

    _post(client, (sensor["id"], T0 + timedelta(minutes=5), 0.31))
    _post(client, (sensor["id"], T0, 0.29))
    assert newest() == (0.31, local_iso(T0 + timedelta(minutes=5)))


def test_in_process_producers_get_the_same_checks_without_the_http_models(graph: GraphStore, small_city: CityData,
                                                                          db_url: str) -> None:  # fmt: skip
    sensor = _sensor(small_city, "water_pressure")["id"]
    engine = make_engine(db_url)
    migrate(engine)
    sessions, registry = session_factory(engine), Registry()
    with sessions() as session:
        sync_sensors(session, graph)
        session.commit()
        registry.load(session)
        result = ingest_rows(session, registry, [
            (sensor, "2026-11-24T10:00:00+08:00", 0.3),  # an ISO string with its offset
            (sensor, "2026-11-24T10:00:00", 0.3),  # no offset
            (sensor, datetime(2026, 11, 24, 2, 1), 0.3),  # a naive datetime
            (sensor, "yesterday", 0.3),
            (sensor, T0 + timedelta(minutes=2), "high"),
            (sensor, T0 + timedelta(minutes=3), 1),  # an int is a number
            (sensor, T0, 0.4),  # the first reading's instant, written in UTC
        ])  # fmt: skip
        session.commit()
        stored = readings_of(session, sensor, None, None)
    engine.dispose()
    reasons = {r.index: r.reason for r in result.rejected}
    assert result.accepted == 2 and set(reasons) == {1, 2, 3, 4, 6}
    assert "offset" in reasons[1] and "offset" in reasons[2] and "ISO 8601" in reasons[3] and "not a number" in reasons[4]
    assert "duplicate" in reasons[6]
    assert stored == [{"ts": local_iso(T0), "value": 0.3}, {"ts": local_iso(T0 + timedelta(minutes=3)), "value": 1.0}]


def test_window_stats_rank_one_kind_by_its_peak(client: TestClient, small_city: CityData) -> None:
    first, second = [s for s in small_city.nodes["Sensor"] if s["kind"] == "water_pressure"][:2]
    _post(client, (first["id"], T0, 0.31), (first["id"], T0 + timedelta(minutes=5), 0.42),
          (second["id"], T0, 0.29), (second["id"], T0 + timedelta(minutes=5), 0.33),
          (first["id"], T0 + timedelta(hours=3), 0.6))  # fmt: skip  (the last one is outside the window)
    window = {"kind": "water_pressure", "since": T0.isoformat(), "until": (T0 + timedelta(hours=1)).isoformat()}
    items = client.get("/v1/monitoring/stats", params=window).json()["items"]
    assert [(i["sensor_id"], i["count"], i["min"], i["max"]) for i in items] == [
        (first["id"], 2, 0.31, 0.42), (second["id"], 2, 0.29, 0.33)]
    assert items[0]["mean"] == 0.365 and items[0]["unit"] == first["unit"]
    other = next(d for d in {s["district"] for s in small_city.nodes["Sensor"]} if d not in (first["district"], second["district"]))
    assert client.get("/v1/monitoring/stats", params={**window, "district": other}).json()["items"] == []
    local = {"kind": "water_pressure", "since": "2026-11-24T10:00:00", "until": "2026-11-24T11:00:00"}  # = T0 in China time
    assert client.get("/v1/monitoring/stats", params=local).json()["items"] == items
    # "超过0.3出现过几次": each sensor's readings past the value, counted in the same query
    past = client.get("/v1/monitoring/stats", params={**window, "above": 0.3}).json()["items"]
    assert [(i["sensor_id"], i["past"]) for i in past] == [(first["id"], 2), (second["id"], 1)]
    low = client.get("/v1/monitoring/stats", params={**window, "below": 0.3}).json()["items"]
    assert [(i["sensor_id"], i["past"]) for i in low] == [(first["id"], 0), (second["id"], 1)]
    assert all(i["past"] is None for i in items)  # none asked: none counted


def test_window_stats_refuse_an_unknown_kind_or_an_empty_window(client: TestClient) -> None:
    unknown = client.get("/v1/monitoring/stats", params={"kind": "rainfall", "since": T0.isoformat()})
    assert unknown.status_code == 404 and "water_level" in unknown.json()["error"]["message"]
    backwards = client.get("/v1/monitoring/stats", params={"kind": "water_level", "since": T0.isoformat(),
                                                           "until": (T0 - timedelta(hours=1)).isoformat()})  # fmt: skip
    assert backwards.status_code == 422 and "since" in backwards.json()["error"]["message"]
    assert client.get("/v1/monitoring/stats", params={"kind": "water_level"}).status_code == 422


def test_alarm_counts_are_whole_per_district_kind_and_level_and_by_when_they_opened_or_closed(
    client: TestClient, small_city: CityData
) -> None:
    water = [s for s in small_city.nodes["Sensor"] if s["kind"] == "water_level"][:3]
    gas = _sensor(small_city, "gas_concentration")
    now = datetime.now(UTC)
    _post(client, *[(s["id"], now - timedelta(minutes=30), 45.0) for s in water], (gas["id"], now - timedelta(minutes=30), 12.0))
    _post(client, (water[0]["id"], now - timedelta(minutes=10), 0.0))  # back to normal: closed
    stats = client.get("/v1/monitoring/alarms/stats", params={"group_by": "kind"}).json()
    listed = client.get("/v1/monitoring/alarms").json()["items"]
    assert stats["total"] == len(listed) == 4
    assert {g["key"]: g["count"] for g in stats["groups"]} == {"water_level": 3, "gas_concentration": 1}
    assert stats["by_level"] == {"alarm": 3, "warning": 1}
    still_open = client.get("/v1/monitoring/alarms/stats", params={"state": "open", "group_by": "district"}).json()
    assert still_open["total"] == 3 and sum(g["count"] for g in still_open["groups"]) == 3
    today = f"{datetime.now(UTC).astimezone(CHINA):%Y-%m-%d}"
    closed_today = client.get("/v1/monitoring/alarms/stats", params={"closed": today}).json()
    assert closed_today["total"] == 1 and closed_today["start"].startswith(today)
    before_records = client.get("/v1/monitoring/alarms/stats", params={"opened": "2020-01-01..2099-12-31"}).json()
    # "国庆以来触发过多少次": a period reaching back before the first alarm on record says where the records begin
    assert before_records["total"] == 4 and before_records["records_from"] == min(a["opened_at"] for a in listed)
    assert before_records["records_from"] > before_records["start"] and stats["records_from"] is None
    assert client.get("/v1/monitoring/alarms/stats", params={"opened": "2020-01"}).json()["total"] == 0
    bad = client.get("/v1/monitoring/alarms/stats", params={"group_by": "colour"})
    assert bad.status_code == 422 and "group_by" in bad.json()["error"]["message"]


def test_window_stats_say_when_each_peak_and_low_was_read(client: TestClient, small_city: CityData) -> None:
    sensor = [s for s in small_city.nodes["Sensor"] if s["kind"] == "water_pressure"][0]
    _post(client, (sensor["id"], T0, 0.31), (sensor["id"], T0 + timedelta(minutes=5), 0.42),
          (sensor["id"], T0 + timedelta(minutes=10), 0.25), (sensor["id"], T0 + timedelta(minutes=15), 0.42))  # fmt: skip
    window = {"kind": "water_pressure", "since": T0.isoformat(), "until": (T0 + timedelta(hours=1)).isoformat()}
    item = next(i for i in client.get("/v1/monitoring/stats", params=window).json()["items"] if i["sensor_id"] == sensor["id"])
    # "最高到过多少，几点出现的": the first time the peak was read, and when the low was, in China time
    assert item["max_at"] == local_iso(T0 + timedelta(minutes=5)) and item["min_at"] == local_iso(T0 + timedelta(minutes=10))
