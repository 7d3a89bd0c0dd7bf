"""Anomaly scan across sensors (issue 16): which sensors of a kind in a district or the city behaved unlike
themselves in the last hours ("最近24小时A3区哪些水位点位异常？").

Each sensor's hourly means are split into what its own history expects — a daily profile and a slow trend,
both by medians so an anomaly does not drag them along — and the rest; the rest is scored by a robust z
(median and MAD), points past the cut are anomalous and consecutive ones of one direction make an episode.
The method and the cut are the ones ``evals/anomalies.py`` measured best on real series with injected
anomalies. Series are read here; the detector runs on Ray or in process (``analytics.engine``); a sensor with
too little history is reported, the others still answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from pydantic import BaseModel, Field
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, sessionmaker

from analytics.engine import BatchEngine, Engine
from core import clock
from core.exceptions import InvalidInput, YiwangError
from core.times import CHINA, as_utc, local_iso
from services.monitoring.hourly import HOUR, hourly_means
from services.monitoring.sensors import of_kind
from services.monitoring.tables import ReadingRow, SensorRow

Method = Literal["seasonal-hourly", "seasonal", "stl", "raw"]
# What each expects of a series and how it scales the rest: "seasonal" is the median daily profile and a
# rolling-median trend; "stl" is statsmodels' robust STL; "raw" the series' median (no season, the plain
# baseline). "-hourly": each hour of the day scaled by its own spread (rush hours vary more than nights).
METHODS: tuple[Method, ...] = ("seasonal-hourly", "seasonal", "stl", "raw")
# Chosen by evals/anomalies.py: the best episode F1 on the development split; its held-out figure is
# reported beside the others' (docs in that module).
DEFAULT_METHOD: Method = "seasonal-hourly"
DEFAULT_CUT = 5.0
MAD_TO_SD = 1.4826  # the MAD of normal noise times this is its standard deviation
MIN_SEASONS = 3  # a median daily profile needs three days of each hour to outvote one odd day
HOUR_SPAN = 1  # an hour's own spread is read over it and the hour either side (7 days → 21 values)
# A sensor's detection takes about 2 ms; on two cores Ray saves at most half of that, so its start-up
# (3–4 s, bench/ray_bench.py) is repaid only by scopes of thousands of sensors.
CROSSOVER = 4000


@dataclass(frozen=True)
class Episode:
    """Consecutive anomalous points of one direction; indices into the series, ``end`` included."""

    start: int
    end: int
    peak_index: int
    peak: float  # the value furthest from what was expected
    expected: float  # what the series' own profile and trend expected at the peak
    z: float  # robust z at the peak, signed
    direction: Literal["up", "down"]


def _rolling_median(values: np.ndarray, width: int) -> np.ndarray:
    """Centred rolling median; the window is cut short at the ends (padding with the end value would let a
    last-hour anomaly vote for itself)."""
    half = width // 2
    padded = np.concatenate([np.full(half, np.nan), values, np.full(half, np.nan)])
    return np.nanmedian(sliding_window_view(padded, 2 * half + 1), axis=1)


def _by_phase(values: np.ndarray, season: int) -> np.ndarray:
    """The series as rows of one season each (column p: every value at phase p), the last row padded with NaN."""
    rows = -(-len(values) // season)
    return np.concatenate([values, np.full(rows * season - len(values), np.nan)]).reshape(rows, season)


def expected_values(values: np.ndarray, season: int = 24, method: Method = DEFAULT_METHOD) -> np.ndarray:
    """What the series' own history expects at each point, before the robust centring of the residuals."""
    if method == "raw":
        return np.full(len(values), float(np.median(values)))
    if method == "stl":
        from statsmodels.tsa.seasonal import STL

        fit = STL(values, period=season, robust=True).fit()
        return np.asarray(fit.trend + fit.seasonal)
    phase = np.arange(len(values)) % season  # seasonal, seasonal-hourly
    # A rolling median over one day is the level with the daily swing voted out; the profile is the median
    # of each hour's deviation from it; the trend is then followed on the series without its profile.
    level = _rolling_median(values, season + 1)
    deviation = values - level
    profile = np.nanmedian(_by_phase(deviation, season), axis=0)
    profile -= np.median(profile)
    return _rolling_median(values - profile[phase], season + 1) + profile[phase]


