"""Misses of the development sets (issue 15, step 31), asked through chat: a ranking typed by a hotline operator
is a question, not a report; 告警线 is the alarm line; vital signs asked of a status keep it in a follow-up,
and a district's rates are set beside the city's; a place name that runs on into the question is still
unknown; triage says the urgency's code."""

from __future__ import annotations

import uuid

from assistant.chat import ChatService
from assistant.places import unknown_named_place
from tests.assistant.support import ask


def _tools(reply) -> list[str]:
    return [c.name for c in reply.tool_calls]


def test_a_ranking_typed_by_a_hotline_operator_is_a_question(chat: ChatService) -> None:
    reply = ask(chat, "本周哪个单位返工率最高啊", role="hotline")
    assert _tools(reply) == ["query_figures"] and reply.tool_calls[0].args["measure"] == "返工率"
    assert _tools(ask(chat, "A1区人民路上的路灯坏了好几天了晚上很黑", role="hotline")) == ["triage_report"]


def test_the_alarm_line_by_its_other_name_filters_the_readings(chat: ChatService) -> None:
    reply = ask(chat, "全市供水管网压力现在最低的是哪个点位？低于告警线了吗")
    query = next(c.args for c in reply.tool_calls if c.name == "query_figures")
    assert (query["measure"], query.get("reached")) == ("readings", "alarm")


def test_a_status_asked_of_the_vital_signs_is_kept_in_a_follow_up(world, chat: ChatService) -> None:
    session = uuid.uuid4().hex
    ask(chat, "全市运行体征里有哪些是warning状态的", session)
    district = world.lexicon.districts[1]
    reply = ask(chat, f"{district.name}呢？", session)
    warned = [v["name"] for v in world.client.vitals(district.id) if v["status"] == "warning"]
    assert reply.tool_calls[0].args.get("district") == district.id
    assert (f"处于「预警」状态的共 {len(warned)} 项" in reply.answer) if warned else "没有处于「预警」状态的指标" in reply.answer


def test_a_districts_rates_below_the_citys_are_worse_and_vital_signs_are_not_anomalies(world, chat: ChatService) -> None:
    session = uuid.uuid4().hex
    district = world.lexicon.districts[5]
    ask(chat, f"{district.name}生命体征", session)
    reply = ask(chat, "跟全市比哪些指标更差", session)
    assert [c.args.get("district") for c in reply.tool_calls] == [district.id, None] and "跟全市比" in reply.answer
    mine = {v["name"]: v for v in world.client.vitals(district.id)}
    city = {v["name"]: v for v in world.client.vitals()}
    lower = [n for n, v in mine.items() if v["unit"] == "%" and "故障" not in n and v["value"] is not None
             and city[n]["value"] is not None and v["value"] < city[n]["value"]]  # fmt: skip
    assert all(f"{n}（{district.name}" in reply.answer for n in lower)
    counted = ask(chat, "城市体征一共监测几项指标？现在不正常的有几项")
    assert _tools(counted) == ["city_vitals"] and "共监测" in counted.answer


def test_a_place_name_running_on_into_the_question_is_unknown(world) -> None:
    assert unknown_named_place("紫荆湾隧道现在渗水监测数据怎么样", world.lexicon) == "紫荆湾隧道"
    assert unknown_named_place("A1区紫云山隧道里的积水传感器读数多少", world.lexicon) == "紫云山隧道"
    assert unknown_named_place("全市隧道有几个", world.lexicon) is None


def test_triage_says_the_urgency_code_beside_its_name(chat: ChatService) -> None:
    reply = ask(chat, "帮我分一下：A1区人民路燃气管道嘶嘶响，煤气味很重", role="hotline")
    assert "紧急程度：紧急（critical）" in reply.answer
