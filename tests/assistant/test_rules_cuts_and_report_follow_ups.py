"""Misses of fresh development sets (issue 15, step 25): a case's time limit is a rule, not a count of cases;
a cut said after the extreme ("最低的三个部门"); a report's routing asked again after it was triaged; a stock
index declined for what it is; a count of cases over every case, never a page."""

from __future__ import annotations

import uuid

from assistant.chat import ChatService
from tests.assistant.support import ask


def test_a_time_limit_of_a_kind_of_case_is_its_rule_in_working_hours(chat: ChatService) -> None:
    reply = ask(chat, "污水井盖丢了的案子处置时限是多久？紧急的呢")
    assert "search_cases" not in [c.name for c in reply.tool_calls]
    assert "工作时间" in reply.answer and "自然小时" in reply.answer and "共有案件" not in reply.answer


def test_the_lowest_three_are_three_from_the_bottom(chat: ChatService) -> None:
    reply = ask(chat, "上个月按期处置率最低的三个部门是哪几个？")
    query = next(c.args for c in reply.tool_calls if c.name == "query_figures")
    assert query["order"] == "asc" and query["top"] == 3 and query["group_by"] == "department"
    category = ask(chat, "本月案件最多的5类是哪些")
    query = next(c.args for c in category.tool_calls if c.name == "query_figures")
    assert query["group_by"] == "category" and query["top"] == 5


def test_a_reports_routing_asked_after_it_was_triaged_is_that_report(chat: ChatService) -> None:
    session = uuid.uuid4().hex
    first = ask(chat, "分类一下：“小区门口停了辆僵尸车，落满了灰，轮胎都瘪了，半年没动过”", session)
    again = ask(chat, "派给哪个部门，紧不紧急", session)
    triaged = [c for c in again.tool_calls if c.name == "triage_report"]
    assert triaged and triaged[0].args == next(c.args for c in first.tool_calls if c.name == "triage_report")
    assert "紧急程度" in again.answer and "请说明" not in again.answer


def test_a_stock_index_is_declined_for_what_it_is(chat: ChatService) -> None:
    reply = ask(chat, "今天上证指数收盘多少点")
    assert not reply.tool_calls and "行情" in reply.answer


def test_a_count_of_cases_covers_every_case_not_a_page(world, chat: ChatService) -> None:
    reply = ask(chat, "全市一共有多少案子，各是什么状态")
    searched = [c for c in reply.tool_calls if c.name == "search_cases"]
    total = world.client.cases(limit=1, counts=True)["counts"]["total"]
    assert searched and "至少" not in reply.answer and f"共有案件 {total} 件" in reply.answer


def test_vital_signs_of_every_district_are_counted_and_ranked(world, chat: ChatService) -> None:
    reply = ask(chat, "七个区里哪个区的体征异常项最多")
    asked = {c.args.get("district") for c in reply.tool_calls if c.name == "city_vitals"}
    assert asked == {d.id for d in world.lexicon.districts}
    counts = {d.name: sum(v["status"] != "normal" for v in world.client.vitals(d.id)) for d in world.lexicon.districts}
    # Every district's line whole: the grounding check once dropped counts no tool had returned.
    assert all(f"- {name}：{n} 项" in reply.answer for name, n in counts.items())
    most = max(counts.values())
    if most:
        assert "异常项最多的是" in reply.answer and all(name in reply.answer.split("异常项最多的是")[1]
                                                   for name, n in counts.items() if n == most)


def test_a_districts_vital_signs_beside_the_citys(world, chat: ChatService) -> None:
    session = uuid.uuid4().hex
    ask(chat, "全市体征给我看一下", session)
    district = world.lexicon.districts[0]
    reply = ask(chat, f"那{district.name}呢，跟全市比哪些更差", session)
    assert [c.args.get("district") for c in reply.tool_calls if c.name == "city_vitals"] == [district.id, None]
    assert "跟全市比" in reply.answer


def test_the_open_alarms_counted_by_district_when_asked_next(chat: ChatService) -> None:
    session = uuid.uuid4().hex
    ask(chat, "目前open的alarm一共多少条", session)
    reply = ask(chat, "按区统计一下", session)
    assert [c.name for c in reply.tool_calls] == ["open_alarms"] and "无法" not in reply.answer


def test_the_longest_overdue_case_is_the_open_one_with_the_earliest_deadline(world, chat: ChatService) -> None:
    every = world.client.cases(limit=200)["items"]
    assert world.client.cases(limit=200)["next"] is None  # the test city has fewer: all of them are here
    late = sorted((c for c in every if c["overdue"] and c["state"] not in ("结案", "作废", "不予立案")),
                  key=lambda c: (c["deadline"], c["id"]))  # fmt: skip
    listed = world.client.cases(order="most_overdue", limit=200)["items"]
    assert [c["id"] for c in listed] == [c["id"] for c in late]
    reply = ask(chat, "超期最久的那件案子是什么情况，卡在谁那儿")
    assert [c.args.get("order") for c in reply.tool_calls if c.name == "find_case"] == ["most_overdue"]
    assert (late[0]["id"] in reply.answer) if late else ("没有" in reply.answer or "未找到" in reply.answer)


def test_a_groups_share_of_the_whole_is_computed_by_the_tool(world, chat: ChatService) -> None:
    """"最多的那个区占全市多大比例": each district's share, from the executor (so the grounding check keeps it)."""
    reply = ask(chat, "近30天各区案件量排个名，最多的那个区占全市多大比例？")
    counts = {d.name: world.client.case_stats("last30d", d.id)["total"] for d in world.lexicon.districts}
    whole = world.client.case_stats("last30d")["total"]
    top = max(counts, key=counts.get)
    assert whole and f"{top} {round(counts[top] / whole * 100, 1):g}%" in reply.answer
