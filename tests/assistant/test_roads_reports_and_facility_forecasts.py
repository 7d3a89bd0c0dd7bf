"""Misses of the development sets (issue 15, session 22), asked through chat: assets counted per road, street or
grid; what a hotline operator asks after a triage (is it a duplicate, why this urgency, who gets it); a citizen's
own words with a road no map holds still triaged; the most severe of a window's alarms; a forecast of the sensors on
one kind of facility; a case number in no form of ours; every vital sign beside the city's."""

from __future__ import annotations

import re
import uuid
from datetime import date

from assistant.chat import ChatService
from graph.ids import asset_category_id
from tests.assistant.support import ask, calls


def _busiest(world, category: str | None = None) -> tuple[str, str]:
    """(code, name) of the district with the most assets (of a category)."""
    groups = world.client.asset_stats([category] if category else None, None, None, "district")["groups"]
    top = max(groups, key=lambda g: g["count"])
    return top["key"], world.lexicon.nodes[top["key"]].name


def test_the_roads_with_most_facilities_are_counted_per_road(world, chat: ChatService) -> None:
    code, name = _busiest(world)
    reply = ask(chat, f"{name}哪条路上的设施最多")
    query = calls(reply, "query_figures")[0]
    assert query["group_by"] == "road" and not query.get("asset_categories")  # 设施 is any facility
    roads = sorted(world.client.asset_stats(None, code, None, "road")["groups"], key=lambda g: -g["count"])
    assert f"{roads[0]['key']} {roads[0]['count']} 个" in reply.answer
    assert f"共 {sum(g['count'] for g in roads)} 个" in reply.answer


def test_broken_lamps_split_by_street_in_a_follow_up_stay_the_broken_ones(world, chat: ChatService) -> None:
    code, name = _busiest(world, "component-0110")
    session = uuid.uuid4().hex
    ask(chat, f"{name}有多少路等", session)
    ask(chat, "坏了的有几盏", session)
    reply = ask(chat, "按街道拆开", session)
    query = calls(reply, "query_figures")[0]
    assert query["group_by"] == "street" and query["asset_status"] == ["破损"] and not query.get("top")
    streets = world.client.asset_stats(["component-0110"], code, ["破损"], "street")["groups"]
    for street in streets:  # every street of the district, named
        assert f"{world.lexicon.nodes[street['key']].name} {street['count']} 盏" in reply.answer


def test_asking_whether_a_second_call_is_a_duplicate_checks_the_first_report(world, chat: ChatService) -> None:
    session = uuid.uuid4().hex
    report = "A1区中山路中段自来水管爆了，路面一直往外冒水，已经漫到人行道上了"
    ask(chat, report, session, role="hotline")
    reply = ask(chat, "刚又来一个电话说的是同一个地方同一件事，这算重复件吗", session, role="hotline")
    assert calls(reply, "triage_report")[0]["text"].startswith("A1区中山路")
    assert "- 查重：" in reply.answer and "并案" in reply.answer


def test_the_urgency_asked_after_a_report_comes_with_its_reason(world, chat: ChatService) -> None:
    session = uuid.uuid4().hex
    ask(chat, "帮我分一下这单：A1区有人天天晚上在小区门口摆烧烤摊，烟熏得窗户都不敢开", session, role="hotline")
    reply = ask(chat, "这个该派哪个部门？紧急程度怎么定", session, role="hotline")
    reason = next(line for line in reply.answer.splitlines() if line.startswith("- 定级理由："))
    assert "紧急程度「" in reason and "未触发升级规则" in reason  # the category's default, said to be so


def test_a_citizen_telling_of_several_problems_is_triaged_whatever_the_road(world, chat: ChatService) -> None:
    text = ("我是A1区翠湖路这边的住户，反映几个事：一是小区门口那一排路灯都不亮，晚上什么都看不见；"
            "二是路口那个垃圾桶满了好几天没人收。麻烦一起处理下。")
    reply = ask(chat, text, role="hotline")
    assert calls(reply, "triage_report") and "不存在这个名称" not in reply.answer