def robust_z(values: np.ndarray, expected: np.ndarray, season: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(z, expected) with the residuals' median folded into ``expected``: z = (value − expected) / scale.

    ``season`` > 0: an hour's scale is the larger of the series' and that hour's own (with ``HOUR_SPAN``
    either side), so a normally unsteady hour needs more to be anomalous and no hour counts as quieter than
    the series as a whole (its own few values could say so by chance)."""
    residual = values - expected
    centre = float(np.median(residual))
    spread = np.abs(residual - centre)
    scale = MAD_TO_SD * float(np.median(spread))
    if scale == 0.0:  # more than half the points exactly as expected (a status code): the mean deviation
        scale = 1.2533 * float(np.mean(spread))  # Iglewicz & Hoaglin's fallback for MAD = 0
    expected = expected + centre
    if scale == 0.0:
        return np.zeros(len(values)), expected
    scales = np.full(len(values), scale)
    if season:
        phase = np.arange(len(values)) % season
        by_phase = _by_phase(spread, season)
        near = np.concatenate([np.roll(by_phase, k, axis=1) for k in range(-HOUR_SPAN, HOUR_SPAN + 1)])
        own = MAD_TO_SD * np.nanmedian(near, axis=0)
        scales = np.maximum(scale, own[phase])
    return (values - expected) / scales, expected


def episodes(values: np.ndarray, z: np.ndarray, expected: np.ndarray, cut: float) -> list[Episode]:
    """Points with |z| ≥ ``cut``, grouped into runs of consecutive points of one direction."""
    found: list[Episode] = []
    flagged = np.flatnonzero(np.abs(z) >= cut)
    run: list[int] = []
    for i in [*flagged.tolist(), -1]:
        if run and (i != run[-1] + 1 or np.sign(z[i]) != np.sign(z[run[-1]])):
            peak = max(run, key=lambda j: abs(z[j]))
            found.append(Episode(run[0], run[-1], peak, float(values[peak]), float(expected[peak]), float(z[peak]),
                                 "up" if z[peak] > 0 else "down"))  # fmt: skip
            run = []
        if i >= 0:
            run.append(i)
    return found


def check_series(values: np.ndarray, season: int = 24) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    if len(values) < MIN_SEASONS * season:
        raise InvalidInput(f"历史太短: 需要至少 {MIN_SEASONS * season} 个逐时值 ({MIN_SEASONS} 天), 现有 {len(values)} 个 / "
                           f"too little history: {MIN_SEASONS * season} hourly values needed, {len(values)} given")  # fmt: skip
    if not np.all(np.isfinite(values)):
        raise InvalidInput("序列含有缺失或非数值 / the series has missing or non-numeric values")
    return values


def detect(values: np.ndarray, season: int = 24, method: Method = DEFAULT_METHOD,
           cut: float = DEFAULT_CUT) -> list[Episode]:  # fmt: skip
    """Anomaly episodes of an hourly series, oldest first: pure (no database), so it runs on Ray's workers."""
    values = check_series(values, season)
    return episodes(values, *scores(values, season, method), cut)


def scores(values: np.ndarray, season: int = 24, method: Method = DEFAULT_METHOD) -> tuple[np.ndarray, np.ndarray]:
    """(z, expected) at every point of a checked series."""
    hourly = season if method.endswith("-hourly") else 0
    return robust_z(values, expected_values(values, season, method), hourly)


class AnomalyScanRequest(BaseModel):
    kind: str = Field(max_length=32, description="sensor kind, e.g. water_level")
    district: str | None = Field(None, pattern=r"^\d{6}$", description="district code (990103); empty: the whole city")
    hours: int = Field(24, strict=True, ge=1, le=24 * 7, description="the recent hours scanned, up to the newest reading")
    baseline: int = Field(24 * 7, strict=True, ge=24 * 2, le=24 * 28, description="hours of history before them that say what "
                          "is normal for each sensor (its daily profile, trend and spread)")
    top: int = Field(20, strict=True, ge=1, le=500, description="sensors listed, the most anomalous first")
    engine: Literal["auto", "ray", "in-process"] = "auto"


class AnomalyEpisode(BaseModel):
    start: str = Field(description="the first anomalous hour (hourly means, labelled by the hour they begin)")
    end: str = Field(description="the last anomalous hour, included")
    hours: int
    peak_ts: str = Field(description="the hour furthest from what was expected")
    peak: float = Field(description="the hourly mean at the peak")
    expected: float = Field(description="what the sensor's own daily profile and trend expected there")
    z: float = Field(description="robust z at the peak: (peak − expected) / the sensor's usual spread at that hour")
    direction: Literal["up", "down"]


class SensorAnomaly(BaseModel):
    sensor_id: str
    asset_id: str
    name: str
    district: str
    grid_id: str
    unit: str
    z: float = Field(description="the strongest episode's z (signed)")
    episodes: list[AnomalyEpisode] = Field(description="episodes touching the scanned hours, strongest first")
    department_id: str | None = Field(None, description="responsible for the sensor's asset in its grid")
    department: str | None = None


class AnomalyScanRun(BaseModel):
    run_id: str = Field(description="cite the run by it (an item by run_id#sensor_id): kind, scope, hours and "
                        "the newest reading it saw")
    as_of: str | None = Field(description="the newest reading of the scope when the run was made")
    window_start: str | None = Field(description="the first scanned hour")
    window_end: str | None = Field(description="the last scanned hour (the newest reading's)")
    kind: str
    district: str | None
    hours: int
    baseline: int
    method: str = Field(description="how a point was judged anomalous (evals/anomalies.py measured it)")
    sensors: int = Field(description="sensors of the kind in the scope")
    scanned: int = Field(description="sensors scanned (the others are in failures)")
    anomalous: int = Field(description="sensors with an anomaly in the scanned hours (items lists ``top`` of them)")
    items: list[SensorAnomaly] = Field(description="by |z| of the strongest episode, then the most recent first")
    failures: dict[str, str]
    engine: Engine
    workers: int
    seconds: float


