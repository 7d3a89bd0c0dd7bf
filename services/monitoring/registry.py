"""The sensor registry: the graph's sensors copied into the database, and the specs validation and alarm
evaluation read on every reading, kept in memory."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.times import as_utc
from graph.queries.assets import all_sensors
from graph.store import GraphStore
from services.monitoring.alarm_rules import Thresholds
from services.monitoring.tables import SensorRow


def sync_sensors(session: Session, graph: GraphStore, update_existing: bool = True) -> int:
    """Copy the graph's sensors into the registry table (insert new ones, and update known ones unless
    ``update_existing`` is false, as at start-up); returns how many sensors the graph has."""
    rows = [asdict(sensor) for sensor in all_sensors(graph)]
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
    # A value strictly between these crosses no threshold: one comparison per reading tells whether
    # it needs alarm work at all.
    normal_low: float = -math.inf
    normal_high: float = math.inf


def _spec(s: SensorRow) -> SensorSpec:
    limits = Thresholds(s.direction, s.watch, s.warning, s.alarm, s.unit)
    low, high = (-math.inf, limits.lowest) if limits.direction == "above" else (limits.lowest, math.inf)
    return SensorSpec(s.id, s.kind, s.unit, s.asset_id, s.grid_id, s.district, s.range_min, s.range_max, limits, low, high)


class Registry:
    """Sensor specs kept in memory for validation, and each sensor's newest timestamp seen."""

    def __init__(self) -> None:
        self.specs: dict[str, SensorSpec] = {}
        self.last_ts: dict[str, datetime] = {}

    def load(self, session: Session) -> None:
        self.specs = {s.id: _spec(s) for s in session.scalars(select(SensorRow))}
        self.last_ts = {sid: as_utc(ts) for sid, ts in session.execute(select(SensorRow.id, SensorRow.last_ts)) if ts}

    def get(self, sensor_id: str) -> SensorSpec | None:
        return self.specs.get(sensor_id)
