"""What a question asks, learned from the development sets' paraphrases: it reads questions it was never
trained on, and it overrules the keyword rules only where it is confident and they read otherwise."""

from __future__ import annotations

import json
import uuid

import pytest

from assistant import second_opinion
from assistant.asked import PARAPHRASES, SHARED_MODEL
from assistant.chat import ChatRequest, ChatService
from assistant.figures import Understood
from assistant.intents import Intent
from assistant.second_opinion import overrule
from assistant.slots import Slots

# Written for this test, in none of the paraphrases (checked below).
UNSEEN = [
    ("这条怎么分：小区门口的下水道堵了，污水漫到人行道上，A1区的", "triage"),
    ("A4区的消火栓一共多少个", "assets"),
    ("上周全市新收了多少件工单，比前一周多还是少", "case_stats"),
    ("明后两天A3区的案件量大概会有多少", "forecast"),
    ("窨井盖被偷了应该由哪个单位来管", "responsibility"),
    ("C20261201-0A1B2C3D这件现在办到哪一步了", "case_lookup"),
    ("道路积水超过多少厘米要立案，依据是哪个文件", "policy"),
    ("帮我查下明天上海到北京的航班", "declined"),
    ("A2区现在有几条没关的告警", "alarms"),
    ("A5区城管局本月按期处置率排第几", "department_performance"),
]


def test_the_model_reads_questions_it_was_not_trained_on() -> None:
    trained = {json.loads(line)["text"] for line in PARAPHRASES.read_text("utf-8").splitlines() if line}
    assert not trained & {question for question, _ in UNSEEN}
    read = [SHARED_MODEL.rank(question)[0][0] for question, _ in UNSEEN]
    assert read == [kind for _, kind in UNSEEN]
    ranked = SHARED_MODEL.rank(UNSEEN[0][0])
    assert [p for _, p in ranked] == sorted((p for _, p in ranked), reverse=True)
    assert sum(p for _, p in ranked) == pytest.approx(1.0)


def _overrule(intents: list[Intent], kind: str, probability: float, categories: list | None = None):
    slots = Slots(categories=categories or [])
    return overrule(intents, Understood(), [(kind, probability), ("policy", 1 - probability)], "问题", slots, None)  # type: ignore[arg-type]


def test_only_a_confident_reading_that_differs_overrules_the_rules() -> None:
    assert _overrule([Intent.COMPARE], "triage", 0.8) == ([Intent.TRIAGE], Understood())
    assert _overrule([Intent.COMPARE], "triage", 0.4) is None  # not confident enough
    assert _overrule([Intent.TRIAGE], "triage", 0.9) is None  # the rules read it so already
    assert _overrule([Intent.ALARMS], "department_performance", 0.9) is None  # never led there (it only lost)
    assert _overrule([Intent.UNKNOWN_PLACE], "assets", 0.9) is None  # a made-up place stays unknown
    assert _overrule([Intent.TRIAGE], "responsibility", 0.9) is None  # who handles what: no category named


def test_a_report_the_rules_misread_is_triaged(world, chat: ChatService, monkeypatch: pytest.MonkeyPatch) -> None:
    question = f"小区门口的下水道堵了，污水漫到人行道上，{world.lexicon.districts[0].name}的，你看该咋弄"

    def ask():
        return chat.ask(ChatRequest(message=question, session_id=uuid.uuid4().hex, role="official"))

    reply = ask()
    assert [c.name for c in reply.tool_calls] == ["triage_report"] and "分拨建议" in reply.answer
    monkeypatch.setattr(second_opinion, "CONFIDENT", 2.0)  # the keyword rules alone
    assert "triage_report" not in [c.name for c in ask().tool_calls]
