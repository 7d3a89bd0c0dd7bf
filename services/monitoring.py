"""Monitoring (运行监测): sensor registry from the graph, reading ingestion and threshold alarms.

HTTP batches and MQTT messages go through the same ``ingest``: every reading is either stored or
listed as rejected with its reason; alarms open once per sensor, escalate, and close with hysteresis.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.exceptions import InvalidInput, NotFound
from graph.store import GraphStore
from services.alarm_rules import Thresholds, back_to_normal, level_of, rank
from services.deadlines import as_utc, local_iso
from services.models import AlarmRow, ReadingRow, SensorRow

MAX_BATCH = 10_000
FUTURE_TOLERANCE = timedelta(minutes=5)


class ReadingIn(BaseModel):
    sensor_id: str = Field(max_length=32)
    ts: datetime
    value: float

    @field_validator("ts")
    @classmethod
    def _with_offset(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("ts must carry a UTC offset, e.g. 2026-11-24T10:00:00+08:00")
        return value.astimezone(UTC)


class ReadingBatch(BaseModel):
    readings: list[ReadingIn] = Field(max_length=MAX_BATCH)


class Rejection(BaseModel):
    index: int
    reason: str


class IngestResult(BaseModel):
    accepted: int
    rejected: list[Rejection]
    alarms_opened: int = 0
    alarms_closed: int = 0


def sync_sensors(session: Session, graph: GraphStore, update_existing: bool = True) -> int:
    """Copy the graph's sensors into the registry table (insert new ones, and update known ones unless
    ``update_existing`` is false, as at start-up); returns how many sensors the graph has."""
    rows = graph.ro_query(
        "MATCH (s:Sensor) RETURN s.id AS id, s.kind AS kind, s.name AS name, s.unit AS unit, s.asset AS asset_id, "
        "s.grid AS grid_id, s.district AS district, s.direction AS direction, s.threshold_watch AS watch, "
        "s.threshold_warning AS warning, s.threshold_alarm AS alarm, s.range_min AS range_min, s.range_max AS range_max"
    )
    existing = {sid for (sid,) in session.execute(select(SensorRow.id))}
    for row in rows:
        if row["id"] in existing:
            if not update_existing:
                continue
            session.execute(update(SensorRow).where(SensorRow.id == row["id"]).values(**{k: v for k, v in row.items() if k != "id"}))
        else:
            session.add(SensorRow(**row))
    session.flush()
    return len(rows)


@dataclass(frozen=True, slots=True)
class SensorSpec:
    """What validation and alarm evaluation need of a sensor (plain data: read on every reading)."""

    id: str
    kind: str
    unit: str
    asset_id: str
    grid_id: str
    district: str
    range_min: float
    range_max: float
    limits: Thresholds


class Registry:
    """Sensor specs kept in memory for validation, and each sensor's newest timestamp seen."""

    def __init__(self) -> None:
        self._specs: dict[str, SensorSpec] = {}
        self.last_ts: dict[str, datetime] = {}

    def load(self, session: Session) -> None:
        self._specs = {
            s.id: SensorSpec(s.id, s.kind, s.unit, s.asset_id, s.grid_id, s.district, s.range_min, s.range_max,
                             Thresholds(s.direction, s.watch, s.warning, s.alarm, s.unit))
            for s in session.scalars(select(SensorRow))
        }  # fmt: skip
        self.last_ts = {sid: as_utc(ts) for sid, ts in session.execute(select(SensorRow.id, SensorRow.last_ts)) if ts}

    def get(self, sensor_id: str) -> SensorSpec | None:
        return self._specs.get(sensor_id)

    def refresh_if_missing(self, session: Session, sensor_ids: set[str]) -> None:
        """Reload once when a batch names sensors this process has not seen (added since start-up)."""
        if sensor_ids - self._specs.keys():
            self.load(session)


def _check(reading: ReadingIn, spec: SensorSpec | None, now: datetime) -> str | None:
    if spec is None:
        return f"unknown sensor {reading.sensor_id}"
    if not math.isfinite(reading.value):
        return "value is not a finite number"
    if not spec.range_min <= reading.value <= spec.range_max:
        return f"value {reading.value:g} outside the physical range [{spec.range_min:g}, {spec.range_max:g}] {spec.unit}"
    if reading.ts > now + FUTURE_TOLERANCE:
        return f"timestamp {reading.ts.isoformat()} is in the future"
    return None


