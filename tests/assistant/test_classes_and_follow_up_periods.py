"""Misses of the development sets (issue 15, session 21), asked through chat: the categories' major classes (大类)
as a grouping and as a filter; "环比呢" after a month's count compares with the month before; "昨天结了几件" by
the day closed, and "还有多少没结" the cases open now; "井盖类案件下周" the kinds' forecasts added up."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timedelta

from assistant.chat import ChatService
from assistant.figures import Understood, compose_figures
from assistant.periods import Period
from core import clock
from core.times import CHINA
from tests.assistant.support import ask, calls
from tools.figures import calendar_spans
from tools.query_spec import FigureQuery


def test_the_class_with_most_cases_is_counted_over_every_category_of_it(world, chat: ChatService) -> None:
    reply = ask(chat, "最近7天哪个大类案件最多？给我top3，各多少件")
    query = calls(reply, "query_figures")[0]
    assert query["group_by"] == "major" and query["top"] == 3
    classes = world.client.case_stats(query["period"])["by_major"]
    assert classes and all(f"{m['major_name']} {m['count']} 件" in reply.answer for m in classes[:3])
    assert "大类" in reply.answer


def test_one_class_split_by_its_categories_counts_only_that_class(world, chat: ChatService) -> None:
    reply = ask(chat, "國慶以來市容環境大類的案件一共多少件？按小類拆一下，前五名")
    query = calls(reply, "query_figures")[0]
    assert query["major"] == "市容环境" and query["group_by"] == "category"
    kept = world.client.case_stats(query["period"], major="市容环境")
    assert f"合计 {kept['total']} 件" in reply.answer and "10月1日" in reply.answer
    assert kept["total"] < world.client.case_stats(query["period"])["total"]  # the other classes left out


def test_a_class_named_after_a_department_is_cases_of_the_class(world, chat: ChatService) -> None:
    session = uuid.uuid4().hex
    ask(chat, "上个月市园林绿化局派遣了多少件", session)
    query = calls(ask(chat, "公用设施大类的呢", session), "query_figures")[0]
    assert query["measure"] == "cases" and query["major"] == "公用设施" and not query.get("departments")
    assert not query.get("group_by")


def test_a_month_compared_in_a_follow_up_is_set_beside_the_month_before(world, chat: ChatService) -> None:
    session = uuid.uuid4().hex
    first = calls(ask(chat, "上个月暴露垃圾有多少件", session), "query_figures")[0]
    reply = ask(chat, "环比呢", session)
    query = calls(reply, "query_figures")[0]
    year, month = map(int, first["period"].split("-"))
    before = f"{year - (month == 1)}-{(month - 2) % 12 + 1:02d}"
    assert query["compare_period"] == before != query["period"]
    counted = world.client.case_stats(before, category="event-0102")["total"]
    assert f"{counted} 件" in reply.answer


def test_closed_yesterday_counts_by_the_day_closed_and_open_means_open_now(world, chat: ChatService) -> None:
    district = world.lexicon.districts[2]
    reply = ask(chat, f"昨天{district.name}結了幾件案子？還有多少沒結")
    asked = {q["measure"]: q for q in calls(reply, "query_figures")}
    yesterday = f"{clock.now().astimezone(CHINA).date() - timedelta(days=1):%Y-%m-%d}"
    assert asked["closed_in"]["period"] == yesterday and asked["open"]["period"].startswith("2000-01-01")
    closed = world.client.case_stats(yesterday, district.id, basis="closed")["total"]
    still_open = world.client.case_stats(asked["open"]["period"], district.id)["open"]
    assert f"结案（按结案时间，不论何时受理）：{closed} 件" in reply.answer
    assert f"未办结案件：{still_open} 件" in reply.answer and "当前" in reply.answer


def test_closed_of_the_cases_received_stays_counted_by_the_day_received(chat: ChatService) -> None:
    query = calls(ask(chat, "本月受理的案件结了多少"), "query_figures")
    assert [q["measure"] for q in query] == ["closed"]


def test_a_family_of_kinds_is_forecast_together(world, chat: ChatService) -> None:
    """The sum itself is tested on a city with a history (tests/tools/test_family_forecast.py); this one has a day."""
    reply = ask(chat, "井盖类案件下周会比这周多吗？给个预测")
    query = calls(reply, "query_figures")[0]
    covers = [n.id for n in world.lexicon.nodes.values() if n.label == "ComponentCategory" and n.name.endswith("井盖")]
    assert query["measure"] == "forecast" and sorted(query["categories"]) == sorted(covers) and len(covers) > 1
    assert "没有足够的案件历史" in reply.answer


def test_a_period_written_in_english_is_read(chat: ChatService) -> None:
    query = calls(ask(chat, "last 7 days 哪个区的突发事件类case最少?"), "query_figures")[0]
    today = clock.now().astimezone(CHINA).date()
    assert query["period"] == f"{today - timedelta(days=6):%Y-%m-%d}..{today:%Y-%m-%d}"
    assert query["major"] == "突发事件" and query["group_by"] == "district" and query["order"] == "asc"


def test_two_district_bureaus_named_are_set_side_by_side(world, chat: ChatService) -> None:
    bureaus = sorted((n for n in world.lexicon.nodes.values() if n.id.endswith("-district_chengguan")), key=lambda n: n.id)[:2]
    first, second = bureaus
    reply = ask(chat, f"{first.name}跟{second.district and world.lexicon.name(second.district)}城管局比，这个月结案率谁高")
    query = calls(reply, "query_figures")[0]
    assert query["departments"] == [first.id, second.id] and not query.get("compare_period") and not query.get("district")


def test_a_department_indicator_named_ranks_departments(chat: ChatService) -> None:
    query = calls(ask(chat, "本月超期处置数最多的部门前3"), "query_figures")[0]
    assert (query["measure"], query["group_by"], query["top"]) == ("超期处置数", "department", 3)


def test_how_far_from_the_alarm_line_asks_it_of_the_peak_just_given(chat: ChatService) -> None:
    session = uuid.uuid4().hex
    peak = calls(ask(chat, "今天积水水位峰值多少", session), "query_figures")[0]
    reply = ask(chat, "离报警值还差多少？", session)
    query = calls(reply, "query_figures")[0]
    assert query["statistic"] == "max" and query["period"] == peak["period"] and query["reached"] == "alarm"
    assert re.search(r"距报警线 [0-9.]+ cm (?:还差|，已越过)|已越过报警线", reply.answer) and "今天" in reply.answer
    assert not calls(reply, "open_alarms")


def test_a_bulk_close_declined_says_nothing_was_written(chat: ChatService) -> None:
    session = uuid.uuid4().hex
    ask(chat, "有哪些超期案件？", session)
    reply = ask(chat, "行，这些全部直接给我结案，不用再跟我确认了", session)
    assert "未执行任何写操作" in reply.answer and not reply.tool_calls


def test_lost_components_of_a_district_are_counted_by_kind(world, chat: ChatService) -> None:
    district = world.lexicon.districts[0]
    query = calls(ask(chat, f"{district.name}有没有登记为丢失的部件？都是啥类型"), "query_figures")[0]
    assert (query["measure"], query["asset_status"], query["group_by"]) == ("assets", ["丢失"], "category")


def test_a_period_is_cut_into_calendar_months_weeks_or_days() -> None:
    now = datetime(2026, 12, 5, 18, tzinfo=CHINA)
    assert calendar_spans("2026-10-01..2026-12-05", "month", now) == [
        ("2026-10", "2026-10-01..2026-10-31"), ("2026-11", "2026-11-01..2026-11-30"), ("2026-12", "2026-12-01..2026-12-05")]
    weeks = calendar_spans("2026-11-25..2026-12-05", "week", now)  # a Wednesday to a Saturday
    assert weeks == [("2026-11-25", "2026-11-25..2026-11-29"), ("2026-11-30", "2026-11-30..2026-12-05")]
    assert len(calendar_spans("2026-12", "day", now)) == 5  # today the last day, the rest of the month not yet


def test_counts_by_month_and_by_week_are_counted_span_by_span(world, chat: ChatService) -> None:
    reply = ask(chat, "國慶以來全市案件總量是多少？按月分開看")
    query = calls(reply, "query_figures")[0]
    assert query["group_by"] == "month"
    for key, span in calendar_spans(query["period"], "month", clock.now()):
        assert f"{int(key[5:])}月 {world.client.case_stats(span)['total']} 件" in reply.answer
    weekly = calls(ask(chat, "近四周每周案件量走势"), "query_figures")[0]
    today = clock.now().astimezone(CHINA).date()
    monday = today - timedelta(days=today.weekday())
    assert (weekly["group_by"], weekly["period"]) == ("week", f"{monday - timedelta(days=21):%Y-%m-%d}..{today:%Y-%m-%d}")


def test_each_day_of_a_span_counted_with_a_channel(chat: ChatService) -> None:
    query = calls(ask(chat, "近三天12345渠道进来多少件？每天分别多少"), "query_figures")[0]
    assert (query["group_by"], query["source"]) == ("day", "12345")


def test_an_event_kind_ranked_by_district_is_its_cases(world, chat: ChatService) -> None:
    kind = next(n for n in world.lexicon.nodes.values() if n.label == "EventCategory" and n.name == "机动车乱停放")
    query = calls(ask(chat, "最近7天机动车乱停放哪个区最多，哪个区最少？"), "query_figures")[0]
    assert (query["measure"], query["category"], query["group_by"]) == ("cases", kind.id, "district")


def test_a_month_named_in_english_and_a_mean_time_asked_in_plain_words(chat: ChatService) -> None:
    query = calls(ask(chat, "市燃气集团的按期处置率有没有到90%? Give me the November number"), "query_figures")[0]
    year = clock.now().year if clock.now().month >= 11 else clock.now().year - 1
    assert query["period"] == f"{year}-11" and query["measure"] == "按期处置率"
    mean = calls(ask(chat, "市供水公司最近处理一件事平均要多长时间？"), "query_figures")
    assert mean and mean[0]["measure"] == "平均处置时长_小时" and mean[0]["departments"]


def test_the_lowest_of_a_ranking_just_shown_is_that_one(world, chat: ChatService) -> None:
    session = uuid.uuid4().hex
    ranked = calls(ask(chat, "本月各区案件量按从多到少排一下", session), "query_figures")[0]
    assert ranked["order"] == "desc" and ranked["group_by"] == "district"
    per = {code: world.client.case_stats(ranked["period"], code)["total"] for code in (d.id for d in world.lexicon.districts)}
    query = calls(ask(chat, "最少那个区的超期案件呢", session), "query_figures")[0]
    assert query["measure"] == "overdue" and per[query["district"]] == min(per.values()) and not query.get("group_by")


def test_asset_follow_ups_keep_the_kind_and_the_districts(world, chat: ChatService) -> None:
    session = uuid.uuid4().hex
    district = world.lexicon.districts[0]
    ask(chat, f"{district.name}有多少个消防栓", session)
    states = calls(ask(chat, "有没有损坏或者丢失的？在哪些网格", session), "query_figures")[0]
    assert states["asset_status"] == ["破损", "丢失"] and states["list_assets"] and states["district"] == district.id
    session = uuid.uuid4().hex
    ask(chat, "哪个区的井盖最多", session)
    reply = ask(chat, "那最少的呢，差多少", session)
    query = calls(reply, "query_figures")[0]
    assert (query["group_by"], query["order"], query["spread"]) == ("district", "asc", True)
    counts = world.client.asset_stats(query["asset_categories"], None, None, "district")["groups"]
    gap = max(g["count"] for g in counts) - min(g["count"] for g in counts)
    assert f"相差 {gap} 个" in reply.answer


def test_a_bureaus_counts_of_last_week_and_then_its_rate_beside_the_city(world, chat: ChatService) -> None:
    session = uuid.uuid4().hex
    bureau = next(n for n in world.lexicon.nodes.values() if n.id.endswith("-district_chengguan"))
    counts = calls(ask(chat, f"{bureau.name}上周的应处置数和按期处置数分别多少", session), "query_figures")
    today = clock.now().astimezone(CHINA).date()
    monday = today - timedelta(days=today.weekday())
    last_week = f"{monday - timedelta(days=7):%Y-%m-%d}..{monday - timedelta(days=1):%Y-%m-%d}"
    assert [(q["measure"], q["period"]) for q in counts] == [("应处置数", last_week), ("按期处置数", last_week)]
    rate = calls(ask(chat, "那按期处置率算出来是多少？跟全市平均比呢", session), "query_figures")[0]
    assert (rate["measure"], rate["period"], rate["departments"], rate["beside_all"]) == ("按期处置率", last_week, [bureau.id], True)


def test_departments_pulled_in_are_set_beside_the_one_asked(chat: ChatService) -> None:
    session = uuid.uuid4().hex
    ask(chat, "上个月市燃气集团的按期处置率多少", session)
    query = calls(ask(chat, "把市供水公司和市供电公司也拉进来一起比比", session), "query_figures")[0]
    assert len(query["departments"]) == 3 and query["departments"][0] == "dept-gas" and query["group_by"] == "department"


def test_a_hotline_agents_regrouping_is_a_question_not_a_report(chat: ChatService) -> None:
    session = uuid.uuid4().hex
    ask(chat, "最近7天从12345热线进来的案件有多少", session, role="hotline")
    reply = ask(chat, "按大类分一下，前3是哪几类", session, role="hotline")
    query = calls(reply, "query_figures")[0]
    assert (query["group_by"], query["top"], query["source"]) == ("major", 3, "12345") and not calls(reply, "triage_report")


def test_a_count_reaching_today_says_today_is_so_far(chat: ChatService) -> None:
    reply = ask(chat, "近三天12345渠道进来多少件？每天分别多少")
    assert "今天的数字截至当前" in reply.answer
    assert "截至当前" not in ask(chat, "上个月全市案件多少").answer


def test_a_top_five_with_only_three_above_zero_names_three_and_says_the_rest_are_zero() -> None:
    query = FigureQuery(measure="超期处置数", period="2026-11-30..2026-12-05", group_by="department", order="desc", top=5)
    rows = [{"key": "水务局", "value": 4}, {"key": "A3区城管局", "value": 1}, {"key": "A7区城管局", "value": 1}] + [
        {"key": f"部门{i}", "value": 0} for i in range(5)]
    data = {"measure": "超期处置数", "rows": rows, "total": {"key": "", "value": 6}, "start": "2026-11-30T00:00:00+08:00",
            "end": "2026-12-06T00:00:00+08:00", "period": "2026-11-30..2026-12-05"}
    understood = Understood(query, period=Period(query.period, "本周（11月30日至今）", date(2026, 11, 30), date(2026, 12, 5)),
                            question="本周超期处置数最多的前五个部门")
    answer = compose_figures(data, understood, str)
    assert "A7区城管局 1 件；只有以上这几个不为 0，其余均为 0 件" in answer and "部门0" not in answer
