"""The sensor registry as clients see it: thresholds and the newest value of each sensor."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.deadlines import local_iso
from services.models import SensorRow

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
