"""Issue 15's figure questions: periods as officials say them, one typed query for any combination of
measure × place × period × grouping × ranking × comparison, counted by the services, and unknown places."""

from __future__ import annotations

from datetime import datetime

import pytest

from assistant.figures import understand, unknown_place
from assistant.periods import find_period
from assistant.slots import fill_slots
from core.times import CHINA
from tools.figures import run_query
from tools.query_spec import FigureQuery

SATURDAY = datetime(2026, 12, 5, 18, 0, tzinfo=CHINA)


@pytest.mark.parametrize(("words", "api", "label_has"), [
    ("这个月全市一共受理了多少案件", "2026-12", "本月"),
    ("上个月哪个部门最低", "2026-11", "上个月"),
    ("11月份A3区的案件", "2026-11", "2026年11月"),
    ("十月份", "2026-10", "2026年10月"),
    ("上周比再上一周", "2026-11-23..2026-11-29", "上周"),
    ("上上周", "2026-11-16..2026-11-22", "上上周"),
    ("本周A1区立案多少件", "2026-11-30..2026-12-05", "本周"),
    ("最近7天哪类最多", "2026-11-29..2026-12-05", "近7天（11月29日至今）"),  # calendar days, today the last
    ("近三天", "2026-12-03..2026-12-05", "近3天"),
    ("过去一个月", "last30d", "近30天"),  # a month of them: the 30 × 24 hours the analytics take
    ("12月1日到3日的案件", "2026-12-01..2026-12-03", "12月1日至12月3日"),
    ("国庆以来占道经营", "2026-10-01..2026-12-05", "国庆以来"),
    ("昨天各区", "2026-12-04", "昨天"),
    ("前天", "2026-12-03", "前天"),
])  # fmt: skip
def test_periods_as_officials_say_them(words: str, api: str, label_has: str) -> None:
    period = find_period(words, SATURDAY)
    assert period is not None and period.api == api and label_has in period.label


def test_no_period_named_is_none_and_the_month_before_a_month_is_a_month() -> None:
    assert find_period("A1区有多少工单", SATURDAY) is None
    assert find_period("11月", SATURDAY).previous().api == "2026-10"
    assert find_period("上周", SATURDAY).previous().api == "2026-11-16..2026-11-22"


def _ask(world, question: str, memory: dict | None = None):
    slots = fill_slots(question, world.lexicon, SATURDAY)
    return understand(question, slots, world.lexicon, SATURDAY, memory, follow_up=memory is not None)


def test_any_combination_is_one_query(world) -> None:
    first, second = world.lexicon.districts[0], world.lexicon.districts[1]
    q = _ask(world, f"上个月{first.name}哪类案件最多，前三").query
    assert (q.measure, q.period, q.district, q.group_by, q.order, q.top) == (
        "cases",
        "2026-11",
        first.id,
        "category",
        "desc",
        3,
    )
    q = _ask(world, "上个月哪个部门按期处置率最低").query
    assert (q.measure, q.group_by, q.order, q.top) == ("按期处置率", "department", "asc", 1)
    q = _ask(world, "本月12345热线来的案件各区多少，和上个月比呢").query
    assert (q.source, q.group_by, q.period, q.compare_period) == ("12345", "district", "2026-12", "2026-11")
    u = _ask(world, "市水务局11月的结案率和返工率")
    assert [x.measure for x in u.queries()] == ["结案率", "返工率"] and u.query.departments == ["dept-water"]
    city = _ask(world, f"{first.name}城管局这个月按期处置率").query
    assert city.departments == [
        f"dept-{first.id}-district_chengguan"
    ]  # the district's bureau, not the city's
    follow = _ask(world, f"那{second.name}呢？", _ask(world, f"上周{first.name}立案多少件").memory())
    assert (follow.query.district, follow.query.period) == (second.id, "2026-11-23..2026-11-29")
    assert _ask(world, "现在还有多少案子超期没办完").query is None  # cases as they stand: the case search


