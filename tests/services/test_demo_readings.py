"""`yiwang demo readings`: the last hours of every sensor through the real ingest, incidents opening alarms,
so a fresh demo city answers monitoring questions before the live simulator runs."""

from __future__ import annotations

from typer.testing import CliRunner

from cli.main import app
from core.settings import get_settings
from services.db import make_engine, session_factory
from services.forecasting.forecast import ForecastRequest, forecast
from services.monitoring.alarms import list_alarms

runner = CliRunner()


def test_readings_are_backfilled_with_incidents_then_skipped(cli_env) -> None:
    done = runner.invoke(app, ["demo", "readings", "--hours", "3", "--step", "600"])
    assert done.exit_code == 0, done.output
    assert "rainstorm:990103" in done.output and "gas_leak:" in done.output
    engine = make_engine(get_settings().db_url)
    with session_factory(engine)() as session:
        alarms = list_alarms(session, "open")
        # Three hours in detail, and a week of hourly history before them: enough to forecast a sensor.
        predicted = forecast(session, ForecastRequest(series_id=f"sensor:{alarms[0].sensor_id}", horizon=24),
                             get_settings().shared_dir)  # fmt: skip
    engine.dispose()
    assert len(predicted.points) == 24 and predicted.backtest.origins
    kinds = {a.sensor_id for a in alarms}
    assert alarms and any(a.district == "990103" for a in alarms) and len(kinds) >= 3
    again = runner.invoke(app, ["demo", "readings", "--if-empty"])
    assert again.exit_code == 0 and "跳过" in again.output
    bad = runner.invoke(app, ["demo", "readings", "--step", "5"])
    assert bad.exit_code == 1 and "--step" in bad.output
