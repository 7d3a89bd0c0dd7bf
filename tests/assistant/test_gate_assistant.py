"""The CI gate's assistant part (issue 14): the write tasks and a fixed part of the chat development set,
run against the offline assistant in a database of their own, must stay at or above their floors in
evals/thresholds.json."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.chat import ChatService
from assistant.checkpoints import Checkpoints
from core.settings import Settings
from evals import DATA
from evals.chat import LocalChat
from evals.run import chat_section, tasks_section
from evals.tasks import LocalConversation
from services.db import make_engine, migrate, session_factory
from services.monitoring.registry import sync_sensors
from tools.client import LocalServices
from triage.service import Triage

FLOORS = json.loads((Path(DATA).parent / "thresholds.json").read_text(encoding="utf-8"))
# Every fifth development question: a fixed part, the same in every run.
CHAT_EVERY = 5


@pytest.fixture(scope="module")
def scratch(doc_graph, doc_index, world, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ChatService, LocalServices]]:
    """The offline assistant over the test city with an empty case table: the tasks' writes stay here."""
    directory = tmp_path_factory.mktemp("gate")
    engine = make_engine(f"sqlite:///{directory / 'gate.db'}")
    migrate(engine)
    sessions = session_factory(engine)
    with sessions() as session:
        sync_sensors(session, doc_graph)
        session.commit()
    triage = Triage.from_settings(Settings(), doc_graph, sessions, doc_index)
    client = LocalServices(doc_graph, sessions, Settings().shared_dir, doc_index, triage)
    with Checkpoints(f"sqlite:///{directory / 'checkpoints.db'}") as checkpoints:
        yield ChatService(client, world.lexicon, world.recognizer, checkpoints.saver), client
    engine.dispose()


def test_write_tasks_end_where_they_should(scratch) -> None:
    chat, client = scratch
    section = tasks_section(LocalConversation(chat), client, k=1)
    figures = section["figures"]
    assert figures["tasks"] >= 50 and figures["unscorable"] == 0, [i for i in section["items"] if i["error"]]
    assert figures["no_write_kept"] == 1.0, "a task that must not write wrote"
    assert figures["pass^1"] >= FLOORS["tasks_offline"]["pass^1"], figures


def test_chat_development_questions_answered_right(chat, world) -> None:
    if not (DATA / "chat_dev_gold.jsonl").exists():
        pytest.fail("the chat development set has no recipes")
    from evals.chat import read_set

    chosen = [q.id for q, _ in read_set("dev")][::CHAT_EVERY]
    section = chat_section("dev", LocalChat(chat), world.client, only=chosen)
    figures = section["figures"]
    # The recipes were written against the demo city; on the small test city a few have nothing to check.
    unscorable = [(i["id"], i["error"]) for i in section["items"] if i["error"]]
    assert figures["questions"] == len(chosen) and len(unscorable) <= len(chosen) // 5, unscorable
    assert figures["accuracy"] >= FLOORS["chat_dev_offline"]["accuracy"], figures
