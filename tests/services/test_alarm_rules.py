"""Levels in both directions, and hysteresis that stops an alarm flapping at the line."""

from __future__ import annotations

import pytest

from services.monitoring.alarm_rules import Thresholds, back_to_normal, level_of

WATER_LEVEL = Thresholds("above", 10, 20, 40, "cm")
PRESSURE = Thresholds("below", 0.22, 0.18, 0.12, "MPa")
LIGHT = Thresholds("above", None, None, 2, "code")


@pytest.mark.parametrize(("limits", "value", "expected"), [
    (WATER_LEVEL, 5, None), (WATER_LEVEL, 10, ("watch", 10)), (WATER_LEVEL, 25, ("warning", 20)),
    (WATER_LEVEL, 55, ("alarm", 40)), (PRESSURE, 0.35, None), (PRESSURE, 0.2, ("watch", 0.22)),
    (PRESSURE, 0.1, ("alarm", 0.12)), (LIGHT, 1, None), (LIGHT, 2, ("alarm", 2)),
])  # fmt: skip
def test_level_of(limits: Thresholds, value: float, expected) -> None:
    assert level_of(value, limits) == expected


def test_hysteresis() -> None:
    assert not back_to_normal(9.8, WATER_LEVEL)  # below watch, but inside the 5 % margin
    assert back_to_normal(9.4, WATER_LEVEL)
    assert not back_to_normal(0.225, PRESSURE) and back_to_normal(0.235, PRESSURE)
    assert back_to_normal(1, LIGHT)
