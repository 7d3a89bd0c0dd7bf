"""The services client's operations answered in process: each function calls what its HTTP route calls.

One function per operation of ``tools.client.ServicesClient``, with the same name and parameters after
``parts``; the client dumps what they return to the contract's JSON shapes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from analytics.anomalies import AnomalyScanRequest, AnomalyScanRun
from analytics.department_rollups import DepartmentRollupRequest, DepartmentRollupRun
from analytics.hot_topics import HotTopicRequest, HotTopicRun
from analytics.hotspots import HotspotRequest, HotspotRun
from analytics.sensor_forecasts import SensorForecastRequest, SensorForecastRun
from analytics.service import Analytics
from core.exceptions import BackendUnavailable, InvalidInput
from graph.models import Entity, NodeDetail, Responsibility
from graph.queries.assets import count_assets
from graph.queries.assets import find_assets as assets_named
from graph.queries.cases import category_majors
from graph.queries.entities import get_node
from graph.queries.entities import search_entities as entities_named
from graph.queries.responsibility import responsible_department
from graph.queries.themes import ThemeSummary
from graph.queries.themes import themes as theme_summaries
from graph.store import GraphStore
from retrievers.base import Hit, SearchFilters
from retrievers.index import DEFAULT_MODE, DocumentIndex, require_index
from services.dispatch import cases as dispatch
from services.dispatch.models import CaseCreate, CaseFilter, CaseList, CasePublic, TransitionRequest
from services.dispatch.performance import Evaluation, evaluate_departments
from services.dispatch.stats import Basis, CaseStats
from services.dispatch.stats import case_stats as count_cases
from services.dispatch.writes import create_case_once, transition_once
from services.federation.received import Held, SourceState, newest
from services.federation.received import sources as received_sources
from services.forecasting.forecast import Forecast, ForecastRequest
from services.forecasting.forecast import forecast as make_forecast
from services.monitoring.alarms import AlarmCounts, AlarmPublic, count_alarms, list_alarms
from services.monitoring.readings import readings_of
from services.monitoring.sensors import SensorPublic, SensorWindowStats, list_sensors, window_stats
from services.monitoring.vitals import Vital
from services.monitoring.vitals import vitals as city_vitals
from triage.service import Triage, TriageRequest, TriageResult


@dataclass(frozen=True)
class InProcess:
    """The open parts of this process that the operations read and write."""

    graph: GraphStore
    sessions: sessionmaker[Session]
    shared_dir: Path
    documents: DocumentIndex | None = None
    triage: Triage | None = None
    analytics: Analytics | None = None
    sync_interval_s: float = 60.0  # a lower platform silent for three intervals is stale


def search_entities(parts: InProcess, q: str, label: str | None, limit: int) -> list[Entity]:
    return entities_named(parts.graph, q, label=label, limit=limit)


def themes(parts: InProcess) -> list[ThemeSummary]:
    return theme_summaries(parts.graph)


def node(parts: InProcess, node_id: str, limit: int) -> NodeDetail:
    return get_node(parts.graph, node_id, neighbor_limit=limit)


def responsibility(
    parts: InProcess, category: str, grid_id: str | None, district: str | None
) -> Responsibility:
    return responsible_department(parts.graph, category, grid_id=grid_id, district=district)


def asset_stats(parts: InProcess, category: list[str] | None, district: str | None, status: list[str] | None,
                group_by: str | None, name: str | None) -> dict[str, Any]:  # fmt: skip
    groups = count_assets(
        parts.graph, categories=category, district=district, statuses=status, group_by=group_by, name=name
    )
    return {"total": sum(g["count"] for g in groups), "groups": groups if group_by else []}


def find_assets(parts: InProcess, name: str | None, category: str | None, district: str | None, limit: int,
                status: list[str] | None) -> list[Entity]:  # fmt: skip
    return assets_named(parts.graph, name=name, category=category, district=district, statuses=status, limit=limit)


def search_documents(parts: InProcess, q: str, k: int, filters: dict[str, Any] | None) -> list[Hit]:
    return (
        require_index(parts.documents).retriever(DEFAULT_MODE).search(q, k, SearchFilters(**(filters or {})))
    )


def sensors(
    parts: InProcess, kind: str | None, district: str | None, asset_id: str | None, limit: int
) -> list[SensorPublic]:
    with parts.sessions() as session:
        return list_sensors(session, kind=kind, district=district, asset_id=asset_id, limit=limit)


def readings(parts: InProcess, sensor_id: str, since: datetime | None, until: datetime | None) -> list[dict]:
    with parts.sessions() as session:
        return readings_of(session, sensor_id, since, until)


def sensor_stats(
    parts: InProcess, kind: str, district: str | None, since: datetime, until: datetime,
    above: float | None = None, below: float | None = None,
) -> list[SensorWindowStats]:
    with parts.sessions() as session:
        return window_stats(session, kind=kind, district=district, since=since, until=until, above=above, below=below)


def alarms(
    parts: InProcess, state: str | None, district: str | None, kind: str | None, level: str | None,
    asset_id: str | None = None,
) -> list[AlarmPublic]:
    with parts.sessions() as session:
        return list_alarms(session, state, district, kind, level, asset_id)


def alarm_stats(parts: InProcess, state: str | None, district: str | None, kind: str | None, level: str | None,
                opened: str | None, closed: str | None, group_by: str | None) -> AlarmCounts:  # fmt: skip
    with parts.sessions() as session:
        return count_alarms(session, state=state, district=district, kind=kind, level=level, opened=opened,
                            closed=closed, group_by=group_by)  # fmt: skip


def vitals(parts: InProcess, district: str | None) -> list[Vital]:
    with parts.sessions() as session:
        return city_vitals(session, district)


def sensor_forecasts(parts: InProcess, kind: str, district: str | None, horizon: int, top: int,
                     screen: int | None) -> SensorForecastRun:  # fmt: skip
    if parts.analytics is None:
        raise BackendUnavailable("分析服务未启用 / analytics are not open in this process")
    return parts.analytics.sensor_forecasts(SensorForecastRequest(kind=kind, district=district, horizon=horizon, top=top,
                                                                  screen=screen))  # fmt: skip


def hotspots(parts: InProcess, categories: list[str], district: str | None, period: str, level: str,
             top: int) -> HotspotRun:  # fmt: skip
    if parts.analytics is None:
        raise BackendUnavailable("分析服务未启用 / analytics are not open in this process")
    return parts.analytics.hotspots(HotspotRequest.model_validate({"categories": categories, "district": district,
                                                                   "period": period, "level": level, "top": top}))  # fmt: skip


def department_rollups(parts: InProcess, periods: list[str] | None, district: str | None,
                       rank_by: str) -> DepartmentRollupRun:  # fmt: skip
    if parts.analytics is None:
        raise BackendUnavailable("分析服务未启用 / analytics are not open in this process")
    return parts.analytics.department_rollups(DepartmentRollupRequest.model_validate(
        {"periods": periods or [], "district": district, "rank_by": rank_by}))  # fmt: skip


def hot_topics(parts: InProcess, period: str | None, district: str | None, top: int,
               keywords: list[str] | None) -> HotTopicRun:  # fmt: skip
    if parts.analytics is None:
        raise BackendUnavailable("分析服务未启用 / analytics are not open in this process")
    return parts.analytics.hot_topics(HotTopicRequest(period=period, district=district, top=top, keywords=keywords or []))


def anomalies(parts: InProcess, kind: str, district: str | None, hours: int, top: int) -> AnomalyScanRun:
    if parts.analytics is None:
        raise BackendUnavailable("分析服务未启用 / analytics are not open in this process")
    return parts.analytics.anomalies(AnomalyScanRequest(kind=kind, district=district, hours=hours, top=top))


def forecast(parts: InProcess, series_id: str, horizon: int) -> Forecast:
    with parts.sessions() as session:
        return make_forecast(session, ForecastRequest(series_id=series_id, horizon=horizon), parts.shared_dir)


def cases(parts: InProcess, state: str | None, department_id: str | None, district: str | None,
          since: datetime | None, overdue: bool | None, limit: int, cursor: str | None, until: datetime | None,
          category: list[str] | None, source: str | None, reworked: bool | None, order: str | None,
          open: bool | None, counts: bool | None, returned: bool | None = None, extended: bool | None = None) -> CaseList:  # fmt: skip
    filters = {"state": state, "department_id": department_id, "district": district, "since": since, "until": until,
               "overdue": overdue, "category": category, "source": source, "reworked": reworked, "order": order,
               "open": open, "returned": returned, "extended": extended}  # fmt: skip
    try:
        case_filter = CaseFilter.model_validate({k: v for k, v in filters.items() if v is not None})
    except ValidationError as exc:  # as the route answers a bad query parameter: a sentence, not a traceback
        error = exc.errors()[0]
        raise InvalidInput(f"cases: {error['loc'][0]}={error.get('input')!r} 无效 ({error['msg']})") from exc
    with parts.sessions() as session:
        return dispatch.list_cases(session, case_filter, limit=limit, cursor=cursor, counts=bool(counts))


def case(parts: InProcess, case_id: str) -> CasePublic:
    with parts.sessions() as session:
        return dispatch.get_case(session, case_id)


def case_stats(parts: InProcess, period: str | None, district: str | None, category: str | None,
               source: str | None, major: str | None, basis: Basis) -> CaseStats:  # fmt: skip
    with parts.sessions() as session:
        return count_cases(session, period, district, category, source=source, major=major,
                           majors=category_majors(parts.graph), basis=basis)  # fmt: skip


def evaluation(parts: InProcess, period: str | None, department_id: str | None) -> Evaluation:
    with parts.sessions() as session:
        return evaluate_departments(session, period, department_id)


def federation_facts(parts: InProcess, kind: str, scope: str) -> list[Held]:
    with parts.sessions() as session:
        return newest(session, kind, scope)


def federation_sources(parts: InProcess) -> list[SourceState]:
    with parts.sessions() as session:
        return received_sources(session, timedelta(seconds=3 * parts.sync_interval_s))


def triage(parts: InProcess, body: dict[str, Any]) -> TriageResult:
    if parts.triage is None:
        raise BackendUnavailable("分拨服务未启用 / triage is not available in this process")
    return parts.triage.triage(TriageRequest(**body))


def create_case(parts: InProcess, body: dict[str, Any], idempotency_key: str | None) -> dict:
    return create_case_once(parts.sessions, parts.graph, CaseCreate(**body), idempotency_key)


def transition_case(
    parts: InProcess, case_id: str, body: dict[str, Any], idempotency_key: str | None
) -> dict:
    return transition_once(parts.sessions, parts.graph, case_id, TransitionRequest(**body), idempotency_key)
