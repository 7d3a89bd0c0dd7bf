"""Batch forecasts of every sensor of a kind in a district: on Ray as in process, each equal to the single
forecast of ``POST /v1/forecast``, ranked by the threshold they reach, a sensor without readings reported."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import delete
from typer.testing import CliRunner

from analytics.engine import BatchEngine
from analytics.sensor_forecasts import SensorForecastRequest, forecast_sensors
from analytics.service import Analytics
from cli.main import app
from core.settings import get_settings
from services.db import make_engine, session_factory
from services.forecasting.forecast import ForecastRequest, forecast
from services.monitoring.tables import ReadingRow, SensorRow


def test_a_districts_sensors_are_forecast_on_ray_as_in_process(cli_env, ray_engine: BatchEngine, graph) -> None:
    done = CliRunner().invoke(app, ["demo", "readings", "--hours", "1", "--history", "100"])
    assert done.exit_code == 0, done.output
    settings = get_settings()
    engine = make_engine(settings.db_url)
    sessions = session_factory(engine)
    with sessions() as session:
        sensors = session.query(SensorRow).filter(SensorRow.kind == "water_level").all()
        district, _ = Counter(s.district for s in sensors).most_common(1)[0]
        silent = sorted(s.id for s in sensors if s.district == district)[0]
        session.execute(delete(ReadingRow).where(ReadingRow.sensor_id == silent))
        session.commit()
    request = SensorForecastRequest(kind="water_level", district=district, top=50)
    here = forecast_sensors(sessions, ray_engine, request.model_copy(update={"engine": "in-process"}))
    there = forecast_sensors(sessions, ray_engine, request.model_copy(update={"engine": "ray"}))
    assert (here.engine, there.engine) == ("in-process", "ray")
    assert there.items == here.items and there.highest == here.highest and here.forecast == here.sensors - 1
    assert silent in there.failures  # the others still answer
    with sessions() as session:
        alone = forecast(session, ForecastRequest(series_id=f"sensor:{here.items[0].sensor_id}", horizon=24),
                         settings.shared_dir)  # fmt: skip
    assert max(p.mean for p in alone.points) == here.items[0].peak and alone.model == here.items[0].model
    ranks = [(r.level or "", r.band_level or "") for r in here.items]
    order = {"": 0, "watch": 1, "warning": 2, "alarm": 3}
    assert ranks == sorted(ranks, key=lambda r: (order[r[0]], order[r[1]]), reverse=True)
    assert here.highest.peak == max(r.peak for r in here.items)
    quick = forecast_sensors(sessions, ray_engine, request.model_copy(update={"engine": "in-process", "screen": 3}))
    highest_now = sorted((s.last_value for s in sensors if s.district == district and s.id != silent), reverse=True)[:3]
    assert quick.screened_out == quick.sensors - 3 and quick.forecast == 3
    assert sorted((r.latest for r in quick.items), reverse=True) == highest_now  # the three nearest the line now
    # A screened run is kept apart: the whole district asked afterwards is forecast whole, not answered by it.
    kept = Analytics(sessions, graph, settings.shared_dir, ray_engine)
    screened = kept.sensor_forecasts(request.model_copy(update={"engine": "in-process", "screen": 3}))
    whole = kept.sensor_forecasts(request.model_copy(update={"engine": "in-process"}))
    assert screened.forecast == 3 and whole.forecast == here.forecast and screened.run_id != whole.run_id
    engine.dispose()
