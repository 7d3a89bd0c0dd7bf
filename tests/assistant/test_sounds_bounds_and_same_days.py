"""Misses of fresh development sets dev13/dev14 (issue 15, step 33), asked through chat: indicators typed by their
sound; assets of several kinds ranked by district or by kind with a cut; a bound no department passes; vital
signs counted by status; a forecast asked in so many words is not overruled; staff's A-not-A questions are
questions; 我们小区 is no unknown place; 同期 is the same days of the month before; someone hurt calls the ambulance."""

from __future__ import annotations

import uuid
from datetime import date

from assistant.chat import ChatService
from assistant.periods import same_days_of_last_month
from assistant.places import unknown_named_place
from assistant.spelling import respelled
from tests.assistant.support import ask


def _query(reply) -> dict:
    return next(c.args for c in reply.tool_calls if c.name == "query_figures")


def test_indicators_typed_by_their_sound_are_read_as_written(world, chat: ChatService) -> None:
    assert respelled("返公率最高的部门是哪个？本月", world.lexicon) == "返工率最高的部门是哪个？本月"
    assert respelled("上个月各部门结按率排一下", world.lexicon) == "上个月各部门结案率排一下"
    assert respelled("查一下时间和事件", world.lexicon) == "查一下时间和事件"  # no domain term of three characters
    assert _query(ask(chat, "返公率最高的部门是哪个？本月"))["measure"] == "返工率"


def test_a_rate_below_the_figures_of_a_handful_of_cases_is_not_a_place(world, chat: ChatService) -> None:
    reply = ask(chat, "准确派遣率低于90%的部门有哪些")
    query = _query(reply)
    assert query["measure"] == "准确派遣率" and query["below"] == 0.9 and not query.get("category")  # 率低 is no 绿地
    rows = world.client.evaluation(query["period"])["items"]
    below = [i for i in rows if i["准确派遣率"]["value"] is not None and i["准确派遣率"]["value"] < 0.9]
    assert below or "没有准确派遣率低于 90% 的部门" in reply.answer


def test_assets_of_several_kinds_by_district_and_by_kind_with_a_cut(world, chat: ChatService) -> None:
    by_district = _query(ask(chat, "各区丢失井盖数排个序，倒数第一和第一分别是哪个区"))
    assert by_district["group_by"] == "district" and by_district["asset_status"] == ["丢失"]
    district = world.lexicon.districts[0]
    reply = ask(chat, f"{district.name}各类部件按数量排个序，给我前5", role="hotline")
    query = _query(reply)
    assert (query["group_by"], query["top"], query["order"]) == ("category", 5, "desc")
    counts = world.client.asset_stats(None, district.id, None, "category")["groups"]
    top = sorted(g["count"] for g in counts)[-1]
    assert f" {top} " in reply.answer


def test_vital_signs_are_counted_by_status_and_districts_by_warnings(world, chat: ChatService) -> None:
    district = world.lexicon.districts[4]
    reply = ask(chat, f"{district.name}体征整体怎么样")
    vitals = world.client.vitals(district.id)
    assert f"共 {len(vitals)} 项：正常 {sum(v['status'] == 'normal' for v in vitals)} 项" in reply.answer
    ranked = ask(chat, "哪个区的体征指标预警项最多")
    assert "预警及以上（预警、报警）" in ranked.answer


def test_a_forecast_asked_in_so_many_words_is_a_forecast_and_staff_ask_with_a_not_a(chat: ChatService) -> None:
    reply = ask(chat, "变电箱负载率今晚会不会过90%", role="hotline")
    assert _query(reply)["measure"] == "forecast"
    assert [c.name for c in ask(chat, "城市体征里供水那块正常不", role="hotline").tool_calls] == ["city_vitals"]


def test_an_estate_of_ours_is_no_unknown_place_and_a_kind_of_report_is_triaged(world, chat: ChatService) -> None:
    assert unknown_named_place("我们小区垃圾分类投放点能不能再多设一个", world.lexicon) is None
    reply = ask(chat, "请问一下 我们小区垃圾分类投放点能不能再多设一个，太远了。这种怎么分", role="hotline")
    assert [c.name for c in reply.tool_calls] == ["triage_report"]


def test_the_same_days_of_last_month() -> None:
    same = same_days_of_last_month("2026-12", date(2026, 12, 6))
    assert same is not None and (same.api, same.first, same.last) == ("2026-11-01..2026-11-06", date(2026, 11, 1), date(2026, 11, 6))
    assert same_days_of_last_month("2026-03", date(2026, 3, 31)).api == "2026-02-01..2026-02-28"  # no 31st in February
    assert same_days_of_last_month("2026-11", date(2026, 12, 6)) is None  # a month over has no 同期 of its days so far


def test_someone_hurt_in_a_report_calls_the_ambulance(chat: ChatService) -> None:
    reply = ask(chat, "刚接到电话：A3区马路中间塌了个大坑，一辆电动车掉进去了，人好像受伤了", role="hotline")
    assert "请同时呼叫急救" in reply.answer and "分拨建议" in reply.answer


def test_cases_at_a_step_are_listed_and_the_first_of_them_looked_up(world, chat: ChatService) -> None:
    district = world.lexicon.districts[0]
    session = uuid.uuid4().hex
    listed = ask(chat, f"{district.name}现在处置中的案件有哪些", session)
    search = next(c for c in listed.tool_calls if c.name == "search_cases")
    assert search.args.get("state") == "处置" and search.args.get("district") == district.id
    first = ask(chat, "第一个那个案子的处理记录给我看看", session)
    assert [c.name for c in first.tool_calls] == ["find_case"]


def test_one_case_named_with_that_one_and_sensors_each_listed(world, chat: ChatService) -> None:
    from assistant.case_search import ONE_CASE, ONE_OF_A_CATEGORY

    assert ONE_CASE.search("A3区现在超期最久的那个案子是哪个")
    assert ONE_OF_A_CATEGORY.search("最近那条路灯的案件现在什么状态")
    import re

    reply = ask(chat, "全市的供水压力现在各是多少")
    figures = next(c for c in reply.tool_calls if c.name == "query_figures")
    assert figures.args["sensor_kind"] == "water_pressure"
    reporting = int(re.search(r"有读数 (\d+) 个", reply.answer).group(1))
    assert reporting > 5 and reply.answer.count("（传感器 S") == min(reporting, 10)  # every one, not the top five


def test_warnings_or_alarms_by_district_count_both(chat: ChatService) -> None:
    assert "预警及以上（预警、报警）" in ask(chat, "现在哪些体征指标在预警或者报警？分区说").answer
