"""Threshold alarms as clients list them (opened, escalated and closed by ingestion in ``readings.py``)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import clock
from core.exceptions import InvalidInput
from core.times import local_iso, period_bounds
from services.monitoring.tables import AlarmRow


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
                level: str | None = None, asset_id: str | None = None, limit: int = 200) -> list[AlarmPublic]:  # fmt: skip
    if state not in (None, "open", "closed"):
        raise InvalidInput("state 应为 open 或 closed")
    query = select(AlarmRow)
    for column, value in ((AlarmRow.state, state), (AlarmRow.district, district), (AlarmRow.kind, kind), (AlarmRow.level, level),
                          (AlarmRow.asset_id, asset_id)):
        if value:
            query = query.where(column == value)
    rows = session.scalars(query.order_by(AlarmRow.opened_at.desc()).limit(limit))
    return [AlarmPublic(id=str(a.id), sensor_id=a.sensor_id, asset_id=a.asset_id, grid_id=a.grid_id, district=a.district,
                        kind=a.kind, level=a.level, value=a.value, peak=a.peak, threshold=a.threshold,
                        opened_at=local_iso(a.opened_at), closed_at=local_iso(a.closed_at), state=a.state) for a in rows]  # fmt: skip


class AlarmGroup(BaseModel):
    key: str
    count: int


class AlarmCounts(BaseModel):
    """How many alarms match, counted in the database (never from a page of the list)."""

    total: int
    by_level: dict[str, int]
    groups: list[AlarmGroup]
    opened: str | None = None  # the period the alarms were opened in, as asked
    closed: str | None = None  # the period they were closed in
    start: str | None = None
    end: str | None = None
    # When alarms of a period are counted: the first alarm on record, so that a period reaching back before it
    # ("国庆以来") is said to be only partly covered.
    records_from: str | None = None


GROUPS = {"district": AlarmRow.district, "kind": AlarmRow.kind, "level": AlarmRow.level, "state": AlarmRow.state}


def count_alarms(session: Session, *, state: str | None = None, district: str | None = None, kind: str | None = None,
                 level: str | None = None, opened: str | None = None, closed: str | None = None,
                 group_by: str | None = None, now: datetime | None = None) -> AlarmCounts:  # fmt: skip
    """Alarms by state, district, kind and level, opened or closed in a period (the services' period syntax:
    ``2026-12-05``, ``2026-11``, ``last7d``…), per district, kind, level or state."""
    if state not in (None, "open", "closed"):
        raise InvalidInput("state 应为 open 或 closed")
    if group_by is not None and group_by not in GROUPS:
        raise InvalidInput(f"group_by 应为 {'、'.join(GROUPS)} 之一")
    now = now or clock.now()
    conditions = [column == value for column, value in ((AlarmRow.state, state), (AlarmRow.district, district),
                                                        (AlarmRow.kind, kind), (AlarmRow.level, level)) if value]  # fmt: skip
    start = end = None
    for period, column in ((opened, AlarmRow.opened_at), (closed, AlarmRow.closed_at)):
        if period:
            _, since, until = period_bounds(period, now)
            conditions += [column >= since, column < until]
            start, end = local_iso(since), local_iso(until)
    by_level = dict(session.execute(select(AlarmRow.level, func.count()).where(*conditions).group_by(AlarmRow.level)).all())
    groups: list[AlarmGroup] = []
    if group_by:
        column = GROUPS[group_by]
        rows = session.execute(select(column, func.count()).where(*conditions).group_by(column)
                               .order_by(func.count().desc(), column)).all()  # fmt: skip
        groups = [AlarmGroup(key=str(key), count=count) for key, count in rows]
    first = session.execute(select(func.min(AlarmRow.opened_at))).scalar() if start else None
    return AlarmCounts(total=sum(by_level.values()), by_level=by_level, groups=groups, opened=opened, closed=closed,
                       start=start, end=end, records_from=local_iso(first) if first else None)  # fmt: skip
