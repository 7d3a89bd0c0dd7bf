"""Misses of the development sets (issue 15, session 25), asked through chat: the open cases counted at each step of
the workflow ("卡在哪个环节"), and a forecast asked again of another place keeping the window's own words (今晚)."""

from __future__ import annotations

import re
import uuid
from datetime import date

from assistant.chat import ChatService
from assistant.forecasts import compose_forecast
from assistant.periods import Period
from assistant.readings import trend_lines
from tests.assistant.support import ask, calls
from tools.query_spec import FigureQuery


def test_open_cases_are_counted_at_each_step_of_the_workflow(world, chat: ChatService) -> None:
    reply = ask(chat, "A3区现在手上在办的案子多少件，卡在哪个环节")
    args = calls(reply, "query_figures")[0]
    assert args["measure"] == "open" and args["group_by"] == "status" and args["district"] == "990103"
    stats = world.client.case_stats(args["period"], "990103")
    steps = [s for s in stats["by_state"] if s["open"]]
    assert steps and sum(s["count"] for s in steps) == stats["open"]
    assert all(f"{s['state']} {s['count']} 件" in reply.answer for s in steps)
    assert not re.search(r"(?:结案|不予立案|作废) \d+ 件", reply.answer)  # only the steps still being handled
    most = max(s["count"] for s in steps)
    if len(steps) > 1:
        assert "积压最多的环节：" + next(s["state"] for s in steps if s["count"] == most) in reply.answer
    assert f"合计 {stats['open']} 件" in reply.answer


def test_a_department_rate_is_never_grouped_by_workflow_step(chat: ChatService) -> None:
    reply = ask(chat, "市城管局本月按期处置率，各环节的情况")
    assert all(c.get("group_by") != "status" for c in calls(reply, "query_figures"))


def test_a_forecast_asked_again_of_another_district_keeps_the_window_in_its_words(chat: ChatService) -> None:
    session = uuid.uuid4().hex
    first = ask(chat, "今晚A3区积水会不会变严重？", session)
    assert "今晚" in first.answer
    again = ask(chat, "那A5区呢？", session)
    args = calls(again, "query_figures")[0]
    assert args["measure"] == "forecast" and args["district"] == "990105"
    assert calls(first, "query_figures")[0]["horizon"] == args["horizon"]
    assert "A5区" in again.answer and "今晚（未来" in again.answer


def test_both_ends_of_a_ranking_asked_together_are_both_named(world, chat: ChatService) -> None:
    reply = ask(chat, "本月各区案件量排个序，前2和垫底的分别是哪个区？")
    args = calls(reply, "query_figures")[0]
    assert args["group_by"] == "district" and args["order"] == "desc" and not args.get("top")
    rows = sorted(((world.client.case_stats(args["period"], d)["total"], d) for d in (x.id for x in world.lexicon.districts)),
                  key=lambda x: -x[0])
    ends = next(line for line in reply.answer.splitlines() if line.startswith("排在最前"))
    top, bottom = ends.removeprefix("排在最前（最高/最多）：").rstrip("。").split("；排在最后（最低/最少）：")
    # Every district tied at a cut is named with it.
    assert {world.lexicon.name(d) for n, d in rows if n >= rows[1][0]} == set(top.split("、"))
    assert {world.lexicon.name(d) for n, d in rows if n <= rows[-1][0]} == set(bottom.split("、"))
    # Each measure's own end when two are named: no ends of one ranking.
    two = ask(chat, "国庆以来哪个部门返工率最高？准确派遣率最低的又是谁")
    assert "排在最前" not in two.answer
    last = calls(ask(chat, "本月各区案件量前三名是哪些？最后说下数据来源"), "query_figures")[0]
    assert last["top"] == 3  # 最后 as "finally" is no bottom end


def test_rankings_by_the_department_holding_the_cases_and_kinds_listed_before_a_shared_word(chat: ChatService) -> None:
    held = ask(chat, "超期还没办完的案件按责任部门列一下，谁家最多？")
    assert calls(held, "query_figures")[0]["group_by"] == "department"
    covers = ask(chat, "A3区本月井钙相关的案件有几件？上水、污水、雨水井盖各多少")
    args = calls(covers, "query_figures")[0]
    assert args["group_by"] == "category" and len(args["categories"]) == 3
    assert all(f"{kind}井盖 " in covers.answer for kind in ("上水", "污水", "雨水"))  # a kind with no case is said as 0


def test_shares_and_comparisons_are_not_read_into_occupying_or_ratio(chat: ChatService) -> None:
    plain = calls(ask(chat, "A2区占道经营的案件本月多少"), "query_figures")[0]
    assert not plain.get("share_of_all")  # 占道 is no share
    share = calls(ask(chat, "A2区占道经营的案件占全市比例多少"), "query_figures")[0]
    assert share.get("share_of_all") and not share.get("compare_period")  # 比例 compares nothing


