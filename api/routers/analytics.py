"""``/v1/analytics``: batch analytics over many series at once, in process or on Ray (issue 16)."""

from __future__ import annotations

from fastapi import APIRouter

from analytics.anomalies import AnomalyScanRequest, AnomalyScanRun
from analytics.department_rollups import DepartmentRollupRequest, DepartmentRollupRun
from analytics.hot_topics import HotTopicRequest, HotTopicRun
from analytics.hotspots import HotspotRequest, HotspotRun
from analytics.runs import KeptRun
from analytics.sensor_forecasts import SensorForecastRequest, SensorForecastRun
from api.auth import Analyst
from api.deps import AnalyticsDep

router = APIRouter(prefix="/v1/analytics", tags=["analytics"])


@router.post("/sensor-forecasts", response_model=SensorForecastRun)
def sensor_forecasts(body: SensorForecastRequest, analytics: AnalyticsDep, _: Analyst) -> SensorForecastRun:
    """Every sensor of a kind in a district (or the city) forecast with its backtest, the most likely to cross a
    threshold first. Big batches run on Ray (``engine`` says which ran); the same scope on the same readings is
    answered from the run already made (``run_id``)."""
    return analytics.sensor_forecasts(body)


@router.post("/hotspots", response_model=HotspotRun)
def hotspots(body: HotspotRequest, analytics: AnalyticsDep, _: Analyst) -> HotspotRun:
    """Where cases of a category (or a group counted together) concentrate: each grid's count against an even
    spread over the scope's grids (Poisson tail), last week against the week before, and who is responsible."""
    return analytics.hotspots(body)


@router.post("/anomalies", response_model=AnomalyScanRun)
def anomalies(body: AnomalyScanRequest, analytics: AnalyticsDep, _: Analyst) -> AnomalyScanRun:
    """Sensors of a kind in a district (or the city) unlike themselves in the last hours: each hourly mean against
    the sensor's own daily profile and trend (robust z), ranked, with the asset, grid and responsible department;
    a sensor with too little history is reported beside the others."""
    return analytics.anomalies(body)


@router.post("/hot-topics", response_model=HotTopicRun)
def hot_topics(body: HotTopicRequest, analytics: AnalyticsDep, _: Analyst) -> HotTopicRun:
    """Hot issues in the real citizen messages (``shared/data/hotline/messages.jsonl``): messages about the same
    problem at the same place grouped, each topic with its place, period, volume, likes, heat and member ids."""
    return analytics.hot_topics(body)


@router.post("/department-rollups", response_model=DepartmentRollupRun)
def department_rollups(body: DepartmentRollupRequest, analytics: AnalyticsDep, _: Analyst) -> DepartmentRollupRun:
    """Every department's indicators over several periods (and optionally one district's cases), as
    ``/v1/evaluation`` counts them, ranked in each period, with each department's open and overdue cases now."""
    return analytics.department_rollups(body)


@router.get("/runs/{run_id:path}", response_model=KeptRun)
def run(run_id: str, analytics: AnalyticsDep) -> KeptRun:
    """A run by the id an answer or a memo cited (``hotspots:…``, ``sensor-forecasts:…``): what was asked and what
    it found, as it was made."""
    return analytics.run(run_id)
