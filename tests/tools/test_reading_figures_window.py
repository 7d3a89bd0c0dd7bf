"""A line crossed downwards in a window (a pressure "掉到0.18以下"): each sensor's lowest reading of the window is
set against it, not its highest. A stub client stands in for the services: the rule is the executor's."""

from __future__ import annotations

from datetime import UTC, datetime

from tools.query_spec import FigureQuery
from tools.reading_figures import reading_figures

THRESHOLDS = {"direction": "below", "watch": 0.22, "warning": 0.18, "alarm": 0.12}


class TwoPressureSensors:
    """One sensor that dipped to 0.05 within the window though its highest was 0.4, one that stayed at 0.35–0.4."""

    def sensors(self, kind: str, district: str | None, limit: int) -> list[dict]:
        return [{"id": sensor, "asset_id": f"99010101010000{n}", "name": sensor, "district": "990101", "unit": "MPa",
                 "thresholds": THRESHOLDS, "last_value": 0.4, "last_ts": "2026-12-05T18:00:00+08:00"}
                for n, sensor in enumerate(("S-dipped", "S-steady"), start=10)]  # fmt: skip

    def sensor_stats(self, kind: str, district: str | None, since: datetime, until: datetime, above: float | None = None,
                     below: float | None = None) -> list[dict]:  # fmt: skip
        def row(sensor: str, low: float) -> dict:
            return {"sensor_id": sensor, "asset_id": "", "district": "990101", "min": low, "max": 0.4, "mean": 0.3,
                    "count": 24, "past": int(below is not None and low < below)}  # fmt: skip
        return [row("S-dipped", 0.05), row("S-steady", 0.35)]


def test_a_window_s_dip_below_the_line_is_found_in_each_sensor_s_lowest() -> None:
    query = FigureQuery(measure="readings", sensor_kind="water_pressure", period="2026-11-30..2026-12-05", below=0.18)
    figures = reading_figures(TwoPressureSensors(), query, now=datetime(2026, 12, 5, 10, tzinfo=UTC))  # type: ignore[arg-type]
    assert [(row.key, row.value) for row in figures.rows] == [("S-dipped", 0.05)]
    assert figures.rows[0].level == "alarm"