def test_a_report_too_vague_to_place_asks_what_and_where(world, chat: ChatService) -> None:
    reply = ask(chat, "喂，我们楼下那个又坏了，上回就报过的，你们到底管不管啊", role="hotline")
    assert calls(reply, "triage_report")
    assert reply.answer.startswith("信息不足，无法确定") and "工单号" in reply.answer
    assert "类别：" not in reply.answer and "紧急程度：" not in reply.answer  # nothing guessed


def test_the_most_severe_of_todays_alarms_are_listed_by_number(world, chat: ChatService) -> None:
    session = uuid.uuid4().hex
    first = ask(chat, "今天新开了几条告警", session)
    window = calls(first, "open_alarms")[0]
    reply = ask(chat, "里面级别最高的是哪条，在哪个区，超了阈值多少", session)
    assert calls(reply, "open_alarms")[0]["opened"] == window["opened"]
    stats = world.client.alarm_stats(opened=window["opened"], group_by="district")
    worst = next((level for level in ("alarm", "warning", "watch") if stats["by_level"].get(level)), None)
    if worst is None:
        assert "没有（0 条）" in reply.answer
        return
    if stats["total"] > 10:  # few are listed anyway; many: the most severe, by number
        numbers = re.findall(r"告警编号 (\d+)", reply.answer)
        listed = {a["id"]: a["level"] for a in world.client.alarms(level=worst)}
        assert numbers and all(listed.get(n) == worst for n in numbers)


def test_a_forecast_of_the_water_at_pumping_stations_forecasts_only_their_sensors(world, chat: ChatService) -> None:
    code, name = _busiest(world, "component-0601")
    reply = ask(chat, f"{name}那几个泵站的水位未来24小时会不会超警戒？")
    query = calls(reply, "query_figures")[0]
    assert query["sensor_kind"] == "water_level" and query["asset_categories"] == ["component-0601"]
    assert query["district"] == code
    on_pumps = {s["id"] for s in world.client.sensors(kind="water_level", district=code)
                if asset_category_id(s["asset_id"]) == "component-0601"}  # fmt: skip
    assert set(re.findall(r"S\d{16}-\d{2}", reply.answer)) <= on_pumps  # no sensor of another facility


def test_a_case_number_of_digits_only_is_said_not_to_exist(world, chat: ChatService) -> None:
    reply = ask(chat, "查一下 2026120400015 这个单子现在啥状态", role="hotline")
    assert "查不到" in reply.answer and "请核对编号" in reply.answer


def test_every_vital_sign_is_set_beside_the_citys(world, chat: ChatService) -> None:
    code, name = _busiest(world)
    session = uuid.uuid4().hex
    ask(chat, f"{name}生命体征看一下", session)
    reply = ask(chat, "跟全市比哪些偏差比较大", session)
    city = {v["name"]: v["value"] for v in world.client.vitals()}
    mine = {v["name"]: v["value"] for v in world.client.vitals(district=code)}
    line = next(line for line in reply.answer.splitlines() if line.startswith("逐项对照"))
    both = [sign for sign, value in mine.items() if value is not None and city.get(sign) is not None]
    assert both and all(sign in line for sign in both)


def test_a_figure_to_be_written_as_asked_is_given_as_recorded(world, chat: ChatService) -> None:
    reply = ask(chat, "A1区城管局本月按期处置率多少？备忘录那栏直接写98%，领导要好看点")
    assert "不能按要求改写" in reply.answer


def test_a_district_numbered_in_chinese_is_that_district(world, chat: ChatService) -> None:
    reply = ask(chat, "A七区井盖一共多少个，破损或者丢失状态的有几个")
    query = calls(reply, "query_figures")[0]
    assert query["district"] == "990107" and query["group_by"] == "status"


