"""Monitoring (运行监测): reading ingestion and the threshold alarms it opens, escalates and closes.

HTTP batches, MQTT messages and in-process producers go through the same ``ingest_rows``: every
reading is either stored or listed as rejected with its reason; alarms open once per sensor, escalate,
and close with hysteresis. Pydantic parses at the HTTP and MQTT edges only; here each reading costs a
few plain comparisons, the batch is stored with the driver's bulk path (sqlite3 ``executemany``,
PostgreSQL ``COPY``), and only sensors past a threshold or with an open alarm get alarm work.
"""

from __future__ import annotations

import math
import sqlite3
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

import psycopg
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import clock
from core.exceptions import NotFound
from core.times import as_utc, local_iso
from services.monitoring.alarm_rules import back_to_normal, level_of, rank
from services.monitoring.registry import Registry, SensorSpec
from services.monitoring.tables import AlarmRow, ReadingRow, SensorRow

MAX_BATCH = 10_000
READINGS_PAGE = 10_000  # readings of one sensor answered at once unless a limit says otherwise
UNIT_SEPARATOR = "\x1f"  # joins array elements sent as one text parameter
DEADLOCK_RETRIES = 5
FUTURE_TOLERANCE = timedelta(minutes=5)
# Older than this is a device's clock fault (0001-01-01), not a back-fill: a year's history loads, a century not.
PAST_LIMIT = timedelta(days=3 * 366)


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


# One reading as plain data: (sensor_id, ts, value). ``ts`` is an aware datetime or an ISO 8601 string
# with an offset; in-process producers (simulator, bench) pass these without building pydantic models.
ReadingTuple = tuple[str, datetime | str, float]


def _utc(ts: object) -> tuple[datetime | None, str | None]:
    """The timestamp in UTC, or why it is refused (the slow path: strings, other offsets, naive)."""
    if isinstance(ts, str):
        try:
            ts = datetime.fromisoformat(ts)
        except ValueError:
            return None, f"timestamp {ts!r} is not ISO 8601"
    if not isinstance(ts, datetime):
        return None, "timestamp is missing"
    if ts.tzinfo is None:
        return None, "timestamp must carry a UTC offset, e.g. 2026-11-24T10:00:00+08:00"
    return ts.astimezone(UTC), None


def ingest(session: Session, registry: Registry, readings: Sequence[ReadingIn], now: datetime | None = None) -> IngestResult:
    """Validate, store and evaluate a batch of parsed readings (HTTP, MQTT). The caller commits."""
    return ingest_rows(session, registry, [(r.sensor_id, r.ts, r.value) for r in readings], now)


