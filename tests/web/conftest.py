"""The operations screen in a real browser: Debian's Chromium driven by Playwright, against a real server
(uvicorn on a free port) over the small city with weeks of cases, days of readings, the simulator running and
one API key per role. Screenshots land in ``out/browser/`` as test artefacts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from screen_support import CHROMIUM, CHROMIUM_ARGS, Console
from tests_support import serving

from api.app import create_app
from core.settings import Settings
from graph.store import GraphStore
from retrievers.index import DocumentIndex
from services.access.keys import demo_keys
from services.dispatch.demo_history import seed_case_history
from services.simulation.runner import backfill, sensor_specs
from services.simulation.simulator import Simulator


@dataclass
class Screen:
    url: str
    keys: dict[str, str]
    settings: Settings
    runtime: object


@pytest.fixture(scope="session")
def screen(doc_settings: Settings, doc_graph: GraphStore, doc_index: DocumentIndex,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Screen]:  # fmt: skip
    data = tmp_path_factory.mktemp("screen")
    settings = doc_settings.model_copy(update={
        "db_url": f"sqlite:///{data / 'screen.db'}", "auth": "keys", "simulate": True, "simulate_interval_s": 1.0,
        "mqtt_url": "", "rate_per_minute": 100_000})  # fmt: skip
    app = create_app(settings, store=doc_graph, document_index=doc_index)
    with serving(app) as url:
        yield _seeded(app, url, data, settings)


def _seeded(app, url: str, data: Path, settings: Settings) -> Screen:
    runtime = app.state.runtime
    with runtime.sessions() as session:
        seed_case_history(session, runtime.graph, seed=7, days=14, per_day=8)
    # Four days of hourly readings (what a forecast needs), then the last hours every ten minutes.
    specs = sensor_specs(runtime.graph, runtime.domain)
    now = datetime.now(UTC).replace(microsecond=0)
    backfill(Simulator(specs, 7, now - timedelta(hours=100), 3600), runtime.sessions, runtime.registry, 96)
    backfill(Simulator(specs, 7, now - timedelta(hours=4), 600), runtime.sessions, runtime.registry, 24)
    keys = demo_keys(runtime.sessions, data / "demo-keys.txt")
    return Screen(url=url, keys=keys, settings=settings, runtime=runtime)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's Chromium is missing: `make test` installs it (apt-get install chromium)", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_screen(screen: Screen, browser) -> Iterator:
    """``open_screen(role, page)`` → a logged-in page showing that page, and its console."""
    contexts = []

    def open_as(role: str, name: str = "overview"):
        context = browser.new_context(viewport={"width": 1440, "height": 960}, accept_downloads=True, locale="zh-CN")
        contexts.append(context)
        context.add_init_script(f"localStorage.setItem('yiwang-key', {screen.keys[role]!r})")
        page = context.new_page()
        console = Console(page)
        page.goto(f"{screen.url}/#/{name}")
        page.wait_for_selector(".badge.ok", timeout=15_000)  # /v1/me answered: logged in
        return page, console

    yield open_as
    for context in contexts:
        context.close()
