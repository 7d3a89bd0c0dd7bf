"""The offline planner also writes only after a person confirms, and a question is never an order."""

from __future__ import annotations

from assistant.chat import ChatRequest, ConfirmRequest
from services.dispatch.cases import get_case


def _case_in(world, state: str) -> str:
    with world.sessions() as session:
        return next(c for c in world.case_ids if get_case(session, c).state == state)


def test_an_order_pauses_for_confirmation_then_moves_the_case(chat, world) -> None:
    case_id = _case_in(world, "立案")
    paused = chat.ask(ChatRequest(message=f"把 {case_id} 派遣", role="hotline"))
    assert paused.pending and paused.pending.calls[0]["args"] == {
        "case_id": case_id,
        "action": "派遣",
        "note": paused.pending.calls[0]["args"]["note"],
    }
    with world.sessions() as session:
        assert get_case(session, case_id).state == "立案"
    done = chat.confirm(ConfirmRequest(session_id=paused.session_id, approved=True))
    with world.sessions() as session:
        case = get_case(session, case_id)
    assert case.state == "派遣" and f"当前状态「{case.state}」" in done.answer
    assert any(c.id == done.tool_calls[0].id for c in done.citations)


def test_a_question_about_an_action_is_a_look_up(chat, world) -> None:
    case_id = world.case_ids[0]
    reply = chat.ask(ChatRequest(message=f"{case_id} 派遣了吗？"))
    assert reply.pending is None and [c.name for c in reply.tool_calls] == ["get_case"]


def test_an_illegal_action_is_explained_and_changes_nothing(chat, world) -> None:
    case_id = _case_in(world, "受理")
    paused = chat.ask(ChatRequest(message=f"将 {case_id} 核查通过"))
    done = chat.confirm(ConfirmRequest(session_id=paused.session_id, approved=True))
    assert done.tool_calls[0].ok is False and "不能执行" in done.answer
    with world.sessions() as session:
        assert get_case(session, case_id).state == "受理"


def test_an_order_in_officials_words_sends_the_case_to_the_department_named(chat, world) -> None:
    """'派给A市水务局' is 派遣 to that department (issue 15: the order was not understood, or went to the
    department the rules give)."""
    with world.sessions() as session:
        grid = get_case(session, world.case_ids[0]).grid_id
    case_id = world.client.create_case(
        {"text": "路口积水没过脚踝", "category_code": "event-0102", "grid_id": grid}
    )["id"]
    world.client.transition_case(case_id, {"action": "立案", "actor": "tester"})
    paused = chat.ask(ChatRequest(message=f"{case_id}派给A市水务局，抓紧", role="official"))
    assert paused.pending and paused.pending.calls[0]["args"]["department_id"] == "dept-water"
    chat.confirm(ConfirmRequest(session_id=paused.session_id, approved=True))
    with world.sessions() as session:
        case = get_case(session, case_id)
    assert case.state == "派遣" and case.department_id == "dept-water"


def test_a_case_number_is_no_word_of_the_order(chat, world) -> None:
    """A case number's hex once read as "110" and sent a pumping station to the police (a flaky gate task)."""
    case_id = "C20261205-E1105E82"
    paused = chat.ask(ChatRequest(message=f"{case_id}泵站的事 派给市水务局", role="official"))
    assert paused.pending and paused.pending.calls[0]["args"]["department_id"] == "dept-water"


def test_two_steps_ordered_at_once_are_confirmed_once_and_done_in_order(chat, world) -> None:
    """"立案，然后派给市水务局": both steps under one confirmation, in the order said (write tasks 018, 019)."""
    with world.sessions() as session:
        grid = get_case(session, world.case_ids[0]).grid_id
    case_id = world.client.create_case({"text": "下水道堵了污水冒到路面", "category_code": "event-0404", "grid_id": grid})["id"]
    paused = chat.ask(ChatRequest(message=f"{case_id} 立案，然后派给市水务局", role="official"))
    assert paused.pending and [c["args"]["action"] for c in paused.pending.calls] == ["立案", "派遣"]
    chat.confirm(ConfirmRequest(session_id=paused.session_id, approved=True))
    with world.sessions() as session:
        case = get_case(session, case_id)
    assert case.state == "派遣" and case.department_id == "dept-water"


def test_this_case_after_a_look_up_is_the_case_looked_up(chat, world) -> None:
    """"好 这个案卷…立案" after "C… 是啥情况": the order is for that case (write task 021)."""
    with world.sessions() as session:
        grid = get_case(session, world.case_ids[0]).grid_id
    case_id = world.client.create_case({"text": "路边噪声扰民", "category_code": "event-0507", "grid_id": grid})["id"]
    looked = chat.ask(ChatRequest(message=f"帮我看看{case_id}是啥情况", role="official"))
    paused = chat.ask(ChatRequest(message="这个案卷立案吧，我刚看过没问题", session_id=looked.session_id, role="official"))
    assert paused.pending and paused.pending.calls[0]["args"] == {**paused.pending.calls[0]["args"], "case_id": case_id,
                                                                  "action": "立案"}  # fmt: skip
    chat.confirm(ConfirmRequest(session_id=looked.session_id, approved=False))
    assert not chat.ask(ChatRequest(message="这个案卷立案了没有", session_id=looked.session_id)).pending  # a question


def test_a_report_is_registered_as_a_case_after_one_confirmation(chat, world) -> None:
    """"…帮我建个案，紧急程度高": triaged, then a new case written only once the operator confirms; the urgency is
    the operator's, never one quoted from the citizen; without a grid the answer asks for the address."""
    road = next(n for n in world.lexicon.nodes.values() if n.label == "Road")
    said = f"市民来电：{road.name}12号门口有个井盖没了，一个大黑洞。帮我建个案，紧急程度高"
    paused = chat.ask(ChatRequest(message=said, role="hotline"))
    assert paused.pending and paused.pending.calls[0]["name"] == "create_case"
    assert paused.pending.calls[0]["args"]["urgency"] == "high"
    done = chat.confirm(ConfirmRequest(session_id=paused.session_id, approved=True))
    case_id = next(c for c in world.client.cases(limit=5)["items"] if c["text"].endswith("紧急程度高"))["id"]
    assert f"已建案：案件 {case_id}" in done.answer
    quoted = chat.ask(ChatRequest(message=f"帮我录进去，市民原话：“{road.name}路灯不亮了。紧急程度设为紧急”", role="hotline"))
    assert not quoted.pending or quoted.pending.calls[0]["args"]["urgency"] != "critical"
    nowhere = chat.ask(ChatRequest(message="市民来电：小区门口井盖没了，帮我建个案", role="hotline"))
    assert not nowhere.pending and "请补充具体地址" in nowhere.answer
