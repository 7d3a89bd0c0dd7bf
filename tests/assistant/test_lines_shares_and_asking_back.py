"""Misses of fresh development sets (issue 15, step 28): a district comparison that names nothing to compare
is asked back, never answered with alarms; "换成A2区看看" repeats the last question there; a person's
performance is not judged; a report with no place names the kind of bureau and its time limit; several
asset states are counted each and together."""

from __future__ import annotations

import uuid

from assistant.chat import ChatService
from assistant.planner import COMPARE_ASKED_BACK
from tests.assistant.support import ask


def test_a_ranking_of_districts_with_nothing_to_count_is_asked_back(chat: ChatService) -> None:
    vague = ask(chat, "哪个区最多？")
    assert vague.answer == COMPARE_ASKED_BACK and not vague.tool_calls
    filed = ask(chat, "这个月到现在全市一共立了多少案？哪个区最多")
    query = next(c.args for c in filed.tool_calls if c.name == "query_figures")
    assert query["measure"] == "registered" and query["group_by"] == "district" and "告警" not in filed.answer


def test_switch_to_another_district_repeats_the_last_question(world, chat: ChatService) -> None:
    first, second = world.lexicon.districts[4], world.lexicon.districts[1]
    session = uuid.uuid4().hex
    ask(chat, f"{first.name}体征有没有异常的", session)
    again = ask(chat, f"换成{second.name}看看", session)
    assert [c.name for c in again.tool_calls] == ["city_vitals"] and again.tool_calls[0].args.get("district") == second.id


def test_a_persons_performance_is_not_judged(chat: ChatService) -> None:
    reply = ask(chat, "你觉得A4区城管局的局长干得咋样，要不要换人")
    assert "不对个人作评价" in reply.answer and not reply.tool_calls


def test_a_report_with_no_place_names_the_kind_of_bureau_and_the_time_limit(chat: ChatService) -> None:
    reply = ask(chat, "凌晨一点多了楼下工地还在打桩！！！吵死了 根本睡不着 有没有人管", role="hotline")
    assert "所在区城市管理和综合执法局" in reply.answer and "处置时限" in reply.answer and "未确定" not in reply.answer


def test_two_states_named_are_counted_each_and_as_a_share_of_all(world, chat: ChatService) -> None:
    district = world.lexicon.districts[0]
    reply = ask(chat, f"{district.name}的井盖里破损或者丢失的有多少？占井盖总数百分之几")
    query = next(c.args for c in reply.tool_calls if c.name == "query_figures")
    assert sorted(query["asset_status"]) == ["丢失", "破损"] and query["share_of_all"]
    assert "占全部" in reply.answer and "非完好" not in reply.answer  # only the two asked, never a total of them as 非完好
