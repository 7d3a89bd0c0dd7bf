"""``yiwang triage``: one report printed, a JSONL file triaged to JSONL, bad input as one sentence."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()


def test_one_report_is_explained(cli_env) -> None:
    result = runner.invoke(app, ["triage", "闻到很浓的煤气味，我叫李四，电话13912345678"])
    assert result.exit_code == 0, result.output
    assert "燃气管道泄漏" in result.output and "critical" in result.output and "13912345678" not in result.output


def test_a_file_is_triaged_line_by_line(cli_env: Path) -> None:
    source = cli_env / "reports.jsonl"
    source.write_text("\n".join(json.dumps({"text": t}, ensure_ascii=False) for t in ["路灯不亮", "垃圾成堆没人清"])
                      + "\n" + json.dumps({"subject": "共享单车", "detail": "共享单车乱停乱放"}, ensure_ascii=False) + "\n",
                      encoding="utf-8")  # fmt: skip
    out = cli_env / "out.jsonl"
    result = runner.invoke(app, ["triage", "--file", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["category"]["code"] for r in rows] == ["0110", "0102", "0505"]


def test_bad_input_is_one_sentence(cli_env: Path) -> None:
    assert "二选一" in runner.invoke(app, ["triage"]).output
    broken = cli_env / "broken.jsonl"
    broken.write_text("{not json\n", encoding="utf-8")
    result = runner.invoke(app, ["triage", "--file", str(broken)])
    assert result.exit_code == 1 and "不是 JSON" in result.output and "Traceback" not in result.output
    missing = runner.invoke(app, ["triage", "--file", str(cli_env / "nope.jsonl")])
    assert missing.exit_code == 1 and "文件不存在" in missing.output
