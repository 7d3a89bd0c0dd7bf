"""Misses of the development sets (issue 15, session 23), asked through chat: a supervisor checking what an operator
did with a quoted report (category, bureau, urgency), a split asked after the report, the caller's further words,
cases listed by what they went through (回退, 延期), "截至今天" as no period, English words of the figures, a window's
peak set against the kind's lines, and the later of two periods named as the figure."""

from __future__ import annotations

import uuid
from datetime import datetime

from assistant.chat import ChatService
from assistant.forecasts import understand_forecast
from assistant.lexicon import LEVEL_NAMES
from assistant.slots import fill_slots
from core.text import normalize
from core.times import CHINA
from tests.assistant.support import ask, calls

REPORT = "A1区中山路上一路都是泥巴，拉渣土的车漏的，从工地门口一直撒到路口，电动车骑过去直打滑"


def test_a_supervisor_checking_a_dispatch_gets_the_operators_choices_set_against_the_triage(world, chat: ChatService) -> None:
    reply = ask(chat, f"我是班长，这条坐席判成了『暴露垃圾』派给A市应急管理局，标的critical，你帮我看对不对：『{REPORT}』")
    triaged = calls(reply, "triage_report")[0]["text"]
    assert triaged == normalize(REPORT)  # the citizen's words, not the supervisor's about them (暴露垃圾 would sway the category)
    result = world.client.triage({"text": REPORT})
    review = next(line for line in reply.answer.splitlines() if line.startswith("- 复核："))
    assert f"派给A市应急管理局不对，按责任规则应由{result['department']['name']}负责" in review
    if result["category"]["name"] != "暴露垃圾":
        assert f"应为「{result['category']['name']}」" in review
    assert "紧急程度标为「紧急」偏高" in review or result["urgency"] == "critical"


def test_a_report_without_an_operators_decision_gets_no_review(world, chat: ChatService) -> None:
    reply = ask(chat, f"帮我分一下这条：『{REPORT}』，附近有个加油站")
    assert "- 复核：" not in reply.answer  # 加油站 names a category the report is not about, not a choice made


def test_asking_whether_to_split_after_a_report_triages_each_problem(world, chat: ChatService) -> None:
    session = uuid.uuid4().hex
    ask(chat, "看下这条：『A1区中山路口的红绿灯从早上开始一直黄闪，刚才还有两辆车刮了，人行道地砖也翘起来好几块』", session, role="analyst")
    reply = ask(chat, "那这个派谁？事故要不要另外单独立一件", session, role="analyst")
    texts = [c["text"] for c in calls(reply, "triage_report")]
    assert len(texts) >= 3 and texts[0].startswith("A1区中山路口的红绿灯")  # the report, then its problems one by one
    parts = [world.client.triage({"text": t})["category"]["name"] for t in texts[1:]]
    if len(set(parts)) > 1:
        assert "- 拆分建议：" in reply.answer and all(p in reply.answer for p in parts)


def test_the_callers_further_words_are_triaged_with_the_report(world, chat: ChatService) -> None:
    session = uuid.uuid4().hex
    ask(chat, "A1区中山路有个窨井盖松了，车一压就哐当哐当响", session, role="hotline")
    reply = ask(chat, "他补充说井盖上印着『电力』两个字，那要改派吗？", session, role="hotline")
    text = calls(reply, "triage_report")[0]["text"]
    assert "窨井盖松了" in text and "电力" in text
    assert "类别：电力井盖" in reply.answer


def test_cases_handed_back_are_listed_not_answered_with_the_rule_on_it(world, chat: ChatService) -> None:
    reply = ask(chat, "有哪几件案子被部门回退过？列一下案件号", role="analyst")
    searched = calls(reply, "search_cases")
    assert searched and searched[0].get("returned") is True and not calls(reply, "search_policies")
    expected = world.client.cases(returned=True, counts=True)["counts"]["total"]
    assert (f"被部门回退过的案件 {expected} 件" in reply.answer) if expected else ("没有被部门回退过的案件" in reply.answer)
    both = ask(chat, "有没有被回退过或者返工过的案件", role="analyst")
    assert {k for c in calls(both, "search_cases") for k in ("returned", "reworked") if c.get(k)} == {"returned", "reworked"}


def test_up_to_today_is_no_period_of_the_cases_sought(world, chat: ChatService) -> None:
    reply = ask(chat, "截至今天，超期最久还没结案的是哪一单？")
    found = calls(reply, "find_case")[0]
    assert found["order"] == "most_overdue" and "since" not in found


