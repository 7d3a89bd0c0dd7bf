"""``yiwang ask`` and ``yiwang chat`` against a server (``--url``): answers with tool calls and citations,
and a sentence (not a traceback) for a bad question or an unreachable server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from cli import chat_cmd
from cli.main import app
from graph.queries.responsibility import responsible_department

runner = CliRunner()


@pytest.fixture
def server(doc_settings, doc_graph, doc_index, tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    settings = doc_settings.model_copy(update={"db_url": f"sqlite:///{tmp_path / 'y.db'}", "mqtt_url": ""})
    with TestClient(create_app(settings, store=doc_graph, document_index=doc_index)) as client:
        # The CLI's HTTP client, pointed at the app in this process.
        monkeypatch.setattr(chat_cmd.httpx, "Client", lambda base_url, timeout, headers=None: _Wrapped(client))
        yield client


class _Wrapped:
    def __init__(self, client: TestClient) -> None:
        self.client = client

    def __enter__(self) -> TestClient:
        return self.client

    def __exit__(self, *exc: object) -> None:
        return None


def test_ask_prints_the_answer_tool_calls_and_citations(server: TestClient, doc_graph) -> None:
    expected = responsible_department(doc_graph, "event-0405", district="990103").department.name
    result = runner.invoke(app, ["ask", "A3区道路积水归谁管？", "--url", "http://testserver"])
    assert result.exit_code == 0, result.output
    assert expected in result.output and "responsible_department" in result.output and "引用" in result.output


def test_chat_keeps_the_session_between_questions(server: TestClient) -> None:
    result = runner.invoke(app, ["chat", "--url", "http://testserver"], input="A5区的桥梁归谁管？\n那它的状态怎么样？\n\n")
    assert result.exit_code == 0, result.output
    assert result.output.count("session=") == 2
    sessions = {line.split("session=")[1].strip() for line in result.output.splitlines() if "session=" in line}
    assert len(sessions) == 1


def test_an_empty_question_and_an_unreachable_server_get_one_sentence() -> None:
    empty = runner.invoke(app, ["ask", "  "])
    assert empty.exit_code == 1 and "问题不能为空" in empty.output
    down = runner.invoke(app, ["ask", "你好", "--url", "http://127.0.0.1:9"])
    assert down.exit_code == 1 and "无法连接" in down.output and "Traceback" not in down.output

