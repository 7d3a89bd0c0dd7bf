"""Misses of the fresh development sets dev17/dev18 (issue 15, session 17), asked through chat: "会不会暴增" judged
per day against the week just past; "明天的高峰" reaches the end of tomorrow; a backtest asked with nothing else;
a whole ranking with its first ones named; a past period named beside 明天; assets counted with those not
intact (or in some states) set apart; a register listing with who looks after it; English words for indicators;
every reason a question is declined for; a pasted work order is a report."""

from __future__ import annotations

import math
import uuid
from datetime import date, datetime, time, timedelta

from assistant.chat import ChatService
from assistant.figures import understand
from assistant.forecasts import compose_forecast, understand_forecast
from assistant.periods import Period, find_periods
from assistant.slots import fill_slots
from assistant.spelling import respelled
from core.settings import Settings
from core.times import CHINA
from tests.assistant.support import ask
from tools.query_spec import FigureQuery
from triage.urgency import assess, load_rules


def _queries(reply) -> list[dict]:
    return [c.args for c in reply.tool_calls if c.name == "query_figures"]


def test_a_surge_is_judged_per_day_against_the_week_just_past(chat: ChatService) -> None:
    query = _queries(ask(chat, "明天全市的案子会不会暴增"))[0]
    assert query["measure"] == "forecast" and query["compare_period"] == "last7d"  # the week just past beside it
    day = {"key": "2026-12-08", "value": 6.11, "interval": {"lo80": 0.6, "hi80": 11.7, "lo95": 0.0, "hi95": 14.3}}
    data = {"rows": [day], "total": {"key": "cases:city:all", "value": 6.11}, "model": "Theta", "start": "2026-12-08",
            "per_day": 6.11, "previous": {"total": {"key": "", "value": 87}, "per_day": 12.43,
                                          "start": "2026-11-30T01:29:00+08:00", "end": "2026-12-07T01:29:00+08:00"}}
    answer = compose_forecast(data, FigureQuery.model_validate(query), Period("x", "明天（12月8日）", date.min, date.min),
                              str, "", "明天全市的案子会不会暴增")
    assert "日均约 12.43 件" in answer and "预测日均约 6.11 件，明显低于近期日均水平，预计不会暴增" in answer


def test_tomorrows_peak_is_forecast_to_the_end_of_tomorrow(chat: ChatService) -> None:
    before = datetime.now(CHINA)
    query = _queries(ask(chat, "明天积水水位的高峰会不会超过报警线"))[0]
    end = datetime.combine(before.date() + timedelta(days=2), time(0), CHINA)
    assert abs(query["horizon"] - math.ceil((end - before).total_seconds() / 3600)) <= 1


def test_a_backtest_asked_with_nothing_else_is_the_citys_case_forecast(chat: ChatService) -> None:
    query = _queries(ask(chat, "你这预测靠谱吗？MASE多少，比季节性朴素基线好没"))[0]
    assert query["measure"] == "forecast" and not (query.get("sensor_kind") or query.get("district"))


def test_a_whole_ranking_names_its_first_ones(world, chat: ChatService) -> None:
    reply = ask(chat, "上个月各区受理案件排一下，前两名是哪几个区")
    query = _queries(reply)[0]
    assert query["group_by"] == "district" and "top" not in query  # every district ranked, not two of them
    stats = world.client.case_stats(query["period"])
    ranked = [d["district"] for d in stats["by_district"]]
    if len(ranked) > 2:
        assert "排在最前的依次是：" + "、".join(world.lexicon.name(d) for d in ranked[:2]) in reply.answer


def test_a_past_period_named_beside_tomorrow_is_not_a_forecast(chat: ChatService) -> None:
    query = _queries(ask(chat, "为明天的晨报准备材料：上个月各部门按期处置率排名"))[0]
    assert query["measure"] == "按期处置率" and query["group_by"] == "department"


def test_pumps_counted_by_district_with_those_not_intact_listed_apart(chat: ChatService) -> None:
    reply = ask(chat, "全市泵站总共有几座？各区几座；状态不是‘完好’的请单独列出名称和所在区")
    counted, listed = _queries(reply)
    assert counted["group_by"] == "district" and not counted.get("asset_status") and not counted.get("list_assets")
    assert listed["asset_status"] == ["破损", "丢失", "废弃", "移除"] and listed["list_assets"]


def test_covers_counted_by_kind_with_some_states_apart(chat: ChatService) -> None:
    reply = ask(chat, "A3区的井盖一共登记了多少个？按类型分开统计，并把状态为破损或丢失的数量单独列出来")
    by_kind, by_state = _queries(reply)
    assert by_kind["group_by"] == "category" and not by_kind.get("asset_status")
    assert by_state["group_by"] == "status" and sorted(by_state["asset_status"]) == ["丢失", "破损"]


