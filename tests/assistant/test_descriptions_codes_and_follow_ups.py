"""Misses of the fresh development sets dev21/dev22 and older triage misses (issue 15, session 18), asked through
chat: who handles a problem described in words; a district by its code; a department's overdue cases; vital
signs alerting per district; a forecast's upper bound asked next; alarms of one district asked after all of
them; a report said to be a call (来电：) triaged whatever its landmark; a question about the report just
triaged; a second matter after "另外一堆"."""

from __future__ import annotations

import uuid

from assistant.chat import ChatService
from tests.assistant.support import ask, calls


def test_who_handles_a_problem_described_in_words(chat: ChatService) -> None:
    reply = ask(chat, "A5区那条河水发黑发臭，责任单位是谁？")
    triaged = calls(reply, "triage_report")
    asked = calls(reply, "responsible_department")
    assert triaged and asked == [{"category": "event-0105", "district": "990105"}]  # 水域不洁, where it is
    assert "按描述归为「水域不洁」" in reply.answer and "请核对类别" in reply.answer


def test_no_category_is_guessed_from_words_that_describe_nothing(chat: ChatService) -> None:
    reply = ask(chat, "A4区的这几个归谁负责处理")
    assert not calls(reply, "responsible_department")
    assert "请说明是哪一类问题" in reply.answer


def test_a_district_asked_by_its_code(chat: ChatService) -> None:
    reply = ask(chat, "990103那个区的体征指标给我列一下")
    assert calls(reply, "city_vitals") == [{"district": "990103"}]
    assert "A3区" in reply.answer
    assert "不存在" in ask(chat, "990108这个区的告警情况").answer


def test_the_department_with_most_overdue_cases_counts_its_overdue_cases(world, chat: ChatService) -> None:
    reply = ask(chat, "现在还有多少案件超期没办完？哪个部门超期的最多")
    query = calls(reply, "query_figures")[0]
    assert query["measure"] == "overdue_open" and query["group_by"] == "department"
    stats = world.client.case_stats(query["period"])
    held = [d for d in stats["by_department"] if d["overdue_open"]]
    if held:
        top = max(held, key=lambda d: d["overdue_open"])
        assert f"{world.lexicon.nodes[top['department_id']].name} {top['overdue_open']} 件" in reply.answer
    assert f"合计 {stats['overdue_open']} 件" in reply.answer


def test_vital_signs_alerting_most_are_compared_district_by_district(chat: ChatService) -> None:
    reply = ask(chat, "哪个区现在体征告警最多？")
    assert len(calls(reply, "city_vitals")) == 7 and not calls(reply, "open_alarms")
    assert "预警及以上（预警、报警）" in reply.answer  # 告警 is either level, as the alarm list counts them


def test_a_forecasts_upper_bound_asked_next_is_that_forecast(chat: ChatService) -> None:
    session = uuid.uuid4().hex
    first = calls(ask(chat, "预测一下明天12345热线的来件量", session), "query_figures")[0]
    again = ask(chat, "95%的上限是多少", session)
    assert first["measure"] == "forecast" and calls(again, "query_figures") == [first]  # the small city has too
    # little history to forecast: the same forecast is asked, not declined


def test_alarms_of_one_district_asked_after_all_keep_their_kind(chat: ChatService) -> None:
    session = uuid.uuid4().hex
    ask(chat, "井钙倾斜的告警现在有几个", session)
    reply = ask(chat, "A4区的这几个归谁负责处理", session)
    assert calls(reply, "open_alarms")[0] == {"state": "open", "district": "990104", "kind": "manhole_tilt"}
    assert "请说明是哪一类问题" not in reply.answer


def test_a_call_is_triaged_whatever_its_landmark(chat: ChatService) -> None:
    reply = ask(chat, "来电：A5区滨河小区东门附近地下井里往外冒很重的煤气味，居民都慌了，怎么派")
    assert calls(reply, "triage_report") and "燃气" in reply.answer and "没有找到" not in reply.answer


