"""Batch forecasting of sensors (issue 16): every sensor of a kind in a district or the city, each with the
same backtested forecast as ``POST /v1/forecast`` gives it alone, ranked by how far past a threshold its
forecast goes ("未来24小时A3区哪些点位水位会超过警戒线？"). Series are read here; the model fits run on Ray or in
process (``analytics.engine``); a sensor whose history is too short is reported, the others still answer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, sessionmaker

from analytics.engine import BatchEngine, Engine
from core.exceptions import InvalidInput
from core.times import CHINA, as_utc, local_iso
from services.forecasting.forecast import (
    FIT_WINDOW,
    MAX_HORIZON,
    Forecast,
    ForecastRequest,
    Series,
    forecast_series,
    sensor_series,
)
from services.monitoring.alarm_rules import LEVELS, Thresholds, level_of, rank
from services.monitoring.sensors import of_kind
from services.monitoring.tables import SensorRow

Level = Literal["watch", "warning", "alarm"]
# A sensor's backtested forecast takes ≈0.6 s; on two cores Ray halves that once started, so its start-up
# (3–4 s, bench/ray_bench.py) is repaid from about a dozen sensors.
CROSSOVER = 12


class SensorForecastRequest(BaseModel):
    kind: str = Field(max_length=32, description="sensor kind, e.g. water_level")
    district: str | None = Field(None, pattern=r"^\d{6}$", description="district code (990103); empty: the whole city")
    horizon: int = Field(24, strict=True, ge=1, le=MAX_HORIZON["hourly"], description="hours ahead")
    top: int = Field(20, strict=True, ge=1, le=500, description="sensors listed, the most likely to cross a threshold first")
    screen: int | None = Field(None, strict=True, ge=1, le=10_000, description="forecast only this many sensors, those whose "
                               "newest readings are nearest their thresholds (a quick answer over a big scope)")
    engine: Literal["auto", "ray", "in-process"] = "auto"


class SensorForecast(BaseModel):
    sensor_id: str
    asset_id: str
    name: str
    district: str
    latest: float | None = Field(description="the newest reading, where the forecast starts")
    peak: float = Field(description="the forecast mean furthest toward the thresholds (highest; lowest for pressure)")
    peak_ts: str
    lo80: float
    hi80: float
    lo95: float
    hi95: float
    end: float = Field(description="the forecast mean at the horizon's end (where the series is heading)")
    bound95: float = Field(description="the 95 % band's edge furthest toward the thresholds over the horizon")
    level: Level | None = Field(description="the threshold level the forecast mean reaches")
    band_level: Level | None = Field(description="the level the 95 % band reaches")
    model: str
    mase: float
    baseline_mase: float


class SensorForecastRun(BaseModel):
    run_id: str = Field(description="cite the run by it: kind, scope, horizon and the newest reading it saw")
    as_of: str | None = Field(description="the newest reading of the scope when the run was made")
    kind: str
    district: str | None
    horizon: int
    unit: str
    thresholds: dict[str, float | str | None]
    sensors: int = Field(description="sensors of the kind in the scope")
    screened_out: int = Field(0, description="sensors not forecast because ``screen`` kept the nearer ones")
    forecast: int = Field(description="sensors forecast (the others are in failures)")
    reaching: dict[str, int] = Field(description="sensors whose forecast mean reaches each level (at its highest)")
    items: list[SensorForecast] = Field(description="the most likely to cross first, ``top`` of them")
    highest: SensorForecast | None = Field(description="the scope's extreme forecast, whatever its level")
    failures: dict[str, str]
    engine: Engine
    workers: int
    seconds: float


def _forecast_one(job: tuple[str, Series, int]) -> Forecast:
    series_id, series, horizon = job
    return forecast_series(ForecastRequest(series_id=series_id, horizon=horizon), series)


def forecast_sensors(sessions: sessionmaker[Session], engine: BatchEngine, request: SensorForecastRequest,
                     progress: Callable[[int], None] | None = None) -> SensorForecastRun:  # fmt: skip
    with sessions() as session:
        sensors = list(session.scalars(_scope(select(SensorRow), request).order_by(SensorRow.id)))
        if not sensors:
            where = f"区 {request.district} " if request.district else ""
            raise InvalidInput(f"{where}没有 {request.kind} 传感器; 类型见 /v1/monitoring/sensors")
        kept = _nearest(sensors, request.screen) if request.screen else sensors
        newest = max((as_utc(s.last_ts) for s in kept if s.last_ts), default=None)
        ids = select(SensorRow.id).where(SensorRow.id.in_([s.id for s in kept])) if request.screen else _scope(select(SensorRow.id), request)
        series = sensor_series(session, ids, newest)
    jobs = [(s.id, (f"sensor:{s.id}", series[s.id], request.horizon)) for s in kept if s.id in series]
    days = FIT_WINDOW["hourly"] // 24
    failures = {s.id: f"最近 {days} 天没有读数 / no readings in the last {days} days" for s in kept if s.id not in series}
    if progress and failures:
        progress(len(failures))
    batch = engine.run(_forecast_one, jobs, request.engine, progress, min_items=CROSSOVER)
    failures |= batch.failures
    first = sensors[0]
    limits = Thresholds(first.direction, first.watch, first.warning, first.alarm)
    rows = [_row(sensor, batch.results[sensor.id], limits) for sensor in sensors if sensor.id in batch.results]
    below = first.direction == "below"
    rows.sort(key=lambda r: (_rank(r.level), _rank(r.band_level), -r.peak if below else r.peak), reverse=True)
    highest = (min if below else max)(rows, key=lambda r: r.peak) if rows else None
    newest = max((as_utc(s.last_ts) for s in sensors if s.last_ts), default=None)
    return SensorForecastRun(
        run_id=run_id(request, newest), as_of=local_iso(newest) if newest else None, kind=request.kind, district=request.district, horizon=request.horizon, unit=first.unit,
        thresholds={"direction": first.direction, "watch": first.watch, "warning": first.warning, "alarm": first.alarm},
        sensors=len(sensors), screened_out=len(sensors) - len(kept), forecast=len(rows), reaching=_reaching(rows), items=rows, highest=highest,
        failures=failures, engine=batch.engine, workers=batch.workers, seconds=batch.seconds,
    )  # fmt: skip


def scope_as_of(sessions: sessionmaker[Session], request: SensorForecastRequest) -> datetime | None:
    """The newest reading of the sensors a run would forecast: a run made after it is still current."""
    with sessions() as session:
        newest = session.scalar(_scope(select(func.max(SensorRow.last_ts)), request))
    return as_utc(newest) if newest else None


def run_id(request: SensorForecastRequest, as_of: datetime | None) -> str:
    """Kind, scope, horizon, screen and the newest reading: a screened run answers only a screened request."""
    stamp = f"{as_of.astimezone(CHINA):%Y%m%d%H%M}" if as_of else "none"
    screened = f":nearest{request.screen}" if request.screen else ""
    return f"sensor-forecasts:{request.kind}:{request.district or 'city'}:{request.horizon}h{screened}:{stamp}"


def _scope(query: Select, request: SensorForecastRequest) -> Select:
    return of_kind(query, request.kind, request.district)


def _nearest(sensors: list[SensorRow], n: int) -> list[SensorRow]:
    """The ``n`` sensors whose newest readings are nearest their thresholds (highest; lowest for pressure)."""
    below = sensors[0].direction == "below"
    reporting = [s for s in sensors if s.last_value is not None]
    return sorted(reporting, key=lambda s: s.last_value if below else -s.last_value)[:n]  # type: ignore[operator]


def _row(sensor: SensorRow, forecast: Forecast, limits: Thresholds) -> SensorForecast:
    below = limits.direction == "below"
    peak = (min if below else max)(forecast.points, key=lambda p: p.mean)
    bound = min(p.lo95 for p in forecast.points) if below else max(p.hi95 for p in forecast.points)
    return SensorForecast(
        sensor_id=sensor.id, asset_id=sensor.asset_id, name=sensor.name, district=sensor.district,
        latest=sensor.last_value, peak=peak.mean, peak_ts=peak.ts, lo80=peak.lo80, hi80=peak.hi80, lo95=peak.lo95,
        hi95=peak.hi95, end=forecast.points[-1].mean, bound95=bound, level=_level(peak.mean, limits),
        band_level=_level(bound, limits), model=forecast.model, mase=forecast.backtest.mase,
        baseline_mase=forecast.backtest.baseline_mase,
    )  # fmt: skip


def _level(value: float, limits: Thresholds) -> Level | None:
    reached = level_of(value, limits)
    return reached[0] if reached else None  # type: ignore[return-value]


def _rank(level: str | None) -> int:
    return rank(level) + 1 if level else 0  # no level ranks below watch


def _reaching(rows: list[SensorForecast]) -> dict[str, int]:
    return {level: sum(1 for r in rows if r.level == level) for level in LEVELS if any(r.level == level for r in rows)}
