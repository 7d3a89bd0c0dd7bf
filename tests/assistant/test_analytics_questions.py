"""Two analytics asked in chat (issue 16): sensors unlike themselves are the anomaly scan (kinds, window and
place as asked; a follow-up narrows it), and what citizens raise most in their messages is the hot topics of
the real message board, said to be historical data — never a citizen's report to triage."""

from __future__ import annotations

import uuid

from assistant.chat import ChatService
from tests.assistant.support import ask


def _query(reply) -> dict:
    return next(c.args for c in reply.tool_calls if c.name == "query_figures")


def test_sensors_unlike_themselves_are_the_anomaly_scan_and_a_follow_up_narrows_it(world, chat: ChatService) -> None:
    session = uuid.uuid4().hex
    first = ask(chat, "最近6小时有哪些传感器不对劲？", session)
    query = _query(first)
    assert query["measure"] == "anomalies" and query["hours"] == 6 and not query.get("sensor_kind")
    assert "近6小时" in first.answer and "偏离自身日常规律" in first.answer
    gas = _query(ask(chat, "只看燃气的", session))
    assert gas["measure"] == "anomalies" and gas["sensor_kind"] == "gas_concentration" and gas["hours"] == 6
    code = world.client.sensors(kind="bridge_deflection", limit=1)[0]["district"]
    district = next(d for d in world.lexicon.districts if d.id == code)
    bridges = _query(ask(chat, f"{district.name}桥梁那几个监测点（应变、挠度）这12小时有没有异常"))
    assert bridges["sensor_kinds"] == ["bridge_strain", "bridge_deflection"] and bridges["hours"] == 12
    assert bridges["district"] == district.id
    scanned = 0
    for kind in bridges["sensor_kinds"]:  # a district may have no sensor of one of them: the other still counts
        if world.client.sensors(kind=kind, district=district.id, limit=1):
            scanned += world.client.anomalies(kind, district.id, 12)["scanned"]
    assert f"共扫描 {scanned} 个" in ask(chat, f"{district.name}桥梁那几个监测点（应变、挠度）这12小时有没有异常").answer


def test_alarms_are_still_alarms(chat: ChatService) -> None:
    reply = ask(chat, "现在有哪些报警的传感器")
    assert all(c.args.get("measure") != "anomalies" for c in reply.tool_calls)


def test_what_citizens_raise_most_is_the_hot_topics_said_to_be_history(world, chat: ChatService) -> None:
    reply = ask(chat, "2019年留言板里市民反映最集中的前5个问题是什么？各有多少条留言、多少点赞")
    query = _query(reply)
    assert query["measure"] == "hot_topics" and query["period"] == "2019" and query["top"] == 5
    assert query["rank_by"] == "volume"  # "最集中": the most messages, not the analytic's own heat
    every = world.client.hot_topics("2019", None, 200)["topics"]
    most = sorted(every, key=lambda t: (-t["volume"], -t["heat"]))[:5]
    for topic in most:
        assert f"「{topic['title']}」（{topic['place']}）：{topic['volume']} 条留言、{topic['likes']} 个赞" in reply.answer
    assert "历史留言" in reply.answer and "分拨建议" not in reply.answer


def test_a_district_a_subject_and_half_a_year_narrow_the_topics(world, chat: ChatService) -> None:
    seventh = next(d for d in world.lexicon.districts if d.name == "A7区")
    county = ask(chat, "留言板上關於A7區的熱點議題有哪些？")
    assert _query(county)["district"] == seventh.id and "A7县" in county.answer  # the messages write A7县
    noise = _query(ask(chat, "居民留言里反映小区噪音扰民的，主要集中在哪几个区？"))
    assert {"噪音", "噪声"} <= set(noise["keywords"])
    half = _query(ask(chat, "2019年下半年A市留言板热点有哪些？"))
    assert half["period"] == "2019-07-01..2019-12-31"


def test_hours_ahead_said_in_clock_words_are_a_forecast_not_the_readings(world, chat: ChatService) -> None:
    district = world.lexicon.districts[2]
    query = _query(ask(chat, f"接下来6个钟{district.name}哪些地方水压可能掉到报警线以下"))
    assert query["measure"] == "forecast" and query["horizon"] == 6 and query["sensor_kind"] == "water_pressure"
    assert query["district"] == district.id and query["reached"] == "alarm"


def test_a_window_on_the_clock_is_forecast_to_its_end(world, chat: ChatService) -> None:
    from datetime import datetime, timedelta

    from core.times import CHINA

    code = world.client.sensors(kind="manhole_tilt", limit=1)[0]["district"]
    district = next(d for d in world.lexicon.districts if d.id == code)
    reply = ask(chat, f"今晚到明早，{district.name}有没有井盖倾斜要超警戒的点")
    query = _query(reply)
    now = datetime.now(CHINA)
    tomorrow_eight = now.replace(hour=8, minute=0, second=0, microsecond=0) + timedelta(days=1)
    hours = -(-int((tomorrow_eight - now).total_seconds()) // 3600)
    assert query["measure"] == "forecast" and query["sensor_kind"] == "manhole_tilt" and query["district"] == district.id
    assert abs(query["horizon"] - hours) <= 1 and f"今晚到明早（未来 {query['horizon']} 小时）" in reply.answer


def test_several_districts_and_named_bureaus_are_kept_as_asked(world, chat: ChatService) -> None:
    first, third = world.lexicon.districts[0], world.lexicon.districts[2]
    side = _query(ask(chat, f"{first.name}和{third.name}本周案件数各多少"))
    assert side["districts"] == [first.id, third.id] and side["group_by"] == "district"
    bureaus = ask(chat, f"上个月{first.name}、{third.name}各部门结案率对比，谁最低")
    query = _query(bureaus)
    assert query["districts"] == [first.id, third.id] and query["group_by"] == "department"
    assert f"{first.name}、{third.name}" in bureaus.answer
    water = ask(chat, "市水务局近30天按期处置率")  # the bureau's indicator, not the city's vital sign of that name
    assert _query(water)["period"] == "last30d" and "生命体征" not in water.answer


def test_a_case_id_holding_six_digits_like_a_district_code_is_no_place(world) -> None:
    from assistant.figures import unknown_place

    # Case ids end in random hex: C20261206-993343AE once read as the unknown district 993343 (a flaky miss).
    assert unknown_place("把 C20261206-993343AE 派遣", world.lexicon) is None
    assert unknown_place("990109这个区未来12小时会不会有水位超报警的点", world.lexicon) == "990109"
