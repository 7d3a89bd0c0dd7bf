"""The city's clock: the wall clock, or one that starts at a stated instant and runs on from there.

An evaluation written for a given day (its questions say 今天, 上周, 下周三) and the demo city built for it are
only comparable when both read the same "now"; ``YIWANG_NOW`` states it. Every reading of "now" that decides
which data a question or a request means (periods, windows, deadlines, forecasts, the demo history) goes
through :func:`now`. Records of when something really happened (the audit chain, keys, run records) keep
the wall clock.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from core.times import as_utc

_started: tuple[datetime, float] | None = None


def now() -> datetime:
    """The city's current instant, timezone-aware (UTC)."""
    if _started is None:
        return datetime.now(UTC)
    at, since = _started
    return at + timedelta(seconds=time.monotonic() - since)


def start_at(at: datetime | None) -> None:
    """Run the clock from ``at`` on (None: the wall clock again). Stating the instant it already started at
    again leaves it running: a process that opens its runtime twice must not step back in time."""
    global _started
    if at is None:
        _started = None
    elif _started is None or _started[0] != as_utc(at):
        _started = (as_utc(at), time.monotonic())
