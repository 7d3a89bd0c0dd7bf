"""``yiwang federation``: without a parent, sync says so and leaves nothing waiting in the outbox."""

from __future__ import annotations

from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()


def test_sync_without_a_parent_is_refused_with_a_sentence_and_makes_nothing(cli_env) -> None:
    refused = runner.invoke(app, ["federation", "sync"])
    assert refused.exit_code == 1 and "YIWANG_PARENT_URL" in refused.output and "Traceback" not in refused.output
    status = runner.invoke(app, ["federation", "status"])
    assert status.exit_code == 0 and "待发 pending 0" in status.output
    assert runner.invoke(app, ["federation", "sources"]).exit_code == 0