def test_a_place_the_city_does_not_have_is_named_not_widened(world) -> None:
    assert unknown_place("A8区本月案件多少", world.lexicon) == "A8区"
    assert unknown_place("990108这个区的告警", world.lexicon) == "990108"
    assert unknown_place("B市现在的体征", world.lexicon) == "B市"
    assert unknown_place(f"{world.lexicon.districts[2].name}本月案件", world.lexicon) is None


def test_the_executor_counts_in_the_database_keeps_ties_and_computes_the_change(world) -> None:
    districts = [d.id for d in world.lexicon.districts]
    per = run_query(
        world.client, FigureQuery(measure="cases", period="last30d", group_by="district"), districts
    )
    assert [r.value for r in per.rows] == [world.client.case_stats("last30d", d)["total"] for d in districts]
    assert per.total.value == world.client.case_stats("last30d")["total"] == sum(r.value for r in per.rows)
    top = run_query(
        world.client,
        FigureQuery(measure="cases", period="last30d", group_by="district", order="desc", top=1),
        districts,
    )
    best = max(r.value for r in per.rows)
    assert {r.key for r in top.rows} == {
        r.key for r in per.rows if r.value == best
    }  # every district tied at the top
    today = world.client.case_stats("last1d")["data_since"][:10]  # the world's cases are all of one day
    compared = run_query(world.client, FigureQuery(measure="cases", period=today, compare_period=today), districts)
    assert compared.total.value > 0 and compared.change == compared.total.value - compared.previous.total.value


def test_a_case_id_ending_in_a_letter_before_市民_is_no_city(world) -> None:
    assert unknown_place("C20261205-3EA0C5DE 市民撤诉了，作废", world.lexicon) is None
    assert unknown_place("C20261205-3EA0C5DE市民撤诉了", world.lexicon) is None


def test_asset_counts_are_counted_in_the_graph_per_district_and_state(world) -> None:
    district = world.lexicon.districts[0]
    covers = _ask(world, "全市井盖有多少个，其中破损或丢失的有几个").query
    assert covers.measure == "assets" and len(covers.asset_categories) == 7 and covers.group_by == "status"
    lamps = _ask(world, f"{district.name}一共有几个路灯").query
    assert (lamps.measure, lamps.asset_categories, lamps.district) == (
        "assets",
        ["component-0110"],
        district.id,
    )
    assert (
        _ask(world, "帮我看下云峰路那几盏路灯运行情况").query is None
        or _ask(world, "帮我看下云峰路那几盏路灯运行情况").query.measure != "assets"
    )
    per = run_query(
        world.client,
        FigureQuery(measure="assets", asset_categories=["component-0110"], group_by="district"),
        [],
    )
    whole = world.client.asset_stats(["component-0110"])
    assert per.total.value == whole["total"] == sum(r.value for r in per.rows) > 0
    broken = world.client.asset_stats(["component-0110"], status=["破损"])["total"]
    assert 0 <= broken < whole["total"]


def test_sensors_thresholds_and_the_future_are_not_period_figures_or_asset_counts(world) -> None:
    for question in (
        "桥梁应变传感器有几个",
        "变电箱负载率超过80%的有哪些",
        "明天案件会比今天多吗",
        "按期处置率怎么算的",
    ):
        query = _ask(world, question).query
        assert query is None or query.measure != "assets", question
    tomorrow = _ask(world, "明天案件会比今天多吗").query
    assert (tomorrow.measure, tomorrow.period, tomorrow.compare_period) == ("forecast", "2026-12-06..2026-12-06",
                                                                           "2026-12-05")  # fmt: skip
    single = find_period("昨天", SATURDAY).previous()
    assert single.api == "2026-12-03" and single.label == "前一期（12月3日）"


