"""Hourly means of sensors' readings, many sensors in one query.

A batch over a kind (890 water levels) read one query per sensor and spent most of its time on the round
trips; here the whole scope is one ordered query, bucketed per sensor with numpy. The single-sensor
forecast reads through the same function, so a sensor's series is the same in a batch and alone.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import groupby
from operator import itemgetter

import numpy as np
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from core.times import as_utc
from services.monitoring.tables import ReadingRow

HOUR = timedelta(hours=1)


def hourly_means(session: Session, sensor_ids: Select, since: datetime | None, until: datetime) -> dict[str, tuple[datetime, np.ndarray]]:
    """sensor id → (its first hour, hourly means from its first reading at or after ``since`` to its last
    before ``until``). An hour without readings carries the one before forward (a silent hour did not drop
    to zero). Sensors without readings there are absent."""
    query = select(ReadingRow.sensor_id, ReadingRow.ts, ReadingRow.value).where(
        ReadingRow.sensor_id.in_(sensor_ids.scalar_subquery()), ReadingRow.ts < until)
    if since is not None:
        query = query.where(ReadingRow.ts >= since)
    rows = session.execute(query.order_by(ReadingRow.sensor_id, ReadingRow.ts)).all()
    return {sensor_id: bucket([(ts, value) for _, ts, value in group]) for sensor_id, group in groupby(rows, key=itemgetter(0))}


def bucket(points: list[tuple[datetime, float]]) -> tuple[datetime, np.ndarray]:
    """(first hour, hourly means) of time-ordered readings."""
    first = as_utc(points[0][0]).replace(minute=0, second=0, microsecond=0)
    seconds = np.array([(as_utc(ts) - first).total_seconds() for ts, _ in points])
    index = (seconds // 3600).astype(int)
    sums = np.bincount(index, weights=np.array([value for _, value in points], dtype=float))
    counts = np.bincount(index)
    means = sums / np.maximum(counts, 1)
    for i in np.flatnonzero(counts == 0):  # never the first: it holds the earliest reading
        means[i] = means[i - 1]
    return first, means
