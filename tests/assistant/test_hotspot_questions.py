"""Where cases concentrate, asked in chat (issue 16): "最近哪些网格井盖问题最集中？" is answered by the hotspots
analytic over every kind of cover, each grid with its true count and who is responsible; streets when streets
are asked; a follow-up keeps the question and changes the place; questions about districts or alarms stay
what they were."""

from __future__ import annotations

import uuid
from collections import Counter

from sqlalchemy import select

from assistant.chat import ChatService
from services.dispatch.tables import CaseRow
from tests.assistant.support import ask

COVERS = {"component-0101", "component-0102", "component-0103", "component-0105", "component-0106", "component-0107",
          "component-0108"}  # fmt: skip


def _query(reply) -> dict:
    return next(c.args for c in reply.tool_calls if c.name == "query_figures")


def test_cover_hotspots_list_each_grid_with_its_true_count_and_department(world, chat: ChatService) -> None:
    reply = ask(chat, "最近哪些网格井盖问题最集中？")
    query = _query(reply)
    assert query["group_by"] == "grid" and set(query["categories"]) == COVERS and query["period"] == "last30d"
    with world.sessions() as session:
        truth = Counter(session.scalars(select(CaseRow.grid_id).where(CaseRow.category_code.in_(COVERS))))
    assert truth, "the world holds cover cases"
    for grid, count in truth.items():
        assert f"网格 {grid}" in reply.answer and f"{count} 件" in reply.answer
    assert "责任部门" in reply.answer and "近30天" in reply.answer and "hotspots:" in reply.answer


def test_streets_are_ranked_when_streets_are_asked_and_a_follow_up_moves_the_place(world, chat: ChatService) -> None:
    session = uuid.uuid4().hex
    first = ask(chat, "这个月垃圾相关的案子集中在哪些街道", session)
    query = _query(first)
    assert query["group_by"] == "street" and "event-0102" in query["categories"] and "event-0106" in query["categories"]
    district = world.lexicon.districts[1]
    again = _query(ask(chat, f"那{district.name}呢？", session))
    assert again["group_by"] == "street" and again["district"] == district.id
    assert again["categories"] == query["categories"] and again["period"] == query["period"]


def test_districts_and_alarms_are_not_hotspots(chat: ChatService) -> None:
    by_district = _query(ask(chat, "这个月井盖案件哪个区最多"))
    assert by_district["group_by"] == "district"
    alarms = ask(chat, "现在哪里积水了")
    assert all(c.name != "query_figures" or c.args.get("group_by") not in ("grid", "street") for c in alarms.tool_calls)