def test_reading_questions_are_one_query_of_kind_place_window_statistic_and_filter(world) -> None:
    district = world.lexicon.districts[1]
    q = _ask(world, "全市可燃气体浓度现在最高的是哪个点，多少%LEL").query
    assert (q.measure, q.sensor_kind, q.statistic, q.order, q.district) == (
        "readings", "gas_concentration", "latest", "desc", None)  # fmt: skip
    q = _ask(world, "过去24小时供水压力最低到多少MPa？哪个传感器").query
    assert (q.sensor_kind, q.hours, q.statistic, q.order) == ("water_pressure", 24, "min", "asc")
    q = _ask(world, "井盖位移超过20mm的有没有").query
    assert (q.sensor_kind, q.above, q.below) == ("manhole_displacement", 20.0, None)
    q = _ask(world, "供水压力低于0.22的监测点有哪些").query
    assert (q.sensor_kind, q.below) == ("water_pressure", 0.22)
    first = _ask(world, f"{district.name}有哪些水位传感器")
    assert (first.query.measure, first.query.district, first.query.period) == ("readings", district.id, None)
    peaks = _ask(world, "它们今天的峰值分别多少", first.memory()).query
    assert (peaks.sensor_kind, peaks.district, peaks.period, peaks.statistic) == (
        "water_level", district.id, "2026-12-05", "max")  # fmt: skip
    three_days = _ask(world, "桥梁应变最近三天的最大值是多少").query
    assert three_days.period == "2026-12-03..2026-12-05"  # today counts as one of the three
    assert _ask(world, f"{district.name}一共有几个路灯").query.measure == "assets"  # a count of lamps, not readings
    assert _ask(world, "哪些井盖在报警").query is None  # alarms answer that


def test_readings_are_counted_over_every_sensor_with_thresholds_levels_and_codes(world) -> None:
    gas = run_query(world.client, FigureQuery(measure="readings", sensor_kind="gas_concentration"), [])
    every = world.client.sensors(kind="gas_concentration", limit=10_000)
    reporting = [s["last_value"] for s in every if s["last_value"] is not None]
    assert gas.sensors == len(every) and gas.reporting == len(reporting)
    assert gas.rows[0].value == max(reporting) and gas.rows[0].level == "alarm"
    assert gas.levels.get("alarm") == sum(v >= every[0]["thresholds"]["alarm"] for v in reporting) > 0
    high = run_query(world.client, FigureQuery(measure="readings", sensor_kind="water_level", above=50), [])
    assert high.total.value == sum(1 for s in world.client.sensors(kind="water_level", limit=10_000)
                                   if s["last_value"] is not None and s["last_value"] > 50)  # fmt: skip
    pumps = run_query(world.client, FigureQuery(measure="readings", sensor_kind="pump_status"), [])
    assert pumps.codes.get("2", 0) >= 1 and all(r.value != 1 for r in pumps.rows)  # the faulty ones are named
    window = run_query(world.client, FigureQuery(measure="readings", sensor_kind="water_level", hours=2), [])
    assert window.rows and window.rows[0].value == max(r.value for r in window.rows)


def test_forecast_questions_name_days_units_intervals_and_the_backtest(world) -> None:
    week = _ask(world, "预测一下下周全市每天的案件量")
    assert (week.query.measure, week.query.period) == ("forecast", "2026-12-07..2026-12-13")
    assert "下周" in week.period.label
    three = _ask(world, f"未来3天{world.lexicon.districts[0].name}案件数预测，带95%区间")
    assert (three.query.horizon, three.query.district) == (3, world.lexicon.districts[0].id)
    monday = _ask(world, "下周一A3区大概会有多少件案子").query
    assert monday.period == "2026-12-07..2026-12-07"
    follow = _ask(world, "那A5区呢", _ask(world, "未来两天全市案件量预测").memory()).query
    assert (follow.measure, follow.horizon, follow.district) == ("forecast", 2, "990105")
    water = _ask(world, "未来24小时A2区积水水位会不会超过警戒").query
    assert (water.measure, water.sensor_kind, water.horizon, water.district) == ("forecast", "water_level", 24, "990102")