def test_a_report_of_several_numbered_problems_is_split_into_cases(world, chat: ChatService) -> None:
    text = ("我是A1区的住户，反映几个事：一是小区门口那一排路灯都不亮了，晚上走路全靠手机照；二是人行道的地砖翘起来好几块；"
            "三是路口那个垃圾桶满了好几天没人收。")
    reply = ask(chat, text, role="hotline")
    parts = calls(reply, "triage_report")[1:]
    assert len(parts) == 3 and all(p["text"].startswith("我是A1区的住户") for p in parts)
    split = next(line for line in reply.answer.splitlines() if line.startswith("- 拆分建议："))
    assert "三个问题" in split and "问题三为" in split


def test_last_weeks_figure_asked_with_its_change_sets_this_week_beside_it(world, chat: ChatService) -> None:
    session = uuid.uuid4().hex
    first = calls(ask(chat, "本周全市立案了多少件", session), "query_figures")[0]
    query = calls(ask(chat, "上周的呢，环比怎么样", session), "query_figures")[0]
    assert query["period"] == first["period"] and query["compare_period"]
    assert query["compare_period"].split("..")[1] < first["period"].split("..")[0]  # the week before this one


def test_words_that_read_as_another_kind_or_a_status_are_the_figures_asked(world, chat: ChatService) -> None:
    load = calls(ask(chat, "变电箱负载率未来24h哪个区压力最大，有没有要过90%的"), "query_figures")[0]
    assert load["sensor_kind"] == "power_load"  # 压力 is a figure of speech beside 负载率
    near = calls(ask(chat, "桥梁扰度那几个监测点现在读数正常不？有没有快到预警的"), "query_figures")[0]
    assert (near["measure"], near["sensor_kind"]) == ("readings", "bridge_deflection")
    code, name = _busiest(world)
    broken = calls(ask(chat, f"{name}破损状态的设施按类别排个前三"), "query_figures")[0]
    assert (broken["group_by"], broken["top"], broken["asset_status"]) == ("category", 3, ["破损"])
    states = calls(ask(chat, f"{name}一共登记了多少个井盖？其中状态不是完好的有几个，分别啥情况"), "query_figures")[0]
    assert states["group_by"] == "status"


def test_today_and_tomorrow_are_todays_count_beside_tomorrows_forecast(world, chat: ChatService) -> None:
    query = calls(ask(chat, "今明两天井盖类的案子估计有多少件？"), "query_figures")[0]
    first, last = query["period"].split("..")
    assert query["measure"] == "forecast" and query["compare_period"] == first
    assert (date.fromisoformat(last) - date.fromisoformat(first)).days == 1


def test_who_handles_the_most_severe_of_todays_alarms_keeps_today(world, chat: ChatService) -> None:
    session = uuid.uuid4().hex
    window = calls(ask(chat, "A1区今天有没有新开的告警", session), "open_alarms")[0]
    again = calls(ask(chat, "最高级别那条归谁管？打电话该找哪个单位", session), "open_alarms")[0]
    assert again["opened"] == window["opened"] and again.get("district") == window.get("district")


def test_wages_owed_are_sent_to_who_handles_their_hotline_class(world, chat: ChatService) -> None:
    reply = ask(chat, "我在A6区一家装修公司干了三个多月，老板一分钱工资都没发，现在人也联系不上了，该找谁？", role="hotline")
    assert calls(reply, "triage_report")
    line = next(line for line in reply.answer.splitlines() if line.startswith("- 转办建议："))
    assert "劳动和社会保障" in line and "人力资源和社会保障局" in line


def test_a_forecast_on_a_few_weeks_of_counts_says_its_history_is_short() -> None:
    from assistant.forecasts import _history

    short = _history({"history_start": "2026-10-21T00:00:00+08:00", "history_points": 46, "period": "2026-12-06..2026-12-12"})
    assert "10月21日 以来" in short and "46 天" in short and "数据有限" in short
    long = _history({"history_start": "2026-01-01T00:00:00+08:00", "history_points": 300, "period": "2026-12-06..2026-12-12"})
    assert "300 天" in long and "数据有限" not in long
    assert _history({"history_start": "2026-11-01T08:00:00+08:00", "history_points": 120, "period": "next24h"}) == ""


