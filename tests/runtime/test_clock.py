"""The city's clock: a runtime opened with YIWANG_NOW lives on that day (the cases it registers, the periods
its figures count), and the next runtime without it is back on the wall clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core import clock
from core.settings import Settings
from core.times import CHINA
from runtime import open_runtime


def test_a_stated_instant_without_an_offset_is_china_time(monkeypatch) -> None:
    monkeypatch.setenv("YIWANG_NOW", "2026-12-05T18:00")
    assert Settings().now == datetime(2026, 12, 5, 18, 0, tzinfo=CHINA)


def test_a_runtime_with_a_stated_instant_registers_and_counts_on_that_day(base_settings: Settings, graph,
                                                                         tmp_path) -> None:  # fmt: skip
    at = datetime(2026, 6, 1, 18, 0, tzinfo=CHINA)  # far from any day the suite runs on
    settings = base_settings.model_copy(update={"db_url": f"sqlite:///{tmp_path / 'clock.db'}", "mqtt_url": "",
                                                "now": at})  # fmt: skip
    with open_runtime(settings, {"services"}, graph=graph) as runtime:
        grid = graph.query("MATCH (g:Grid) RETURN g.id AS id LIMIT 1")[0]["id"]
        case = runtime.services.create_case({"text": "路灯不亮了", "category_code": "component-0101", "grid_id": grid})
        assert case["id"].startswith("C20260601-")
        assert abs(datetime.fromisoformat(case["created_at"]) - at) < timedelta(minutes=1)
        assert runtime.services.case_stats(period="2026-06-01")["total"] == 1
        assert runtime.services.case_stats(period="last30d")["total"] == 1  # the 30 days up to the stated instant
    with open_runtime(base_settings.model_copy(update={"db_url": f"sqlite:///{tmp_path / 'wall.db'}"}), {"database"}):
        assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)