def test_traffic_and_passenger_flow_are_declined_without_figures(chat: ChatService) -> None:
    for question, missing in (("A7区現在哪條路最堵？交通擁堵指數多少", "拥堵"), ("今天全市地铁进站客流有多少人次", "客流")):
        reply = ask(chat, question)
        assert not reply.tool_calls and missing in reply.answer and not re.search(r"\d", reply.answer)
        assert "请向" in reply.answer  # where else to ask survives grounding (no department of the city is named)


def test_readings_past_a_value_a_margin_to_a_line_and_last_night(chat: ChatService) -> None:
    load = calls(ask(chat, "今天变电箱负载率过了80%的有几台？"), "query_figures")[0]
    assert load["sensor_kind"] == "power_load" and load["above"] == 80
    # "离报警还有多远" asks the distance of a reading from a line, not the alarm list.
    pressure = ask(chat, "全市供水压力过去一小时最低多少MPa？离报警还有多远")
    args = calls(pressure, "query_figures")[0]
    assert args["sensor_kind"] == "water_pressure" and args["statistic"] == "min"
    assert re.search(r"距报警线 0\.12 MPa 还差 [0-9.]+ MPa", pressure.answer)
    night = ask(chat, "昨晚路灯状态监测有没有报故障的？")
    assert "昨晚（" in night.answer


def test_a_trend_of_readings_gives_every_day_and_whether_it_rises(chat: ChatService) -> None:
    reply = ask(chat, "全市供水压力最近三天的趋势")
    args = calls(reply, "query_figures")[0]
    assert args["trend"] and args["sensor_kind"] == "water_pressure" and args["period"]
    assert any(line.startswith("逐日（全部传感器读数合计，单位 MPa）：") for line in reply.answer.splitlines())
    # Low pressure is what harms: the lowest value is set against the line, not the highest.
    assert "最高" not in next(line for line in reply.answer.splitlines() if line.startswith("阈值："))
    days = [{"key": "2026-12-03", "value": 0.30, "peak": 0.4}, {"key": "2026-12-04", "value": 0.31, "peak": 0.4},
            {"key": "2026-12-05", "value": 0.36, "peak": 0.5}]
    assert trend_lines(days, "MPa")[-1] == "走势：日均值由 12月3日 的 0.3 到 12月5日 的 0.36，上升。"
    assert trend_lines(days[:2], "MPa")[-1].endswith("总体平稳。") and len(trend_lines(days[:1], "MPa")) == 1


def test_forecasts_ahead_named_after_a_verb_and_a_noticeable_rise(chat: ChatService) -> None:
    session = uuid.uuid4().hex
    ask(chat, "预测一下A5区明天的积水水位", session)
    again = calls(ask(chat, "换成A1区，往后看48小时", session), "query_figures")[0]
    assert again["horizon"] == 48 and again["district"] == "990101"
    surge = calls(ask(chat, "明后天A2区的案件量会不会明显增加？"), "query_figures")[0]
    assert surge["measure"] == "forecast" and surge.get("compare_period")  # judged against the days just past


def test_each_districts_forecast_of_one_day_carries_its_interval() -> None:
    band = {"lo80": 0.1, "hi80": 6.06, "lo95": 0.0, "hi95": 7.8}
    data = {"model": "Theta", "rows": [{"key": "990103", "value": 3.07, "interval": band},
                                       {"key": "990105", "value": 0.96, "interval": band}]}
    query = FigureQuery(measure="forecast", group_by="district", period="2026-12-07")
    period = Period("2026-12-07", "下周一（12月7日）", date(2026, 12, 7), date(2026, 12, 7))
    text = compose_forecast(data, query, period, lambda key: {"990103": "A3区", "990105": "A5区"}[key], "")
    assert "- A3区：约 3.07 件（80% 区间 0.10–6.06，95% 区间 0.00–7.80）" in text
    assert "可分区查询" not in text  # the intervals are given, not pointed to


def test_who_handles_names_the_class_prefers_the_category_said_in_full_and_warns_of_gas(chat: ChatService) -> None:
    stall = ask(chat, "A6区街边有人摆摊搞露天烧烤，这种归哪个部门管？")
    assert calls(stall, "responsible_department")[0]["category"] == "event-0506"
    assert "街面秩序类" in stall.answer
    gas = ask(chat, "A7区一个燃气井盖被大车压碎了，归谁管？")
    assert "现场提示：" in gas.answer and "燃气浓度" in gas.answer