def test_english_words_of_the_figures_are_read_as_their_terms(world, chat: ChatService) -> None:
    reply = ask(chat, "A1区这个month的open cases有多少？")
    query = calls(reply, "query_figures")[0]
    assert query["measure"] == "open" and query["district"] == "990101"
    assert calls(ask(chat, "哪个部门延期最多？this month"), "query_figures")[0]["measure"] == "延期数"


def test_a_windows_peak_is_set_against_the_kinds_lines(world, chat: ChatService) -> None:
    reply = ask(chat, "A1区积水水位最近24小时最高到过多少？超没超警戒")
    line = next((s for s in reply.answer.splitlines() if s.startswith("阈值：")), "")
    assert "关注" in line and ("未超过警戒" in line or "已超过警戒" in line)


def test_the_later_of_two_periods_named_is_the_figure_and_the_earlier_beside_it(world, chat: ChatService) -> None:
    reply = ask(chat, "A1区上周跟这周比，案件是多了还是少了？差多少")
    query = calls(reply, "query_figures")[0]
    assert query["period"] > query["compare_period"]
    assert reply.answer.startswith("本周")


def test_what_the_caller_said_since_outside_the_quote_is_triaged_with_it(world, chat: ChatService) -> None:
    reply = ask(chat, "昨晚那条『A1区中山路附近有人在烧垃圾，黑烟滚滚』派给了A1区城管局，结果来电人又打进来说火越烧越大，快烧到旁边加油站了。现在该怎么定级？")
    text = calls(reply, "triage_report")[0]["text"]
    assert "烧垃圾" in text and "火越烧越大" in text and "派给" not in text
    assert "紧急程度：紧急（critical）" in reply.answer  # the fire spreading, not the smoke of the first call


def test_a_district_named_in_words_the_city_lacks_is_said_to_be_unknown(world, chat: ChatService) -> None:
    reply = ask(chat, "东城区现在有几条告警没关")
    assert "没有「东城区」" in reply.answer and not calls(reply, "open_alarms")
    assert calls(ask(chat, "A1区老城区现在有几条告警没关"), "open_alarms")  # 老城区 is an area, not a district


def test_a_forecast_asked_again_of_one_district_keeps_what_was_forecast(world) -> None:
    now = datetime.now(CHINA)
    before = {"measure": "forecast", "period": "2026-12-07..2026-12-13", "horizon": 7}
    question = "A1区单独预测一下"
    again = understand_forecast(question, fill_slots(question, world.lexicon, now), world.lexicon, now, before, False)
    assert again is not None and again[0].district == "990101" and again[0].measure == "forecast"


def test_the_open_alarms_counted_with_the_most_severe_asked_are_all_of_them(world, chat: ChatService) -> None:
    reply = ask(chat, "现在有多少条未关闭的告警？最高级别的在哪", role="hotline")
    assert not calls(reply, "open_alarms")[0].get("level")  # the count is of every level, the worst listed


def test_two_kinds_of_cover_asked_together_get_both_time_limits_compared(world, chat: ChatService) -> None:
    reply = ask(chat, "井盖丢了，规定最晚多久要补上？燃气的跟雨水的一样吗", role="hotline")
    nodes = [c["node_id"] for c in calls(reply, "get_node")]
    assert nodes == ["component-0107", "component-0103"]
    hours = [world.client.node(n)["node"]["properties"]["sla_hours"] for n in nodes]
    assert ("两者不一样" in reply.answer) == (hours[0] != hours[1])


def test_a_time_limit_answer_names_who_must_meet_it(world, chat: ChatService) -> None:
    reply = ask(chat, "燃气井盖丢了按规定几个小时内要处置完？", role="hotline")
    handlers = {c["district"] for c in calls(reply, "responsible_department")}
    assert handlers == {d.id for d in world.lexicon.districts}  # no district named: every district's rule
    names = {world.client.responsibility("component-0107", district=d)["department"]["name"] for d in handlers}
    assert f"责任单位 {names.pop()}（各区相同）" in reply.answer if len(names) == 1 else "责任单位按区不同" in reply.answer


def test_whether_to_register_a_report_is_answered_on_its_card(world, chat: ChatService) -> None:
    session = uuid.uuid4().hex
    ask(chat, "A1区中山路公交站旁边那根电线杆上，被人贴满了办证、开锁的小广告", session, role="hotline")
    reply = ask(chat, "这种要不要立案？", session, role="hotline")
    assert "- 立案判断：" in reply.answer