def test_a_register_listing_comes_with_who_looks_after_it(world, chat: ChatService) -> None:
    district = world.lexicon.districts[0]
    reply = ask(chat, f"{district.name}所有桥梁的清单给我，附上主管部门，以及当前状态")
    assert _queries(reply)[0]["list_assets"]
    assert "responsible_department" in [c.name for c in reply.tool_calls]


def test_english_words_for_an_indicator_and_a_comparison(chat: ChatService) -> None:
    query = _queries(ask(chat, "市水务局本月on-time rate多少，vs上月"))[0]
    assert query["measure"] == "按期处置率" and query.get("compare_period")


def test_a_question_declined_for_two_things_gives_both_reasons(chat: ChatService) -> None:
    reply = ask(chat, "今天A2区PM2.5多少？顺便说说你觉得我们城管局长干得咋样")
    assert "空气质量" in reply.answer and "不对个人作评价" in reply.answer


def test_a_pasted_work_order_is_a_report_even_where_its_road_is_unknown(chat: ChatService) -> None:
    reply = ask(chat, "12345工单原文：A1区紫金凤凰大道公交站旁边的路灯一个礼拜不亮了，晚上黑乎乎的看不见路")
    assert [c.name for c in reply.tool_calls][:1] == ["triage_report"] and "路灯" in reply.answer


def test_same_days_of_last_week_and_a_day_named_beside_当天() -> None:
    monday = datetime(2026, 12, 9, 10, tzinfo=CHINA)  # a Wednesday
    same = find_periods("那上周同期（11月30日当天）呢？", monday)[0]
    assert (same.first, same.last) == (date(2026, 11, 30), date(2026, 12, 2)) and same.label.startswith("上周同期")
    assert find_periods("上周一共多少", monday)[0].last == date(2026, 12, 6)  # 上周 alone is the whole week


def test_a_forecast_of_the_rest_of_the_month_runs_to_its_last_day(world) -> None:
    now = datetime(2026, 12, 7, 1, tzinfo=CHINA)
    question = "12月剩下的日子（12月8日到31日）全市大约还会新增多少案件？"
    query, period = understand_forecast(question, fill_slots(question, world.lexicon, now), world.lexicon, now, None, False)
    assert query.period == "2026-12-08..2026-12-31" and query.compare_period is None  # 新增多少 is no surge


def test_a_department_indicator_ranked_alone_ranks_departments_and_a_follow_up_lists_them(chat: ChatService) -> None:
    session = uuid.uuid4().hex
    first = _queries(ask(chat, "最近7天谁的平均处置时长最长？", session))[0]
    assert (first["measure"], first["group_by"], first["top"]) == ("平均处置时长_小时", "department", 1)
    again = _queries(ask(chat, "按部门排一下，把前五列出来", session))[0]
    assert again["measure"] == "平均处置时长_小时" and again["period"] == first["period"] and "top" not in again


def test_who_handles_the_alarms_just_listed_and_for_how_long_they_have_been_open(world, chat: ChatService) -> None:
    session = uuid.uuid4().hex
    ask(chat, "现在有可燃气体浓度的告警吗", session)
    reply = ask(chat, "谁负责处置，开了多久了", session)
    alarms = [c.args for c in reply.tool_calls if c.name == "open_alarms"]
    assert alarms and alarms[0].get("kind") == "gas_concentration"
    assert "responsible_department" in [c.name for c in reply.tool_calls] and "已持续约" in reply.answer


def test_the_alarms_of_the_district_with_most_of_them_and_who_handles_them(world, chat: ChatService) -> None:
    session = uuid.uuid4().hex
    first = ask(chat, "全市现在开着的告警按区数一下", session)
    by_district = next(c for c in first.tool_calls if c.name == "open_alarms")
    counts = world.client.alarm_stats(state="open", group_by="district")["groups"]
    top = max(counts, key=lambda g: g["count"])["key"]
    reply = ask(chat, "最多那个区的逐条给我，处置单位是谁", session)
    alarms = [c.args for c in reply.tool_calls if c.name == "open_alarms"]
    assert by_district and alarms[-1].get("district") == top
    assert "responsible_department" in [c.name for c in reply.tool_calls]


def test_each_kind_counted_with_its_own_first_district(world, chat: ChatService) -> None:
    reply = ask(chat, "全市雨水箅子和雨水井盖各有多少个，哪个区最多")
    queries = _queries(reply)
    assert queries[0]["group_by"] == "category" and len(queries) == 3
    for query in queries[1:]:
        (kind,) = query["asset_categories"]
        groups = world.client.asset_stats([kind], None, None, "district")["groups"]
        first = max(groups, key=lambda g: g["count"])
        assert (query["group_by"], query["top"]) == ("district", 1) and f"{world.lexicon.name(first['key'])} {first['count']} 个" in reply.answer


