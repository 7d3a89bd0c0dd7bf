"""The simulator is deterministic, realistic by kind, and its incidents trip the right alarms."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.exceptions import InvalidInput
from core.settings import Settings
from graph.domain import DomainTables
from graph.store import GraphStore
from services.simulation.runner import sensor_specs
from services.simulation.simulator import Simulator, parse_incident

START = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)  # 08:00 China time


@pytest.fixture
def specs(graph: GraphStore, domain: DomainTables):
    if graph.backend != "falkordb-embedded":
        pytest.skip("one graph engine is enough here")
    return sensor_specs(graph, domain)


def test_same_seed_same_readings(specs) -> None:
    a, b, c = (Simulator(specs, seed, START).tick(5) for seed in (1, 1, 2))
    assert a == b and a != c


def test_values_stay_in_range_and_lights_follow_the_night(specs) -> None:
    sim = Simulator(specs, 1, START, step_s=3600)
    for tick in range(24):
        for reading, spec in zip(sim.tick(tick), specs, strict=True):
            assert spec.range_min <= reading["value"] <= spec.range_max
    light = next((s for s in specs if s.kind == "light_status"), None)
    if light:
        assert sim.value(light, 0) == 0.0 and sim.value(light, 12) == 1.0  # 08:00 off, 20:00 on


@pytest.mark.parametrize("text", ["flood:990101", "rainstorm:", "pipe_burst"])
def test_bad_incident_is_a_clear_error(text: str) -> None:
    with pytest.raises(InvalidInput, match="事件"):
        parse_incident(text)


@pytest.fixture
def client(base_settings: Settings, graph: GraphStore) -> Iterator[TestClient]:
    with TestClient(create_app(base_settings.model_copy(update={"db_url": f"sqlite:///{base_settings.data_dir}/sim-{time.time_ns()}.db"}),
                               store=graph)) as test_client:  # fmt: skip
        yield test_client


def test_incidents_trip_alarms_through_the_real_ingest(client: TestClient, specs) -> None:
    level = next(s for s in specs if s.kind == "water_level")
    pressure = next((s for s in specs if s.kind == "water_pressure"), None)
    incidents = [parse_incident(f"rainstorm:{level.district}@3")]
    if pressure:
        incidents.append(parse_incident(f"pipe_burst:{pressure.id}@3"))
    sim = Simulator(specs, 3, START, step_s=60, incidents=incidents)
    before = {a["sensor_id"] for a in client.get("/v1/monitoring/alarms", params={"state": "open"}).json()["items"]}
    for tick in range(25):
        assert client.post("/v1/monitoring/readings", json={"readings": sim.tick(tick)}).json()["rejected"] == []
    opened = {a["sensor_id"]: a for a in client.get("/v1/monitoring/alarms", params={"state": "open"}).json()["items"]}
    assert level.id in opened and opened[level.id]["kind"] == "water_level" and level.id not in before
    if pressure:
        assert opened[pressure.id]["kind"] == "water_pressure"
    quiet_districts = {s.district for s in specs} - {level.district}
    assert not any(a["kind"] == "water_level" and a["district"] in quiet_districts for a in opened.values())


def _simulating(base_settings: Settings, graph: GraphStore, tmp_path, interval_s: float) -> Settings:
    """Settings of a server that runs its own simulator, on a database of its own."""
    if graph.backend != "falkordb-embedded":
        pytest.skip("one graph engine is enough here")
    return base_settings.model_copy(update={"db_url": f"sqlite:///{tmp_path / 'sim.db'}", "simulate": True,
                                            "simulate_interval_s": interval_s})  # fmt: skip


def test_serve_simulate_feeds_readings_in_process(base_settings: Settings, graph: GraphStore, tmp_path) -> None:
    settings = _simulating(base_settings, graph, tmp_path, 1.0)
    with TestClient(create_app(settings, store=graph)) as client:
        deadline, sensors = time.monotonic() + 10, []
        while time.monotonic() < deadline:
            sensors = client.get("/v1/monitoring/sensors", params={"limit": 10_000}).json()["items"]
            if sensors and all(s["last_value"] is not None for s in sensors):
                break
            time.sleep(0.2)
    assert sensors and all(s["last_value"] is not None for s in sensors)


def test_incident_injected_into_the_running_simulator(base_settings: Settings, graph: GraphStore, tmp_path) -> None:
    settings = _simulating(base_settings, graph, tmp_path, 0.5)
    with TestClient(create_app(settings, store=graph)) as client:
        level = next(s for s in client.get("/v1/monitoring/sensors", params={"kind": "water_level"}).json()["items"])
        response = client.post("/v1/monitoring/simulator/incidents", json={"incident": f"rainstorm:{level['district']}"})
        assert response.status_code == 201
        deadline, opened = time.monotonic() + 15, []
        while time.monotonic() < deadline and not opened:
            opened = client.get("/v1/monitoring/alarms", params={"state": "open", "kind": "water_level"}).json()["items"]
            time.sleep(0.2)
        assert opened and {a["district"] for a in opened} == {level["district"]}
        bad = client.post("/v1/monitoring/simulator/incidents", json={"incident": "rainstorm:999999"})
        assert bad.status_code == 422
    with TestClient(create_app(base_settings, store=graph)) as client:
        assert client.post("/v1/monitoring/simulator/incidents", json={"incident": "rainstorm:990101"}).status_code == 409
