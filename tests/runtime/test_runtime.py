"""The one way in: parts open with what they need, a part not asked for is refused by name, what the
caller passed in stays the caller's, and a tools client over HTTP needs nothing of this process."""

from __future__ import annotations

import pytest

from core.settings import Settings
from graph.queries.health import ping
from runtime import SERVER, needed, open_runtime
from tools.client import LocalServices, RemoteServices


def test_each_part_brings_what_it_needs() -> None:
    local = Settings()
    assert needed(local, ["graph"]) == {"graph"}
    assert needed(local, ["triage"]) == {"triage", "graph", "database", "documents"}
    assert needed(local, ["chat"]) == {"chat", "services", "triage", "analytics", "graph", "database", "documents"}
    assert needed(local, ["analytics"]) == {"analytics", "graph", "database"}  # hotspots read grids; Ray waits for a batch
    assert needed(local, ["chat"]) <= SERVER
    remote = Settings(services_url="http://city.example:8000")
    assert needed(remote, ["services"]) == {"services"}  # the city's own systems answer; nothing to train here
    with pytest.raises(ValueError, match="unknown runtime parts"):
        needed(local, ["graph", "ray"])


def test_a_part_not_opened_is_refused_by_name(base_settings: Settings, graph, tmp_path) -> None:
    settings = base_settings.model_copy(update={"db_url": f"sqlite:///{tmp_path / 'rt.db'}"})
    with open_runtime(settings, {"database"}) as runtime:
        with runtime.sessions() as session:
            assert session.connection() is not None
        with pytest.raises(RuntimeError, match="'triage'"):
            runtime.triage  # noqa: B018


def test_a_graph_passed_in_stays_open_for_its_owner(base_settings: Settings, graph, tmp_path) -> None:
    settings = base_settings.model_copy(update={"db_url": f"sqlite:///{tmp_path / 'rt.db'}", "mqtt_url": ""})
    with open_runtime(settings, {"services"}, graph=graph) as runtime:
        assert runtime.graph is graph
        assert isinstance(runtime.services, LocalServices)
        assert runtime.services.responsibility("event-0405", district="990103")["department"]["id"]
    ping(graph)  # still answers after the runtime closed


def test_tools_pointed_at_another_server_use_http(base_settings: Settings) -> None:
    settings = base_settings.model_copy(update={"services_url": "http://127.0.0.1:9"})
    with open_runtime(settings, {"services"}) as runtime:
        assert isinstance(runtime.services, RemoteServices)
        with pytest.raises(RuntimeError, match="'graph'"):
            runtime.graph  # noqa: B018


def test_an_unreadable_document_index_counts_as_missing(base_settings: Settings, graph, tmp_path) -> None:
    settings = base_settings.model_copy(update={"data_dir": tmp_path})
    (tmp_path / "index").mkdir()
    (tmp_path / "index" / "manifest.json").write_text("{}")  # a build that stopped half way
    with open_runtime(settings, {"documents"}, graph=graph) as runtime:
        assert runtime.documents is None