def test_open_cases_now_bottom_ranks_asset_follow_ups_and_groupings(world) -> None:
    open_now = _ask(world, "哪个区未结的案子最少？")
    assert open_now.query.measure == "open" and open_now.query.period.startswith("2000-01-01..")
    assert open_now.period.label.startswith("当前") and not open_now.assumed_period
    bottom = _ask(world, "倒数三名是哪几个区", _ask(world, "上个月各区案件量是多少").memory()).query
    assert (bottom.order, bottom.top, bottom.period, bottom.group_by) == ("asc", 3, "2026-11", "district")
    district, other = world.lexicon.districts[1], world.lexicon.districts[3]
    bridges = _ask(world, f"{district.name}有多少座桥")
    assert bridges.query.measure == "assets" and bridges.query.asset_categories == ["component-0204"]
    again = _ask(world, f"{other.name}呢", bridges.memory()).query
    assert (again.measure, again.district, again.asset_categories) == ("assets", other.id, ["component-0204"])
    both = _ask(world, f"{district.name}泵站和水闸分别有多少").query
    assert both.group_by == "category" and len(both.asset_categories) == 2
    per = run_query(world.client, both, [])
    assert {r.key for r in per.rows} <= set(both.asset_categories)  # ids the answer can name


def test_a_period_before_the_first_case_on_record_is_said_to_hold_no_record(world) -> None:
    first = world.client.case_stats("2026")["data_since"]
    assert first  # the world has cases
    before = run_query(world.client, FigureQuery(measure="cases", period="2020"), [])
    day = f"{first[:4]}年{int(first[5:7])}月{int(first[8:10])}日"
    assert day in before.note and before.note.endswith("/ none")
    compared = run_query(world.client, FigureQuery(measure="cases", period="2026-12", compare_period="2020-12"), [])
    # Against a month wholly before the record: no figure beside it at all (a 0 there is no count), said so.
    assert compared.previous is None and compared.change is None and compared.change_pct is None
    assert "无法比较" in compared.note and day in compared.note and "2020-12" in compared.note


def test_a_department_asked_how_it_did_gets_its_figures_not_a_refusal(world) -> None:
    from assistant.refusals import refusal

    assert refusal("A2区城市管理和综合执法局这个月表现怎么样") is None
    assert refusal("张局长表现怎么样") is not None


def test_several_districts_are_set_side_by_side_and_names_are_resolved(world) -> None:
    first, second = world.lexicon.districts[0], world.lexicon.districts[1]
    both = run_query(world.client, FigureQuery(measure="cases", period="last30d", districts=[first.name, second.id]), [])
    assert [r.key for r in both.rows] == [first.id, second.id]
    assert [r.value for r in both.rows] == [world.client.case_stats("last30d", d)["total"] for d in (first.id, second.id)]


def test_a_vital_sign_asked_by_name_is_not_a_count_or_a_reading(world) -> None:
    for question in ("路灯故障率是多少", "供水压力合格率现在多少？正常不"):
        query = _ask(world, question).query
        assert query is None or query.measure not in ("assets", "readings"), question
    assert "vitals" in [str(i) for i in world.recognizer.by_rules("供水压力合格率现在多少")]


