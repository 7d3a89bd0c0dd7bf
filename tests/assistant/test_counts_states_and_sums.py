"""Misses of the development sets (issue 15, step 30), asked through chat: a count of assets asked first and a
state after it gets both; a kind of case written by its sound counts every kind it covers; vital signs of one
status counted and named; a forecast's days added up when asked next; a department's counts asked together."""

from __future__ import annotations

import uuid

from assistant.chat import ChatService
from tests.assistant.support import ask


def _query(reply) -> dict:
    return next(c.args for c in reply.tool_calls if c.name == "query_figures")


def test_the_total_asked_first_and_a_state_after_it_are_both_said(world, chat: ChatService) -> None:
    district = world.lexicon.districts[0]
    reply = ask(chat, f"{district.name}路灯有多少盏？破损的有几盏")
    query = _query(reply)
    assert query.get("group_by") == "status" and not query.get("asset_status")
    total = world.client.asset_stats(["component-0110"], district.id)["total"]
    assert f"合计 {total} 盏" in reply.answer
    only = _query(ask(chat, f"{district.name}破损的路灯有多少盏"))
    assert only.get("asset_status") == ["破损"]  # a state said of what is counted: only those


def test_covers_written_by_their_sound_count_every_kind_of_cover(world, chat: ChatService) -> None:
    reply = ask(chat, "井钙相关的案子这个月有多少？")
    query = _query(reply)
    covers = sorted(n.id for n in world.lexicon.nodes.values() if n.label == "ComponentCategory" and n.name.endswith("井盖"))
    assert len(covers) > 1 and sorted(query["categories"]) == covers
    counted = world.client.case_stats(query["period"], None, ",".join(covers))["total"]
    assert f"受理案件：{counted} 件" in reply.answer


def test_vital_signs_of_one_status_are_counted_and_named(world, chat: ChatService) -> None:
    vitals = world.client.vitals()
    watched = [v["name"] for v in vitals if v["status"] == "watch"]
    reply = ask(chat, "vital signs 里 watch 状态的有几个，分别是啥")
    said = reply.answer.split("处于「关注」状态的指标")[-1] if watched else reply.answer
    assert (f"共 {len(watched)} 项" in said and all(name in said for name in watched)) if watched else "没有处于「关注」状态" in said


def test_a_forecasts_days_are_added_up_when_asked_next(chat: ChatService) -> None:
    session = uuid.uuid4().hex
    first = ask(chat, "未来一周全市案件量预测", session)
    total = ask(chat, "7天总共加起来大概多少", session)  # the same forecast, whose answer adds the days up
    assert _query(total) == _query(first) and _query(total)["measure"] == "forecast"


def test_a_departments_counts_asked_together_are_each_answered(world, chat: ChatService) -> None:
    department = next(n for n in world.lexicon.nodes.values() if n.label == "Department" and n.name.startswith("A市水务"))
    reply = ask(chat, f"国庆以来{department.name}一共派遣了多少件？按期处置了多少，超期的有几件")
    assert [line.split("，")[-1].split("：")[0] for line in reply.answer.splitlines()[:3]] == [
        f"{department.name}派遣数", f"{department.name}按期处置数", f"{department.name}超期处置数"]
