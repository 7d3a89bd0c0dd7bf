"""Threshold alarms as clients list them (opened, escalated and closed by ingestion in ``readings.py``)."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.exceptions import InvalidInput
from core.times import local_iso
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