def ingest(session: Session, registry: Registry, readings: list[ReadingIn], now: datetime | None = None) -> IngestResult:
    """Validate, store and evaluate a batch. The caller commits."""
    now = now or datetime.now(UTC)
    rejected: list[Rejection] = []
    good: dict[tuple[str, datetime], tuple[int, ReadingIn]] = {}
    registry.refresh_if_missing(session, {r.sensor_id for r in readings})
    for index, reading in enumerate(readings):
        reason = _check(reading, registry.get(reading.sensor_id), now)
        key = (reading.sensor_id, reading.ts)
        if reason is None and key in good:
            reason = "duplicate of an earlier reading in this batch"
        if reason:
            rejected.append(Rejection(index=index, reason=reason))
        else:
            good[key] = (index, reading)
    if good:
        stored = _stored_keys(session, good)
        for key in sorted(stored & set(good)):
            rejected.append(Rejection(index=good.pop(key)[0], reason="duplicate: a reading for this sensor and time exists"))
        if good:
            _insert(session, good, rejected)
    opened, closed = _evaluate(session, registry, [r for _, r in good.values()], now)
    rejected.sort(key=lambda r: r.index)
    return IngestResult(accepted=len(good), rejected=rejected, alarms_opened=opened, alarms_closed=closed)


def _stored_keys(session: Session, keys: dict[tuple[str, datetime], object]) -> set[tuple[str, datetime]]:
    """Which of these (sensor, ts) pairs are already stored. One range query per 1,000 sensors: a
    composite ``(sensor_id, ts) IN (…)`` of 10,000 pairs overflows PostgreSQL's parser stack."""
    sensors = sorted({sensor for sensor, _ in keys})
    low, high = min(ts for _, ts in keys), max(ts for _, ts in keys)
    found: set[tuple[str, datetime]] = set()
    for start in range(0, len(sensors), 1000):
        rows = session.execute(select(ReadingRow.sensor_id, ReadingRow.ts).where(
            ReadingRow.sensor_id.in_(sensors[start : start + 1000]), ReadingRow.ts >= low, ReadingRow.ts <= high))  # fmt: skip
        found |= {(sensor, as_utc(ts)) for sensor, ts in rows}
    return found & keys.keys()


def _insert(session: Session, good: dict[tuple[str, datetime], tuple[int, ReadingIn]], rejected: list[Rejection]) -> None:
    """Bulk insert; if a concurrent batch stored one of these meanwhile, insert one by one and reject
    exactly the duplicates (the rest of the batch is still stored)."""
    rows = [{"sensor_id": s, "ts": t, "value": r.value} for (s, t), (_, r) in good.items()]
    try:
        with session.begin_nested():
            session.execute(ReadingRow.__table__.insert(), rows)
        return
    except IntegrityError:
        pass
    for key, (index, reading) in list(good.items()):
        try:
            with session.begin_nested():
                session.execute(ReadingRow.__table__.insert(), [{"sensor_id": key[0], "ts": key[1], "value": reading.value}])
        except IntegrityError:
            del good[key]
            rejected.append(Rejection(index=index, reason="duplicate: a reading for this sensor and time exists"))