def test_assets_on_a_road_by_state_with_shares_and_both_ends_of_a_ranking(world) -> None:
    roads = [n.name for n in world.lexicon.nodes.values() if n.label == "Road"]
    name = next(r for r in roads if world.client.asset_stats(None, None, None, None, r)["total"] > 0)
    on_road = _ask(world, f"{name}上有多少个部件？不是完好的有几个")
    assert (on_road.query.place, on_road.query.group_by) == (name, "status")
    figures = run_query(world.client, on_road.query, [])
    counted = world.client.asset_stats(None, None, None, "status", name)
    assert figures.total.value == counted["total"] > 0
    assert figures.not_intact == counted["total"] - sum(g["count"] for g in counted["groups"] if g["key"] == "完好")
    rate = _ask(world, "全市垃圾箱破损率多少").query
    assert rate.measure == "assets" and rate.group_by == "status"
    shares = run_query(world.client, rate, []).shares
    assert set(shares) <= {"完好", "破损", "丢失", "废弃", "移除", "非完好"}
    assert abs(shares["非完好"] - (100 - shares.get("完好", 0))) <= 0.2  # every state but 完好, as one share
    together = _ask(world, "全市井盖里破损或者丢失的有多少？占井盖总数百分之几").query
    assert sorted(together.asset_status) == ["丢失", "破损"] and together.share_of_all
    answer = run_query(world.client, together, [])
    every_cover = world.client.asset_stats(together.asset_categories, None, None, None, None)["total"]
    assert answer.all_total == every_cover and answer.share_pct == round(answer.total.value / every_cover * 100, 1)
    lost = _ask(world, f"{world.lexicon.districts[0].name}丢失的井盖都是哪几类").query
    assert (lost.group_by, lost.asset_status) == ("category", ["丢失"])
    both = _ask(world, "哪个区路灯最多？最少的又是哪个区").query
    assert (both.measure, both.group_by) == ("assets", "district")


def test_a_share_of_all_a_compared_period_named_in_a_follow_up_and_it_as_the_top_one(world) -> None:
    share = _ask(world, "上周12345热线来的案件有多少，占全部案件的百分之几")
    figures = run_query(world.client, share.query, [])
    everything = world.client.case_stats(share.query.period)["total"]
    assert figures.all_total == everything and (everything == 0 or figures.share_pct == round(figures.total.value / everything * 100, 1))
    week = _ask(world, "本周全市受理了多少件案子")
    versus = _ask(world, "跟上周比是多了还是少了", week.memory())
    assert (versus.query.period, versus.query.compare_period) == (week.query.period, "2026-11-23..2026-11-29")
    ranking = _ask(world, "上个月哪个部门返工数最多")
    memory = ranking.memory() | {"figures_top": "dept-water"}
    it = _ask(world, "那它上个月的按期处置率是多少", memory).query
    assert (it.departments, it.group_by, it.top) == (["dept-water"], None, None)


def test_a_peak_is_said_beside_a_line_it_does_not_pass_and_since_yesterday_is_two_days(world) -> None:
    since = find_period("从昨天到现在最高水位", SATURDAY)
    assert (since.first.day, since.last.day) == (4, 5) and since.label.startswith("昨天至今")
    query = _ask(world, "从昨天到现在全市积水监测点最高水位到过多少？有没有超过1000cm的报警线").query
    assert (query.measure, query.above, query.statistic) == ("readings", 1000.0, "max")
    recent = query.model_copy(update={"period": None, "hours": 24})  # the world's readings are of the last hour
    figures = run_query(world.client, recent, [])
    assert figures.rows == [] and figures.highest is not None  # none passes the line, the peak is still said


def test_two_periods_a_city_average_a_listing_and_the_count_before_with_what_is_left(world) -> None:
    both = _ask(world, "这个月12345热线来的案子有多少件？上个月全月是多少").query
    assert (both.period, both.compare_period, both.source) == ("2026-12", "2026-11", "12345")
    average = _ask(world, f"{world.lexicon.districts[0].name}城管局本月的按期处置率比全市平均高还是低").query
    assert average.beside_all and average.departments
    figures = run_query(world.client, average, [])
    city = run_query(world.client, average.model_copy(update={"departments": [], "district": None, "beside_all": False}), [])
    assert figures.all_total == (city.total.value if city.total else None)
    listed = _ask(world, f"{world.lexicon.districts[0].name}的桥梁有哪些").query
    assert listed.list_assets
    items = run_query(world.client, listed, []).items
    assert len(items) == run_query(world.client, listed, []).total.value and all(i.status for i in items)
    yesterday = _ask(world, "昨天全市收了多少案子")
    left = _ask(world, f"{world.lexicon.districts[4].name}呢，还有几件没办完", yesterday.memory())
    assert (left.query.measure, left.also, left.query.district) == ("cases", ["open"], world.lexicon.districts[4].id)


