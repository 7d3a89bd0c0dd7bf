"""One client layer for the assistant's tools: the same calls, answered in process or by a remote server.

``LocalServices`` calls the service functions the HTTP routers call (no HTTP on the way, so a chat turn
stays fast); ``RemoteServices`` calls the HTTP contract (``../shared/api.md``) at a base URL, so a city can
point the tools at its own monitoring, dispatch and forecasting systems. Both return the contract's JSON
shapes (plain dicts) and raise the same ``YiwangError`` subclasses, so tools cannot tell them apart.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.orm import Session, sessionmaker

from core.exceptions import BackendUnavailable, Conflict, InvalidInput, NotFound, YiwangError
from core.times import as_utc
from graph.queries.assets import find_assets
from graph.queries.entities import get_node, search_entities
from graph.queries.responsibility import responsible_department
from graph.store import GraphStore
from retrievers.base import SearchFilters
from retrievers.index import DocumentIndex
from services.dispatch import cases
from services.dispatch.models import CaseCreate, TransitionRequest
from services.dispatch.performance import evaluate_departments
from services.dispatch.stats import case_stats
from services.forecasting.forecast import ForecastRequest, forecast
from services.idempotency import run_once
from services.monitoring import readings
from services.monitoring.sensors import list_sensors, window_stats
from services.monitoring.vitals import vitals

Json = dict[str, Any]


def _dump(model: Any) -> Any:
    if isinstance(model, list):
        return [_dump(m) for m in model]
    return model.model_dump(mode="json") if hasattr(model, "model_dump") else model


class ServicesClient(ABC):
    """What the tools may ask of the graph, the documents and the live services."""

    backend: str

    @abstractmethod
    def search_entities(self, q: str, label: str | None = None, limit: int = 10) -> list[Json]: ...

    @abstractmethod
    def node(self, node_id: str, limit: int = 30) -> Json: ...

    @abstractmethod
    def responsibility(self, category: str, grid_id: str | None = None, district: str | None = None) -> Json: ...

    @abstractmethod
    def find_assets(self, name: str | None = None, category: str | None = None, district: str | None = None,
                    limit: int = 20) -> list[Json]: ...  # fmt: skip

    @abstractmethod
    def search_documents(self, q: str, k: int = 5, filters: Json | None = None) -> list[Json]: ...

    @abstractmethod
    def sensors(self, kind: str | None = None, district: str | None = None, asset_id: str | None = None,
                limit: int = 1000) -> list[Json]: ...  # fmt: skip

    @abstractmethod
    def readings(self, sensor_id: str, since: datetime | None = None, until: datetime | None = None) -> list[Json]: ...

    @abstractmethod
    def sensor_stats(self, kind: str, district: str | None, since: datetime, until: datetime) -> list[Json]: ...

    @abstractmethod
    def alarms(self, state: str | None = None, district: str | None = None, kind: str | None = None,
               level: str | None = None) -> list[Json]: ...  # fmt: skip

    @abstractmethod
    def vitals(self, district: str | None = None) -> list[Json]: ...

    @abstractmethod
    def forecast(self, series_id: str, horizon: int) -> Json: ...

    @abstractmethod
    def cases(self, *, state: str | None = None, department_id: str | None = None, district: str | None = None,
              since: datetime | None = None, overdue: bool | None = None, limit: int = 50) -> Json: ...  # fmt: skip

    @abstractmethod
    def case(self, case_id: str) -> Json: ...

    @abstractmethod
    def case_stats(self, period: str | None = None, district: str | None = None, category: str | None = None) -> Json: ...

    @abstractmethod
    def evaluation(self, period: str | None = None, department_id: str | None = None) -> Json: ...

    @abstractmethod
    def triage(self, body: Json) -> Json: ...

    @abstractmethod
    def create_case(self, body: Json, idempotency_key: str | None = None) -> Json: ...

    @abstractmethod
    def transition_case(self, case_id: str, body: Json, idempotency_key: str | None = None) -> Json: ...


class LocalServices(ServicesClient):
    """In-process: the graph store, document index and database sessions of this server."""

    backend = "in-process"

    def __init__(self, graph: GraphStore, sessions: sessionmaker[Session], shared_dir: Path,
                 documents: DocumentIndex | None = None, triage: Any = None) -> None:  # fmt: skip
        self.graph, self.sessions, self.shared_dir, self.documents = graph, sessions, shared_dir, documents
        self.triage_service = triage  # triage.service.Triage (kept untyped: triage imports the tools' models)

    def triage(self, body: Json) -> Json:
        if self.triage_service is None:
            raise BackendUnavailable("分拨服务未启用 / triage is not available in this process")
        from triage.service import TriageRequest

        return _dump(self.triage_service.triage(TriageRequest(**body)))

    def search_entities(self, q: str, label: str | None = None, limit: int = 10) -> list[Json]:
        return _dump(search_entities(self.graph, q, label=label, limit=limit))

    def node(self, node_id: str, limit: int = 30) -> Json:
        return _dump(get_node(self.graph, node_id, neighbor_limit=limit))

    def responsibility(self, category: str, grid_id: str | None = None, district: str | None = None) -> Json:
        return _dump(responsible_department(self.graph, category, grid_id=grid_id, district=district))

    def find_assets(self, name: str | None = None, category: str | None = None, district: str | None = None,
                    limit: int = 20) -> list[Json]:  # fmt: skip
        return _dump(find_assets(self.graph, name=name, category=category, district=district, limit=limit))

    def search_documents(self, q: str, k: int = 5, filters: Json | None = None) -> list[Json]:
        if self.documents is None:
            raise BackendUnavailable("文档索引尚未建立 / no document index yet: run `yiwang index build`")
        retriever = self.documents.retriever("hybrid+graph")
        return _dump(retriever.search(q, k, SearchFilters(**(filters or {}))))

    def sensors(self, kind: str | None = None, district: str | None = None, asset_id: str | None = None,
                limit: int = 1000) -> list[Json]:  # fmt: skip
        with self.sessions() as session:
            return _dump(list_sensors(session, kind=kind, district=district, asset_id=asset_id, limit=limit))

    def readings(self, sensor_id: str, since: datetime | None = None, until: datetime | None = None) -> list[Json]:
        with self.sessions() as session:
            return readings.readings_of(session, sensor_id, since, until, 10_000)

    def sensor_stats(self, kind: str, district: str | None, since: datetime, until: datetime) -> list[Json]:
        with self.sessions() as session:
            return _dump(window_stats(session, kind=kind, district=district, since=since, until=until))

    def alarms(self, state: str | None = None, district: str | None = None, kind: str | None = None,
               level: str | None = None) -> list[Json]:  # fmt: skip
        with self.sessions() as session:
            return _dump(readings.list_alarms(session, state, district, kind, level))

    def vitals(self, district: str | None = None) -> list[Json]:
        with self.sessions() as session:
            return _dump(vitals(session, district))

    def forecast(self, series_id: str, horizon: int) -> Json:
        with self.sessions() as session:
            return _dump(forecast(session, ForecastRequest(series_id=series_id, horizon=horizon), self.shared_dir))

    def cases(self, *, state: str | None = None, department_id: str | None = None, district: str | None = None,
              since: datetime | None = None, overdue: bool | None = None, limit: int = 50) -> Json:  # fmt: skip
        with self.sessions() as session:
            return _dump(cases.list_cases(session, state=state, department_id=department_id, district=district,
                                          since=as_utc(since) if since else None, overdue=overdue, limit=limit))  # fmt: skip

    def case(self, case_id: str) -> Json:
        with self.sessions() as session:
            return _dump(cases.get_case(session, case_id))

    def case_stats(self, period: str | None = None, district: str | None = None, category: str | None = None) -> Json:
        with self.sessions() as session:
            return _dump(case_stats(session, period, district, category))

    def evaluation(self, period: str | None = None, department_id: str | None = None) -> Json:
        with self.sessions() as session:
            return _dump(evaluate_departments(session, period, department_id))

    def create_case(self, body: Json, idempotency_key: str | None = None) -> Json:
        model = CaseCreate(**body)
        return _dump(run_once(self.sessions, idempotency_key, "POST /v1/cases", model,
                              lambda s: cases.create_case(s, self.graph, model)))  # fmt: skip

    def transition_case(self, case_id: str, body: Json, idempotency_key: str | None = None) -> Json:
        model = TransitionRequest(**body)
        return _dump(run_once(self.sessions, idempotency_key, f"POST /v1/cases/{case_id}/transition", model,
                              lambda s: cases.transition(s, self.graph, case_id, model)))  # fmt: skip


_ERRORS_BY_STATUS: dict[int, type[YiwangError]] = {404: NotFound, 409: Conflict}


class RemoteServices(ServicesClient):
    """Over HTTP, against any server that speaks the contract (this one, or a city's own systems)."""

    backend = "http"

    def __init__(self, base_url: str, timeout_s: float = 10.0, client: httpx.Client | None = None) -> None:
        self.http = client or httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout_s)

    def _send(self, method: str, path: str, *, params: Json | None = None, body: Json | None = None,
              headers: dict[str, str] | None = None) -> Any:  # fmt: skip
        clean = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in (params or {}).items() if v is not None}
        try:
            response = self.http.request(method, path, params=clean, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise BackendUnavailable(f"服务 {self.http.base_url} 无法访问: {exc}") from exc
        if response.status_code >= 400:
            try:
                message = response.json()["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = response.text[:300]
            if response.status_code >= 500:
                raise BackendUnavailable(f"服务出错 ({response.status_code}): {message}")
            raise _ERRORS_BY_STATUS.get(response.status_code, InvalidInput)(message)
        return response.json()

    def search_entities(self, q: str, label: str | None = None, limit: int = 10) -> list[Json]:
        return self._send("GET", "/v1/graph/search", params={"q": q, "label": label, "limit": limit})["items"]

    def node(self, node_id: str, limit: int = 30) -> Json:
        return self._send("GET", f"/v1/graph/nodes/{node_id}", params={"limit": limit})

    def responsibility(self, category: str, grid_id: str | None = None, district: str | None = None) -> Json:
        return self._send("GET", "/v1/graph/responsibility",
                          params={"category": category, "grid_id": grid_id, "district": district})  # fmt: skip

    def find_assets(self, name: str | None = None, category: str | None = None, district: str | None = None,
                    limit: int = 20) -> list[Json]:  # fmt: skip
        params = {"name": name, "category": category, "district": district, "limit": limit}
        return self._send("GET", "/v1/graph/assets", params=params)["items"]

    def search_documents(self, q: str, k: int = 5, filters: Json | None = None) -> list[Json]:
        return self._send("GET", "/v1/documents/search", params={"q": q, "k": k, **(filters or {})})["items"]

    def sensors(self, kind: str | None = None, district: str | None = None, asset_id: str | None = None,
                limit: int = 1000) -> list[Json]:  # fmt: skip
        params = {"kind": kind, "district": district, "asset_id": asset_id, "limit": limit}
        return self._send("GET", "/v1/monitoring/sensors", params=params)["items"]

    def readings(self, sensor_id: str, since: datetime | None = None, until: datetime | None = None) -> list[Json]:
        params = {"sensor_id": sensor_id, "since": since, "until": until}
        return self._send("GET", "/v1/monitoring/readings", params=params)["items"]

    def sensor_stats(self, kind: str, district: str | None, since: datetime, until: datetime) -> list[Json]:
        params = {"kind": kind, "district": district, "since": since, "until": until}
        return self._send("GET", "/v1/monitoring/stats", params=params)["items"]

    def alarms(self, state: str | None = None, district: str | None = None, kind: str | None = None,
               level: str | None = None) -> list[Json]:  # fmt: skip
        params = {"state": state, "district": district, "kind": kind, "level": level}
        return self._send("GET", "/v1/monitoring/alarms", params=params)["items"]

    def vitals(self, district: str | None = None) -> list[Json]:
        return self._send("GET", "/v1/monitoring/vitals", params={"district": district})["items"]

    def forecast(self, series_id: str, horizon: int) -> Json:
        return self._send("POST", "/v1/forecast", body={"series_id": series_id, "horizon": horizon})

    def cases(self, *, state: str | None = None, department_id: str | None = None, district: str | None = None,
              since: datetime | None = None, overdue: bool | None = None, limit: int = 50) -> Json:  # fmt: skip
        params = {"state": state, "department_id": department_id, "district": district, "since": since,
                  "overdue": overdue, "limit": limit}  # fmt: skip
        return self._send("GET", "/v1/cases", params=params)

    def case(self, case_id: str) -> Json:
        return self._send("GET", f"/v1/cases/{case_id}")

    def case_stats(self, period: str | None = None, district: str | None = None, category: str | None = None) -> Json:
        return self._send("GET", "/v1/cases/stats", params={"period": period, "district": district, "category": category})

    def evaluation(self, period: str | None = None, department_id: str | None = None) -> Json:
        return self._send("GET", "/v1/evaluation", params={"period": period, "department_id": department_id})

    def triage(self, body: Json) -> Json:
        return self._send("POST", "/v1/triage", body=body)

    def create_case(self, body: Json, idempotency_key: str | None = None) -> Json:
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        return self._send("POST", "/v1/cases", body=body, headers=headers)

    def transition_case(self, case_id: str, body: Json, idempotency_key: str | None = None) -> Json:
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        return self._send("POST", f"/v1/cases/{case_id}/transition", body=body, headers=headers)