def _evaluate(session: Session, registry: Registry, readings: list[ReadingIn], now: datetime) -> tuple[int, int]:
    """Update latest values and alarm states, reading by reading in time order per sensor."""
    by_sensor: dict[str, list[ReadingIn]] = defaultdict(list)
    for reading in readings:
        by_sensor[reading.sensor_id].append(reading)
    if not by_sensor:
        return 0, 0
    open_alarms = {a.sensor_id: a for a in session.scalars(
        select(AlarmRow).where(AlarmRow.state == "open", AlarmRow.sensor_id.in_(list(by_sensor))))}  # fmt: skip
    opened = closed = 0
    latest_values = []
    for sensor_id, series in by_sensor.items():
        spec = registry.get(sensor_id)
        limits = spec.limits
        series.sort(key=lambda r: r.ts)
        # Alarm state follows the newest information: a late reading (older than one already seen) is
        # stored and shown, but does not reopen or close an alarm. The database keeps the newest value
        # whatever this process saw (several processes may ingest).
        previous = registry.last_ts.get(sensor_id)
        series = [r for r in series if previous is None or r.ts > previous]
        if not series:
            continue
        latest = series[-1]
        latest_values.append({"sid": sensor_id, "value": latest.value, "ts": latest.ts})
        registry.last_ts[sensor_id] = latest.ts
        if level_of(max(r.value for r in series), limits) is None and level_of(min(r.value for r in series), limits) is None \
                and sensor_id not in open_alarms:  # fmt: skip
            continue  # the common case: all normal, nothing open — no alarm work
        for reading in series:
            alarm = open_alarms.get(sensor_id)
            crossed = level_of(reading.value, limits)
            if alarm is None and crossed:
                alarm, created = _open(session, spec, reading, *crossed)
                opened += created
                open_alarms[sensor_id] = alarm
            elif alarm is not None and crossed and rank(crossed[0]) > rank(alarm.level):
                alarm.level, alarm.threshold = crossed
                alarm.value, alarm.updated_at = reading.value, reading.ts
                alarm.peak = max(alarm.peak, reading.value) if limits.direction == "above" else min(alarm.peak, reading.value)
            elif alarm is not None and back_to_normal(reading.value, limits):
                alarm.state, alarm.closed_at, alarm.value, alarm.updated_at = "closed", reading.ts, reading.value, reading.ts
                del open_alarms[sensor_id]
                closed += 1
            elif alarm is not None:
                alarm.value, alarm.updated_at = reading.value, reading.ts
    if latest_values:
        # One executemany instead of an UPDATE statement per sensor.
        table = SensorRow.__table__
        newer = (table.c.last_ts.is_(None)) | (table.c.last_ts < bindparam("ts"))
        session.execute(update(table).where(table.c.id == bindparam("sid"), newer)
                        .values(last_value=bindparam("value"), last_ts=bindparam("ts")), latest_values)  # fmt: skip
    session.flush()
    return opened, closed


def _open(session: Session, spec: SensorSpec, reading: ReadingIn, level: str, threshold: float) -> tuple[AlarmRow, bool]:
    alarm = AlarmRow(sensor_id=spec.id, asset_id=spec.asset_id, grid_id=spec.grid_id, district=spec.district,
                     kind=spec.kind, level=level, value=reading.value, peak=reading.value, threshold=threshold,
                     state="open", opened_at=reading.ts, updated_at=reading.ts)  # fmt: skip
    try:
        with session.begin_nested():  # another process may have opened it a moment ago
            session.add(alarm)
    except IntegrityError:
        existing = session.scalars(select(AlarmRow).where(AlarmRow.sensor_id == spec.id, AlarmRow.state == "open")).one()
        return existing, False
    return alarm, True


class AlarmPublic(BaseModel):
    id: str
    sensor_id: str
    asset_id: str
    grid_id: str
    district: str
    kind: str
    level: str
    value: float
    peak: float
    threshold: float
    opened_at: str
    closed_at: str | None
    state: str


def list_alarms(session: Session, state: str | None = None, district: str | None = None, kind: str | None = None,
                level: str | None = None, limit: int = 200) -> list[AlarmPublic]:  # fmt: skip
    if state not in (None, "open", "closed"):
        raise InvalidInput("state 应为 open 或 closed")
    query = select(AlarmRow)
    for column, value in ((AlarmRow.state, state), (AlarmRow.district, district), (AlarmRow.kind, kind), (AlarmRow.level, level)):
        if value:
            query = query.where(column == value)
    rows = session.scalars(query.order_by(AlarmRow.opened_at.desc()).limit(limit))
    return [AlarmPublic(id=str(a.id), sensor_id=a.sensor_id, asset_id=a.asset_id, grid_id=a.grid_id, district=a.district,
                        kind=a.kind, level=a.level, value=a.value, peak=a.peak, threshold=a.threshold,
                        opened_at=local_iso(a.opened_at), closed_at=local_iso(a.closed_at), state=a.state) for a in rows]  # fmt: skip


def readings_of(session: Session, sensor_id: str, since: datetime | None, until: datetime | None,
                limit: int = 10_000) -> list[dict]:  # fmt: skip
    if session.get(SensorRow, sensor_id) is None:
        raise NotFound(f"未找到传感器 {sensor_id}; 请用 /v1/monitoring/sensors 查询")
    query = select(ReadingRow.ts, ReadingRow.value).where(ReadingRow.sensor_id == sensor_id)
    if since:
        query = query.where(ReadingRow.ts >= as_utc(since))
    if until:
        query = query.where(ReadingRow.ts <= as_utc(until))
    return [{"ts": local_iso(ts), "value": value} for ts, value in session.execute(query.order_by(ReadingRow.ts).limit(limit))]
