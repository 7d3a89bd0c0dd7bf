"""One client layer for the assistant's tools: the same calls, answered in process or by a remote server.

``ServicesClient`` declares every operation once: its Python signature, and the HTTP route of the
contract (``../shared/api.md``) that answers it. ``RemoteServices`` turns a call into that request at a
base URL, so a city can point the tools at its own monitoring, dispatch and forecasting systems;
``LocalServices`` answers it with the function of ``tools.local`` of the same name, which calls what the
HTTP route calls (no HTTP on the way, so a chat turn stays fast). Both return the contract's JSON shapes
(plain dicts) and raise the same ``YiwangError`` subclasses, so tools cannot tell them apart.

Adding an operation: one method here, one function in ``tools.local``; tests/tools/test_services_client.py
checks that every operation has both, that the server has its route, and that the two transports agree.
"""

from __future__ import annotations

import functools
import inspect
import string
import typing
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, ParamSpec, TypeVar

import httpx
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.orm import Session, sessionmaker

from analytics.engine import BatchEngine
from analytics.service import Analytics
from core.exceptions import (
    BackendUnavailable,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthorized,
    YiwangError,
)
from core.times import china_if_naive
from graph.store import GraphStore
from retrievers.index import DocumentIndex
from tools import local
from triage.service import Triage

Json = dict[str, Any]
P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class Operation:
    """One call of the client and the HTTP request that answers it."""

    name: str
    method: Literal["GET", "POST"]
    path: str
    """The route; ``{name}`` parts are filled from the arguments of that name."""
    signature: inspect.Signature
    items: bool = False
    """The route wraps a list as ``{"items": [...]}``; the client returns the list."""
    body: str | tuple[str, ...] | None = None
    """The argument sent as the JSON body, or the arguments gathered into it."""
    headers: Mapping[str, str] = field(default_factory=dict)
    """Arguments sent as headers: argument name → header name."""
    spread: str | None = None
    """A mapping argument whose keys are sent as query parameters of their own."""

    def parameters(self) -> list[str]:
        return [name for name in self.signature.parameters if name != "self"]


def operation(method: Literal["GET", "POST"], path: str, *, items: bool = False,
              body: str | tuple[str, ...] | None = None, headers: Mapping[str, str] | None = None,
              spread: str | None = None) -> Callable[[Callable[P, R]], Callable[P, R]]:  # fmt: skip
    """Declares a client method as an operation: calling it hands the bound arguments to ``_call``."""

    def declare(method_fn: Callable[P, R]) -> Callable[P, R]:
        op = Operation(method_fn.__name__, method, path, inspect.signature(method_fn), items, body, headers or {},
                       spread)  # fmt: skip

        @functools.wraps(method_fn)
        def call(*args: P.args, **kwargs: P.kwargs) -> R:
            bound = op.signature.bind(*args, **kwargs)
            bound.apply_defaults()
            arguments = dict(bound.arguments)
            client = arguments.pop("self")
            return client._call(op, arguments)

        call.operation = op  # type: ignore[attr-defined]
        return call

    return declare