def test_two_departments_side_by_side_with_their_gap_and_a_departments_indicators_分别(world) -> None:
    two = _ask(world, "上个月市城管局和市水务局的按期处置率，谁高？差几个百分点？").query
    assert two.group_by == "department" and len(two.departments) == 2
    figures = run_query(world.client, two, [])
    rows = [r.value for r in figures.rows]
    if len(rows) == 2 and None not in rows:
        assert figures.gap == round((rows[0] - rows[1]) * 100, 2)
    else:
        assert figures.gap is None  # no gap without both figures
    first, second = world.lexicon.districts[0], world.lexicon.districts[2]
    pair = run_query(world.client, FigureQuery(measure="cases", period="last30d", districts=[first.id, second.id]), [])
    counts = [world.client.case_stats("last30d", d)["total"] for d in (first.id, second.id)]
    assert pair.gap == counts[0] - counts[1]
    each = _ask(world, "今年以来市水务局的按期处置率和平均处置时长分别是多少")
    assert each.query.group_by is None and each.also == ["平均处置时长_小时"]


def test_quarters_halves_a_rate_bound_and_a_listing_with_places(world) -> None:
    assert find_period("本季度到现在", SATURDAY).api == "2026-10-01..2026-12-05"
    assert find_period("上季度", SATURDAY).api == "2026-07-01..2026-09-30"
    assert find_period("上半年", SATURDAY).api == "2026-01-01..2026-06-30"
    bound = _ask(world, "这个月按期处置率不到百分之六十的单位都有哪些？").query
    assert (bound.below, bound.group_by) == (0.6, "department")
    kept = run_query(world.client, bound, []).rows
    assert all(r.value is not None and r.value < 0.6 for r in kept)
    listed = _ask(world, f"列几个{world.lexicon.districts[1].name}的路灯出来，要带具体位置").query
    assert listed.measure == "assets" and listed.list_assets
    items = run_query(world.client, listed, []).items
    assert items and all(i.address for i in items)


def test_a_second_district_in_a_follow_up_the_spread_and_the_count_asked_first(world) -> None:
    first, second = world.lexicon.districts[2], world.lexicon.districts[4]
    before = _ask(world, f"11月份{first.name}案件多少件")
    both = _ask(world, f"那{second.name}呢？顺便说下两个区差几件", before.memory()).query
    assert (both.districts, both.group_by) == ([first.id, second.id], "district")
    ranked = _ask(world, "11月各区城管局的按期处置率从高到低排一下，最高和最低差距多少").query
    assert ranked.spread
    counts = _ask(world, "昨儿一天全市进了多少件案子？还挂着没结的几件")
    assert (counts.query.measure, counts.also) == ("cases", ["open"])
    channel = _ask(world, "12345渠道这个月转过来的单子一共几件，里头超期的有几件")
    assert (channel.query.source, channel.query.group_by) == ("12345", None)
    week = _ask(world, "这礼拜(周一到今天)全市案件量，跟上周比比涨了还是跌了").query
    assert week.compare_period == "2026-11-23..2026-11-29"


def test_assets_beside_the_district_asked_before_and_a_state_with_none(world) -> None:
    first, second = world.lexicon.districts[1], world.lexicon.districts[5]
    before = _ask(world, f"{first.name}的垃圾箱有多少个")
    both = _ask(world, f"那{second.name}呢，比{first.name}多还是少", before.memory()).query
    assert set(both.districts) == {first.id, second.id} and both.group_by == "district"
    figures = run_query(world.client, both, [])
    counts = [world.client.asset_stats(["component-0113"], r.key, None, None)["total"] for r in figures.rows]
    assert figures.gap == counts[0] - counts[1]  # the first row's count minus the second's, as the answer says


