"""Times as the operations centre reads them: stored in UTC, shown and meant in China time (UTC+8)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

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
