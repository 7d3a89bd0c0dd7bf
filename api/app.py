"""Builds the one FastAPI app: the runtime it keeps for its lifetime, routers, error handlers and the web UI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from api.audit import AuditTrail
from api.auth import guard_reads
from api.errors import ERROR_RESPONSES, install_error_handlers
from api.limits import SizeLimit
from api.rate import RateLimiter
from api.routers import (
    access,
    analytics,
    cases,
    chat,
    documents,
    evals,
    evaluation,
    federation,
    forecast,
    graph,
    health,
    memos,
    monitoring,
    triage,
)
from core.settings import Settings, get_settings
from graph.store import GraphStore
from retrievers.index import DocumentIndex
from runtime import SERVER, open_runtime

STATIC = Path(__file__).resolve().parent.parent / "web" / "static"


def create_app(settings: Settings | None = None, store: GraphStore | None = None,
               document_index: DocumentIndex | None = None) -> FastAPI:  # fmt: skip
    """The app; tests pass their own settings, an open graph store and a document index."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with open_runtime(settings, SERVER, graph=store, documents=document_index) as runtime:
            app.state.runtime = runtime
            yield

    app = FastAPI(title="Yiwang 一网", version="0.1.0", lifespan=lifespan,
                  description="城市运行管理服务辅助决策 / decision support for city operations centres",
                  dependencies=[Depends(guard_reads)], responses=ERROR_RESPONSES)  # fmt: skip
    app.state.rate_limiter = RateLimiter(settings.rate_per_minute)
    install_error_handlers(app)
    app.add_middleware(SizeLimit)
    app.add_middleware(AuditTrail)
    app.include_router(health.router)
    app.include_router(graph.router)
    app.include_router(documents.router)
    app.include_router(cases.router)
    app.include_router(evaluation.router)
    app.include_router(evals.router)
    app.include_router(monitoring.router)
    app.include_router(forecast.router)
    app.include_router(analytics.router)
    app.include_router(chat.router)
    app.include_router(triage.router)
    app.include_router(memos.router)
    app.include_router(access.router)
    app.include_router(federation.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    return app
