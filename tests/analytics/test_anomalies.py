"""The anomaly scan: a spike in a real series is found and a clean week is not flagged; on the demo city the
sensor made to misbehave ranks first, on Ray as in process, and sensors without enough readings are reported
while the others answer."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import delete, func, select, update
from typer.testing import CliRunner

from analytics.anomalies import AnomalyScanRequest, detect, scan_anomalies
from analytics.engine import BatchEngine
from cli.main import app
from core.exceptions import InvalidInput
from core.settings import get_settings
from evals.anomalies import spread
from services.db import make_engine, session_factory
from services.forecasting.forecast import load_series
from services.monitoring.tables import ReadingRow, SensorRow


def test_a_spike_in_a_real_series_is_found_and_the_clean_week_is_not_flagged() -> None:
    oil = load_series("ett:OT", None, get_settings().shared_dir, datetime.now(UTC)).values  # type: ignore[arg-type]
    week = oil[360 : 360 + 192].copy()  # ETTh1 transformer oil temperature, 16–23 July 2016, hourly
    assert detect(week) == []
    at = 168 + int(np.argmin(week[-24:]))  # the coolest hour of the last day: a spike there is still in range
    week[at] += 6 * spread(week)
    found = detect(week)
    assert [(e.start, e.end, e.direction) for e in found] == [(at, at, "up")]
    assert found[0].z >= 5 and found[0].expected < found[0].peak
    # Against the week's plain median and spread the same spike is unremarkable: the daily profile finds it.
    assert detect(week, method="raw") == []


def test_the_misbehaving_sensor_ranks_first_on_ray_as_in_process(cli_env, ray_engine: BatchEngine) -> None:
    done = CliRunner().invoke(app, ["demo", "readings", "--hours", "1", "--history", "100"])
    assert done.exit_code == 0, done.output
    settings = get_settings()
    engine = make_engine(settings.db_url)
    sessions = session_factory(engine)
    with sessions() as session:
        sensors = session.query(SensorRow).filter(SensorRow.kind == "water_level").all()
        district, _ = Counter(s.district for s in sensors).most_common(1)[0]
        ids = sorted(s.id for s in sensors if s.district == district)
        odd, silent, young = ids[-1], ids[0], ids[1]
        newest = session.scalar(select(func.max(ReadingRow.ts)).where(ReadingRow.sensor_id == odd))
        # Ponding of half a metre over the last three hours at one point, nowhere else.
        session.execute(update(ReadingRow).where(ReadingRow.sensor_id == odd, ReadingRow.ts > newest - timedelta(hours=3))
                        .values(value=ReadingRow.value + 50))  # fmt: skip
        session.execute(delete(ReadingRow).where(ReadingRow.sensor_id == silent))
        session.execute(delete(ReadingRow).where(ReadingRow.sensor_id == young, ReadingRow.ts < newest - timedelta(hours=40)))
        session.commit()
    request = AnomalyScanRequest(kind="water_level", district=district, top=50)
    here = scan_anomalies(sessions, ray_engine, request.model_copy(update={"engine": "in-process"}))
    there = scan_anomalies(sessions, ray_engine, request.model_copy(update={"engine": "ray"}))
    assert (here.engine, there.engine) == ("in-process", "ray")
    fields = {"engine", "workers", "seconds"}
    assert there.model_dump(exclude=fields) == here.model_dump(exclude=fields)
    first = here.items[0]
    assert first.sensor_id == odd and first.z > 10 and first.episodes[0].direction == "up"
    assert first.episodes[0].end == here.window_end and first.episodes[0].peak - first.episodes[0].expected > 40
    assert [abs(i.z) for i in here.items] == sorted((abs(i.z) for i in here.items), reverse=True)
    # A sensor with no readings and one with 40 hours of them are reported; the others still answer.
    assert set(here.failures) == {silent, young} and "历史太短" in here.failures[young]
    assert here.scanned == here.sensors - 2 == len(ids) - 2
    assert here.run_id.startswith(f"anomalies:water_level:{district}:24h/168h:")
    assert here.window_start.endswith("+08:00") and first.episodes[0].start.endswith("+08:00")
    with pytest.raises(InvalidInput, match="未知的传感器类型"):
        scan_anomalies(sessions, ray_engine, AnomalyScanRequest(kind="water_levels"))
    with pytest.raises(InvalidInput, match="没有 water_level 传感器"):
        scan_anomalies(sessions, ray_engine, AnomalyScanRequest(kind="water_level", district="990999"))
    engine.dispose()
