from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from analytics.engine import BatchEngine
from api.app import create_app
from core.settings import Settings


@pytest.fixture(scope="session")
def ray_engine() -> Iterator[BatchEngine]:
    """A real local Ray on two CPUs, started once for the session (4–5 s, most of a gigabyte)."""
    import ray

    engine = BatchEngine(num_cpus=2, min_items=8)
    engine.connect()
    yield engine
    ray.shutdown()


@pytest.fixture
def api(doc_settings: Settings, doc_graph, doc_index, db_url: str) -> Iterator[TestClient]:
    """The HTTP API over the small city, on a fresh database of each kind."""
    settings = doc_settings.model_copy(update={"db_url": db_url, "mqtt_url": ""})
    with TestClient(create_app(settings, store=doc_graph, document_index=doc_index)) as client:
        yield client
