"""One case asked about by its traits ("最近一件积水的案子", "最早那件"), and a case number that is not one."""

from __future__ import annotations

import uuid

from assistant.chat import ChatRequest, ChatService
from services.dispatch.cases import list_cases
from services.dispatch.models import CaseFilter


def _ask(chat: ChatService, *turns: str):
    session_id = f"find-{uuid.uuid4().hex[:10]}"
    return [chat.ask(ChatRequest(message=t, session_id=session_id)) for t in turns][-1]


def _cases(world, **filters) -> list:
    with world.sessions() as session:
        return list_cases(session, CaseFilter(**filters), limit=200).items


def test_the_newest_case_of_a_category_is_shown_with_its_state_and_deadline(world, chat: ChatService) -> None:
    newest = _cases(world, category=["event-0405"])[0]
    reply = _ask(chat, "帮我查下最近一件道路积水的案子现在办到哪一步了")
    assert newest.id in reply.answer and f"「{newest.state}」" in reply.answer and "处置期限" in reply.answer
    assert [c.name for c in reply.tool_calls] == ["find_case"]
    follow = _ask(chat, "帮我查下最近一件道路积水的案子", "它的处置期限超期了吗")
    assert newest.id in follow.answer  # the case found is the one the follow-up asks about


def test_the_oldest_one_and_its_history_when_asked(world, chat: ChatService) -> None:
    oldest = _cases(world, category=["component-0103"], order="oldest")[0]
    reply = _ask(chat, "井盖的案件里最早那件，把流转历史给我")
    assert oldest.id in reply.answer and "流转历史" in reply.answer
    assert all(h.action in reply.answer for h in oldest.history)
    none = _ask(chat, "最近一件因传感器告警生成的案件现在什么状态")
    assert "没有找到" in none.answer and "传感器告警" in none.answer  # the world has no sensor-made case


def test_a_number_that_is_not_a_case_number_is_said_to_be_unknown(world, chat: ChatService) -> None:
    reply = _ask(chat, "查一下案件 ZZ-000000000 的处理进度")
    assert "查不到编号为 ZZ-000000000 的案件" in reply.answer and reply.tool_calls == []
    counted = _ask(chat, "本周每一件案件都办完了吗，一共多少件")
    assert "find_case" not in [c.name for c in counted.tool_calls]  # a count, not one case


def test_the_oldest_open_case_and_the_last_one_from_a_channel(world, chat: ChatService) -> None:
    oldest_open = _cases(world, open=True, order="oldest")[0]
    reply = _ask(chat, "目前还没办结的案件里最早的是哪一件？超期了没有？")
    assert oldest_open.id in reply.answer and "超期" in reply.answer
    last = _cases(world, source="12345")
    channel = _ask(chat, "12345进来的最后一件是什么事？在哪个区？")
    assert (last[0].id in channel.answer) if last else "没有找到" in channel.answer
    assert all("department_id" not in c.args for c in channel.tool_calls)  # the channel, not the hotline centre


def test_one_of_the_cases_just_listed_and_one_named_by_its_category(world, chat: ChatService) -> None:
    session = f"find-{uuid.uuid4().hex[:10]}"
    chat.ask(ChatRequest(message="现在超期没结的案子有哪些", session_id=session))
    oldest = chat.ask(ChatRequest(message="最早那件现在在谁手上？卡在哪一步", session_id=session))
    call = next(c for c in oldest.tool_calls if c.name == "find_case")
    assert call.args.get("overdue") and call.args["order"] == "oldest"
    newest = _cases(world, category=["event-0405"])[0]
    named = _ask(chat, "最近报上来的一件道路积水内涝，啥时候报的，现在啥状态")
    assert newest.id in named.answer
