"""``GET /healthz``: liveness and the backend in use for each part."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import GraphDep, SettingsDep
from core.health import backend_names
from graph.queries.health import ping

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    graph: str
    db: str
    llm: str
    level: str  # city, province or nation (the screen shows a province its cities)
    platform: str
    platform_code: str


@router.get("/healthz", response_model=Health)
def healthz(settings: SettingsDep, graph: GraphDep) -> Health:
    """Checks the graph answers (a failure is a 503 with the reason) and names every backend."""
    ping(graph)
    return Health(status="ok", **backend_names(settings, graph.backend), level=settings.level,
                  platform=settings.platform_name, platform_code=settings.platform_code)  # fmt: skip
