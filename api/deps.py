"""Dependencies named once, so routes read like sentences. Only this module reads the app's state:
the one ``Runtime`` the lifespan opened."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session, sessionmaker

from analytics.service import Analytics
from assistant.chat import ChatService
from core.settings import Settings
from graph.store import GraphStore
from retrievers.index import DocumentIndex, require_index
from runtime import Runtime
from services.monitoring.registry import Registry
from services.simulation.runner import InProcessSimulation
from tools.client import ServicesClient
from triage.service import Triage

IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200,
                                             description="the same key and body apply once; a repeat returns the first result")]


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_app_settings(runtime: RuntimeDep) -> Settings:
    return runtime.settings


def get_graph(runtime: RuntimeDep) -> GraphStore:
    return runtime.graph


def get_document_index(runtime: RuntimeDep) -> DocumentIndex:
    return require_index(runtime.documents)


def get_sessions(runtime: RuntimeDep) -> sessionmaker[Session]:
    return runtime.sessions


def get_session(runtime: RuntimeDep) -> Iterator[Session]:
    """One database session for the request, closed after it (a write commits itself)."""
    with runtime.sessions() as session:
        yield session


def get_registry(runtime: RuntimeDep) -> Registry:
    return runtime.registry


def get_simulation(runtime: RuntimeDep) -> InProcessSimulation | None:
    return runtime.simulation


def get_triage(runtime: RuntimeDep) -> Triage:
    return runtime.triage


def get_analytics(runtime: RuntimeDep) -> Analytics:
    return runtime.analytics


def get_services(runtime: RuntimeDep) -> ServicesClient:
    return runtime.services


def get_chat(runtime: RuntimeDep) -> ChatService:
    return runtime.chat


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
GraphDep = Annotated[GraphStore, Depends(get_graph)]
DocumentIndexDep = Annotated[DocumentIndex, Depends(get_document_index)]
SessionsDep = Annotated[sessionmaker[Session], Depends(get_sessions)]
# Closed when the route returns, before the response is sent: the connection goes back to the pool at once.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
RegistryDep = Annotated[Registry, Depends(get_registry)]
SimulationDep = Annotated[InProcessSimulation | None, Depends(get_simulation)]
TriageDep = Annotated[Triage, Depends(get_triage)]
AnalyticsDep = Annotated[Analytics, Depends(get_analytics)]
ServicesDep = Annotated[ServicesClient, Depends(get_services)]
ChatDep = Annotated[ChatService, Depends(get_chat)]
