"""Deadlines count working hours for ordinary cases and clock hours for urgent ones."""

from __future__ import annotations

from datetime import datetime

import pytest

from core.times import CHINA, local_iso
from services.dispatch.deadlines import add_working_hours, deadline_for


def cst(*args: int) -> datetime:
    return datetime(*args, tzinfo=CHINA)


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        (cst(2026, 11, 24, 10, 0), 4, cst(2026, 11, 24, 14, 0)),  # Tuesday, same day
        (cst(2026, 11, 24, 16, 0), 4, cst(2026, 11, 25, 11, 0)),  # rolls over the night
        (cst(2026, 11, 27, 17, 0), 2, cst(2026, 11, 30, 10, 0)),  # Friday → Monday
        (cst(2026, 11, 28, 11, 0), 1, cst(2026, 11, 30, 10, 0)),  # reported on Saturday
        (cst(2026, 11, 24, 20, 0), 9, cst(2026, 11, 25, 18, 0)),  # after hours: a full next day
        (cst(2026, 11, 24, 7, 30), 24, cst(2026, 11, 26, 15, 0)),  # 24 working hours = 2⅔ days
    ],
)
def test_working_hours(start: datetime, hours: int, expected: datetime) -> None:
    assert add_working_hours(start, hours) == expected


def test_urgent_cases_count_clock_hours() -> None:
    saturday_night = cst(2026, 11, 28, 23, 0)
    assert deadline_for(saturday_night, "critical", 24, 2) == cst(2026, 11, 29, 1, 0)
    assert deadline_for(saturday_night, "normal", 24, 2) == add_working_hours(saturday_night, 24)


def test_times_are_shown_with_the_china_offset() -> None:
    assert local_iso(cst(2026, 11, 24, 10, 0)) == "2026-11-24T10:00:00+08:00"