def _scan_one(job: tuple[np.ndarray, int]) -> list[Episode]:
    values, window = job
    return [episode for episode in detect(values) if episode.end >= window]


def scan_anomalies(sessions: sessionmaker[Session], engine: BatchEngine, request: AnomalyScanRequest,
                   progress: Callable[[int], None] | None = None, now: datetime | None = None) -> AnomalyScanRun:  # fmt: skip
    now = as_utc(now) if now else clock.now()
    with sessions() as session:
        sensors = list(session.scalars(_scope(select(SensorRow), request).order_by(SensorRow.id)))
        if not sensors:
            raise InvalidInput(_nothing_to_scan(session, request))
        newest = session.scalar(select(func.max(ReadingRow.ts)).where(
            ReadingRow.sensor_id.in_(_scope(select(SensorRow.id), request).scalar_subquery()), ReadingRow.ts <= now))
        as_of = as_utc(newest) if newest else None
        end = as_of.replace(minute=0, second=0, microsecond=0) if as_of else None
        jobs, failures, starts = [], {}, {}
        series = {} if end is None else hourly_means(
            session, _scope(select(SensorRow.id), request), end - HOUR * (request.hours + request.baseline - 1),
            min(end + HOUR, now + timedelta(microseconds=1)))  # fmt: skip
    for sensor in sensors:
        try:
            if end is None:
                raise InvalidInput("该序列还没有数据 / the series has no data yet")
            if sensor.id not in series:
                raise InvalidInput("扫描时段及其基线内没有读数 / no readings in the scanned hours or the baseline before them")
            first, values = series[sensor.id]
            window = int((end - first) / HOUR) - request.hours + 1
            if len(values) <= window:
                raise InvalidInput(f"最近 {request.hours} 小时没有读数 / no readings in the last {request.hours} hours")
            jobs.append((sensor.id, (values, window)))
            starts[sensor.id] = first
        except YiwangError as exc:
            failures[sensor.id] = exc.message
            if progress:
                progress(1)
    batch = engine.run(_scan_one, jobs, request.engine, progress, min_items=CROSSOVER)
    failures |= batch.failures
    found = [(sensor, batch.results[sensor.id]) for sensor in sensors if batch.results.get(sensor.id)]
    items = [_item(sensor, found_episodes, starts[sensor.id]) for sensor, found_episodes in found]
    items.sort(key=lambda item: (-abs(item.z), _latest(item), item.sensor_id))
    return AnomalyScanRun(
        run_id=run_id(request, as_of), as_of=local_iso(as_of), window_start=local_iso(end - HOUR * (request.hours - 1)) if end else None,
        window_end=local_iso(end), kind=request.kind, district=request.district, hours=request.hours, baseline=request.baseline,
        method=f"{DEFAULT_METHOD}, |z| ≥ {DEFAULT_CUT:g}", sensors=len(sensors), scanned=len(batch.results), anomalous=len(items),
        items=items[: request.top], failures=failures, engine=batch.engine, workers=batch.workers, seconds=batch.seconds,
    )  # fmt: skip


def run_id(request: AnomalyScanRequest, as_of: datetime | None) -> str:
    stamp = f"{as_of.astimezone(CHINA):%Y%m%d%H%M}" if as_of else "none"
    return f"anomalies:{request.kind}:{request.district or 'city'}:{request.hours}h/{request.baseline}h:{stamp}"


def _scope(query: Select, request: AnomalyScanRequest) -> Select:
    return of_kind(query, request.kind, request.district)


def _nothing_to_scan(session: Session, request: AnomalyScanRequest) -> str:
    known = list(session.scalars(select(SensorRow.kind).distinct().order_by(SensorRow.kind)))
    if request.kind not in known:
        return f"未知的传感器类型 {request.kind!r}; 可选 / one of: {', '.join(known) or '无 / none'}"
    return f"区 {request.district} 没有 {request.kind} 传感器 / district {request.district} has no {request.kind} sensors"


def _item(sensor: SensorRow, found: list[Episode], first: datetime) -> SensorAnomaly:
    def at(i: int) -> str:
        return local_iso(first + HOUR * i)  # type: ignore[return-value]

    ordered = sorted(found, key=lambda e: (-abs(e.z), -e.end))
    episodes_ = [AnomalyEpisode(start=at(e.start), end=at(e.end), hours=e.end - e.start + 1, peak_ts=at(e.peak_index),
                                peak=round(e.peak, 4), expected=round(e.expected, 4), z=round(e.z, 2),
                                direction=e.direction) for e in ordered]  # fmt: skip
    return SensorAnomaly(sensor_id=sensor.id, asset_id=sensor.asset_id, name=sensor.name, district=sensor.district,
                         grid_id=sensor.grid_id, unit=sensor.unit, z=episodes_[0].z, episodes=episodes_)  # fmt: skip


def _latest(item: SensorAnomaly) -> float:
    """Minus the newest episode's end, as a sort key: of equal |z|, the more recent first."""
    return -max(datetime.fromisoformat(e.end).timestamp() for e in item.episodes)
