"""``/v1/monitoring``: sensors, readings in and out, alarms and city vital signs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.auth import Device, Simulator
from api.deps import IdempotencyKey, RegistryDep, SessionDep, SessionsDep, SimulationDep
from core import clock
from core.exceptions import Conflict
from core.times import china_if_naive
from services.idempotency import run_once
from services.monitoring.alarms import AlarmCounts, AlarmPublic, count_alarms, list_alarms
from services.monitoring.readings import READINGS_PAGE, IngestResult, ReadingBatch, readings_of
from services.monitoring.readings import ingest as ingest_readings
from services.monitoring.sensors import MAX_SENSORS, SensorPublic, SensorWindowStats, list_sensors
from services.monitoring.sensors import window_stats as sensor_stats
from services.monitoring.vitals import Vital, VitalTrend, vital_trends, vitals
from services.simulation.simulator import parse_incident

router = APIRouter(prefix="/v1/monitoring", tags=["monitoring"])


class SensorList(BaseModel):
    items: list[SensorPublic]


class AlarmList(BaseModel):
    items: list[AlarmPublic]


class VitalList(BaseModel):
    items: list[Vital]


@router.get("/sensors", response_model=SensorList)
def sensors(session: SessionDep, kind: str | None = None, district: str | None = None, asset_id: str | None = None,
            limit: Annotated[int, Query(ge=1, le=MAX_SENSORS)] = 1000) -> SensorList:  # fmt: skip
    """The sensor registry (synced from the graph) with thresholds and the newest value."""
    return SensorList(
        items=list_sensors(session, kind=kind, district=district, asset_id=asset_id, limit=limit)
    )


@router.post("/readings", response_model=IngestResult)
def ingest(body: ReadingBatch, sessions: SessionsDep, registry: RegistryDep, _: Device,
           idempotency_key: IdempotencyKey = None) -> dict:  # fmt: skip
    """A batch of readings (≤ 10,000): each is accepted or listed as rejected with its reason. A batch sent
    again with its ``Idempotency-Key`` (a gateway retrying after a timeout) returns the first result."""
    return run_once(sessions, idempotency_key, "POST /v1/monitoring/readings", body,
                    lambda session: ingest_readings(session, registry, body.readings))  # fmt: skip


@router.get("/readings")
def readings(session: SessionDep, sensor_id: str, since: datetime | None = None, until: datetime | None = None,
             limit: Annotated[int, Query(ge=1, le=100_000)] = READINGS_PAGE) -> dict:  # fmt: skip
    """One sensor's readings in a window, oldest first."""
    since, until = (china_if_naive(t) if t else None for t in (since, until))  # "2026-12-05" is China time
    return {"items": readings_of(session, sensor_id, since, until, limit)}


class WindowStatsList(BaseModel):
    items: list[SensorWindowStats]


@router.get("/stats", response_model=WindowStatsList)
def window_stats(session: SessionDep, kind: str, since: datetime, until: datetime | None = None,
                 district: str | None = None, above: float | None = None, below: float | None = None) -> WindowStatsList:  # fmt: skip
    """Per-sensor count/min/max/mean of one kind in a window (``until`` defaults to now), highest peak first, and
    with ``above``/``below`` how many readings are past that value. A time without an offset is China time, as a
    duty officer means it."""
    since = china_if_naive(since)
    until = china_if_naive(until) if until else clock.now()
    return WindowStatsList(
        items=sensor_stats(session, kind=kind, district=district, since=since, until=until, above=above, below=below)
    )


@router.get("/alarms", response_model=AlarmList)
def alarms(session: SessionDep, state: str | None = None, district: str | None = None, kind: str | None = None,
           level: str | None = None, asset_id: str | None = None) -> AlarmList:  # fmt: skip
    """Threshold alarms, newest first (``state=open`` for what needs attention now; ``asset_id`` for one asset's)."""
    return AlarmList(items=list_alarms(session, state, district, kind, level, asset_id))


@router.get("/alarms/stats", response_model=AlarmCounts)
def alarm_stats(session: SessionDep, state: str | None = None, district: str | None = None, kind: str | None = None,
                level: str | None = None, opened: str | None = None, closed: str | None = None,
                group_by: str | None = None) -> AlarmCounts:  # fmt: skip
    """How many alarms (``opened``/``closed`` in a period: 2026-12-05, 2026-11, last7d…), per district, kind,
    level or state, counted in the database."""
    return count_alarms(session, state=state, district=district, kind=kind, level=level, opened=opened,
                        closed=closed, group_by=group_by)  # fmt: skip


@router.get("/vitals", response_model=VitalList)
def city_vitals(session: SessionDep, district: str | None = None) -> VitalList:
    """城市生命体征 for the city or one district (``district=990103``)."""
    return VitalList(items=vitals(session, district))


class VitalTrendList(BaseModel):
    items: list[VitalTrend]


@router.get("/vitals/trend", response_model=VitalTrendList)
def city_vital_trends(session: SessionDep, district: str | None = None,
                      hours: Annotated[int, Query(ge=1, le=168)] = 24) -> VitalTrendList:  # fmt: skip
    """The count vital signs hour by hour over the last ``hours`` (the overview's trend lines)."""
    return VitalTrendList(items=vital_trends(session, district, hours))


class IncidentRequest(BaseModel):
    incident: str = Field(
        description="rainstorm:990103, pipe_burst:<sensor>, gas_leak:<sensor>, manhole:<sensor>"
    )


@router.post("/simulator/incidents", status_code=201)
def inject_incident(body: IncidentRequest, simulation: SimulationDep, _: Simulator) -> dict:
    """Demo only (server started with --simulate): inject an incident into the running simulator."""
    if simulation is None:
        raise Conflict("模拟器未运行; 用 yiwang serve --simulate 启动 (或 make run)")
    incident = parse_incident(body.incident, start_tick=simulation.current_tick())
    simulation.simulator.add(incident)
    return {
        "incident": body.incident,
        "start_tick": incident.start_tick,
        "active": len(simulation.simulator.incidents),
    }