class ServicesClient(ABC):
    """What the tools may ask of the graph, the documents and the live services."""

    backend: str

    @abstractmethod
    def _call(self, op: Operation, arguments: dict[str, Any]) -> Any:
        """Answer one operation with its bound arguments."""

    @operation("GET", "/v1/graph/search", items=True)
    def search_entities(self, q: str, label: str | None = None, limit: int = 10) -> list[Json]:
        """Named entities by (fuzzy) name, alias or id, best first."""

    @operation("GET", "/v1/graph/themes", items=True)
    def themes(self) -> list[Json]:
        """The memo themes, each with its categories, sensor kinds and policies."""

    @operation("GET", "/v1/graph/nodes/{node_id}")
    def node(self, node_id: str, limit: int = 30) -> Json:
        """One node with its neighbours."""

    @operation("GET", "/v1/graph/responsibility")
    def responsibility(self, category: str, grid_id: str | None = None, district: str | None = None) -> Json:
        """The department responsible for a category in a grid or district, with its rule."""

    @operation("GET", "/v1/graph/assets/stats")
    def asset_stats(self, category: list[str] | None = None, district: str | None = None, status: list[str] | None = None,
                    group_by: str | None = None, name: str | None = None) -> Json:  # fmt: skip
        """How many assets of some categories, in a district, on a road (``name``) and in a state, per
        district/state/category."""

    @operation("GET", "/v1/graph/assets", items=True)
    def find_assets(self, name: str | None = None, category: str | None = None, district: str | None = None,
                    limit: int = 20, status: list[str] | None = None) -> list[Json]:  # fmt: skip
        """Assets by road or place, category, district and state."""

    @operation("GET", "/v1/documents/search", items=True, spread="filters")
    def search_documents(self, q: str, k: int = 5, filters: Json | None = None) -> list[Json]:
        """Policy passages (hybrid + graph retrieval)."""

    @operation("GET", "/v1/monitoring/sensors", items=True)
    def sensors(self, kind: str | None = None, district: str | None = None, asset_id: str | None = None,
                limit: int = 1000) -> list[Json]:  # fmt: skip
        """The sensor registry with thresholds and the newest value."""

    @operation("GET", "/v1/monitoring/readings", items=True)
    def readings(
        self, sensor_id: str, since: datetime | None = None, until: datetime | None = None
    ) -> list[Json]:
        """One sensor's readings in a window, oldest first."""

    @operation("GET", "/v1/monitoring/stats", items=True)
    def sensor_stats(self, kind: str, district: str | None, since: datetime, until: datetime,
                     above: float | None = None, below: float | None = None) -> list[Json]:  # fmt: skip
        """Per-sensor count/min/max/mean of one kind in a window, highest peak first (and how many readings are
        past ``above``/``below`` when given)."""

    @operation("GET", "/v1/monitoring/alarms", items=True)
    def alarms(self, state: str | None = None, district: str | None = None, kind: str | None = None,
               level: str | None = None, asset_id: str | None = None) -> list[Json]:  # fmt: skip
        """Threshold alarms (one asset's with ``asset_id``)."""

    @operation("GET", "/v1/monitoring/alarms/stats")
    def alarm_stats(self, state: str | None = None, district: str | None = None, kind: str | None = None,
                    level: str | None = None, opened: str | None = None, closed: str | None = None,
                    group_by: str | None = None) -> Json:  # fmt: skip
        """How many alarms, opened or closed in a period, per district, kind, level or state (counted in the database)."""

    @operation("GET", "/v1/monitoring/vitals", items=True)
    def vitals(self, district: str | None = None) -> list[Json]:
        """The city's (or a district's) vital signs."""

    @operation("POST", "/v1/forecast", body=("series_id", "horizon"))
    def forecast(self, series_id: str, horizon: int) -> Json:
        """A forecast with 80/95 % intervals and its backtest."""

    @operation("POST", "/v1/analytics/sensor-forecasts", body=("kind", "district", "horizon", "top", "screen"))
    def sensor_forecasts(self, kind: str, district: str | None = None, horizon: int = 24, top: int = 20,
                         screen: int | None = None) -> Json:  # fmt: skip
        """Every sensor of a kind in a district (or the city) forecast in one batch, the most likely to cross a
        threshold first, with the scope's extreme forecast."""

    @operation("POST", "/v1/analytics/hotspots", body=("categories", "district", "period", "level", "top"))
    def hotspots(self, categories: list[str], district: str | None = None, period: str = "last30d",
                 level: str = "grid", top: int = 10) -> Json:  # fmt: skip
        """Grids (or streets) where cases of the categories concentrate, against an even spread, with who is
        responsible."""

    @operation("POST", "/v1/analytics/anomalies", body=("kind", "district", "hours", "top"))
    def anomalies(self, kind: str, district: str | None = None, hours: int = 24, top: int = 20) -> Json:
        """Sensors of a kind unlike their own daily pattern in the last hours, ranked, with who is responsible."""

    @operation("POST", "/v1/analytics/hot-topics", body=("period", "district", "top", "keywords"))
    def hot_topics(self, period: str | None = None, district: str | None = None, top: int = 10,
                   keywords: list[str] | None = None) -> Json:  # fmt: skip
        """Hot issues of the real citizen messages (2019 message board), the hottest first, citable by id."""

    @operation("POST", "/v1/analytics/department-rollups", body=("periods", "district", "rank_by"))
    def department_rollups(self, periods: list[str] | None = None, district: str | None = None,
                           rank_by: str = "按期处置率") -> Json:  # fmt: skip
        """Every department's indicators over several periods (and a district), ranked, with its backlog now."""

    @operation("GET", "/v1/cases")
    def cases(self, *, state: str | None = None, department_id: str | None = None, district: str | None = None,
              since: datetime | None = None, overdue: bool | None = None, limit: int = 50,
              cursor: str | None = None, until: datetime | None = None, category: list[str] | None = None,
              source: str | None = None, reworked: bool | None = None, order: str | None = None,
              open: bool | None = None, counts: bool | None = None, returned: bool | None = None,
              extended: bool | None = None) -> Json:  # fmt: skip
        """Cases filtered (category id, channel, created since/until, reworked, returned, extended, overdue…), newest first unless
        ``order`` is ``oldest`` or ``last_closed``; ``cursor`` is the ``next`` of the page before; ``counts``
        adds every selected case counted in the database (total, by state and category, overdue)."""

    @operation("GET", "/v1/cases/{case_id}")
    def case(self, case_id: str) -> Json:
        """One case with its history."""

    @operation("GET", "/v1/cases/stats")
    def case_stats(self, period: str | None = None, district: str | None = None, category: str | None = None,
                   source: str | None = None, major: str | None = None,
                   basis: Literal["received", "closed"] = "received") -> Json:  # fmt: skip
        """Cases created (basis=closed: closed) in a period (from one channel, e.g. 12345, of one major class,
        e.g. 市容环境): total, open, closed, overdue, top categories, every major class."""

    @operation("GET", "/v1/evaluation")
    def evaluation(self, period: str | None = None, department_id: str | None = None) -> Json:
        """Department indicators with the counts behind each rate."""

    @operation("GET", "/v1/federation/facts", items=True)
    def federation_facts(self, kind: str, scope: str) -> list[Json]:
        """At a province or the nation: each lower platform's newest fact of a kind and scope, with its batch."""

    @operation("GET", "/v1/federation/sources", items=True)
    def federation_sources(self) -> list[Json]:
        """At a province or the nation: the lower platforms heard from, and whether each is stale."""

    @operation("POST", "/v1/triage", body="body")
    def triage(self, body: Json) -> Json:
        """Category, place, department, urgency and duplicates of a report (writes nothing)."""

    @operation("POST", "/v1/cases", body="body", headers={"idempotency_key": "Idempotency-Key"})
    def create_case(self, body: Json, idempotency_key: str | None = None) -> Json:
        """Register a case (a write: the tools run it only after a person confirms)."""

    @operation(
        "POST", "/v1/cases/{case_id}/transition", body="body", headers={"idempotency_key": "Idempotency-Key"}
    )
    def transition_case(self, case_id: str, body: Json, idempotency_key: str | None = None) -> Json:
        """Apply a workflow action to a case (a write)."""


