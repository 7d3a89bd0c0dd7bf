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
        (["eval", "triage", "--real", "--folds", "1"], "--folds"),
    ],
)
def test_mistakes_exit_with_a_sentence(env_for, tmp_path: Path, args: list[str], message: str) -> None:
    env_for(tmp_path)
    result = runner.invoke(app, args)
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output


def test_eval_triage_real_prints_the_classifier_against_its_ablation_and_baseline(env_for, tmp_path: Path) -> None:
    env_for(tmp_path)
    result = runner.invoke(app, ["eval", "triage", "--real", "--folds", "3"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    rows = {line.split("│")[1].strip(): [cell.strip() for cell in line.split("│")[2:4]]
            for line in result.output.splitlines() if line.count("│") >= 4}  # fmt: skip
    with_names = float(rows["classifier: messages + taxonomy names (char TF-IDF, linear SVM)"][1])
    alone = float(rows["the same trained on the messages alone"][1])
    baseline = float(rows["baseline: most frequent class"][1])
    assert with_names > alone > baseline
    assert "±" in rows["the same, mean ± sd over 5 shuffles of the folds"][1]
    assert "环境保护" in result.output  # per class


def test_invalid_setting_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YIWANG_GRAPH_URL", "ftp://nowhere")
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["graph", "stats"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2 and "YIWANG_GRAPH_URL" in result.output
