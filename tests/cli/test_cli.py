"""The `yiwang` command: user mistakes exit non-zero with one sentence, never a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from core.settings import Settings, get_settings
from graph.store import GraphStore

runner = CliRunner()


@pytest.fixture
def env_for(monkeypatch: pytest.MonkeyPatch) -> Iterator:
    def use(data_dir: Path) -> None:
        monkeypatch.setenv("YIWANG_DATA_DIR", str(data_dir))
        get_settings.cache_clear()

    yield use
    get_settings.cache_clear()


def test_graph_query_prints_rows_and_refuses_writes(env_for, base_settings: Settings, graph: GraphStore) -> None:
    if graph.backend != "falkordb-embedded":
        pytest.skip("the CLI test shares the embedded engine of the session")
    env_for(base_settings.data_dir)
    ok = runner.invoke(app, ["graph", "query", "MATCH (d:District) RETURN d.name AS name ORDER BY name", "--json"])
    assert ok.exit_code == 0 and "A1区" in ok.output
    refused = runner.invoke(app, ["graph", "query", "CREATE (n:District {id: '990188'}) RETURN n"])
    assert refused.exit_code == 1 and "不允许写操作" in refused.output
    assert graph.ro_query("MATCH (d:District {id: '990188'}) RETURN d") == []
    bad_params = runner.invoke(app, ["graph", "query", "RETURN 1", "--params", "{oops"])
    assert bad_params.exit_code == 1 and "JSON" in bad_params.output


def test_graph_stats_lists_districts(env_for, base_settings: Settings, graph: GraphStore) -> None:
    if graph.backend != "falkordb-embedded":
        pytest.skip("the CLI test shares the embedded engine of the session")
    env_for(base_settings.data_dir)
    result = runner.invoke(app, ["graph", "stats"])
    assert result.exit_code == 0 and "A7区" in result.output and "falkordb-embedded" in result.output


def test_build_then_load_then_skip(env_for, tmp_path: Path) -> None:
    env_for(tmp_path)
    assert runner.invoke(app, ["demo", "build", "--scale", "0.005"]).exit_code == 0
    again = runner.invoke(app, ["demo", "build", "--scale", "0.005", "--if-missing"])
    assert again.exit_code == 0 and "already built" in again.output
    loaded = runner.invoke(app, ["graph", "load", "--if-changed"])
    assert loaded.exit_code == 0 and "已加载" in loaded.output
    skipped = runner.invoke(app, ["graph", "load", "--if-changed"])
    assert skipped.exit_code == 0 and "already holds" in skipped.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["demo", "build", "--scale", "0"], "--scale"),
        (["graph", "load", "--dir", "/nonexistent/city"], "yiwang demo build"),
    ],
)
def test_mistakes_exit_with_a_sentence(env_for, tmp_path: Path, args: list[str], message: str) -> None:
    env_for(tmp_path)
    result = runner.invoke(app, args)
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output


def test_invalid_setting_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YIWANG_GRAPH_URL", "ftp://nowhere")
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["graph", "stats"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2 and "YIWANG_GRAPH_URL" in result.output
