"""Sensor readings over MQTT: topic ``<prefix>/{sensor_id}``, JSON payload ``{"ts", "value"}`` (or a list).

Messages are queued by the MQTT network thread and ingested in small batches by a worker thread
through ``services.monitoring.readings.ingest``, the same validation path as HTTP batches.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from services.monitoring.readings import ReadingIn, ingest
from services.monitoring.registry import Registry

log = logging.getLogger("yiwang.mqtt")
BATCH = 500
FLUSH_S = 0.1


def parse_message(topic: str, payload: bytes, prefix: str) -> list[ReadingIn]:
    """Readings in one message; a malformed message raises ``ValueError`` with the reason."""
    sensor_id = topic.removeprefix(prefix.rstrip("/") + "/")
    if not sensor_id or "/" in sensor_id:
        raise ValueError(f"topic {topic!r} is not {prefix}/{{sensor_id}}")
    try:
        data = json.loads(payload)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"payload is not JSON: {exc}") from exc
    items = data if isinstance(data, list) else [data]
    try:
        return [ReadingIn(sensor_id=sensor_id, **item) for item in items]
    except (ValidationError, TypeError) as exc:
        raise ValueError(f"payload needs ts (with offset) and value: {exc}") from exc


class MqttIngestor:
    """Subscribes, batches and ingests; ``stats`` counts accepted and rejected readings."""

    def __init__(self, url: str, prefix: str, sessions: sessionmaker[Session], registry: Registry) -> None:
        parsed = urlparse(url)
        self.host, self.port, self.prefix = parsed.hostname or "127.0.0.1", parsed.port or 1883, prefix
        self.sessions, self.registry = sessions, registry
        self.stats = {"accepted": 0, "rejected": 0, "malformed": 0}
        self._queue: queue.Queue[ReadingIn] = queue.Queue(maxsize=100_000)
        self._stop = threading.Event()
        self._client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        self._client.on_connect = self._on_connect
        self._client.on_message = self._on_message
        self._worker = threading.Thread(target=self._drain, name="mqtt-ingest", daemon=True)

    def start(self) -> None:
        self._client.connect(self.host, self.port, keepalive=30)
        self._client.loop_start()
        self._worker.start()

    def stop(self) -> None:
        self._stop.set()
        self._client.loop_stop()
        self._client.disconnect()
        self._worker.join(timeout=5)

    def _on_connect(self, client: mqtt.Client, _userdata, _flags, reason_code, _properties) -> None:  # type: ignore[no-untyped-def]
        # QoS 1: the broker redelivers until we acknowledge; duplicates are then rejected by (sensor, ts).
        client.subscribe(f"{self.prefix.rstrip('/')}/+", qos=1)
        log.info("MQTT connected to %s:%s (%s), subscribed to %s/+", self.host, self.port, reason_code, self.prefix)

    def _on_message(self, _client, _userdata, message: mqtt.MQTTMessage) -> None:  # type: ignore[no-untyped-def]
        try:
            for reading in parse_message(message.topic, message.payload, self.prefix):
                self._queue.put(reading, timeout=5)
        except ValueError as exc:
            self.stats["malformed"] += 1
            log.warning("MQTT message on %s refused: %s", message.topic, exc)

    def _drain(self) -> None:
        while not self._stop.is_set():
            batch: list[ReadingIn] = []
            try:
                batch.append(self._queue.get(timeout=FLUSH_S))
                while len(batch) < BATCH:
                    batch.append(self._queue.get_nowait())
            except queue.Empty:
                pass
            if batch:
                self._ingest(batch)

    def _ingest(self, batch: list[ReadingIn]) -> None:
        try:
            with self.sessions() as session:
                result = ingest(session, self.registry, batch)
                session.commit()
        except Exception:  # keep the subscriber alive; the readings are logged as lost
            log.exception("MQTT batch of %d readings could not be stored", len(batch))
            return
        self.stats["accepted"] += result.accepted
        self.stats["rejected"] += len(result.rejected)
        for rejection in result.rejected[:5]:
            log.warning("MQTT reading %s refused: %s", batch[rejection.index].sensor_id, rejection.reason)