def test_a_question_about_the_report_just_triaged_triages_that_report(chat: ChatService) -> None:
    session = uuid.uuid4().hex
    report = "帮我看下这条：“A1区幸福路边上的垃圾桶满了好几天没人收，臭得不行”"
    first = calls(ask(chat, report, session), "triage_report")[0]["text"]
    again = calls(ask(chat, "紧急程度怎么定？规定多久要处置完？", session), "triage_report")
    assert again and again[0]["text"] == first


def test_another_pile_of_bikes_is_a_second_matter(chat: ChatService) -> None:
    reply = ask(chat, "来电：我们店门口那段人行道，天天有人摆水果摊占着，另外一堆共享单车电动车乱停，推婴儿车根本过不去，A3区")
    assert "占道经营" in reply.answer.split("\n")[1]  # the first matter decides
    assert "诉求含两个问题" in reply.answer and "「非机动车乱停放」" in reply.answer


def test_a_period_under_way_is_set_beside_the_same_days_before() -> None:
    from datetime import datetime

    from core.times import CHINA
    from tools.figures import same_span
    from tools.query_spec import Figures

    def span(start: str, end: str) -> Figures:
        return Figures(measure="cases", unit="件", period="", start=start, end=end, rows=[], total=None)

    month, before = span("2026-12-01T00:00:00+08:00", "2027-01-01T00:00:00+08:00"), span("2026-11-01T00:00:00+08:00", "2026-12-01T00:00:00+08:00")
    assert same_span(month, before, datetime(2026, 12, 7, 4, tzinfo=CHINA)) == "2026-11-01..2026-11-07"
    monday = span("2026-12-07T00:00:00+08:00", "2026-12-08T00:00:00+08:00")
    assert same_span(monday, span("2026-11-30T00:00:00+08:00", "2026-12-07T00:00:00+08:00"),
                     datetime(2026, 12, 7, 4, tzinfo=CHINA)) == "2026-11-30..2026-11-30"
    # a whole month beside the month before, or a month asked after it ended: nothing to cut
    assert same_span(before, span("2026-10-01T00:00:00+08:00", "2026-11-01T00:00:00+08:00"), datetime(2026, 12, 7, 4, tzinfo=CHINA)) is None


def test_this_month_against_last_says_the_same_days_before(world) -> None:
    from datetime import datetime

    from assistant.figures import compose_figures, understand
    from assistant.slots import fill_slots
    from core.times import CHINA

    question, now = "这个月道路积水内涝的案子跟上个月比多了还是少了", datetime(2026, 12, 7, 4, tzinfo=CHINA)
    understood = understand(question, fill_slots(question, world.lexicon, now), world.lexicon, now, {}, False)
    whole = {"period": "2026-11", "start": "2026-11-01T00:00:00+08:00", "end": "2026-12-01T00:00:00+08:00",
             "rows": [], "total": {"key": "", "value": 40}}
    same = whole | {"period": "2026-11-01..2026-11-07", "total": {"key": "", "value": 12}, "change": -7}
    data = {"measure": "cases", "unit": "件", "period": "2026-12", "start": "2026-12-01T00:00:00+08:00",
            "end": "2027-01-01T00:00:00+08:00", "rows": [], "total": {"key": "", "value": 5}, "previous": whole,
            "change": -35, "change_pct": -87.5, "same_span": same}
    answer = compose_figures(data, understood, lambda key: world.lexicon.nodes[key].name if key in world.lexicon.nodes else key)
    assert "本期尚未结束（12月1日起至今）" in answer
    assert "前一期同期（11月1日至11月7日）为 12 件，本期比同期少 7 件" in answer


def test_vital_signs_of_one_field_are_those_only(chat: ChatService) -> None:
    answer = ask(chat, "A2区生命体征里排水相关的指标现在是什么状态").answer
    assert "排水防涝相关的指标" in answer and "积水点数" in answer and "泵站故障数" in answer
    assert "按期处置率" not in answer and "路灯故障率" not in answer


def test_the_citys_state_with_its_red_lights_says_every_status_too(chat: ChatService) -> None:
    answer = ask(chat, "用一句话说说今天城市运行情况，有没有亮红灯的").answer
    assert "处于「报警」状态的" in answer or "没有处于「报警」状态的指标" in answer
    assert "各状态：" in answer and "正常" in answer


