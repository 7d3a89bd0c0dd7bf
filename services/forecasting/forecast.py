"""Forecasting: the mean of MSTL (statsforecast, an AutoETS trend) and the seasonal random walk — with AutoTheta
too at an event's onset — with 80/95 % intervals, backtested on rolling origins beside
seasonal naive, the baseline.

Series ids: ``sensor:<sensor_id>`` (hourly means of stored readings), ``cases:<district|city>:<category|all>``
(daily case counts), and the real public series in ``shared/data/series``: ``ett:<column>`` (ETTh1,
hourly transformer load/oil temperature) and ``traffic:<detector>`` (METR-LA speeds, 5-min → hourly).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from core import clock
from core.exceptions import InvalidInput, NotFound
from core.times import CHINA, as_utc, local_iso
from services.dispatch.tables import CaseRow
from services.monitoring.hourly import HOUR, hourly_means
from services.monitoring.tables import SensorRow

FIT_WINDOW = {"hourly": 24 * 28, "daily": 365}
SEASON = {"hourly": 24, "daily": 7}
MAX_HORIZON = {"hourly": 24 * 7, "daily": 90}
BACKTEST_ORIGINS = 3


class ForecastRequest(BaseModel):
    series_id: str = Field(max_length=100)
    horizon: int = Field(strict=True, ge=1)
    level: list[int] = Field(default=[80, 95])


class ForecastPoint(BaseModel):
    ts: str
    mean: float
    lo80: float
    hi80: float
    lo95: float
    hi95: float


class Backtest(BaseModel):
    mase: float = Field(description="the model's MASE on the rolling origins (one fixed model, so no origin "
                                    "chose it)")
    baseline: str = "seasonal_naive"
    baseline_mase: float = Field(description="seasonal naive's MASE on the same origins")
    origins: int
    horizon: int
    candidates: dict[str, float] = Field(default_factory=dict, description="backtest MASE of every model tried, all origins")


class Forecast(BaseModel):
    series_id: str
    model: str
    frequency: str
    points: list[ForecastPoint]
    backtest: Backtest
    # The history the model was fitted on: its first point and how many (a few weeks of daily counts is thin).
    history_start: str | None = None
    history_points: int | None = None


@dataclass
class Series:
    values: np.ndarray
    last: datetime  # timestamp of the last value (UTC)
    frequency: str  # hourly | daily
    counts: bool = False  # event counts cannot go below zero, so neither may their forecast or interval

    @property
    def step(self) -> timedelta:
        return timedelta(hours=1) if self.frequency == "hourly" else timedelta(days=1)


@lru_cache(maxsize=4)
def _ett(path: Path) -> tuple[list[str], np.ndarray, datetime]:
    with open(path, encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header, data = rows[0][1:], np.array([[float(v) for v in r[1:]] for r in rows[1:]])
    last = datetime.strptime(rows[-1][0], "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA).astimezone(UTC)
    return header, data, last


@lru_cache(maxsize=4)
def _traffic(path: Path) -> tuple[list[str], np.ndarray]:
    with open(path, encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return rows[0], np.array([[float(v) for v in r] for r in rows[1:]])


def load_series(series_id: str, session: Session, shared_dir: Path, now: datetime) -> Series:
    kind, _, rest = series_id.partition(":")
    if kind == "ett":
        header, data, last = _ett(shared_dir / "data" / "series" / "ETTh1.csv")
        if rest not in header:
            raise NotFound(f"ETTh1 没有列 {rest!r}; 可选: {', '.join(header)}")
        return Series(data[:, header.index(rest)], last, "hourly")
    if kind == "traffic":
        header, data = _traffic(shared_dir / "data" / "series" / "los_speed.csv")
        if rest not in header:
            raise NotFound(f"没有检测器 {rest!r}; 例如 traffic:{header[0]}")
        column = data[:, header.index(rest)]
        hourly = column[: len(column) // 12 * 12].reshape(-1, 12).mean(axis=1)  # 5-minute speeds → hourly means
        return Series(hourly, datetime(2012, 3, 7, 23, tzinfo=CHINA).astimezone(UTC), "hourly")
    if kind == "sensor":
        sensor = session.get(SensorRow, rest)
        if sensor is None:
            raise NotFound(f"未找到传感器 {rest}; 请用 /v1/monitoring/sensors 查询")
        return sensor_series(session, select(SensorRow.id).where(SensorRow.id == rest), sensor.last_ts).get(rest) or _no_data()
    if kind == "cases":
        district, _, category = rest.partition(":")
        query = select(CaseRow.created_at)
        if district and district != "city":
            query = query.where(CaseRow.district == district)
        if category and category != "all":
            query = query.where(CaseRow.category_code == category)
        return _daily_counts([as_utc(ts) for (ts,) in session.execute(query)], now)
    raise NotFound(f"未知序列 {series_id!r}; 形如 sensor:<传感器>、cases:<区|city>:<类别|all>、ett:OT、traffic:<检测器>")


def sensor_series(session: Session, sensor_ids: Select, newest: datetime | None) -> dict[str, Series]:
    """The hourly series of sensors, each up to its newest reading, read in one query: the fit window
    before ``newest`` (the newest reading among them) and no further back, however long the history."""
    if newest is None:
        return {}
    since = as_utc(newest).replace(minute=0, second=0, microsecond=0) - HOUR * (FIT_WINDOW["hourly"] - 1)
    series = hourly_means(session, sensor_ids, since, as_utc(newest) + timedelta(microseconds=1))
    return {sensor_id: Series(means, first + HOUR * (len(means) - 1), "hourly") for sensor_id, (first, means) in series.items()}


def _no_data() -> Series:
    raise InvalidInput("该序列还没有数据 / the series has no data yet")


def _daily_counts(times: list[datetime], until: datetime) -> Series:
    if not times:
        _no_data()
    day = timedelta(days=1)
    origin = min(times).astimezone(CHINA).replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
    n = int((max(until, *times) - origin) / day) + 1
    counts = np.bincount([int((t - origin) / day) for t in times], minlength=n).astype(float)
    return Series(counts, origin + day * (n - 1), "daily", counts=True)


# The seasons a frequency has. The mean of MSTL and the seasonal random walk (ARIMA(0,1,0)(0,1,0): yesterday's
# shape from today's level) is the forecast of a calm series; where the last hours broke from the day before (an
# event's onset: a storm filling the drains) it is the mean of MSTL on the seasons the data covers twice, the
# random walk and AutoTheta. Chosen on the development spread (evals/forecast_dev.py, docs/evals.md): calm 0.844
# and onset 1.378 against 0.999 and 1.627 for the mean without the switch; one model for both lost either the
# calm series (a weekly season kept out of a week of data) or the storm (with it, at an onset).
SEASONS = {"hourly": (24, 24 * 7), "daily": (7,)}
CALM, ONSET = "MSTL+SeasonalRandomWalk", "MSTL+SeasonalRandomWalk+Theta"
MODEL = "default"  # the backtest's name for the switch as a whole: whichever of the two each origin chose
ONSET_SPREADS, ONSET_STEPS = 2.0, 2
MIN_WEEKLY_STEPS = 4 * 24  # a weekly season from four days of hours on: on the development detectors (4–6 days) it helped


def seasons(frequency: str, length: int) -> list[int]:
    """The seasons the data covers twice (as R's ``mstl`` takes them)."""
    return [p for p in SEASONS[frequency] if length >= 2 * p] or [SEASON[frequency]]


def onset(values: np.ndarray, frequency: str, spreads: float = ONSET_SPREADS) -> bool:
    """The last hours stand more than ``spreads`` spreads of the day-on-day change away from the same hours the
    day before: an event is starting. Hourly series only (the daily case counts were not measured so)."""
    if frequency != "hourly":
        return True  # daily series keep the mean that was measured safe: the onset mean
    season = SEASON[frequency]
    change = values[season:] - values[:-season]
    spread = float(np.std(change[:-ONSET_STEPS])) or 1e-9
    return bool(abs(float(np.mean(change[-ONSET_STEPS:]))) > spreads * spread)


def chosen(values: np.ndarray, frequency: str) -> str:
    return ONSET if onset(values, frequency) else CALM


def _fit(name: str, values: np.ndarray, horizon: int, frequency: str, levels: list[int]) -> dict[str, np.ndarray]:
    from statsforecast.models import ARIMA, MSTL, AutoTheta, SeasonalNaive

    season = SEASON[frequency]
    if name == "SeasonalNaive":
        return SeasonalNaive(season_length=season).forecast(y=values, h=horizon, level=levels)
    if name == MODEL:
        name = chosen(values, frequency)
    walk = ARIMA(order=(0, 1, 0), seasonal_order=(0, 1, 0), season_length=season).forecast(y=values, h=horizon, level=levels)
    if name == CALM:
        weekly = [p for p in SEASONS[frequency] if p == season or len(values) >= MIN_WEEKLY_STEPS]
        parts = [MSTL(season_length=weekly).forecast(y=values, h=horizon, level=levels), walk]
    else:
        parts = [MSTL(season_length=seasons(frequency, len(values))).forecast(y=values, h=horizon, level=levels), walk,
                 AutoTheta(season_length=season).forecast(y=values, h=horizon, level=levels)]  # fmt: skip
    # Bounds averaged too: an approximation that keeps their order.
    return {key: np.mean([np.asarray(part[key]) for part in parts], axis=0) for key in parts[0]}


def _mase(actual: np.ndarray, predicted: np.ndarray, train: np.ndarray, season: int) -> float:
    scale = np.mean(np.abs(train[season:] - train[:-season])) or 1e-9
    return float(np.mean(np.abs(actual - predicted)) / scale)


def backtests(values: np.ndarray, frequency: str, horizon: int) -> tuple[dict[str, list[float]], int]:
    """MASE of the model and of seasonal naive at each rolling origin, oldest first (refit at each of the
    last ``BACKTEST_ORIGINS``)."""
    season = SEASON[frequency]
    errors: dict[str, list[float]] = {MODEL: [], "SeasonalNaive": []}
    origins = 0
    for k in range(BACKTEST_ORIGINS, 0, -1):
        cut = len(values) - k * horizon
        train, test = values[:cut], values[cut : cut + horizon]
        if len(train) < 3 * season or not len(test):
            continue
        origins += 1
        for name in errors:
            errors[name].append(_mase(test, _fit(name, train, len(test), frequency, [80])["mean"], train, season))
    if not origins:
        raise InvalidInput(f"序列太短, 无法回测: 需要至少 {3 * season + horizon} 个点, 现有 {len(values)} 个")
    return errors, origins


def forecast(session: Session, body: ForecastRequest, shared_dir: Path, now: datetime | None = None) -> Forecast:
    now = now or clock.now()
    return forecast_series(body, load_series(body.series_id, session, shared_dir, now))


def forecast_series(body: ForecastRequest, series: Series) -> Forecast:
    """The forecast of a loaded series: pure (no database), so a batch can run it on Ray's workers."""
    season, limit = SEASON[series.frequency], MAX_HORIZON[series.frequency]
    if body.horizon > limit:
        raise InvalidInput(f"预测步长 {body.horizon} 超出范围: {series.frequency} 序列最多 {limit} 步")
    if sorted(body.level) != [80, 95]:
        raise InvalidInput("level 目前只支持 [80, 95]")
    values = series.values[-FIT_WINDOW[series.frequency]:]
    if len(values) < 3 * season:
        raise InvalidInput(f"序列太短: 需要至少 {3 * season} 个点 ({series.frequency}), 现有 {len(values)} 个")
    horizon = min(body.horizon, season)
    errors, origins = backtests(values, series.frequency, horizon)
    scores = {name: float(np.mean(e)) for name, e in errors.items()}
    model = chosen(values, series.frequency)
    fitted = _fit(model, values, body.horizon, series.frequency, [80, 95])
    if series.counts:
        fitted = {key: np.maximum(band, 0.0) for key, band in fitted.items()}
    points = [ForecastPoint(ts=local_iso(series.last + series.step * (i + 1)), mean=round(float(fitted["mean"][i]), 4),
                            lo80=round(float(fitted["lo-80"][i]), 4), hi80=round(float(fitted["hi-80"][i]), 4),
                            lo95=round(float(fitted["lo-95"][i]), 4), hi95=round(float(fitted["hi-95"][i]), 4))
              for i in range(body.horizon)]  # fmt: skip
    backtest = Backtest(mase=round(scores[MODEL], 4), baseline_mase=round(scores["SeasonalNaive"], 4), origins=origins,
                        horizon=horizon, candidates={name: round(v, 4) for name, v in scores.items()})  # fmt: skip
    start = local_iso(series.last - series.step * (len(values) - 1))
    return Forecast(series_id=body.series_id, model=model, frequency=series.frequency, points=points, backtest=backtest,
                    history_start=start, history_points=len(values))  # fmt: skip

