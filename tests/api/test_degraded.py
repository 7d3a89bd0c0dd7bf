"""Degraded modes (issue 17), each by stopping the real component: with the graph engine gone, /healthz says
so with a 503, what needs the graph answers 503 with a sentence, and the case workflow (database only) goes
on."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from core.settings import Settings


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
        assert client.get("/v1/cases").status_code == 200  # the workflow's reads need no graph
        assert client.get("/v1/monitoring/alarms").status_code == 200
