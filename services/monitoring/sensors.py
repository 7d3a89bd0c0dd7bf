"""The sensor registry as clients see it: thresholds and the newest value of each sensor."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from core.exceptions import InvalidInput, NotFound
from core.times import as_utc, local_iso
from services.monitoring.tables import ReadingRow, SensorRow

MAX_SENSORS = 10_000


class SensorPublic(BaseModel):
    id: str
    kind: str
    name: str
    unit: str
    asset_id: str
    grid_id: str
    district: str
    thresholds: dict[str, float | str | None]
    last_value: float | None
    last_ts: str | None


def list_sensors(session: Session, *, kind: str | None = None, district: str | None = None,
                 asset_id: str | None = None, limit: int = 1000) -> list[SensorPublic]:  # fmt: skip
    """Sensors filtered by kind, district and asset, in id order."""
    query = select(SensorRow)
    for column, value in ((SensorRow.kind, kind), (SensorRow.district, district), (SensorRow.asset_id, asset_id)):
        if value:
            query = query.where(column == value)
    rows = session.scalars(query.order_by(SensorRow.id).limit(limit)).all()
    return [
        SensorPublic(
            id=s.id, kind=s.kind, name=s.name, unit=s.unit, asset_id=s.asset_id, grid_id=s.grid_id, district=s.district,
            thresholds={"direction": s.direction, "watch": s.watch, "warning": s.warning, "alarm": s.alarm,
                        "min": s.range_min, "max": s.range_max},
            last_value=s.last_value, last_ts=local_iso(s.last_ts),
        )  # fmt: skip
        for s in rows
    ]


class SensorWindowStats(BaseModel):
    sensor_id: str
    asset_id: str
    district: str
    unit: str
    count: int
    min: float
    max: float
    mean: float
    past: int | None = None  # readings above ``above`` (or below ``below``) when one was given ("超过90%出现过几次")
    # When the peak (the low) was first read, for the sensors with the highest peaks (the lowest lows):
    # "最高到过多少，几点出现的".
    max_at: str | None = None
    min_at: str | None = None


TIMED = 10  # sensors at each end whose peak or low is timed: the ones an answer lists


def window_stats(session: Session, *, kind: str, district: str | None, since: datetime, until: datetime,
                 limit: int = MAX_SENSORS, above: float | None = None, below: float | None = None) -> list[SensorWindowStats]:  # fmt: skip
    """Per-sensor count/min/max/mean of one kind's readings in a window, highest peak first, in one query
    (every sensor of the kind by default, so totals and lows computed from the list are whole); with ``above``
    or ``below``, how many of each sensor's readings are past that value."""
    if as_utc(since) >= as_utc(until):
        raise InvalidInput("since 必须早于 until / since must be before until")
    if session.scalar(select(SensorRow.id).where(SensorRow.kind == kind).limit(1)) is None:
        known = session.scalars(select(SensorRow.kind).distinct().order_by(SensorRow.kind)).all()
        raise NotFound(f"没有类型为 {kind!r} 的传感器; 可选: {', '.join(known)}")
    peak = func.max(ReadingRow.value)
    past_value = (ReadingRow.value > above) if above is not None else (ReadingRow.value < below) if below is not None else None
    past = [func.sum(case((past_value, 1), else_=0))] if past_value is not None else []
    query = (select(SensorRow.id, SensorRow.asset_id, SensorRow.district, SensorRow.unit, func.count(ReadingRow.value),
                    func.min(ReadingRow.value), peak, func.avg(ReadingRow.value), *past)
             .join(ReadingRow, ReadingRow.sensor_id == SensorRow.id)
             .where(ReadingRow.ts >= as_utc(since), ReadingRow.ts <= as_utc(until)))  # fmt: skip
    query = of_kind(query, kind, district)
    rows = session.execute(query.group_by(SensorRow.id, SensorRow.asset_id, SensorRow.district, SensorRow.unit)
                           .order_by(peak.desc(), SensorRow.id).limit(limit))  # fmt: skip
    rows = list(rows)
    stats = [SensorWindowStats(sensor_id=r[0], asset_id=r[1], district=r[2], unit=r[3], count=r[4], min=round(r[5], 3),
                               max=round(r[6], 3), mean=round(float(r[7]), 3),
                               past=int(r[8] or 0) if past else None) for r in rows]  # fmt: skip
    window = (as_utc(since), as_utc(until))
    for stat, row in zip(stats[:TIMED], rows[:TIMED], strict=False):
        stat.max_at = _first_read(session, stat.sensor_id, row[6], window)
    for stat, row in sorted(zip(stats, rows, strict=True), key=lambda pair: pair[1][5])[:TIMED]:
        stat.min_at = _first_read(session, stat.sensor_id, row[5], window)
    return stats


def _first_read(session: Session, sensor_id: str, value: float, window: tuple[datetime, datetime]) -> str | None:
    """When a sensor first read ``value`` in the window (its key is (sensor, time): a short indexed scan)."""
    ts = session.scalar(select(func.min(ReadingRow.ts)).where(
        ReadingRow.sensor_id == sensor_id, ReadingRow.ts >= window[0], ReadingRow.ts <= window[1],
        ReadingRow.value == value))  # fmt: skip
    return local_iso(ts)


def of_kind(query: Select, kind: str, district: str | None) -> Select:
    """``query`` kept to the sensors of a kind, in one district or (none given) the whole city."""
    query = query.where(SensorRow.kind == kind)
    return query.where(SensorRow.district == district) if district else query