def test_two_departments_asked_one_after_the_other_are_set_side_by_side(world, chat: ChatService) -> None:
    session = uuid.uuid4().hex
    first = _queries(ask(chat, "市水务局最近7天按期处置率多少", session))[0]
    ask(chat, "市城管局呢", session)
    query = _queries(ask(chat, "两家比一比谁好一点", session))[0]
    assert query["measure"] == "按期处置率" and query["period"] == first["period"]  # the 7 days asked first, kept
    assert sorted(world.lexicon.name(d) for d in query["departments"]) == ["A市城市管理和综合执法局", "A市水务局"]


def test_a_bureaus_indicator_asked_how_it_is_is_its_figure_not_the_districts_vital_signs(chat: ChatService) -> None:
    reply = ask(chat, "A3区城市管理和综合执法局的准确派遣率咋样？跟全市平均比是高还是低")
    query = _queries(reply)[0]
    assert query["measure"] == "准确派遣率" and query["beside_all"] and "city_vitals" not in [c.name for c in reply.tool_calls]


def test_a_count_regrouped_by_a_short_follow_up(chat: ChatService) -> None:
    session = uuid.uuid4().hex
    first = _queries(ask(chat, "上周12345热线来源的案件有多少件？", session))[0]
    again = _queries(ask(chat, "按类别排个前三", session))[0]
    assert (again["group_by"], again["top"], again["source"], again["period"]) == ("category", 3, "12345", first["period"])


def test_the_last_place_of_a_ranking_asked_about_next(world) -> None:
    now = datetime(2026, 12, 7, 9, tzinfo=CHINA)
    bureaus = [d.id for d in world.lexicon.nodes.values() if d.id.endswith("-district_chengguan")]
    memory = {"figures": {"measure": "结案率", "period": "2026-11", "departments": bureaus, "group_by": "department",
                          "order": "desc"},
              "figures_period": ["2026-11", "2026年11月"], "figures_bottom": bureaus[-1]}
    question = "倒数第一那个区的返工率呢？"
    query = understand(question, fill_slots(question, world.lexicon, now), world.lexicon, now, memory, True).query
    assert (query.measure, query.period, query.departments, query.order) == ("返工率", "2026-11", [bureaus[-1]], None)


def test_districts_typed_short_and_a_slip_of_tone_are_read_in_full(world, chat: ChatService) -> None:
    assert respelled("a3去昨天新增案件几个", world.lexicon) == "A3区昨天新增案件几个"
    assert respelled("A3城管局 on-time rate", world.lexicon) == "A3区城管局 on-time rate"
    assert respelled("a3区体症现在咋样", world.lexicon) == "A3区体征现在咋样"
    assert respelled("C20261124-A3B2 和 S9901030101000001-01", world.lexicon) == "C20261124-A3B2 和 S9901030101000001-01"
    assert respelled("地铁站A2出口有积水，A3栋楼下也是", world.lexicon) == "地铁站A2出口有积水，A3栋楼下也是"  # no district meant
    reply = ask(chat, "a3区体症现在咋样")
    assert [c.args for c in reply.tool_calls if c.name == "city_vitals"] == [{"district": "990103"}]


def test_a_patrol_report_is_triaged_even_where_its_landmark_is_unknown(chat: ChatService) -> None:
    reply = ask(chat, "刚巡查上报的：A1区紫金凤凰公园门口路面塌了一个大坑，有辆电动车陷进去了")
    assert [c.name for c in reply.tool_calls][:1] == ["triage_report"] and "路面塌陷" in reply.answer


def test_snow_is_weather_and_a_callers_phone_is_said_to_be_hidden(chat: ChatService) -> None:
    assert "气象" in ask(chat, "明天会下雪吗？要不要提前布置除雪").answer
    reply = ask(chat, "我叫王某某，电话13912345678，A1区小区里的垃圾桶满了两天都没人来清", role="hotline")
    assert "13912345678" not in reply.answer and "来电人的电话已隐去" in reply.answer


def test_a_forecast_asked_right_after_a_reading_is_of_those_sensors(world, chat: ChatService) -> None:
    session = uuid.uuid4().hex
    district = world.lexicon.districts[0]
    ask(chat, f"{district.name}那几个积水监测点现在水位多少", session)
    query = _queries(ask(chat, "未来6个钟头会不会涨到报警线？", session))[0]
    assert (query["measure"], query["sensor_kind"], query["district"], query["horizon"]) == (
        "forecast", "water_level", district.id, 6)


def test_the_worst_alarm_asked_next_stays_in_the_district_asked(world, chat: ChatService) -> None:
    session = uuid.uuid4().hex
    district = world.client.alarms(state="open")[0]["district"]
    ask(chat, f"{world.lexicon.name(district)}现在有没有没关掉的告警？", session)
    reply = ask(chat, "最严重的那条啥时候开的？数值和阈值各多少", session)
    assert [c.args.get("district") for c in reply.tool_calls if c.name == "open_alarms"] == [district]


def test_a_wobbling_pole_about_to_fall_is_urgent() -> None:
    rules = load_rules(Settings().urgency_rules_csv)
    assert assess("一根路灯杆歪得快倒了，底下就是公交站", "normal", rules)[0] == "high"