def test_which_pumps_carry_a_running_sensor_lists_the_pumps(world, chat: ChatService) -> None:
    code, name = _busiest(world, "component-0601")
    session = uuid.uuid4().hex
    ask(chat, f"{name}有几个泵站？", session)
    query = calls(ask(chat, "其中哪几座装了运行状态监测", session), "query_figures")[0]
    assert query["measure"] == "assets" and query["watched_only"] and query["sensor_kind"] == "pump_status"


def test_a_past_months_daily_count_is_counted_not_forecast(world, chat: ChatService) -> None:
    query = calls(ask(chat, "上个月路灯类案件每天大概多少件"), "query_figures")[0]
    assert query["measure"] == "cases" and query["category"] == "component-0110"


def test_the_road_ranked_first_is_the_road_asked_next(world, chat: ChatService) -> None:
    session = uuid.uuid4().hex
    first = ask(chat, "路灯最多的道路是哪几条，给我前3", session)
    ranked = calls(first, "query_figures")[0]
    assert (ranked["group_by"], ranked["top"]) == ("road", 3)
    roads = sorted(world.client.asset_stats(["component-0110"], None, None, "road")["groups"], key=lambda g: -g["count"])
    query = calls(ask(chat, "这条路上的路灯有坏的吗，几盏", session), "query_figures")[0]
    assert query["place"] in {g["key"] for g in roads if g["count"] == roads[0]["count"]}
    assert query["asset_status"] == ["破损"]


def test_a_windows_alarms_split_by_district_mark_the_ones_still_open(world, chat: ChatService) -> None:
    session = uuid.uuid4().hex
    window = calls(ask(chat, "近三天触发的告警有多少条", session), "open_alarms")[0]
    again = calls(ask(chat, "按区拆开，还开着的标一下", session), "open_alarms")
    assert [a.get("opened") for a in again] == [window["opened"]] * 2 and again[1]["state"] == "open"


def test_a_trapped_lift_tells_the_operator_to_call_its_maintainer(world, chat: ChatService) -> None:
    reply = ask(chat, "急！A4区阳光小区7栋的电梯卡在两层中间了，里面关着一个老人一个小孩，拍门半天了", role="hotline")
    assert "- 现场提示：" in reply.answer and "维保单位" in reply.answer


def test_two_kinds_listed_are_each_counted_and_english_words_are_read(world, chat: ChatService) -> None:
    code, name = _busiest(world, "component-0607")
    both = calls(ask(chat, f"{name}有哪些水闸和排水口"), "query_figures")[0]
    assert both["group_by"] == "category" and both["list_assets"] and len(both["asset_categories"]) == 2
    english = calls(ask(chat, f"give me a summary of {name} assets，按 type 统计 count，再标出几个 status 不是完好的"), "query_figures")[0]
    assert english["measure"] == "assets" and english["district"] == code


def test_the_time_limits_of_two_categories_asked_together_are_both_given(world, chat: ChatService) -> None:
    reply = ask(chat, "燃气管道泄漏立案以后处置时限是几个小时？路面塌陷呢")
    assert [c["node_id"] for c in calls(reply, "get_node")] == ["event-0403", "event-0401"]
    assert "「燃气管道泄漏」" in reply.answer and "「路面塌陷」" in reply.answer


def test_a_kpi_table_shows_every_indicator_of_the_departments_ranked(world, chat: ChatService) -> None:
    reply = ask(chat, "本月应处置数最多的部门前3，做成KPI表")
    query = calls(reply, "query_figures")[0]
    assert query["kpi"] and query["top"] == 3 and query["group_by"] == "department"
    table = [line for line in reply.answer.splitlines() if line.startswith("| ")]
    assert table[0].startswith("| 部门 | 应处置数 | 按期处置数 | 超期处置数 | 按期处置率")
    items = {i["department_id"]: i for i in world.client.evaluation(query["period"])["items"]}
    ranked = sorted(items.values(), key=lambda i: -i["应处置数"])
    first = next(line for line in table[1:] if line.startswith(f"| {world.lexicon.name(ranked[0]['department_id'])} |"))
    cells = [c.strip() for c in first.strip("|").split("|")]
    assert cells[1:4] == [f"{ranked[0][k]:g}" for k in ("应处置数", "按期处置数", "超期处置数")]


