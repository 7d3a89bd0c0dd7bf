"""Tables of monitoring: the sensor registry, readings and threshold alarms."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base


class SensorRow(Base):
    """Sensor registry, synced from the graph; ``last_*`` hold the newest accepted reading."""

    __tablename__ = "sensors"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(128))
    unit: Mapped[str] = mapped_column(String(16))
    asset_id: Mapped[str] = mapped_column(String(16), index=True)
    grid_id: Mapped[str] = mapped_column(String(15))
    district: Mapped[str] = mapped_column(String(6), index=True)
    direction: Mapped[str] = mapped_column(String(8))
    watch: Mapped[float | None] = mapped_column(Float)
    warning: Mapped[float | None] = mapped_column(Float)
    alarm: Mapped[float] = mapped_column(Float)
    range_min: Mapped[float] = mapped_column(Float)
    range_max: Mapped[float] = mapped_column(Float)
    last_value: Mapped[float | None] = mapped_column(Float)
    last_ts: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ReadingRow(Base):
    """One accepted reading; (sensor, time) is unique. On SQLite the key is the table (migration 0004)."""

    __tablename__ = "readings"
    __table_args__ = {"sqlite_with_rowid": False}

    sensor_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    ts: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    value: Mapped[float] = mapped_column(Float)


class AlarmRow(Base):
    """A threshold alarm: opened once, escalated while it rises, closed when back to normal."""

    __tablename__ = "alarms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sensor_id: Mapped[str] = mapped_column(String(32), index=True)
    asset_id: Mapped[str] = mapped_column(String(16))
    grid_id: Mapped[str] = mapped_column(String(15))
    district: Mapped[str] = mapped_column(String(6), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(8))
    value: Mapped[float] = mapped_column(Float)
    peak: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    state: Mapped[str] = mapped_column(String(8), index=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
