"""Dependencies named once, so routes read like sentences."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from core.exceptions import BackendUnavailable
from core.settings import Settings
from graph.store import GraphStore
from retrievers.index import DocumentIndex


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_graph(request: Request) -> GraphStore:
    return request.app.state.graph


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
GraphDep = Annotated[GraphStore, Depends(get_graph)]


def get_document_index(request: Request) -> DocumentIndex:
    index = request.app.state.document_index
    if index is None:
        raise BackendUnavailable("文档索引尚未建立 / no document index yet: run `yiwang index build`")
    return index


DocumentIndexDep = Annotated[DocumentIndex, Depends(get_document_index)]


def get_sessions(request: Request) -> sessionmaker[Session]:
    return request.app.state.sessions


SessionsDep = Annotated[sessionmaker[Session], Depends(get_sessions)]