OPERATIONS: dict[str, Operation] = {name: member.operation for name, member in vars(ServicesClient).items()
                                    if hasattr(member, "operation")}  # fmt: skip


def _dump(model: Any) -> Any:
    if isinstance(model, list):
        return [_dump(m) for m in model]
    return model.model_dump(mode="json") if hasattr(model, "model_dump") else model


class LocalServices(ServicesClient):
    """In-process: the graph store, document index and database sessions of this server."""

    backend = "in-process"

    def __init__(self, graph: GraphStore, sessions: sessionmaker[Session], shared_dir: Path,
                 documents: DocumentIndex | None = None, triage: Triage | None = None,
                 analytics: Analytics | None = None, sync_interval_s: float = 60.0) -> None:  # fmt: skip
        # Without the runtime's analytics (a test, a script): the same analytics with a default engine.
        analytics = analytics or Analytics(sessions, graph, shared_dir, BatchEngine())
        self.parts = local.InProcess(graph, sessions, shared_dir, documents, triage, analytics, sync_interval_s)

    def _call(self, op: Operation, arguments: dict[str, Any]) -> Any:
        answer: Callable[..., Any] = getattr(local, op.name)
        return _dump(answer(self.parts, **_coerced(op, arguments)))


@functools.cache
def _hints(name: str) -> dict[str, Any]:
    return typing.get_type_hints(getattr(ServicesClient, name))


def _coerced(op: Operation, arguments: dict[str, Any]) -> dict[str, Any]:
    """Arguments as the operation's signature types them, as the HTTP route would read them: a time given as
    "2026-12-01T00:00:00+08:00" becomes a datetime in process too (both clients answer the same call alike)."""
    hints = _hints(op.name)
    out = {}
    for name, value in arguments.items():
        if isinstance(value, str) and name in hints and hints[name] is not str:
            try:
                value = TypeAdapter(hints[name]).validate_python(value)
                if isinstance(value, datetime):
                    value = china_if_naive(value)  # as every route reads a time written without an offset
            except ValidationError as exc:
                raise InvalidInput(f"{op.name}: {name}={value!r} 无效 ({exc.errors()[0]['msg']})") from exc
        out[name] = value
    return out


_ERRORS_BY_STATUS: dict[int, type[YiwangError]] = {401: Unauthorized, 403: Forbidden, 404: NotFound, 409: Conflict}


class RemoteServices(ServicesClient):
    """Over HTTP, against any server that speaks the contract (this one, or a city's own systems)."""

    backend = "http"

    def __init__(self, base_url: str, timeout_s: float = 10.0, client: httpx.Client | None = None,
                 api_key: str = "") -> None:  # fmt: skip
        auth = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.http = client or httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout_s, headers=auth)

    def _call(self, op: Operation, arguments: dict[str, Any]) -> Any:
        arguments = dict(arguments)
        path = op.path.format(**{name: arguments.pop(name) for name in _path_names(op.path)})
        headers = {header: str(value) for name, header in op.headers.items()
                   if (value := arguments.pop(name, None)) is not None}  # fmt: skip
        body = None
        if isinstance(op.body, str):
            body = arguments.pop(op.body)
        elif op.body:
            body = {name: arguments.pop(name) for name in op.body}
        if op.spread:
            arguments |= arguments.pop(op.spread) or {}
        answer = self._send(op.method, path, params=arguments, body=body, headers=headers or None)
        return answer["items"] if op.items else answer

    def _send(self, method: str, path: str, *, params: Json | None = None, body: Json | None = None,
              headers: dict[str, str] | None = None) -> Any:  # fmt: skip
        clean = {
            k: (v.isoformat() if isinstance(v, datetime) else v)
            for k, v in (params or {}).items()
            if v is not None
        }
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


def _path_names(path: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(path) if name]
