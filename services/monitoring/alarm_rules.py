"""Threshold levels and hysteresis, as pure functions.

A sensor's thresholds (关注 watch / 预警 warning / 报警 alarm) are crossed upwards for ``above`` kinds
(water level, gas, tilt) and downwards for ``below`` kinds (water pressure). An open alarm closes only
when the value is back past its lowest threshold by a margin (5 % of that threshold), so a value
hovering at the line does not open and close alarms on every reading.
"""

from __future__ import annotations

from dataclasses import dataclass

LEVELS = ("watch", "warning", "alarm")
HYSTERESIS = 0.05


@dataclass(frozen=True)
class Thresholds:
    direction: str  # "above" or "below"
    watch: float | None
    warning: float | None
    alarm: float
    unit: str = ""

    def crossed(self, value: float, threshold: float) -> bool:
        return value >= threshold if self.direction == "above" else value <= threshold

    @property
    def lowest(self) -> float:
        return next(t for t in (self.watch, self.warning, self.alarm) if t is not None)


def level_of(value: float, limits: Thresholds) -> tuple[str, float] | None:
    """The highest level the value reaches, with its threshold; ``None`` when normal."""
    for level in reversed(LEVELS):
        threshold = getattr(limits, level)
        if threshold is not None and limits.crossed(value, threshold):
            return level, threshold
    return None


def back_to_normal(value: float, limits: Thresholds) -> bool:
    """True once the value is past the lowest threshold by the hysteresis margin (codes: just below)."""
    lowest = limits.lowest
    margin = 0.0 if limits.unit == "code" else abs(lowest) * HYSTERESIS
    return value < lowest - margin if limits.direction == "above" else value > lowest + margin


def rank(level: str) -> int:
    return LEVELS.index(level)
