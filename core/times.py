"""Times as the operations centre reads them: stored in UTC, shown and meant in China time (UTC+8)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

from core.exceptions import InvalidInput

CHINA = timezone(timedelta(hours=8), "CST")


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything is stored in UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def china_if_naive(value: datetime) -> datetime:
    """A time written without an offset is China time: what a duty officer means by it."""
    return value.replace(tzinfo=CHINA) if value.tzinfo is None else value


def local_iso(value: datetime | None) -> str | None:
    """ISO 8601 with the +08:00 offset the operations centre works in."""
    return as_utc(value).astimezone(CHINA).isoformat() if value else None


def day_and_clock(timestamp: str) -> str:
    """"2026-12-05T13:30:00+08:00" as an official reads it: 12月5日 13:30 (the timestamp's own wall clock)."""
    return f"{int(timestamp[5:7])}月{int(timestamp[8:10])}日 {timestamp[11:16]}"


def period_days(period: str | None, now: datetime) -> tuple[date, date]:
    """The first and the last day (China time) of a period as ``period_bounds`` reads it, the last no later than
    today (a period still running has run to today)."""
    _, start, end = period_bounds(period, now)
    last = min((end - timedelta(microseconds=1)).astimezone(CHINA).date(), now.astimezone(CHINA).date())
    return start.astimezone(CHINA).date(), last


def period_bounds(period: str | None, now: datetime) -> tuple[str, datetime, datetime]:
    """``2026``, ``2026-11``, ``2026-11-24``, ``2026-11-23..2026-11-29`` (both days included: a week, or
    any span an official names), ``last30d`` (the 30 × 24 hours up to now) or ``prev30d`` (the 30 × 24 hours
    before those: what "跟再往前30天比" compares with); default: the current month; China time."""
    local = now.astimezone(CHINA)
    period = period or f"{local:%Y-%m}"
    if match := re.fullmatch(r"last(\d{1,3})d", period):
        return period, now - timedelta(days=int(match.group(1))), now
    if match := re.fullmatch(r"prev(\d{1,3})d", period):
        days = timedelta(days=int(match.group(1)))
        return period, now - 2 * days, now - days
    try:
        if re.fullmatch(r"\d{4}", period):
            start = datetime(int(period), 1, 1, tzinfo=CHINA)
            end = start.replace(year=start.year + 1)
        elif re.fullmatch(r"\d{4}-\d{2}", period):
            start = datetime.strptime(period, "%Y-%m").replace(tzinfo=CHINA)
            end = (start + timedelta(days=32)).replace(day=1)
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", period):
            start = datetime.strptime(period, "%Y-%m-%d").replace(tzinfo=CHINA)
            end = start + timedelta(days=1)
        elif match := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", period):
            start, last = (datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=CHINA) for day in match.groups())
            if last < start:
                raise ValueError(period)
            end = last + timedelta(days=1)
        else:
            raise ValueError(period)
    except ValueError as exc:
        raise InvalidInput(f"统计周期 {period!r} 无效; 用 2026、2026-11、2026-11-24、2026-11-23..2026-11-29、last30d 或 prev30d") from exc
    return period, start.astimezone(UTC), end.astimezone(UTC)
