"""Misses of the fresh development sets dev27–dev30 (issue 15, session 20), asked through chat: when a window's
peak was read; a citizen's report naming a road the city lacks, a message left by a citizen, and words a caller
adds afterwards, all triaged; tomorrow's hotline volume and "明天会比今天多吗" after today's count forecast;
a case number of digits only not found; "哪三类最多"; a department's mean handling time beside the city's;
a department's place in a ranking; a listing put in order; a week's alarms narrowed to a kind; every open alarm
counted before one level; 桥 in one character, and whether the city or the district handles it."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from assistant.chat import ChatService
from core import clock
from core.times import CHINA
from tests.assistant.support import ask, calls


def test_a_windows_peak_says_when_it_was_read(world, chat: ChatService) -> None:
    reply = ask(chat, "过去24小时积水水位最高到过多少，几点出现的")
    now = clock.now()
    peak = world.client.sensor_stats("water_level", None, since=now - timedelta(hours=24), until=now)[0]
    assert peak["max_at"] and peak["max_at"][11:16] in reply.answer
    assert re.search(rf"{peak['max']:g} cm（[^）]*{peak['max_at'][11:16]}", reply.answer)


def test_a_report_naming_a_road_the_city_lacks_is_triaged_in_its_district(world, chat: ChatService) -> None:
    district = world.lexicon.districts[0].name
    reply = ask(chat, f"路边的路等坏了好几盏 一到晚上啥也看不见 在{district}文昌街那段", role="hotline")
    assert calls(reply, "triage_report") and "没有找到" not in reply.answer and district in reply.answer


def test_a_message_a_citizen_left_is_a_report_even_when_it_asks_who_handles_it(world, chat: ChatService) -> None:
    district = world.lexicon.districts[1].name
    reply = ask(chat, f"市民留言：{district}公园旁边那条河里好多死鱼，水发黑还臭，想问下归谁管", role="hotline")
    assert calls(reply, "triage_report")


def test_words_a_caller_adds_are_triaged_with_the_report(world, chat: ChatService) -> None:
    session = uuid.uuid4().hex
    district = world.lexicon.districts[0].name
    ask(chat, f"{district}一棵行道树被风刮倒了，横在非机动车道上", session, role="hotline")
    then = ask(chat, "补充一下：树把旁边的电线也压下来了，电线垂到地上", session, role="hotline")
    text = calls(then, "triage_report")[0]["text"]
    assert "行道树" in text and "电线垂到地上" in text
    assert district in then.answer and "critical" in then.answer


def test_tomorrows_hotline_volume_is_the_case_forecast(chat: ChatService) -> None:
    reply = ask(chat, "明天热线这边大概会进来多少单？我好排班", role="hotline")
    assert calls(reply, "query_figures")[0]["measure"] == "forecast" and "请说明要预测的对象" not in reply.answer


def test_tomorrow_against_today_after_todays_count_forecasts_the_cases(chat: ChatService) -> None:
    session = uuid.uuid4().hex
    ask(chat, "今天到现在受理了多少件？", session)
    query = calls(ask(chat, "明天会比今天多吗", session), "query_figures")[0]
    # today as the city counts it (China time): from 16:00 UTC on, a day later than UTC's date
    assert query["measure"] == "forecast" and query["compare_period"] == f"{clock.now().astimezone(CHINA):%Y-%m-%d}"


def test_a_case_number_of_digits_only_is_said_not_found(chat: ChatService) -> None:
    reply = ask(chat, "帮我查下案件20261203000123现在到哪一步了")
    assert "查不到" in reply.answer and not reply.tool_calls


def test_which_three_kinds_are_the_most_is_the_top_three_categories(chat: ChatService) -> None:
    query = calls(ask(chat, "上个月哪三类案子最多，各多少件"), "query_figures")[0]
    assert query["group_by"] == "category" and query["top"] == 3


def test_a_departments_mean_time_beside_the_citys_is_not_the_period_before(chat: ChatService) -> None:
    reply = ask(chat, "市城管局最近7天的平均处置时长，比全市平均是高还是低")
    query = calls(reply, "query_figures")[0]
    assert query["measure"] == "平均处置时长_小时" and query["beside_all"] and "compare_period" not in query
    assert not re.search(r"[0-9]\s*件", reply.answer)  # hours are hours, never 件


def test_the_citys_mean_handling_time_weighs_each_department_by_its_handled_cases() -> None:
    from tools.figures import _pooled

    items = [{"平均处置时长_小时": 10.0, "已处置数": 1}, {"平均处置时长_小时": 40.0, "已处置数": 3},
             {"平均处置时长_小时": None, "已处置数": 0}]  # fmt: skip
    pooled = _pooled(items, "平均处置时长_小时")
    assert pooled is not None and pooled.value == 32.5  # (10 + 3 × 40) / 4, not the mean of the means (25)


def test_a_departments_place_among_the_others_is_said(chat: ChatService) -> None:
    reply = ask(chat, "市水务局这个月按期处置率在各部门里排第几")
    query = calls(reply, "query_figures")[0]
    assert query["group_by"] == "department" and query["order"] == "desc"
    assert re.search(r"A市水务局排第 \d+ 位|A市水务局没有可排名", reply.answer)


def test_put_in_order_after_a_listing_is_that_listing_ranked(chat: ChatService) -> None:
    session = uuid.uuid4().hex
    first = calls(ask(chat, "上个月各部门按期处置率给我列一下", session), "query_figures")[0]
    again = calls(ask(chat, "从低到高排", session), "query_figures")[0]
    assert again == first | {"order": "asc"}


def test_among_the_alarms_of_a_week_is_that_weeks_alarms_of_a_kind(chat: ChatService) -> None:
    session = uuid.uuid4().hex
    first = calls(ask(chat, "本周新开的告警有多少条", session), "open_alarms")[0]
    then = ask(chat, "里边燃气相关的有没有？", session)
    narrowed = calls(then, "open_alarms")[0]
    assert narrowed == first | {"kind": "gas_concentration"} and "本周" in then.answer


def test_the_open_alarms_counted_then_one_level_asked_counts_them_all(chat: ChatService) -> None:
    reply = ask(chat, "现在还开着的告警有多少条？报警级的几条，分别在哪")
    assert "level" not in calls(reply, "open_alarms")[0]


def test_a_bridge_in_one_character_and_whether_the_city_or_the_district_handles_it(world, chat: ChatService) -> None:
    district = world.lexicon.districts[0]
    reply = ask(chat, f"{district.name}的桥出了裂缝，是市里管还是区里管？")
    assert calls(reply, "responsible_department")[0]["category"] == "component-0204"
    assert "属市级部门" in reply.answer or "属区级部门" in reply.answer


def test_a_sensor_kind_named_by_its_own_id_is_that_kind(world, chat: ChatService) -> None:
    district = world.lexicon.districts[0].name
    query = calls(ask(chat, f"{district}的 pump_status 这礼拜有没有报过故障"), "query_figures")[0]
    assert query["sensor_kind"] == "pump_status" and query["above"] == 1.5


def test_every_level_of_a_plan_asked_fetches_every_levels_passage(chat: ChatService) -> None:
    reply = ask(chat, "防汛应急预案里应急响应分几级，各级怎么启动")
    assert calls(reply, "search_policies")[0]["k"] == 10
    assert calls(ask(chat, "防汛应急预案里积水多深要启动响应"), "search_policies")[0]["k"] == 5


def test_a_kind_of_cases_compared_how_it_went_is_that_count_compared(chat: ChatService) -> None:
    query = calls(ask(chat, "上个月井盖类的案件有多少件？环比怎么样"), "query_figures")[0]
    assert query["measure"] == "cases" and len(query["categories"]) > 1 and query["compare_period"]


def test_assets_of_a_state_asked_for_one_by_one_are_listed(world, chat: ChatService) -> None:
    district = world.lexicon.districts[0].name
    query = calls(ask(chat, f"{district}有没有丢失状态的井盖？列几个给我"), "query_figures")[0]
    assert query["measure"] == "assets" and query["asset_status"] == ["丢失"] and query["list_assets"]


def test_assets_counted_with_who_looks_after_them(world, chat: ChatService) -> None:
    district = world.lexicon.districts[0]
    reply = ask(chat, f"{district.name}的消防栓有几个？主管单位是谁")
    assert calls(reply, "query_figures")[0]["measure"] == "assets"
    assert calls(reply, "responsible_department") == [{"category": "component-0109", "district": district.id}]


def test_assets_of_another_district_asked_which_has_more_are_side_by_side(world, chat: ChatService) -> None:
    first, second = world.lexicon.districts[:2]
    session = uuid.uuid4().hex
    ask(chat, f"{first.name}有几个变电箱？", session)
    query = calls(ask(chat, f"那{second.name}呢，哪个区多", session), "query_figures")[0]
    assert query["districts"] == [first.id, second.id] and query["group_by"] == "district"


def test_covers_split_by_the_kinds_named_are_counted_by_kind(world, chat: ChatService) -> None:
    district = world.lexicon.districts[0].name
    query = calls(ask(chat, f"{district}一共有多少个井盖？按上水、污水、雨水这些分一下"), "query_figures")[0]
    assert query["group_by"] == "category" and len(query["asset_categories"]) > 1


def test_they_after_a_ranking_are_the_ones_it_showed(world, chat: ChatService) -> None:
    session = uuid.uuid4().hex
    ranked = ask(chat, "这个月案件最少的三个区是哪些？", session)
    listed = ranked.answer.split("：", 1)[1].split("。", 1)[0]  # the ranking's own line: ties kept
    named = {d.id for d in world.lexicon.districts if d.name in listed}
    query = calls(ask(chat, "它们的超期案件分别有几件？", session), "query_figures")[0]
    assert calls(ranked, "query_figures")[0]["top"] == 3 and len(named) >= 3
    assert query["group_by"] == "district" and set(query["districts"]) == named
    assert "order" not in query and "top" not in query


def test_a_forecast_by_day_asked_which_day_is_highest_names_that_day() -> None:
    from datetime import date

    from assistant.forecasts import compose_forecast
    from assistant.periods import Period
    from tools.query_spec import FigureQuery

    band = {"lo80": 1.0, "hi80": 20.0, "lo95": 0.0, "hi95": 25.0}
    rows = [{"key": f"2026-12-0{d}", "value": v, "interval": band} for d, v in ((7, 13.4), (8, 14.1), (9, 11.2))]
    data = {"rows": rows, "model": "MSTL", "total": {"value": 38.7}, "start": "2026-12-07T00:00:00+08:00"}
    period = Period("2026-12-07..2026-12-09", "未来3天", date(2026, 12, 7), date(2026, 12, 9))
    answer = compose_forecast(data, FigureQuery(measure="forecast", period=period.api), period, str, "", "按天拆开，哪天最高")
    assert "预测最高的是 12月8日（约 14.10 件），最低的是 12月9日（约 11.20 件）" in answer
    assert "预测最高" not in compose_forecast(data, FigureQuery(measure="forecast", period=period.api), period, str, "", "下周多少")


def test_assets_listed_with_their_states_then_another_district(world, chat: ChatService) -> None:
    first, second = world.lexicon.districts[:2]
    session = uuid.uuid4().hex
    query = calls(ask(chat, f"{first.name}的泵站有哪几个，状态怎样", session), "query_figures")[0]
    assert query["measure"] == "assets" and query["list_assets"] and query["district"] == first.id
    again = calls(ask(chat, f"{second.name}的呢", session), "query_figures")[0]
    assert again["measure"] == "assets" and again["district"] == second.id and again["list_assets"]


def test_of_those_counted_the_broken_ones_are_listed_with_their_grids(world, chat: ChatService) -> None:
    district = world.lexicon.districts[0].name
    session = uuid.uuid4().hex
    ask(chat, f"{district}的消防栓有多少个", session)
    query = calls(ask(chat, "其中破损的呢？在哪几个网格", session), "query_figures")[0]
    assert query["asset_status"] == ["破损"] and query["list_assets"] and "group_by" not in query


def test_year_on_year_is_the_same_month_a_year_before_and_no_record_then_is_said(chat: ChatService) -> None:
    reply = ask(chat, "上个月案件量跟去年同期比，同比涨了多少？")
    query = calls(reply, "query_figures")[0]
    month = query["period"]
    assert query["compare_period"] == f"{int(month[:4]) - 1}{month[4:]}"
    assert "无法比较" in reply.answer and "环比" not in reply.answer  # no case on record a year ago: no figure beside it


def test_the_same_days_a_year_before() -> None:
    from datetime import date

    from assistant.periods import Period, month, span

    assert month(2026, 11, date(2026, 12, 5)).year_before().api == "2025-11"
    leap = span(date(2028, 2, 27), date(2028, 2, 29), "")
    assert leap.year_before().api == "2027-02-27..2027-02-28"
    assert Period("last7d", "近7天", date(2026, 11, 28), date(2026, 12, 5)).year_before() is None
