"""Builds the one FastAPI app: settings, graph, routers, error handlers and the web UI."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from api.errors import install_error_handlers
from api.limits import SizeLimit
from api.routers import cases, chat, documents, evaluation, forecast, graph, health, memos, monitoring, triage
from assistant.wiring import make_chat_service, make_client
from core.exceptions import BackendUnavailable
from core.settings import Settings, get_settings
from graph.domain import load_domain
from graph.store import GraphStore, open_graph
from retrievers.embedders import make_embedder
from retrievers.index import DocumentIndex, open_index
from services.db import database_url, make_engine, migrate, session_factory
from services.monitoring.mqtt import MqttIngestor
from services.monitoring.readings import Registry, sync_sensors
from services.simulation.runner import InProcessSimulation, sensor_specs
from services.simulation.simulator import Simulator
from triage.wiring import make_triage

STATIC = Path(__file__).resolve().parent.parent / "web" / "static"


def _open_documents(settings: Settings, graph: GraphStore) -> DocumentIndex | None:
    try:
        return open_index(settings, make_embedder(settings.embedding_model), graph)
    except BackendUnavailable:
        return None  # served as 503 with the command to run, not a crash at start-up


def _start_mqtt(settings: Settings, app: FastAPI) -> MqttIngestor | None:
    if not settings.mqtt_url:
        return None
    ingestor = MqttIngestor(settings.mqtt_url, settings.mqtt_topic_prefix, app.state.sessions, app.state.registry)
    try:
        ingestor.start()
    except OSError as exc:
        # HTTP ingestion still works; the operator sees why MQTT does not.
        logging.getLogger("yiwang.mqtt").warning("MQTT broker %s unreachable (%s); readings only over HTTP", settings.mqtt_url, exc)
        return None
    return ingestor


def _start_simulation(settings: Settings, app: FastAPI) -> InProcessSimulation | None:
    if not settings.simulate:
        return None
    domain = load_domain(settings.domain_dir, settings.shared_dir / "data" / "hotline" / "taxonomy.csv")
    start = datetime.now(UTC).replace(second=0, microsecond=0)
    simulator = Simulator(sensor_specs(app.state.graph, domain), settings.demo_seed, start, settings.simulate_interval_s)
    simulation = InProcessSimulation(simulator, app.state.sessions, app.state.registry, settings.simulate_interval_s)
    simulation.start()
    return simulation


def create_app(settings: Settings | None = None, store: GraphStore | None = None,
               document_index: DocumentIndex | None = None) -> FastAPI:  # fmt: skip
    """The app; tests pass their own settings, an open graph store and a document index."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.graph = store or open_graph(settings)
        app.state.document_index = document_index or _open_documents(settings, app.state.graph)
        engine = make_engine(database_url(settings))
        migrate(engine)
        app.state.sessions = session_factory(engine)
        app.state.registry = Registry()
        with app.state.sessions() as session:
            sync_sensors(session, app.state.graph, update_existing=False)  # new sensors only: start-up stays fast
            session.commit()
            app.state.registry.load(session)
        app.state.triage = make_triage(settings, app.state.graph, app.state.sessions, app.state.document_index)
        app.state.memo_client = make_client(settings, app.state.graph, app.state.sessions, app.state.document_index,
                                            app.state.triage)  # fmt: skip
        app.state.chat, checkpoints = make_chat_service(settings, app.state.graph, app.state.sessions,
                                                       app.state.document_index, app.state.triage)  # fmt: skip
        app.state.mqtt = _start_mqtt(settings, app)
        app.state.simulation = _start_simulation(settings, app)
        try:
            yield
        finally:
            checkpoints.close()
            if app.state.simulation:
                app.state.simulation.stop()
            if app.state.mqtt:
                app.state.mqtt.stop()
            engine.dispose()
            if store is None:
                app.state.graph.close()

    app = FastAPI(title="Yiwang 一网", version="0.1.0", lifespan=lifespan,
                  description="城市运行管理服务辅助决策 / decision support for city operations centres")  # fmt: skip
    app.state.settings = settings
    install_error_handlers(app)
    app.add_middleware(SizeLimit)
    app.include_router(health.router)
    app.include_router(graph.router)
    app.include_router(documents.router)
    app.include_router(cases.router)
    app.include_router(evaluation.router)
    app.include_router(monitoring.router)
    app.include_router(forecast.router)
    app.include_router(chat.router)
    app.include_router(triage.router)
    app.include_router(memos.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    return app
