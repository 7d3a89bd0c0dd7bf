"""Misses of the older development sets (issue 15, session 17), asked through chat: pumps counted and how they
run in one question; a state's rate beside the district that has most of it; where a peak reading is and whether
it passed a line, asked after it; how far each alarm is past its line; none said as a count; a fall or a street
too dark to see raise a report's urgency."""

from __future__ import annotations

import uuid

from assistant.chat import ChatService
from core.settings import Settings
from services.monitoring.tables import SensorRow
from tests.assistant.support import ask
from triage.urgency import assess, load_rules


def _queries(reply) -> list[dict]:
    return [c.args for c in reply.tool_calls if c.name == "query_figures"]


def test_pumps_are_counted_and_how_they_run_is_read_from_their_sensors(world, chat: ChatService) -> None:
    with world.sessions() as session:  # the pump whose sensor reports 故障 (code 2) in this world
        pump = session.query(SensorRow).filter(SensorRow.kind == "pump_status").order_by(SensorRow.id).first()
    district = world.lexicon.name(pump.district)
    reply = ask(chat, f"{district}有几座泵站，现在都好着吗")
    measures = [q["measure"] for q in _queries(reply)]
    assert measures == ["assets", "readings"] and _queries(reply)[1]["sensor_kind"] == "pump_status"
    total = world.client.asset_stats(["component-0601"], pump.district)["total"]
    assert f"合计 {total} 座" in reply.answer
    assert "最新状态" in reply.answer and "故障" in reply.answer


def test_a_states_rate_is_given_beside_the_district_with_most_of_them(world, chat: ChatService) -> None:
    reply = ask(chat, "全市路灯破损率多少，哪个区破损的最多")
    query = _queries(reply)[0]
    assert query["group_by"] == "district" and query["asset_status"] == ["破损"] and query["share_of_all"]
    broken = world.client.asset_stats(["component-0110"], None, ["破损"])["total"]
    every = world.client.asset_stats(["component-0110"])["total"]
    assert f"占全部 {every} 盏的 {broken / every * 100:.1f}%" in reply.answer


def test_where_a_peak_reading_is_and_whether_it_passed_a_line_is_asked_of_that_reading(chat: ChatService) -> None:
    session = uuid.uuid4().hex
    first = ask(chat, "积水水位今天最高是多少", session)
    assert _queries(first)[0]["sensor_kind"] == "water_level"
    reply = ask(chat, "在哪个点？超没超报警", session)
    assert [c.name for c in reply.tool_calls] == ["query_figures"]  # the reading again, not the list of alarms
    query = _queries(reply)[0]
    assert (query["measure"], query["sensor_kind"], query["reached"]) == ("readings", "water_level", "alarm")
    assert "报警线（40 cm）" in reply.answer and "传感器 S" in reply.answer


def test_each_alarm_listed_says_how_far_it_is_past_its_line(world, chat: ChatService) -> None:
    reply = ask(chat, "当前级别最高的告警是哪一条？")
    worst = max(world.client.alarms(state="open", level="alarm"), key=lambda a: abs(a["value"] - a["threshold"]))
    unit = world.lexicon.units[worst["kind"]]
    excess = abs(worst["value"] - worst["threshold"])
    assert f"超出阈值 {excess:g} {unit}" in reply.answer


def test_no_alarm_of_a_kind_in_a_period_is_said_as_a_count(world, chat: ChatService) -> None:
    reply = ask(chat, "这周新开的桥梁挠度告警有几条？")
    assert world.client.alarms(kind="bridge_deflection") == []  # this world's alarms are of other kinds
    assert "没有（0 条）" in reply.answer


def test_a_fall_or_a_street_too_dark_to_see_raises_a_reports_urgency() -> None:
    rules = load_rules(Settings().urgency_rules_csv)
    assert assess("路登坏了好几盏 晚上走那条路啥也看不见 很吓人", "normal", rules)[0] == "high"
    assert assess("地铁站出口路面坑坑洼洼，今天早上好几个骑电动车的都摔了", "normal", rules)[0] == "high"
    assert assess("路灯坏了好几盏，麻烦修一下", "normal", rules)[0] == "normal"


def test_alarms_opened_in_a_period_are_given_with_how_many_of_them_closed(world, chat: ChatService) -> None:
    reply = ask(chat, "今天新开了多少个告警，已经关了几个")
    calls = [c.args for c in reply.tool_calls if c.name == "open_alarms"]
    assert [c.get("state") for c in calls] == [None, "closed"] and calls[0]["opened"] == calls[1]["opened"]
    opened = world.client.alarm_stats(state=None, opened=calls[0]["opened"], group_by="district")["total"]
    closed = world.client.alarm_stats(state="closed", opened=calls[0]["opened"], group_by="district")["total"]
    if opened:
        assert f"共 {opened} 条" in reply.answer and f"其中已关闭 {closed} 条" in reply.answer
    else:  # in the first half hour after China's midnight this world's alarms (opened 10–30 minutes ago) are yesterday's
        assert "没有" in reply.answer
