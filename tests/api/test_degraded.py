"""Degraded modes (issue 17), each by stopping the real component: with the graph engine gone, /healthz says
so with a 503, what needs the graph answers 503 with a sentence, and the case workflow (database only) goes
on."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.settings import Settings
from tests.tests_support import Proxy


def test_the_graph_engine_killed_under_a_running_server(base_settings: Settings, tmp_path: Path) -> None:
    settings = base_settings.model_copy(update={"data_dir": tmp_path / "data", "db_url": f"sqlite:///{tmp_path / 'd.db'}"})
    with TestClient(create_app(settings)) as client:  # its own embedded FalkorDB, not the session's
        assert client.get("/healthz").status_code == 200
        pid = json.loads((settings.graph_dir / "falkordb.pid").read_text())["pid"]
        os.kill(pid, signal.SIGKILL)
        for _ in range(50):  # the kill is asynchronous
            try:
                os.kill(pid, 0)
                time.sleep(0.1)
            except ProcessLookupError:
                break
        health = client.get("/healthz")
        assert health.status_code == 503 and "图数据库" in health.json()["error"]["message"]
        search = client.get("/v1/graph/search", params={"q": "A1区"})
        assert search.status_code == 503 and "图数据库" in search.json()["error"]["message"]
        asked = client.post("/v1/chat", json={"message": "A3区道路积水归谁管？"})  # the assistant says what failed
        assert asked.status_code == 200 and "无法连接图数据库" in asked.json()["answer"]
        assert "falkordb.sock" not in asked.text and "falkordb.sock" not in health.text  # no internal path
        assert client.get("/v1/cases").status_code == 200  # the workflow's reads need no graph
        assert client.get("/v1/monitoring/alarms").status_code == 200


def test_the_database_gone_and_back_under_a_running_server(base_settings: Settings, graph, small_city) -> None:
    from tests.conftest import _postgres_database

    if graph.backend != "falkordb-embedded":
        pytest.skip("one graph engine is enough")
    databases = _postgres_database()
    url = next(databases)
    proxy = Proxy(("127.0.0.1", 5432))
    try:
        settings = base_settings.model_copy(update={"db_url": url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")})
        grid = small_city.nodes["Grid"][0]["id"]
        body = {"text": "幸福路井盖没了", "category_code": "component-0101", "grid_id": grid}
        with TestClient(create_app(settings, store=graph)) as client:
            assert client.post("/v1/cases", json=body).status_code == 201
            proxy.cut()
            down = client.post("/v1/cases", json=body)
            assert down.status_code == 503 and down.headers.get("retry-after"), down.text
            assert "数据库" in down.json()["error"]["message"]
            assert client.get("/v1/cases").status_code == 503
            proxy.restore()
            back = [client.post("/v1/cases", json=body).status_code for _ in range(2)]
            assert 201 in back  # the pool reconnects; at most the first call after meets a dead connection
            listed = client.get("/v1/cases").json()["items"]
            assert len(listed) == 1 + back.count(201)  # nothing half-written while it was down
    finally:
        proxy.cut()
        proxy.listener.close()
        with contextlib.suppress(StopIteration):
            next(databases)