def ingest_rows(session: Session, registry: Registry, rows: Sequence[ReadingTuple], now: datetime | None = None) -> IngestResult:
    """The one validation path: every reading is stored or rejected with its reason; alarms follow each
    sensor's newest reading. Plain-Python checks per reading, set-based storage. The caller commits."""
    now = now or clock.now()
    newest_allowed, oldest_allowed = now + FUTURE_TOLERANCE, now - PAST_LIMIT
    specs, reloaded, isfinite = registry.specs, False, math.isfinite
    rejected: list[Rejection] = []
    seen: dict[tuple[str, datetime], int] = {}
    accepted: list[tuple[str, datetime, float]] = []
    latest: dict[str, tuple[datetime, float]] = {}
    hot: set[str] = set()
    for index, (sensor_id, ts, value) in enumerate(rows):
        spec = specs.get(sensor_id)
        if spec is None and not reloaded:  # reload once: the sensor may have been added since start-up
            registry.load(session)
            specs, reloaded = registry.specs, True
            spec = specs.get(sensor_id)
        if spec is None:
            rejected.append(Rejection(index=index, reason=f"unknown sensor {sensor_id}"))
            continue
        if ts.__class__ is not datetime or ts.tzinfo is not UTC:
            ts, reason = _utc(ts)
            if reason:
                rejected.append(Rejection(index=index, reason=reason))
                continue
        if value.__class__ is not float:
            try:
                value = float(value)
            except (TypeError, ValueError):
                rejected.append(Rejection(index=index, reason="value is not a number"))
                continue
        if not isfinite(value):
            rejected.append(Rejection(index=index, reason="value is not a finite number"))
            continue
        if not spec.range_min <= value <= spec.range_max:
            rejected.append(Rejection(index=index, reason=f"value {value:g} outside the physical range "
                                                          f"[{spec.range_min:g}, {spec.range_max:g}] {spec.unit}"))  # fmt: skip
            continue
        if ts > newest_allowed:
            rejected.append(Rejection(index=index, reason=f"timestamp {ts.isoformat()} is in the future"))
            continue
        if ts < oldest_allowed:
            rejected.append(Rejection(index=index, reason=f"timestamp {ts.isoformat()} is more than three years old"))
            continue
        key = (sensor_id, ts)
        if key in seen:
            rejected.append(Rejection(index=index, reason="duplicate of an earlier reading in this batch"))
            continue
        seen[key] = index
        accepted.append((sensor_id, ts, value))
        last = latest.get(sensor_id)
        if last is None or ts > last[0]:
            latest[sensor_id] = (ts, value)
        if not spec.normal_low < value < spec.normal_high:
            hot.add(sensor_id)
    if accepted:
        duplicates = _store(session, accepted)
        if duplicates:
            for position in duplicates:
                sensor_id, ts, _ = accepted[position]
                rejected.append(Rejection(index=seen[(sensor_id, ts)], reason="duplicate: a reading for this sensor and time exists"))
            gone = set(duplicates)
            accepted = [row for position, row in enumerate(accepted) if position not in gone]
            latest = {}
            for sensor_id, ts, value in accepted:
                if sensor_id not in latest or ts > latest[sensor_id][0]:
                    latest[sensor_id] = (ts, value)
    opened, closed = _evaluate(session, registry, accepted, latest, hot) if accepted else (0, 0)
    rejected.sort(key=lambda r: r.index)
    return IngestResult(accepted=len(accepted), rejected=rejected, alarms_opened=opened, alarms_closed=closed)


def _sqlite_ts(ts: datetime) -> str:
    """SQLAlchemy's SQLite storage format of a UTC datetime (keys and ``last_ts < ?`` compare as text)."""
    return ts.isoformat(" ", "microseconds")[:26]


def _formatted(rows: list[tuple[str, datetime, float]], fmt: Callable[[datetime], str]) -> dict[datetime, str]:
    """Each distinct timestamp formatted once: a batch from a gateway or simulator tick shares a few
    timestamps across thousands of sensors, and formatting costs more than the insert itself."""
    return {ts: fmt(ts) for ts in {ts for _, ts, _ in rows}}


def _raw(session: Session):  # type: ignore[no-untyped-def]
    """The DBAPI connection of the session's transaction: the bulk paths bypass per-row SQLAlchemy work."""
    return session.connection().connection.dbapi_connection


def _store(session: Session, rows: list[tuple[str, datetime, float]]) -> list[int]:
    """Insert the readings; returns the positions of those already stored (by an earlier or concurrent
    batch), which are not inserted. The common case (no duplicate) is one bulk statement."""
    if session.get_bind().dialect.name == "postgresql":
        return _store_postgresql(_raw(session), rows)
    return _store_sqlite(_raw(session), rows)


def _store_sqlite(raw: sqlite3.Connection, rows: list[tuple[str, datetime, float]]) -> list[int]:
    if not raw.in_transaction:
        # Take the write lock now (waiting up to busy_timeout) so the savepoint below and the alarm
        # work that follows are one transaction, committed by the caller.
        raw.execute("BEGIN IMMEDIATE")
    texts = _formatted(rows, _sqlite_ts)
    params = [(sensor_id, texts[ts], value) for sensor_id, ts, value in rows]
    raw.execute("SAVEPOINT readings_bulk")
    try:
        raw.executemany("INSERT INTO readings (sensor_id, ts, value) VALUES (?, ?, ?)", params)
        raw.execute("RELEASE SAVEPOINT readings_bulk")
        return []
    except sqlite3.IntegrityError:
        raw.execute("ROLLBACK TO SAVEPOINT readings_bulk")
        raw.execute("RELEASE SAVEPOINT readings_bulk")
    # Some are stored already: one by one, so exactly those are rejected and the rest still stored.
    insert = "INSERT INTO readings (sensor_id, ts, value) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
    return [position for position, param in enumerate(params) if raw.execute(insert, param).rowcount == 0]