def test_the_kinds_counted_after_a_count_of_covers_are_covers_not_power_load(world, chat: ChatService) -> None:
    session = uuid.uuid4().hex
    ask(chat, "A1区登记在册的井盖一共多少个", session)
    query = calls(ask(chat, "按类型分呢？雨水、污水、电力各多少", session), "query_figures")[0]
    assert query["measure"] == "assets" and query["group_by"] == "category" and "component-0105" in query["asset_categories"]


def test_a_month_compared_with_no_measure_named_is_the_months_cases(world, chat: ChatService) -> None:
    query = calls(ask(chat, "上个月环比增长多少", role="analyst"), "query_figures")[0]
    assert query["measure"] == "cases" and query.get("compare_period")


def test_every_major_class_is_shared_out_when_one_is_asked_of_among_them(world, chat: ChatService) -> None:
    query = calls(ask(chat, "本月案件按大类分，各占多大比例？市容环境的占比有没有超过三成", role="analyst"), "query_figures")[0]
    assert query["group_by"] == "major" and not query.get("major") and query.get("share_of_all")


def test_assets_of_a_state_asked_where_they_are_are_listed(world, chat: ChatService) -> None:
    query = calls(ask(chat, "A1区现在丢失状态的井盖有几个，在哪些地方", role="hotline"), "query_figures")[0]
    assert query["asset_status"] == ["丢失"] and query.get("list_assets")


def test_the_open_ones_of_a_windows_alarms_are_split_by_level(world, chat: ChatService) -> None:
    reply = ask(chat, "本月一共开过多少条告警？现在还剩几条没关，按级别分一下")
    still = [c for c in calls(reply, "open_alarms") if c.get("state") == "open" and c.get("opened")]
    assert still
    counts = world.client.alarm_stats(state="open", opened=still[0]["opened"], group_by="level")
    if counts["total"]:
        levels = "、".join(f"{LEVEL_NAMES[level]} {n} 条" for level, n in counts["by_level"].items() if n)
        assert f"其中至今未关闭 {counts['total']} 条（" in reply.answer
        assert all(part in reply.answer for part in levels.split("、"))


def test_it_after_no_case_was_found_says_there_is_none(world, chat: ChatService) -> None:
    session = uuid.uuid4().hex
    first = ask(chat, "A1区现在超期最久的那件路面塌陷案子是哪件？", session)
    assert calls(first, "find_case")
    if "没有找到" in first.answer:
        reply = ask(chat, "它卡在哪个环节了？经手人和时间线给我捋一下", session)
        assert "没有这样的案件" in reply.answer and "请给出案件编号" not in reply.answer


def test_districts_ranked_by_their_share_of_assets_in_a_state(world, chat: ChatService) -> None:
    reply = ask(chat, "哪个区部件破损比例最高？", role="analyst")
    query = calls(reply, "query_figures")[0]
    assert query["rank_by"] == "share" and query["asset_status"] == ["破损"] and query["group_by"] == "district"
    broken = {g["key"]: g["count"] for g in world.client.asset_stats(None, None, ["破损"], "district")["groups"]}
    every = {g["key"]: g["count"] for g in world.client.asset_stats(None, None, None, "district")["groups"]}
    best = max((k for k in broken if every.get(k)), key=lambda k: broken[k] / every[k])
    assert f"破损比例最高的是 {world.lexicon.nodes[best].name}" in reply.answer


def test_the_watched_share_of_the_assets_counted_is_said(world, chat: ChatService) -> None:
    reply = ask(chat, "A1区装了倾斜监测的井盖有多少个？占A1区井盖总数多少", role="analyst")
    line = next((s for s in reply.answer.splitlines() if "已接入" in s), "")
    assert "，占 " in line and line.endswith("%。")


def test_a_list_of_facilities_marked_watched_lists_every_one(world, chat: ChatService) -> None:
    reply = ask(chat, "A1区桥梁清单发我，顺带标一下哪几座装了监测传感器", role="hotline")
    query = calls(reply, "query_figures")[0]
    assert query["measure"] == "assets" and query["with_sensors"] and query["list_assets"]


def test_tomorrow_against_the_usual_level_is_set_beside_the_week_just_past(world) -> None:
    now = datetime.now(CHINA)
    question = "本周末（今明两天）案件量会不会比平时高？"
    query, _ = understand_forecast(question, fill_slots(question, world.lexicon, now), world.lexicon, now, None, False)
    assert query.compare_period and query.compare_period != f"{now:%Y-%m-%d}"  # the week past, not today so far