def test_the_matter_not_the_place_it_lies_on_decides_who_handles_it(chat: ChatService) -> None:
    reply = ask(chat, "A2区人行道上有个燃气井盖松了，这个归谁管？")
    assert calls(reply, "responsible_department") == [{"category": "component-0107", "district": "990102"}]


def test_a_plan_named_is_a_rule_question(chat: ChatService) -> None:
    reply = ask(chat, "防汛应急预案里什么情况下启动最高级别响应？")
    assert calls(reply, "search_policies") and "无法用现有数据" not in reply.answer


def test_slips_and_english_words_are_read_as_the_terms_meant(world) -> None:
    from assistant.spelling import respelled

    assert "泵站" in respelled("A7区有几座泵占", world.lexicon)
    assert "体征" in respelled("A3区和A5区的vital signs对比一下", world.lexicon)


def test_faults_asked_after_the_pumps_were_counted_are_their_running_state(chat: ChatService) -> None:
    session = uuid.uuid4().hex
    ask(chat, "A1区有几座泵站", session)
    query = calls(ask(chat, "有故障的吗？", session), "query_figures")[0]
    assert query["measure"] == "readings" and query["sensor_kind"] == "pump_status" and query["district"] == "990101"


def test_covers_watched_by_a_kind_of_sensor_are_counted(world, chat: ChatService) -> None:
    reply = ask(chat, "A1区装了倾斜传感器的井盖有几个？")
    watched = {s["asset_id"] for s in world.client.sensors(kind="manhole_tilt", district="990101")}
    assert f"其中已接入井盖倾斜角传感器的 {len(watched)} 个" in reply.answer
    assert not calls(reply, "responsible_department")  # who handles covers was not asked


def test_case_forecasts_by_district_per_day_and_against_the_week_before(world) -> None:
    from datetime import date, datetime

    from assistant.forecasts import compose_forecast, understand_forecast
    from assistant.periods import Period
    from assistant.slots import fill_slots
    from core.times import CHINA
    from tools.query_spec import FigureQuery

    now = datetime(2026, 12, 7, 4, tzinfo=CHINA)
    for question, expected in [("下周各区案件量预测，哪个区最高？", {"group_by": "district"}),
                               ("A1区未来7天案件量是涨还是跌", {"compare_period": "last7d", "district": "990101"})]:
        query, _ = understand_forecast(question, fill_slots(question, world.lexicon, now), world.lexicon, now, None, False)
        assert query.model_dump(exclude_none=True).items() >= expected.items()
    name = lambda key: world.lexicon.nodes[key].name if key in world.lexicon.nodes else key  # noqa: E731
    ranked = {"rows": [{"key": "990107", "value": 7.14}, {"key": "990103", "value": 0.21}], "model": "Theta",
              "total": {"key": "cases:districts:all", "value": 7.35}}
    answer = compose_forecast(ranked, FigureQuery(measure="forecast", group_by="district"), Period("x", "下周", date.min, date.min), name, "")
    assert "A7区：约 7.14 件" in answer and "预测最高的是 A7区，最低的是 A3区" in answer
    band = {"lo80": 0.6, "hi80": 11.7, "lo95": 0.0, "hi95": 14.3}
    days = {"rows": [{"key": f"2026-12-{d:02d}", "value": 6.0, "interval": band} for d in (8, 9, 10)], "model": "Theta",
            "total": {"key": "cases:city:all", "value": 18.0}, "per_day": 6.0, "start": "2026-12-08"}
    answer = compose_forecast(days, FigureQuery(measure="forecast", horizon=3), Period("x", "未来 3 天", date.min, date.min), name, "",
                              "未来三天全市日均案件量大概多少")
    assert "合计约 18 件，日均约 6 件" in answer


