"""Misses of the development sets (issue 15, step 32), asked through chat: 立案 counts the cases registered, not
every case received; a department's figures over a period before the first case on record say so; a case
forecast set beside days that were; the share of the vital signs of a status; a report with no address says
that no district can be placed."""

from __future__ import annotations

import uuid

from assistant.chat import ChatRequest, ChatService
from assistant.figures import understand
from assistant.slots import fill_slots
from tests.assistant.test_figures import SATURDAY


def _ask(chat: ChatService, text: str, role: str = "official"):
    return chat.ask(ChatRequest(message=text, session_id=uuid.uuid4().hex, role=role))


def _query(reply) -> dict:
    return next(c.args for c in reply.tool_calls if c.name == "query_figures")


def test_registered_cases_are_counted_apart_from_cases_received(world, chat: ChatService) -> None:
    reply = _ask(chat, "最近30天全市一共立了多少案")
    query = _query(reply)
    stats = world.client.case_stats("last30d")
    assert query["measure"] == "registered" and 0 < stats["registered"] <= stats["total"]
    assert f"立案案件：{stats['registered']} 件" in reply.answer
    assert _query(_ask(chat, "最近30天全市受理了多少件"))["measure"] == "cases"


def test_a_departments_figures_before_the_first_case_on_record_are_said_partial(world, chat: ChatService) -> None:
    reply = _ask(chat, "今年以来返工率最高的是哪个部门")
    since = world.client.case_stats("2026")["data_since"]
    assert f"系统中的案件记录从 {since[:4]}年{int(since[5:7])}月{int(since[8:10])}日 起" in reply.answer


def test_a_case_forecast_beside_the_days_that_were(world) -> None:
    question = "未来3天案件量预测和过去3天实际比，会多还是少？"
    query = understand(question, fill_slots(question, world.lexicon, SATURDAY), world.lexicon, SATURDAY).query
    assert (query.measure, query.horizon, query.compare_period) == ("forecast", 3, "last3d")
    yesterday = "明天A4区大概有多少件案子？跟昨天比多还是少"
    query = understand(yesterday, fill_slots(yesterday, world.lexicon, SATURDAY), world.lexicon, SATURDAY).query
    assert query.compare_period == "2026-12-04"


def test_the_share_of_the_vital_signs_past_normal(world, chat: ChatService) -> None:
    vitals = world.client.vitals()
    past = sum(v["status"] != "normal" for v in vitals)
    reply = _ask(chat, "城市生命体征一共监测几项指标？处于watch以上状态的有几项，占比多少")
    if past:
        assert f"共 {past} 项，占 {round(past / len(vitals) * 100, 1):g}%" in reply.answer
    assert f"共监测 {len(vitals)} 项指标" in reply.answer


def test_a_report_with_no_address_says_no_district_can_be_placed(chat: ChatService) -> None:
    reply = _ask(chat, "凌晨一点多了楼下工地还在打桩！！！吵死了 根本睡不着 有没有人管", role="hotline")
    assert "无法确定所在区和网格" in reply.answer
