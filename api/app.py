"""Builds the one FastAPI app: settings, graph, routers, error handlers and the web UI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from api.errors import install_error_handlers
from api.routers import graph, health
from core.settings import Settings, get_settings
from graph.store import GraphStore, open_graph

STATIC = Path(__file__).resolve().parent.parent / "web" / "static"


def create_app(settings: Settings | None = None, store: GraphStore | None = None) -> FastAPI:
    """The app; tests pass their own settings and an already-open graph store."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.graph = store or open_graph(settings)
        try:
            yield
        finally:
            if store is None:
                app.state.graph.close()

    app = FastAPI(title="Yiwang 一网", version="0.1.0", lifespan=lifespan,
                  description="城市运行管理服务辅助决策 / decision support for city operations centres")  # fmt: skip
    app.state.settings = settings
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(graph.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    return app