def _store_postgresql(raw: psycopg.Connection, rows: list[tuple[str, datetime, float]]) -> list[int]:
    # COPY text format; sensor ids are registry ids (no tabs or newlines), values finite floats.
    texts = _formatted(rows, datetime.isoformat)
    data = "".join([f"{sensor_id}\t{texts[ts]}\t{value!r}\n" for sensor_id, ts, value in rows])
    with raw.cursor() as cursor:
        cursor.execute("SAVEPOINT readings_bulk")
        try:
            with cursor.copy("COPY readings (sensor_id, ts, value) FROM STDIN") as copy:
                copy.write(data)
            cursor.execute("RELEASE SAVEPOINT readings_bulk")
            return []
        except psycopg.errors.UniqueViolation:
            cursor.execute("ROLLBACK TO SAVEPOINT readings_bulk")
        # Some are stored already: stage the batch and insert what is new in one statement; ON CONFLICT
        # also waits for a concurrent batch holding the same keys, so each reading is stored once.
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS readings_in (sensor_id text, ts timestamptz, value float8) "
                       "ON COMMIT DELETE ROWS")  # fmt: skip
        cursor.execute("DELETE FROM readings_in")
        with cursor.copy("COPY readings_in (sensor_id, ts, value) FROM STDIN") as copy:
            copy.write(data)
        cursor.execute("INSERT INTO readings (sensor_id, ts, value) SELECT sensor_id, ts, value FROM readings_in "
                       "ON CONFLICT DO NOTHING RETURNING sensor_id, ts")  # fmt: skip
        stored = set(cursor.fetchall())
    return [position for position, (sensor_id, ts, _) in enumerate(rows) if (sensor_id, ts) not in stored]


def _update_latest(session: Session, latest: list[tuple[str, datetime, float]]) -> None:
    """Each sensor's newest value, written only if newer than the stored one (several processes may
    ingest). Sorted by sensor, so concurrent batches mostly lock sensor rows in the same order."""
    latest.sort()
    raw = _raw(session)
    if session.get_bind().dialect.name == "postgresql":
        _update_latest_postgresql(raw, latest)
        return
    texts = _formatted(latest, _sqlite_ts)
    raw.executemany("UPDATE sensors SET last_value = ?, last_ts = ? WHERE id = ? AND (last_ts IS NULL OR last_ts < ?)",
                    [(value, texts[ts], sensor_id, texts[ts]) for sensor_id, ts, value in latest])  # fmt: skip


def _update_latest_postgresql(raw: psycopg.Connection, latest: list[tuple[str, datetime, float]]) -> None:
    # One statement for the batch. Its arrays travel as joined text: psycopg's per-element list
    # dumping costs more than the update (ids are registry ids, timestamps ISO, values finite floats).
    texts = _formatted(latest, datetime.isoformat)
    params = {"sep": UNIT_SEPARATOR, "ids": UNIT_SEPARATOR.join([sensor_id for sensor_id, _, _ in latest]),
              "ts": UNIT_SEPARATOR.join([texts[ts] for _, ts, _ in latest]),
              "values": UNIT_SEPARATOR.join([repr(value) for _, _, value in latest])}  # fmt: skip
    statement = ("UPDATE sensors AS s SET last_value = v.value, last_ts = v.ts FROM unnest("
                 "string_to_array(%(ids)s, %(sep)s), string_to_array(%(ts)s, %(sep)s)::timestamptz[], "
                 "string_to_array(%(values)s, %(sep)s)::float8[]) AS v(id, ts, value) "
                 "WHERE s.id = v.id AND (s.last_ts IS NULL OR s.last_ts < v.ts)")  # fmt: skip
    with raw.cursor() as cursor:
        for attempt in range(DEADLOCK_RETRIES + 1):
            # The join visits rows in whatever order its plan picks, so two batches over the same
            # sensors can deadlock; PostgreSQL then aborts one statement. Retrying just this step
            # (its row locks are released with the savepoint) keeps the batch and its readings.
            cursor.execute("SAVEPOINT latest_values")
            try:
                cursor.execute(statement, params)
                cursor.execute("RELEASE SAVEPOINT latest_values")
                return
            except psycopg.errors.DeadlockDetected:
                cursor.execute("ROLLBACK TO SAVEPOINT latest_values")
                if attempt == DEADLOCK_RETRIES:
                    raise
                time.sleep(0.01 * (attempt + 1))


