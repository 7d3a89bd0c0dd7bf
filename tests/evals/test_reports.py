"""The three report files a person reads after a run, and the comparison that lists regressions."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from evals.report import compare, write_reports


def _run(accuracy: float, passed: bool, latency: float = 0.2) -> dict:
    item = {"id": "dev-001", "intent": "case_stats", "turns": ["本月<b>案件</b>多少"], "answer": "全市 200 件", "passed": passed,
            "checks": [{"kind": "figure", "ok": passed, "expected": "61件"}], "tools_called": ["search_cases"], "expects": ""}  # fmt: skip
    chat = {"set": "dev", "figures": {"questions": 1, "accuracy": accuracy, "latency_p95_s": latency},
            "by_intent": {"case_stats": {"n": 1, "passed": int(passed), "accuracy": accuracy}}, "latencies": [latency], "items": [item]}  # fmt: skip
    return {"created": "2026-12-05T11:00:00+00:00", "target": "local", "commit": "abc1234",
            "sections": {"chat": chat, "memo": {"error": "no memo set"}}}  # fmt: skip


def test_reports_are_written_and_the_page_works_offline(tmp_path: Path) -> None:
    paths = write_reports(_run(0.0, False), tmp_path / "out")
    assert [p.name for p in paths] == ["eval.json", "eval.md", "eval.html"]
    assert json.loads(paths[0].read_text("utf-8"))["sections"]["chat"]["figures"]["accuracy"] == 0.0
    summary = paths[1].read_text("utf-8")
    assert "| accuracy | 0.000 |" in summary and "dev-001" in summary and "no memo set" in summary
    page = paths[2].read_text("utf-8")
    assert page.count("<svg") == 3  # metrics, per intent, latency
    assert "<script" not in page and 'src="http' not in page and 'href="http' not in page
    assert "&lt;b&gt;案件&lt;/b&gt;" in page and "<b>案件</b>" not in page  # a question cannot inject markup
    assert "61件" in page and "search_cases" in page


def test_compare_lists_what_got_worse_and_nothing_else() -> None:
    before, worse, better = _run(1.0, True), _run(0.0, False, latency=0.9), _run(1.0, True, latency=0.1)
    found = compare(before, worse)
    assert "chat.accuracy: 1.000 → 0.000" in found and "chat.latency_p95_s: 0.200 → 0.900" in found
    assert "chat/dev-001: passed before, fails now" in found
    assert compare(before, better) == [] and compare(before, before) == []


def test_compare_on_the_command_line_exits_1_on_a_regression(tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(_run(1.0, True)), "utf-8")
    b.write_text(json.dumps(_run(0.0, False)), "utf-8")
    runner = CliRunner()
    assert runner.invoke(app, ["eval", "compare", str(a), str(a)]).exit_code == 0
    regressed = runner.invoke(app, ["eval", "compare", str(a), str(b)])
    assert regressed.exit_code == 1 and "dev-001" in regressed.output
    missing = runner.invoke(app, ["eval", "compare", str(a), str(tmp_path / "nope.json")])
    assert missing.exit_code == 1 and "读不了" in missing.output and "Traceback" not in missing.output


def test_a_set_or_a_count_that_does_not_exist_is_one_sentence(tmp_path: Path) -> None:
    runner = CliRunner()
    for args, says in ((["eval", "chat", "--set", "nope"], "no chat set"), (["eval", "tasks", "-k", "0"], "-k"),
                       (["eval", "gold", "--set", "dev", "--id", "dev-999"], "题号不在")):  # fmt: skip
        result = runner.invoke(app, args)
        assert result.exit_code == 1 and says in result.output and "Traceback" not in result.output, (
            result.output
        )
