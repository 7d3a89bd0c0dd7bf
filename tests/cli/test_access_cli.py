"""``yiwang keys`` and ``yiwang audit``: keys made, shown once, revoked; the demo keys made once per role; the
audit chain checked with an exit code a cron job can act on."""

from __future__ import annotations

import re

from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()


def test_keys_are_made_listed_revoked_and_the_demo_keys_made_once(cli_env) -> None:
    made = runner.invoke(app, ["keys", "create", "王五", "--role", "dispatcher"])
    assert made.exit_code == 0, made.output
    key_id, key = made.output.split()[0], re.search(r"yw_\S+", made.output).group(0)
    listed = runner.invoke(app, ["keys", "list"])
    assert key_id[:8] in listed.output and key not in listed.output  # listed by id and prefix, never the key
    assert runner.invoke(app, ["keys", "revoke", key_id]).exit_code == 0
    unknown = runner.invoke(app, ["keys", "revoke", "nope"])
    assert unknown.exit_code == 1 and "没有密钥" in unknown.output and "Traceback" not in unknown.output
    wrong = runner.invoke(app, ["keys", "create", "x", "--role", "mayor"])
    assert wrong.exit_code == 1 and "未知角色" in wrong.output
    first = runner.invoke(app, ["keys", "demo"])
    second = runner.invoke(app, ["keys", "demo"])
    assert first.exit_code == 0 and re.findall(r"yw_\S+", first.output) == re.findall(r"yw_\S+", second.output)
    assert len(re.findall(r"yw_\S+", first.output)) == 6


def test_audit_verify_exits_1_when_a_row_was_changed(cli_env, monkeypatch) -> None:
    from core.access import Identity
    from core.settings import get_settings
    from runtime import open_runtime

    with open_runtime(get_settings(), ["database"]) as runtime:
        from services.access.audit import record

        for n in range(3):
            record(runtime.sessions, Identity("赵六", "dispatcher"), "POST /v1/cases/{case_id}/transition", f"/v1/cases/C{n}",
                   200, f"r{n}", "127.0.0.1")  # fmt: skip
    intact = runner.invoke(app, ["audit", "verify"])
    assert intact.exit_code == 0 and "3 行" in intact.output
    assert "赵六" in runner.invoke(app, ["audit", "list", "--actor", "赵六"]).output
    engine = create_engine(get_settings().db_url)
    with engine.begin() as connection:  # a row removed: the gap shows
        connection.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    broken = runner.invoke(app, ["audit", "verify"])
    assert broken.exit_code == 1 and "第 2 行" in broken.output