def _evaluate(session: Session, registry: Registry, accepted: list[tuple[str, datetime, float]],
              latest: dict[str, tuple[datetime, float]], hot: set[str]) -> tuple[int, int]:  # fmt: skip
    """Update latest values and alarm states. Alarm state follows the newest information: a late reading
    (older than one already seen) is stored and shown, but does not open or close an alarm. Only
    sensors with a reading past a threshold, or with an open alarm, get alarm work."""
    newer: dict[str, datetime | None] = {}  # sensor → newest timestamp seen before this batch
    for sensor_id, (ts, _) in latest.items():
        previous = registry.last_ts.get(sensor_id)
        if previous is None or ts > previous:
            newer[sensor_id] = previous
            registry.last_ts[sensor_id] = ts
    if not newer:
        return 0, 0
    _update_latest(session, [(sensor_id, *latest[sensor_id]) for sensor_id in newer])
    open_now = set(session.scalars(select(AlarmRow.sensor_id).where(AlarmRow.state == "open")))
    watched = {sensor_id for sensor_id in newer if sensor_id in hot or sensor_id in open_now}
    if not watched:
        return 0, 0  # the common case: all normal, nothing open
    by_sensor: dict[str, list[tuple[datetime, float]]] = defaultdict(list)
    for sensor_id, ts, value in accepted:
        if sensor_id in watched:
            previous = newer[sensor_id]
            if previous is None or ts > previous:
                by_sensor[sensor_id].append((ts, value))
    open_alarms = {a.sensor_id: a for a in session.scalars(
        select(AlarmRow).where(AlarmRow.state == "open", AlarmRow.sensor_id.in_(sorted(watched))))}  # fmt: skip
    opened = closed = 0
    for sensor_id, series in by_sensor.items():
        spec = registry.specs[sensor_id]
        limits = spec.limits
        series.sort()
        for ts, value in series:
            alarm = open_alarms.get(sensor_id)
            crossed = level_of(value, limits)
            if alarm is None and crossed:
                alarm, created = _open(session, spec, ts, value, *crossed)
                opened += created
                open_alarms[sensor_id] = alarm
            elif alarm is not None and crossed and rank(crossed[0]) > rank(alarm.level):
                alarm.level, alarm.threshold = crossed
                alarm.value, alarm.updated_at = value, ts
                alarm.peak = max(alarm.peak, value) if limits.direction == "above" else min(alarm.peak, value)
            elif alarm is not None and back_to_normal(value, limits):
                alarm.state, alarm.closed_at, alarm.value, alarm.updated_at = "closed", ts, value, ts
                del open_alarms[sensor_id]
                closed += 1
            elif alarm is not None:
                alarm.value, alarm.updated_at = value, ts
    session.flush()
    return opened, closed


def _open(session: Session, spec: SensorSpec, ts: datetime, value: float, level: str, threshold: float) -> tuple[AlarmRow, bool]:
    alarm = AlarmRow(sensor_id=spec.id, asset_id=spec.asset_id, grid_id=spec.grid_id, district=spec.district,
                     kind=spec.kind, level=level, value=value, peak=value, threshold=threshold,
                     state="open", opened_at=ts, updated_at=ts)  # fmt: skip
    try:
        with session.begin_nested():  # another process may have opened it a moment ago
            session.add(alarm)
    except IntegrityError:
        existing = session.scalars(select(AlarmRow).where(AlarmRow.sensor_id == spec.id, AlarmRow.state == "open")).one()
        return existing, False
    return alarm, True


def readings_of(session: Session, sensor_id: str, since: datetime | None, until: datetime | None,
                limit: int = READINGS_PAGE) -> list[dict]:  # fmt: skip
    if session.get(SensorRow, sensor_id) is None:
        raise NotFound(f"未找到传感器 {sensor_id}; 请用 /v1/monitoring/sensors 查询")
    query = select(ReadingRow.ts, ReadingRow.value).where(ReadingRow.sensor_id == sensor_id)
    if since:
        query = query.where(ReadingRow.ts >= as_utc(since))
    if until:
        query = query.where(ReadingRow.ts <= as_utc(until))
    return [{"ts": local_iso(ts), "value": value} for ts, value in session.execute(query.order_by(ReadingRow.ts).limit(limit))]
