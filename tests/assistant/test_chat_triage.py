"""A hotline operator pastes a report into chat: the assistant triages it (writing nothing) and answers
with the category, place, department and urgency, cited."""

from __future__ import annotations

from assistant.chat import ChatRequest
from graph.queries.places import grid_at
from graph.queries.responsibility import responsible_department


def _crossing(world) -> dict:
    return world.graph.ro_query("MATCH (a:Road)-[x:INTERSECTS]->(b:Road) RETURN a.name AS first, b.name AS second, "
                                "x.lon AS lon, x.lat AS lat ORDER BY first, second LIMIT 1")[0]  # fmt: skip


def test_a_pasted_report_is_triaged_for_the_hotline(chat, world) -> None:
    crossing = _crossing(world)
    grid = grid_at(world.graph, crossing["lon"], crossing["lat"])
    department = responsible_department(world.graph, "component-0110", grid_id=grid.id).department.name
    before = len(world.client.cases(limit=200)["items"])
    reply = chat.ask(ChatRequest(message=f"{crossing['first']}和{crossing['second']}交叉口的路灯坏了好几天，我叫王五 13912345678",
                                 role="hotline"))  # fmt: skip
    assert [c.name for c in reply.tool_calls] == ["triage_report"] and reply.tool_calls[0].ok
    assert "路灯" in reply.answer and department in reply.answer and grid.id in reply.answer
    assert "13912345678" not in reply.answer and "王五" not in reply.answer
    assert any(c.kind == "graph" and c.id == "component-0110" for c in reply.citations)
    assert len(world.client.cases(limit=200)["items"]) == before  # triage writes nothing


def test_an_official_question_is_not_triaged_but_a_marked_report_is(chat) -> None:
    question = chat.ask(ChatRequest(message="A3区井盖没了归谁管？", role="hotline"))
    assert [c.name for c in question.tool_calls] == ["responsible_department"]
    marked = chat.ask(ChatRequest(message="诉求：小区门口垃圾成堆好几天没人清", role="official"))
    assert [c.name for c in marked.tool_calls] == ["triage_report"] and "暴露垃圾" in marked.answer
