"""Three instances on loopback, each a real server with its own database: a province and two city servers
whose own publishers sync to it. The province's figures equal the cities' own; a city stopped and started
again on the same database catches up with what it did before it stopped, nothing lost or counted twice."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from federation_support import served_province
from tests_support import serving

from api.app import create_app
from core.settings import Settings
from core.times import CHINA
from graph.store import GraphStore
from services.db import make_engine, migrate, session_factory
from services.dispatch.demo_history import seed_case_history


def _until(check: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("not reached in time")
        time.sleep(0.2)


def _city_settings(base: Settings, graph: GraphStore, tmp_path: Path, code: str, name: str, province) -> Settings:
    url = f"sqlite:///{tmp_path / f'{code}.db'}"
    engine = make_engine(url)
    migrate(engine)
    with session_factory(engine)() as session:
        seed_case_history(session, graph, seed=int(code[2:4]) * 11, days=10, per_day=6)
    engine.dispose()
    return base.model_copy(update={"db_url": url, "auth": "off", "platform_code": code, "platform_name": name,
                                   "parent_url": province.url, "parent_key": province.keys[code],
                                   "sync_interval_s": 0.5})  # fmt: skip


def test_two_city_servers_sync_to_a_province_server_and_a_restarted_city_catches_up(
        base_settings: Settings, graph: GraphStore, tmp_path: Path) -> None:  # fmt: skip
    if graph.backend != "falkordb-embedded":
        pytest.skip("one graph engine is enough")
    with served_province(base_settings, graph, f"sqlite:///{tmp_path / 'province.db'}") as province:
        month = f"{datetime.now(CHINA):%Y-%m}"
        admin = {"Authorization": f"Bearer {province.admin}"}

        def held() -> dict[str, dict]:
            items = httpx.get(f"{province.url}/v1/federation/facts", params={"kind": "case_stats", "scope": month},
                              headers=admin).json()["items"]  # fmt: skip
            return {h["source"]: h for h in items}

        settings = {code: _city_settings(base_settings, graph, tmp_path, code, name, province)
                    for code, name in (("990100", "A市"), ("990200", "B市"))}  # fmt: skip
        with serving(create_app(settings["990100"], store=graph)) as a_url, serving(create_app(settings["990200"], store=graph)) as b_url:
            own = {code: httpx.get(f"{url}/v1/cases/stats", params={"period": month}).json()
                   for code, url in (("990100", a_url), ("990200", b_url))}  # fmt: skip
            _until(lambda: {c: h["payload"]["total"] for c, h in held().items()} == {c: s["total"] for c, s in own.items()})
        # A市 stopped: what it does while its server is down is in its database, and goes up when it is back.
        grid = graph.ro_query("MATCH (g:Grid) RETURN g.id AS id LIMIT 1")[0]["id"]
        body = {"text": "幸福路井盖缺失", "category_code": "component-0101", "grid_id": grid}
        with serving(create_app(settings["990100"].model_copy(update={"parent_url": "http://127.0.0.1:9"}), store=graph)) as cut_off:
            for _ in range(3):  # the parent unreachable: figures wait in the outbox
                assert httpx.post(f"{cut_off}/v1/cases", json=body).status_code == 201
            time.sleep(1.5)
            assert held()["990100"]["payload"]["total"] == own["990100"]["total"]  # not up yet
        with serving(create_app(settings["990100"], store=graph)) as a_url:
            now_total = httpx.get(f"{a_url}/v1/cases/stats", params={"period": month}).json()["total"]
            assert now_total == own["990100"]["total"] + 3
            _until(lambda: held()["990100"]["payload"]["total"] == now_total)
        sources = httpx.get(f"{province.url}/v1/federation/sources", headers=admin).json()["items"]
        received = {s["code"]: s["last_seq"] for s in sources}
        assert set(received) == {"990100", "990200"}
        replay = held()["990100"]
        assert replay["payload"]["total"] == own["990100"]["total"] + 3  # counted once, not 3 twice
