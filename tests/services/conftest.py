"""The API app on each database (SQLite and PostgreSQL) over the session's embedded graph."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.settings import Settings
from graph.store import GraphStore


@pytest.fixture
def client(base_settings: Settings, graph: GraphStore, db_url: str) -> Iterator[TestClient]:
    if graph.backend != "falkordb-embedded":
        pytest.skip("service tests need one graph engine only")
    with TestClient(create_app(base_settings.model_copy(update={"db_url": db_url}), store=graph)) as test_client:
        yield test_client