def test_a_sensor_forecast_days_ahead_says_its_bands_widen_and_answers_in_the_words_asked() -> None:
    from datetime import date

    from assistant.forecasts import compose_forecast
    from assistant.periods import Period
    from tools.query_spec import FigureQuery

    row = {"key": "S1", "name": "燃气井盖(望龙路)", "district": "990101", "latest": 27.1, "value": 59.8, "ts": "2026-12-09T03:00",
           "interval": {"lo80": 37.8, "hi80": 84.1, "lo95": 26.8, "hi95": 96.4, "bound95": 96.4}, "trend": "up"}
    data = {"sensors": 148, "reporting": 148, "rows": [row], "model": "Theta", "levels": {"alarm": 1}, "unit": "%LEL",
            "thresholds": {"watch": 5, "warning": 10, "alarm": 25, "direction": "above"},
            "total": {"key": "sensor-forecasts:gas_concentration", "value": 59.8}}
    for horizon, widens in ((68, True), (12, False)):
        query = FigureQuery(measure="forecast", sensor_kind="gas_concentration", horizon=horizon)
        answer = compose_forecast(data, query, Period("x", "后天", date.min, date.min), str, "可燃气体浓度", "后天燃气浓度会不会超标")
        assert ("预测越远，区间越宽" in answer) == widens
        assert "当前已超过报警阈值 25" in answer and "预计仍将超过报警阈值" in answer  # 超标 asked, 超过 said


def test_a_forecast_asked_after_a_districts_count_is_that_districts(chat: ChatService) -> None:
    session = uuid.uuid4().hex
    ask(chat, "A3区这周案件多少？", session)
    query = calls(ask(chat, "那未来三天呢，预测一下，给个80%区间", session), "query_figures")[0]
    assert query == {"measure": "forecast", "district": "990103", "horizon": 3}


def test_a_forecast_beside_a_day_that_was_is_answered_in_its_words() -> None:
    from datetime import date

    from assistant.forecasts import compose_forecast
    from assistant.periods import Period
    from tools.query_spec import FigureQuery

    band = {"lo80": 0.0, "hi80": 2.2, "lo95": 0.0, "hi95": 3.1}
    data = {"rows": [{"key": "2026-12-08", "value": 0.28, "interval": band}], "model": "Theta", "start": "2026-12-08",
            "total": {"key": "cases:990104:all", "value": 0.28}, "per_day": 0.28,
            "previous": {"total": {"key": "", "value": 3}, "per_day": 3.0, "start": "2026-12-06T00:00:00+08:00",
                         "end": "2026-12-07T00:00:00+08:00"}}
    query = FigureQuery(measure="forecast", district="990104", period="2026-12-08..2026-12-08", compare_period="2026-12-06")
    answer = compose_forecast(data, query, Period("x", "明天（12月8日）", date.min, date.min), str, "", "明天A4区大概有多少件案子？跟昨天比多还是少")
    assert "明显低于近期日均水平，即低于昨天（少）" in answer


def test_a_case_number_in_no_form_of_ours_is_said_unknown(chat: ChatService) -> None:
    reply = ask(chat, "市民问他上报的 C-2026-999999 怎么样了")
    assert "查不到编号为 C-2026-999999 的案件" in reply.answer and not reply.tool_calls


def test_the_case_overdue_longest_asked_after_the_count_is_found(chat: ChatService) -> None:
    session = uuid.uuid4().hex
    ask(chat, "现在超期的案件有多少", session)
    reply = ask(chat, "超期最久的是哪件，卡在哪个环节", session)
    assert calls(reply, "find_case") == [{"order": "most_overdue"}]


def test_traditional_characters_are_read_as_simplified_and_warning_or_above_counts_both(chat: ChatService) -> None:
    answer = ask(chat, "城市體徵指標現在有幾項處於預警以上？").answer
    assert "处于「预警」或「报警」状态的" in answer or "没有处于「预警」或「报警」状态的指标" in answer


def test_the_seven_district_bureaus_ranked_with_the_lowest_last(chat: ChatService) -> None:
    from assistant.figures import ranking_ends

    query = calls(ask(chat, "国庆以来，7个区的城管局结案率排个名，倒数第一是谁"), "query_figures")[0]
    assert len(query["departments"]) == 7 and query["order"] == "asc"
    rows = [{"key": "A6区城管局", "value": 0.79}, {"key": "A4区城管局", "value": 0.96}]
    assert ranking_ends("结案率排个名，倒数第一是谁", rows, str, "asc") == ["最后一名：A6区城管局。"]
    assert ranking_ends("结案率排个名，倒数第一是谁", rows[::-1], str, "desc") == ["最后一名：A6区城管局。"]