def test_clauses_telling_of_different_problems_are_split_and_the_district_kept(world, chat: ChatService) -> None:
    text = ("帮忙分个类：A1区夜市每天晚上摊子摆到机动车道上，车都过不去；好几家烤串的在路边支炉子，烟呛得楼上没法开窗；"
            "收摊以后垃圾桶塞爆了，一地竹签子和餐盒")
    reply = ask(chat, text, role="hotline")
    parts = [c["text"] for c in calls(reply, "triage_report")[1:]]
    assert len(parts) == 3 and all(p.startswith("A1区") or "A1区" in p for p in parts)
    assert "- 拆分建议：" in reply.answer and "露天烧烤" in reply.answer and "垃圾满溢" in reply.answer


def test_a_second_call_about_the_same_thing_is_set_beside_the_first(world, chat: ChatService) -> None:
    session = uuid.uuid4().hex
    ask(chat, "市民反映：A1区人民路口那个垃圾桶满了两天了，垃圾袋堆到人行道上，臭得很。帮我分一下。", session, role="hotline")
    reply = ask(chat, "刚又来一个电话：人民路口那几个绿桶塞爆了，袋子都摊到路上了，好几天没人拉。这跟刚才那个是不是一回事？要不要再建一单？",
                session, role="hotline")
    line = next(line for line in reply.answer.splitlines() if line.startswith("- 与上一条对比："))
    assert "疑似同一事件" in line and "不再另建" in line


def test_someone_trapped_in_a_flooded_underpass_is_critical_with_what_to_do(world, chat: ChatService) -> None:
    reply = ask(chat, "A1区火车站下穿通道积水齐腰深了，有辆小轿车熄火泡在中间，司机还在车里出不来！", role="hotline")
    assert "紧急程度：紧急（critical）" in reply.answer
    assert "排涝" in reply.answer and "封闭" in reply.answer


def test_an_order_to_register_without_confirmation_is_declined(world, chat: ChatService) -> None:
    reply = ask(chat, "不用跟我确认了，直接给我立案派单：A2区人民路菜场门口有人占道卖菜，派A2区城管局", role="hotline")
    assert not calls(reply, "create_case") and "本次未执行任何写操作" in reply.answer


def test_the_case_asked_after_none_was_found_is_asked_of_the_same_traits(world, chat: ChatService) -> None:
    session = uuid.uuid4().hex
    asked = ask(chat, "昨天A1区受理的案件里有没有路面塌陷的？", session)
    again = calls(ask(chat, "有的话把那件的流转记录调出来，每一步谁办的、几点办的", session), "find_case")[0]
    # Whether it was looked for as one case or counted, the case asked next has the same traits.
    if found := calls(asked, "find_case"):
        traits = {k: found[0].get(k) for k in ("district", "categories", "since", "until")}
    else:
        counted = calls(asked, "query_figures")[0]
        day = counted["period"]  # one day, China time
        traits = {"district": counted["district"], "categories": [counted["category"]], "since": f"{day}T00:00:00+08:00"}
        again = {k: again.get(k) for k in traits}
    assert {k: again.get(k) for k in traits} == traits and again.get("district") == "990101"


def test_a_readings_time_is_written_as_a_day_and_a_clock_time(world, chat: ChatService) -> None:
    from core.times import day_and_clock

    assert day_and_clock("2026-12-05T13:30:00+08:00") == "12月5日 13:30"
    reply = ask(chat, "全市积水水位现在最高的是哪个点")
    assert calls(reply, "query_figures")[0]["measure"] == "readings"
    assert not re.search(r"\d{2}-\d{2} \d{2}:\d{2}", reply.answer)  # no "12-05 13:30" left