def test_a_split_asked_of_one_problem_and_its_consequence_is_not_advised(chat: ChatService) -> None:
    reply = ask(chat, "A3区建设路和人民路交叉口，自来水管爆了，水柱喷起来一米多高，路上都成河了，旁边几栋楼也都没水了。要不要分成爆管和停水两个单？",
                role="hotline")
    line = next(line for line in reply.answer.splitlines() if line.startswith("- 拆分建议："))
    assert "不必拆单" in line and "建议分别立案" not in reply.answer


def test_a_long_report_names_the_other_problems_its_clauses_tell_of(world, chat: ChatService) -> None:
    report = ("A7区那个工地天天半夜还在打桩，咚咚咚的，昨晚弄到一点多，整个小区都没睡着，白天还尘土满天飞，"
              "路过的人都捂着鼻子走。这个该派给谁？")
    reply = ask(chat, report, role="hotline")
    texts = [c["text"] for c in calls(reply, "triage_report")]
    main = world.client.triage({"text": texts[0]})["category"]["id"]
    others = {r["category"]["name"] for r in (world.client.triage({"text": t}) for t in texts[1:])
              if r["confidence"] >= 0.35 and r["category"]["id"] != main}
    line = next((x for x in reply.answer.splitlines() if x.startswith("- 另涉及：")), "")
    assert all(name in line for name in others) and bool(line) == bool(others)
    assert "- 拆分建议：" not in reply.answer  # named beside the main problem, not split unasked


def test_a_follow_up_on_a_case_that_was_not_found_says_so(chat: ChatService) -> None:
    session = uuid.uuid4().hex
    first = ask(chat, "A2区最近一件燃气管道泄漏的案件是什么情况", session)
    if "没有找到符合条件" in first.answer:
        reply = ask(chat, "它的流转记录给我列一下，有没有超时", session)
        assert reply.answer.startswith("上一问没有找到符合条件的案件") and not reply.tool_calls


def test_a_ranking_of_districts_asked_with_its_grounds_compares_every_district(world, chat: ChatService) -> None:
    reply = ask(chat, "七个区里眼下哪个区体征最差？依据是啥")
    asked = {c.get("district") for c in calls(reply, "city_vitals")}
    assert asked == {d.id for d in world.lexicon.districts} and not calls(reply, "search_policies")


def test_a_fine_asked_of_a_category_quotes_the_passage_first_and_names_the_laws(world, chat: ChatService) -> None:
    reply = ask(chat, "占道经营罚款标准多少钱，哪个文件规定的")
    laws = world.client.node("event-0503")["node"]["properties"]["legal_basis"].split(";")
    assert calls(reply, "get_node") and reply.answer.startswith("根据《")  # the fine's passage first
    assert laws and all(law in reply.answer for law in laws)
    assert "「占道经营」（event-0503）的处置标准" in reply.answer


def test_english_words_inside_chinese_are_read(chat: ChatService) -> None:
    args = calls(ask(chat, "A4区的assets里面，有接sensor的一共多少个？"), "query_figures")[0]
    assert args["measure"] == "assets" and args["with_sensors"]
    lamps = calls(ask(chat, "A6区的street light总共多少盏？"), "query_figures")[0]
    assert lamps["asset_categories"] == ["component-0110"]


def test_pumps_asked_whether_any_is_not_normal_are_read_from_their_running_sensors_too(chat: ChatService) -> None:
    reply = ask(chat, "全市一共有几座泵站？现在有没有状态不正常的")
    kinds = [c.get("sensor_kind") for c in calls(reply, "query_figures")]
    assert "pump_status" in kinds and "运行状态传感器" in reply.answer


def test_the_operators_own_question_after_a_report_is_not_triaged_as_the_callers_words(chat: ChatService) -> None:
    reply = ask(chat, "A7区那个工地天天半夜还在打桩，咚咚咚的，昨晚弄到一点多，整个小区都没睡着。\n坐席：这个该派给谁？", role="hotline")
    texts = [c["text"] for c in calls(reply, "triage_report")]
    assert texts and all("坐席" not in t and "派给谁" not in t for t in texts)


def test_a_low_pressure_at_alarm_level_is_never_called_normal() -> None:
    from assistant.readings import _thresholds

    limits = {"direction": "below", "watch": 0.22, "warning": 0.18, "alarm": 0.12}
    rows = [{"key": "S1", "value": 0.35, "level": None}, {"key": "S2", "value": 0.10, "level": "alarm"}]
    line = _thresholds({"thresholds": limits}, rows, "MPa", latest=False)
    assert "最低 0.1 MPa 已达报警级（阈值 0.12 MPa）" in line and "正常范围" not in line