def test_the_same_bureau_in_another_district_and_a_forecast_asked_in_english(world) -> None:
    first, second = world.lexicon.districts[3], world.lexicon.districts[0]
    before = _ask(world, f"{first.name}城管局上个月按期处置率多少")
    other = _ask(world, f"比{second.name}的高还是低？", before.memory()).query
    assert set(other.departments) == {f"dept-{first.id}-district_chengguan", f"dept-{second.id}-district_chengguan"}
    assert other.group_by == "department"
    english = _ask(world, f"forecast一下{world.lexicon.districts[4].name}未来两天的case volume").query
    assert (english.measure, english.horizon) == ("forecast", 2)


def test_lost_parts_per_district_and_a_peak_below_the_watch_line(world) -> None:
    lost = _ask(world, "状态是“丢失”的部件全市有多少个？哪个区最多？").query
    assert (lost.measure, lost.asset_status, lost.group_by) == ("assets", ["丢失"], "district")


def test_recent_days_are_the_citys_days_and_the_days_before_them_are_as_long(world) -> None:
    """Before 08:00 China time the UTC date is yesterday's: "近三天" of readings once ended the day before, missing
    the night's rainstorm; and "跟再往前7天比" compared 7 × 24 hours with 8 calendar days."""
    from assistant.readings import understand_readings
    from core.times import period_bounds

    dawn = datetime(2026, 12, 6, 6, 30, tzinfo=CHINA)
    question = "A3区积水水位近三天有没有超过20cm"
    _, period = understand_readings(question, fill_slots(question, world.lexicon, dawn), dawn, None, False)
    assert period.last.isoformat() == "2026-12-06" and period.first.isoformat() == "2026-12-04"
    week = find_period("最近7天", dawn)
    before = week.previous()
    _, since, until = period_bounds(before.api, dawn)
    _, start, _ = period_bounds(week.api, dawn)
    assert until == start and (until - since).days == 7 and "再往前7天" in before.label


def test_a_threshold_line_named_in_a_reading_question_filters_and_is_judged(world) -> None:
    peak = _ask(world, "A3区水位传感器过去24小时最高到多少厘米？过没过报警线").query
    assert (peak.sensor_kind, peak.hours, peak.reached) == ("water_level", 24, "alarm")
    over = _ask(world, "井钙倾斜 现在有超标的吗").query
    assert (over.measure, over.sensor_kind, over.reached, over.hours, over.period) == (
        "readings", "manhole_tilt", "watch", None, None)  # fmt: skip
    figures = run_query(world.client, over, [])
    watch = world.client.sensors(kind="manhole_tilt", limit=10_000)[0]["thresholds"]["watch"]
    past = [s for s in world.client.sensors(kind="manhole_tilt", limit=10_000)
            if s["last_value"] is not None and s["last_value"] >= watch]  # fmt: skip
    assert figures.total.value == len(past) and all(r.level for r in figures.rows)
    assert _ask(world, "桥梁挠度 过去一天平均和最大值").query.hours == 24
    day = _ask(world, "积水水位过去一天平均和最大值").query
    assert (day.sensor_kind, day.hours, day.statistic) == ("water_level", 24, "mean")
    whole = run_query(world.client, day, [])
    assert whole.overall["max"] == max(r.value for r in run_query(
        world.client, day.model_copy(update={"statistic": "max"}), []).rows)  # fmt: skip


def test_a_forecast_of_the_extreme_sensor_and_against_the_line_asked(world) -> None:
    low = _ask(world, "供水管网压力最低的那个传感器，往后12个小时预测能回到正常吗").query
    assert (low.measure, low.sensor_kind, low.top, low.horizon) == ("forecast", "water_pressure", 1, 12)
    line = _ask(world, "未来24小时A3区积水水位会不会到报警线？").query
    assert (line.reached, line.top) == ("alarm", None)
    which = _ask(world, "未来24小时A3区哪些点位水位会超过警戒线？").query
    assert (which.measure, which.reached, which.top) == ("forecast", "warning", 20)  # each of them, listed


