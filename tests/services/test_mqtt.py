"""Readings over a real MQTT broker (Mosquitto) take the same validation path as HTTP batches."""

from __future__ import annotations

import json
import socket
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import paho.mqtt.client as mqtt
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.settings import Settings
from graph.demo.city import CityData
from graph.store import GraphStore
from services.monitoring.mqtt import parse_message

BROKER = ("127.0.0.1", 1883)


def _broker_answers() -> bool:
    try:
        socket.create_connection(BROKER, timeout=1).close()
        return True
    except OSError:
        return False


@pytest.mark.parametrize(("payload", "message"), [
    (b"not json", "not JSON"), (b'{"value": 1}', "ts"), (b'{"ts": "2026-11-24T10:00:00", "value": 1}', "offset"),
])  # fmt: skip
def test_malformed_messages_say_why(payload: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_message("yiwang/sensors/S1", payload, "yiwang/sensors")


def test_a_list_payload_is_several_readings() -> None:
    readings = parse_message("p/S1", b'[{"ts": "2026-11-24T10:00:00+08:00", "value": 1}, {"ts": "2026-11-24T10:01:00+08:00", "value": 2}]', "p")
    assert [(r.sensor_id, r.value) for r in readings] == [("S1", 1), ("S1", 2)]


@pytest.fixture
def mqtt_client(base_settings: Settings, graph: GraphStore, db_url: str) -> Iterator[tuple[TestClient, str]]:
    if graph.backend != "falkordb-embedded":
        pytest.skip("one graph engine is enough here")
    if not _broker_answers():
        pytest.skip(f"no MQTT broker answers at {BROKER[0]}:{BROKER[1]} (Mosquitto); MQTT test skipped")
    prefix = f"yiwang-test/{uuid.uuid4().hex[:8]}"
    settings = base_settings.model_copy(update={"db_url": db_url, "mqtt_url": "mqtt://127.0.0.1:1883", "mqtt_topic_prefix": prefix})
    with TestClient(create_app(settings, store=graph)) as client:
        yield client, prefix


def test_readings_published_over_mqtt_are_stored_and_checked(mqtt_client, small_city: CityData) -> None:
    client, prefix = mqtt_client
    sensor = next(s for s in small_city.nodes["Sensor"] if s["kind"] == "water_pressure")
    t0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    publisher = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    publisher.connect(*BROKER)
    publisher.loop_start()
    time.sleep(0.3)  # the app's subscription is in place once its client connected
    for minute, value in enumerate([0.35, 0.34, 0.33, 99.0]):
        body = json.dumps({"ts": (t0 + timedelta(minutes=minute)).isoformat(), "value": value})
        publisher.publish(f"{prefix}/{sensor['id']}", body, qos=1).wait_for_publish()
    publisher.publish(f"{prefix}/{sensor['id']}", b"garbage", qos=1).wait_for_publish()
    publisher.loop_stop()
    publisher.disconnect()
    deadline = time.monotonic() + 10
    stored: list = []
    while time.monotonic() < deadline:
        stored = client.get("/v1/monitoring/readings", params={"sensor_id": sensor["id"]}).json()["items"]
        stats = client.app.state.runtime.mqtt.stats
        if len(stored) >= 3 and stats["rejected"] >= 1 and stats["malformed"] >= 1:
            break
        time.sleep(0.1)
    assert [r["value"] for r in stored] == [0.35, 0.34, 0.33]  # 99 MPa is out of the physical range
    assert client.app.state.runtime.mqtt.stats == {"accepted": 3, "rejected": 1, "malformed": 1}


def test_ingestion_resumes_after_the_broker_connection_is_cut(base_settings: Settings, graph: GraphStore,
                                                              small_city: CityData, tmp_path) -> None:  # fmt: skip
    from tests.tests_support import Proxy

    if graph.backend != "falkordb-embedded":
        pytest.skip("one graph engine is enough here")
    if not _broker_answers():
        pytest.skip("no MQTT broker (Mosquitto)")
    proxy = Proxy(BROKER)  # the server reaches Mosquitto through it: cut, it is the broker going away
    prefix = f"yiwang-test/{uuid.uuid4().hex[:8]}"
    settings = base_settings.model_copy(update={"db_url": f"sqlite:///{tmp_path / 'm.db'}", "mqtt_topic_prefix": prefix,
                                               "mqtt_url": f"mqtt://127.0.0.1:{proxy.port}"})  # fmt: skip
    sensor = next(s for s in small_city.nodes["Sensor"] if s["kind"] == "water_pressure")["id"]
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)

    def publish(minute: int) -> None:
        publisher = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        publisher.connect(*BROKER)
        publisher.loop_start()
        body = json.dumps({"ts": (t0 + timedelta(minutes=minute)).isoformat(), "value": 0.35})
        publisher.publish(f"{prefix}/{sensor}", body, qos=1).wait_for_publish()
        publisher.loop_stop()
        publisher.disconnect()

    def stored(client: TestClient, n: int, within: float) -> int:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            items = client.get("/v1/monitoring/readings", params={"sensor_id": sensor}).json()["items"]
            if len(items) >= n:
                break
            time.sleep(0.2)
        return len(items)

    try:
        with TestClient(create_app(settings, store=graph)) as client:
            time.sleep(0.5)
            publish(0)
            assert stored(client, 1, 10) == 1
            proxy.cut()
            time.sleep(1)
            proxy.restore()
            time.sleep(3)  # paho reconnects by itself (1 s, then backing off) and subscribes again on connect
            publish(1)
            assert stored(client, 2, 20) == 2
    finally:
        proxy.cut()
        proxy.listener.close()
