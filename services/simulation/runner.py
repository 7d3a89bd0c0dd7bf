"""Runs the simulator: over HTTP or MQTT (``yiwang simulate``) or inside the server (``serve --simulate``)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core import clock
from core.access import bearer
from graph.domain import DomainTables
from graph.queries.assets import sensor_sites
from graph.store import GraphStore
from services.monitoring.readings import ReadingIn, ingest, ingest_rows
from services.monitoring.registry import Registry
from services.monitoring.tables import ReadingRow
from services.simulation.simulator import SimulatedSensor, Simulator

log = logging.getLogger("yiwang.simulator")
HTTP_BATCH = 1000


def sensor_specs(graph: GraphStore, domain: DomainTables) -> list[SimulatedSensor]:
    kinds = domain.sensor_kind_by_name
    return [SimulatedSensor(id=s.id, kind=s.kind, district=s.district, lon=s.lon, lat=s.lat,
                       normal=kinds[s.kind].normal, noise=kinds[s.kind].noise,
                       range_min=kinds[s.kind].min, range_max=kinds[s.kind].max) for s in sensor_sites(graph)]  # fmt: skip


def http_sender(base_url: str, api_key: str = "") -> Callable[[list[dict]], tuple[int, int]]:
    import httpx

    client = httpx.Client(base_url=base_url, timeout=30, headers=bearer(api_key))

    def send(readings: list[dict]) -> tuple[int, int]:
        accepted = rejected = 0
        for start in range(0, len(readings), HTTP_BATCH):
            response = client.post(
                "/v1/monitoring/readings", json={"readings": readings[start : start + HTTP_BATCH]}
            )
            response.raise_for_status()
            body = response.json()
            accepted, rejected = accepted + body["accepted"], rejected + len(body["rejected"])
        return accepted, rejected

    return send


def mqtt_sender(url: str, prefix: str) -> Callable[[list[dict]], tuple[int, int]]:
    from urllib.parse import urlparse

    import paho.mqtt.client as mqtt

    parsed = urlparse(url)
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    client.connect(parsed.hostname or "127.0.0.1", parsed.port or 1883)
    client.loop_start()

    def send(readings: list[dict]) -> tuple[int, int]:
        infos = [client.publish(f"{prefix}/{r['sensor_id']}", json.dumps({"ts": r["ts"], "value": r["value"]}), qos=1)
                 for r in readings]  # fmt: skip
        for info in infos:
            info.wait_for_publish(timeout=30)
        return len(readings), 0  # the server reports rejections in its log

    return send


class InProcessSimulation:
    """A daemon thread that feeds simulated readings for 'now' into the server's own ingest."""

    def __init__(
        self, simulator: Simulator, sessions: sessionmaker[Session], registry: Registry, interval_s: float
    ) -> None:
        self.simulator, self.sessions, self.registry, self.interval = (
            simulator,
            sessions,
            registry,
            interval_s,
        )
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="simulator", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def current_tick(self) -> int:
        return int((clock.now() - self.simulator.start) / self.simulator.step)

    def _run(self) -> None:
        while not self._stop.is_set():
            tick = self.current_tick()
            readings = [ReadingIn(**r) for r in self.simulator.tick(tick)]
            try:
                with self.sessions() as session:
                    result = ingest(session, self.registry, readings)
                    session.commit()
                log.debug(
                    "simulated tick %d: %d accepted, %d rejected", tick, result.accepted, len(result.rejected)
                )
            except Exception:
                log.exception("simulated readings could not be stored")
            self._stop.wait(self.interval)


def backfill(simulator: Simulator, sessions: sessionmaker[Session], registry: Registry, ticks: int,
             progress: Callable[[int], None] | None = None) -> tuple[int, int]:  # fmt: skip
    """Ticks 0 … ticks-1 of ``simulator`` through the one ingest path (so alarms open and close as they
    would live), one transaction per tick; returns (accepted, rejected)."""
    accepted = rejected = 0
    for tick in range(ticks):
        with sessions() as session:
            result = ingest_rows(session, registry, [(r["sensor_id"], datetime.fromisoformat(r["ts"]), r["value"])
                                                     for r in simulator.tick(tick)])  # fmt: skip
            session.commit()
        accepted, rejected = accepted + result.accepted, rejected + len(result.rejected)
        if progress:
            progress(1)
    return accepted, rejected


def has_readings(session: Session) -> bool:
    return session.scalar(select(ReadingRow.sensor_id).limit(1)) is not None