def test_a_forecast_verdict_says_will_may_or_will_not_and_the_trend() -> None:
    from assistant.forecasts import _verdict
    from services.monitoring.alarm_rules import Thresholds
    from tools.forecast_figures import trend

    limits = {"direction": "above", "watch": 10.0, "warning": 20.0, "alarm": 40.0}
    row = {"key": "S1", "value": 21.1, "latest": 29.8, "interval": {"bound95": 25.1}}
    assert _verdict([row], limits, "cm", "alarm").startswith("预计不会达到报警阈值 40 cm")
    assert _verdict([row], limits, "cm", "warning").startswith("当前已超过预警阈值 20 cm，预计仍将超过预警阈值 20 cm（仍处于预警级）")
    assert "可能触及" in _verdict([row | {"value": 18.0}], limits, "cm", "warning")
    pressure = {"direction": "below", "watch": 0.22, "warning": 0.18, "alarm": 0.12}
    burst = {"key": "S2", "value": 0.03, "latest": 0.0, "interval": {"bound95": -0.03}}
    assert "不能回到正常" in _verdict([burst], pressure, "MPa", None) and "预计仍将低于报警阈值" in _verdict([burst], pressure, "MPa", None)
    level = Thresholds("above", 10.0, 20.0, 40.0)
    assert (trend(29.8, 20.4, level), trend(20.0, 20.3, level), trend(1.0, 9.0, level)) == ("down", "flat", "up")


def test_every_kind_of_component_in_a_state_is_counted_and_the_listed_ones_are_in_that_state(world) -> None:
    # "A7区丢失的部件有哪些" (a dev11 miss): every kind of component, the lost ones, listed as lost.
    district = world.lexicon.districts[-1]
    for question in (f"{district.name}丢失的部件有哪些", f"{district.name}有哪些部件丢失了", f"{district.name} 丢失的部件 有哪些"):
        query = _ask(world, question).query
        assert query is not None and (query.measure, query.asset_categories, query.district, query.asset_status) == (
            "assets", [], district.id, ["丢失"]), question
        assert query.list_assets
    figures = run_query(world.client, _ask(world, f"{district.name}丢失的部件有哪些").query, [])
    lost = world.client.asset_stats(None, district.id, ["丢失"])["total"]
    assert figures.total.value == lost
    assert figures.items and all(item.status == "丢失" for item in figures.items)


def test_a_departments_counts_asked_together_are_each_its_own_indicator(world) -> None:
    # "本周市供水公司按期处置了几件、超期了几件" (a dev11 miss): both counts, not only the overdue one.
    department = next(n for n in world.lexicon.nodes.values() if n.label == "Department" and "供水" in n.name)
    asked = _ask(world, f"本周{department.name}按期处置了几件、超期了几件？")
    assert [q.measure for q in asked.queries()] == ["按期处置数", "超期处置数"]
    assert asked.query.departments == [department.id] and asked.query.period == "2026-11-30..2026-12-05"
    assert _ask(world, f"{department.name}这个月按期处置率多少").also == []  # a rate alone stays alone


def test_how_listed_pumps_run_is_read_from_their_sensors(world) -> None:
    # "A3区的泵站都列出来" then "它们现在运行状态正常吗" (a dev11 miss): the pumps' running state, not their register.
    district = world.lexicon.districts[2]
    listed = _ask(world, f"{district.name}的泵站都列出来")
    assert listed.query.measure == "assets"
    running = _ask(world, "它们现在运行状态正常吗", listed.memory()).query
    assert (running.measure, running.sensor_kind, running.district) == ("readings", "pump_status", district.id)
    alone = _ask(world, f"{district.name}泵站现在运转正常吗").query
    assert (alone.measure, alone.sensor_kind) == ("readings", "pump_status")
    assert _ask(world, "它们有几座是完好的", listed.memory()).query.measure == "assets"
