"""Case deadlines: 处置时限 counted in working hours for ordinary cases, clock hours for urgent ones.

Working time is Monday–Friday 09:00–18:00 China time (UTC+8, no daylight saving); a city with its own
calendar (holidays, 调休) replaces ``is_working_day``.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from core.times import CHINA

DAY_START, DAY_END = time(9, 0), time(18, 0)
CLOCK_HOUR_URGENCIES = frozenset({"high", "critical"})


def is_working_day(day: datetime) -> bool:
    return day.weekday() < 5


def add_working_hours(start: datetime, hours: float) -> datetime:
    """``start`` plus ``hours`` of working time (time outside working hours does not count)."""
    current = start.astimezone(CHINA)
    remaining = timedelta(hours=hours)
    while True:
        day_start = current.replace(hour=DAY_START.hour, minute=DAY_START.minute, second=0, microsecond=0)
        day_end = current.replace(hour=DAY_END.hour, minute=DAY_END.minute, second=0, microsecond=0)
        if not is_working_day(current) or current >= day_end:
            current = (day_start + timedelta(days=1))
            continue
        current = max(current, day_start)
        available = day_end - current
        if remaining <= available:
            return (current + remaining).astimezone(UTC)
        remaining -= available
        current = day_start + timedelta(days=1)


def deadline_for(start: datetime, urgency: str, sla_hours: int, urgent_sla_hours: int) -> datetime:
    """When a case must be handled: urgent cases count clock hours from ``start``, others working hours."""
    if urgency in CLOCK_HOUR_URGENCIES:
        return (start + timedelta(hours=urgent_sla_hours)).astimezone(UTC)
    return add_working_hours(start, sla_hours)