def test_alarms_opened_this_week_and_still_open(chat: ChatService) -> None:
    reply = ask(chat, "这周开出来的告警还有多少条没关？按级别分一下")
    assert calls(reply, "open_alarms")[0]["state"] == "open" and "opened" in calls(reply, "open_alarms")[0]


def test_a_forecast_asked_of_the_hotline_says_what_it_counts(chat: ChatService) -> None:
    reply = ask(chat, "帮我forecast一下下周12345那边的量", role="hotline")
    assert not calls(reply, "triage_report")  # asked of the assistant, not a citizen's report
    assert calls(reply, "query_figures")[0]["measure"] == "forecast"


def test_open_cases_and_those_of_them_overdue_are_both_counted(chat: ChatService) -> None:
    reply = ask(chat, "A2区现在还有多少案子没结？其中超期的几件")
    assert sorted(q["measure"] for q in calls(reply, "query_figures")) == ["open", "overdue_open"]


def test_a_districts_vital_signs_set_beside_another_asked_next(chat: ChatService) -> None:
    session = uuid.uuid4().hex
    ask(chat, "A4区现在的城市体征指标给我过一遍", session)
    reply = ask(chat, "跟A5区比哪个情况更差？", session)
    assert calls(reply, "city_vitals") == [{"district": "990104"}, {"district": "990105"}]
    assert "请说明要比较" not in reply.answer


def test_lost_assets_regrouped_by_kind_stay_lost(chat: ChatService) -> None:
    session = uuid.uuid4().hex
    ask(chat, "A1区状态是丢失的部件有哪些？", session)
    query = calls(ask(chat, "按类别汇总一下数量", session), "query_figures")[0]
    assert query["asset_status"] == ["丢失"] and query["group_by"] == "category"


def test_personal_opinions_of_a_bureaus_leaders_are_declined(chat: ChatService) -> None:
    reply = ask(chat, "你个人觉得市水务局这个领导班子干得咋样？")
    assert "不对个人作评价" in reply.answer and not reply.tool_calls


def test_a_maintainer_not_in_the_graph_is_said_missing(chat: ChatService) -> None:
    answer = ask(chat, "A7区雨水箅子被堵了，主管部门跟养护单位分别是谁").answer
    assert "没有单独登记养护单位" in answer


def test_which_assets_a_sensor_watches_lists_those_only(world, chat: ChatService) -> None:
    reply = ask(chat, "全市桥梁里有哪几座装了应变或者挠度监测？")
    listed = [line for line in reply.answer.splitlines() if line.startswith("- ")]
    watched = {s["asset_id"] for s in world.client.sensors(kind="bridge_strain", limit=10_000)}
    assert listed and all(any(a in line for a in watched) and "已接入监测" in line for line in listed)


def test_lamps_asked_for_faults_say_the_register_and_the_sensors(chat: ChatService) -> None:
    reply = ask(chat, "A1区的路等一共多少盏，有故障的吗")
    queries = calls(reply, "query_figures")
    assert any(q.get("group_by") == "status" for q in queries)
    assert any(q["measure"] == "readings" and q["sensor_kind"] == "light_status" for q in queries)


def test_how_many_times_readings_passed_a_value_counts_readings() -> None:
    from datetime import date

    from assistant.periods import Period
    from assistant.readings import compose_readings
    from tools.query_spec import FigureQuery

    row = {"key": "S1", "value": 97.3, "district": "990103", "name": "变电箱(望岳路)"}
    data = {"sensors": 86, "reporting": 86, "readings": 22962, "readings_past": 22, "unit": "%", "rows": [row],
            "total": {"key": "", "value": 1}, "thresholds": {"watch": 80, "warning": 90, "alarm": 100}}
    query = FigureQuery(measure="readings", sensor_kind="power_load", period="2026-12-01..2026-12-07", above=90)
    answer = compose_readings(data, query, Period("2026-12-01..2026-12-07", "最近7天", date.min, date.min), str, "变电箱负载率",
                              "最近7天变电箱负载率有没有超过90%的，出现过几次？")
    assert "最近7天共有 22 条读数超过 90 %" in answer
