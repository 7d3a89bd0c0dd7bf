"""Dependencies named once, so routes read like sentences."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from core.settings import Settings
from graph.store import GraphStore


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_graph(request: Request) -> GraphStore:
    return request.app.state.graph


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
GraphDep = Annotated[GraphStore, Depends(get_graph)]
