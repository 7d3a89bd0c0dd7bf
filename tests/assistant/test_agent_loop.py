"""The real LangGraph loop driven by scripted chat models: tool calls, errors, retries, grounding,
step limit, fallback to the offline planner, and the human confirmation before any write; and the default role,
where the planner's calls run first and the model writes the answer from what they found."""

from __future__ import annotations

import re
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.outputs import ChatResult

from assistant.agent import MAX_STEPS
from assistant.chat import ChatRequest, ChatService, ConfirmRequest
from graph.queries.responsibility import responsible_department
from services.dispatch.cases import get_case
from tools.runner import run_tool


class ScriptedModel(FakeMessagesListChatModel):
    """Replies from a script and records what it was shown. ``bind_tools`` returns itself (the stock
    fake models raise NotImplementedError there)."""

    seen: list[list[BaseMessage]] = []
    offered: list[list[str]] = []

    def bind_tools(self, tools: Any, **kwargs: Any) -> ScriptedModel:
        self.offered.append([tool.name for tool in tools])
        return self

    def _generate(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any) -> ChatResult:
        self.seen.append(list(messages))
        return super()._generate(messages, stop, run_manager, **kwargs)


class BrokenModel(ScriptedModel):
    def _generate(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any) -> ChatResult:
        raise TimeoutError("LLM endpoint timed out")


def call(name: str, args: dict, call_id: str) -> AIMessage:
    return AIMessage(content="", tool_calls=[{"id": call_id, "name": name, "args": args}])


def service(world, checkpoints, model, role: str = "plan") -> ChatService:
    """The loop with the model choosing the calls (``plan``), or writing from the planner's (``write``)."""
    return ChatService(world.client, world.lexicon, world.recognizer, checkpoints.saver, model, llm_role=role)


def test_model_calls_a_tool_and_answers_from_its_result(world, checkpoints) -> None:
    expected = responsible_department(world.graph, "component-0103", district="990103").department.name
    model = ScriptedModel(seen=[], responses=[
        call("responsible_department", {"category": "雨水井盖", "district": "A3区"}, "c1"),
        AIMessage(content=f"A3区的雨水井盖由{expected}负责。"),
    ])  # fmt: skip
    reply = service(world, checkpoints, model).ask(ChatRequest(message="A3区雨水井盖归谁管？"))
    assert reply.mode == "llm"
    assert expected in reply.answer
    assert [(c.name, c.ok) for c in reply.tool_calls] == [("responsible_department", True)]
    assert any(c.kind == "tool" and c.id == "c1" for c in reply.citations)
    assert any(c.kind == "graph" and c.title == expected for c in reply.citations)


def test_a_failing_tool_reaches_the_model_as_a_message_and_it_retries(world, checkpoints) -> None:
    case_id = world.case_ids[0]
    state = get_case(world.sessions(), case_id).state
    model = ScriptedModel(seen=[], responses=[
        call("get_case", {"case_id": "C20990101-FFFFFFFF"}, "bad"),
        call("get_case", {"case_id": case_id}, "good"),
        AIMessage(content=f"案件 {case_id} 当前状态为「{state}」。"),
    ])  # fmt: skip
    reply = service(world, checkpoints, model).ask(ChatRequest(message="查一下案件"))
    assert [(c.id, c.ok) for c in reply.tool_calls] == [("bad", False), ("good", True)]
    assert "未找到案件" in (reply.tool_calls[0].error or "")
    error_seen = [m for m in model.seen[1] if isinstance(m, ToolMessage)]
    assert error_seen and "未找到案件" in error_seen[-1].content and error_seen[-1].status == "error"
    assert state in reply.answer


def test_an_unsupported_figure_is_regenerated_then_removed(world, checkpoints) -> None:
    model = ScriptedModel(seen=[], responses=[
        call("open_alarms", {"state": "open", "kind": "water_level"}, "a1"),
        AIMessage(content="全市共有 987 条积水告警。请立即处置。"),
        AIMessage(content="全市共有 986 条积水告警。请立即处置。"),
    ])  # fmt: skip
    reply = service(world, checkpoints, model).ask(ChatRequest(message="现在有多少积水告警？"))
    assert "987" not in reply.answer and "986" not in reply.answer
    assert "请立即处置" in reply.answer
    feedback = model.seen[-1][-1]
    assert "987" in feedback.content  # the model was told what was unsupported before it tried again


def test_a_grounded_figure_survives(world, checkpoints) -> None:
    count = len(world.client.alarms(state="open", kind="water_level"))
    model = ScriptedModel(seen=[], responses=[
        call("open_alarms", {"state": "open", "kind": "water_level"}, "a1"),
        AIMessage(content=f"全市共有 {count} 条积水告警。"),
    ])  # fmt: skip
    reply = service(world, checkpoints, model).ask(ChatRequest(message="现在有多少积水告警？"))
    assert f"{count} 条" in reply.answer


def test_the_loop_stops_at_its_step_limit(world, checkpoints) -> None:
    districts = [d.id for d in world.lexicon.districts]
    model = ScriptedModel(seen=[], responses=[call("city_vitals", {"district": d}, f"loop{i}")
                                              for i, d in enumerate(districts)])  # fmt: skip
    reply = service(world, checkpoints, model).ask(ChatRequest(message="一直查"))
    assert len(reply.tool_calls) == MAX_STEPS < len(districts)
    assert reply.answer  # it still answers (here: that it cannot verify one) instead of failing


def test_the_same_call_again_ends_the_loop_and_the_model_answers_from_what_it_has(world, checkpoints) -> None:
    vitals = world.client.vitals()
    first = vitals[0]
    model = ScriptedModel(seen=[], responses=[
        call("city_vitals", {}, "v1"), call("city_vitals", {}, "v2"),
        AIMessage(content=f"{first['name']}：{first['value']}。"),
    ])  # fmt: skip
    reply = service(world, checkpoints, model).ask(ChatRequest(message="全市运行体征怎么样"))
    assert [c.id for c in reply.tool_calls] == ["v1"]  # run once, not six times
    assert str(first["value"]) in reply.answer


def test_the_model_gets_the_date_the_districts_and_only_the_tools_the_question_needs(world, checkpoints) -> None:
    from datetime import datetime

    from core.times import CHINA

    model = ScriptedModel(seen=[], responses=[AIMessage(content="好的。")])
    service(world, checkpoints, model).ask(ChatRequest(message="上个月A1区受理了多少案件"),
                                           now=datetime(2026, 12, 5, 18, 0, tzinfo=CHINA))  # fmt: skip
    system = model.seen[0][0].content
    first = world.lexicon.districts[0]
    assert "今天是2026年12月5日（星期六）" in system and f"{first.name}({first.id})" in system
    assert model.offered[0] == ["query_figures"]


def test_names_in_a_model_filled_query_are_resolved_by_the_executor(world, checkpoints) -> None:
    district = world.lexicon.districts[0]
    total = world.client.case_stats("last30d", district.id)["total"]
    model = ScriptedModel(seen=[], responses=[
        call("query_figures", {"measure": "cases", "district": district.name, "period": "last30d"}, "q1"),
        call("query_figures", {"measure": "cases", "district": "A8区", "period": "last30d"}, "q2"),
        AIMessage(content=f"近30天{district.name}受理 {total} 件；A8区不存在。"),
    ])  # fmt: skip
    reply = service(world, checkpoints, model).ask(ChatRequest(message="近30天A1区和A8区各受理多少案件"))
    assert [(c.id, c.ok) for c in reply.tool_calls] == [("q1", True), ("q2", False)]
    assert "没有名为「A8区」的区" in reply.tool_calls[1].error
    assert f"{total} 件" in reply.answer


def test_a_turn_past_its_time_budget_is_finished_by_the_offline_planner(world, checkpoints) -> None:
    model = ScriptedModel(seen=[], responses=[call("city_vitals", {}, "slow")])
    chat = ChatService(world.client, world.lexicon, world.recognizer, checkpoints.saver, model, turn_budget_s=1e-9,
                       llm_role="plan")
    reply = chat.ask(ChatRequest(message="A3区雨水井盖归谁管？"))
    assert reply.mode == "offline-planner" and "离线规划器" in reply.answer


def test_a_model_failure_falls_back_to_the_offline_planner_and_says_so(world, checkpoints) -> None:
    expected = responsible_department(world.graph, "component-0103", district="990103").department.name
    reply = service(world, checkpoints, BrokenModel(seen=[], responses=[AIMessage("unused")])).ask(
        ChatRequest(message="A3区雨水井盖归谁管？"))  # fmt: skip
    assert reply.mode == "offline-planner"
    assert "离线规划器" in reply.answer and expected in reply.answer


@pytest.mark.parametrize("written", ['```json\n{"name": "responsible_department", "arguments": {"category": "雨水井盖"}}\n```',
                                     "<tool_result>\n\n</tool_result>", "  "])
def test_a_tool_call_written_out_as_the_answer_is_not_shown_the_offline_planner_answers(world, checkpoints, written) -> None:
    expected = responsible_department(world.graph, "component-0103", district="990103").department.name
    reply = service(world, checkpoints, ScriptedModel(seen=[], responses=[AIMessage(content=written)])).ask(
        ChatRequest(message="A3区雨水井盖归谁管？"))  # fmt: skip
    assert reply.mode == "offline-planner" and "离线规划器" in reply.answer and expected in reply.answer
    assert "```" not in reply.answer and "tool_result" not in reply.answer


def transition_script(case_id: str) -> list[AIMessage]:
    return [call("transition_case", {"case_id": case_id, "action": "立案", "note": "经核实"}, "w1"),
            AIMessage(content=f"已对案件 {case_id} 执行立案。")]  # fmt: skip


def _accepted_case(world) -> str:
    with world.sessions() as session:
        return next(c for c in world.case_ids if get_case(session, c).state == "受理")


def test_a_write_waits_for_confirmation_and_runs_once_approved(world, checkpoints) -> None:
    case_id = _accepted_case(world)
    chat = service(world, checkpoints, ScriptedModel(seen=[], responses=transition_script(case_id)))
    paused = chat.ask(ChatRequest(message=f"把 {case_id} 立案", role="official"))
    assert paused.pending is not None and paused.pending.calls[0]["name"] == "transition_case"
    with world.sessions() as session:
        assert get_case(session, case_id).state == "受理"  # nothing written before the person confirms
    done = chat.confirm(ConfirmRequest(session_id=paused.session_id, approved=True))
    assert done.pending is None
    with world.sessions() as session:
        after = get_case(session, case_id)
    assert after.state == "立案" and after.history[-1].actor.startswith("assistant")


def test_a_refused_write_changes_nothing(world, checkpoints) -> None:
    case_id = _accepted_case(world)
    chat = service(world, checkpoints, ScriptedModel(seen=[], responses=transition_script(case_id)))
    paused = chat.ask(ChatRequest(message=f"把 {case_id} 立案"))
    done = chat.confirm(ConfirmRequest(session_id=paused.session_id, approved=False))
    assert [c.ok for c in done.tool_calls] == [False]
    with world.sessions() as session:
        assert get_case(session, case_id).state == "受理"


def test_a_role_without_write_rights_is_refused_without_asking(world, checkpoints) -> None:
    case_id = _accepted_case(world)
    chat = service(world, checkpoints, ScriptedModel(seen=[], responses=transition_script(case_id)))
    reply = chat.ask(ChatRequest(message=f"把 {case_id} 立案", role="analyst"))
    assert reply.pending is None
    assert reply.tool_calls[0].ok is False and "无权" in (reply.tool_calls[0].error or "")
    with world.sessions() as session:
        assert get_case(session, case_id).state == "受理"


def test_a_new_question_while_a_write_is_pending_is_refused(world, checkpoints) -> None:
    from core.exceptions import Conflict

    case_id = _accepted_case(world)
    chat = service(world, checkpoints, ScriptedModel(seen=[], responses=transition_script(case_id)))
    paused = chat.ask(ChatRequest(message=f"把 {case_id} 立案"))
    with pytest.raises(Conflict):
        chat.ask(ChatRequest(message="别的问题", session_id=paused.session_id))


def test_the_planner_calls_first_and_the_model_writes_from_its_verified_notes(world, checkpoints) -> None:
    expected = responsible_department(world.graph, "component-0103", district="990103").department.name
    model = ScriptedModel(seen=[], offered=[], responses=[AIMessage(content=f"A3区的雨水井盖归{expected}管。")])
    reply = service(world, checkpoints, model, role="write").ask(ChatRequest(message="A3区雨水井盖归谁管？"))
    assert reply.mode == "llm"
    assert [(c.name, c.args) for c in reply.tool_calls] == [("responsible_department", {"category": "component-0103",
                                                                                         "district": "990103"})]
    assert len(model.seen) == 1 and not model.offered  # one reply, no tools: it writes, the planner chose the call
    notes = model.seen[0][-1].content
    assert "<notes>" in notes and expected in notes and "component-0103" in notes
    body, summary = reply.answer.split("小结（大模型根据以上要点撰写）：")
    assert "rule-component-0103-990103" in body and expected in summary  # the notes first, the summary labelled


def test_a_summary_no_tool_result_supports_is_left_out_and_the_answer_is_the_planner_s(world, checkpoints) -> None:
    expected = responsible_department(world.graph, "component-0103", district="990103").department.name
    model = ScriptedModel(seen=[], offered=[], responses=[AIMessage(content="共有 987 个井盖，由 9 个单位负责。")])
    reply = service(world, checkpoints, model, role="write").ask(ChatRequest(message="A3区雨水井盖归谁管？"))
    assert "987" not in reply.answer and expected in reply.answer and "小结" not in reply.answer.splitlines()[0]
    assert reply.mode == "offline-planner" and reply.answer.rstrip().endswith("以上由离线规划器回答。）")


def test_a_summary_says_nothing_the_notes_do_not_though_a_tool_returned_it(world, checkpoints) -> None:
    expected = responsible_department(world.graph, "component-0103", district="990103").department.name
    args = {"category": "component-0103", "district": "990103"}
    weight = run_tool(world.client, "responsible_department", args)["data"]["category"]["properties"]["weight"]
    model = ScriptedModel(seen=[], offered=[], responses=[
        AIMessage(content=f"A3区的雨水井盖归{expected}管。这一类的权重是 {weight}。")])  # fmt: skip
    reply = service(world, checkpoints, model, role="write").ask(ChatRequest(message="A3区雨水井盖归谁管？"))
    body, summary = reply.answer.split("小结（大模型根据以上要点撰写）：")
    assert str(weight) not in re.findall(r"\d+", body)  # the notes leave the weight out ...
    assert expected in summary and str(weight) not in re.findall(r"\d+", summary)  # ... so the summary may not add it


def test_a_model_failing_to_write_leaves_the_planner_s_answer_and_says_so(world, checkpoints) -> None:
    expected = responsible_department(world.graph, "component-0103", district="990103").department.name
    reply = service(world, checkpoints, BrokenModel(seen=[], offered=[], responses=[AIMessage("unused")]), role="write").ask(
        ChatRequest(message="A3区雨水井盖归谁管？"))  # fmt: skip
    assert reply.mode == "offline-planner" and expected in reply.answer and "大模型暂时不可用" in reply.answer


def test_a_question_the_planner_declines_never_reaches_the_model(world, checkpoints) -> None:
    model = ScriptedModel(seen=[], offered=[], responses=[AIMessage(content="明天晴，气温 20 度。")])
    reply = service(world, checkpoints, model, role="write").ask(ChatRequest(message="明天A市天气怎么样？会下雨吗"))
    assert not model.seen and not reply.tool_calls and "20" not in reply.answer
    assert "天气" in reply.answer and reply.mode == "offline-planner"


def test_a_write_the_planner_proposes_in_the_write_role_still_waits_for_confirmation(world, checkpoints) -> None:
    case_id = _accepted_case(world)
    model = ScriptedModel(seen=[], offered=[], responses=[AIMessage(content=f"案件 {case_id} 已立案。")])
    chat = service(world, checkpoints, model, role="write")
    paused = chat.ask(ChatRequest(message=f"把 {case_id} 立案", role="official"))
    assert paused.pending is not None and paused.pending.calls[0]["name"] == "transition_case"
    with world.sessions() as session:
        assert get_case(session, case_id).state == "受理"
    done = chat.confirm(ConfirmRequest(session_id=paused.session_id, approved=True))
    with world.sessions() as session:
        assert get_case(session, case_id).state == "立案"
    assert done.pending is None and case_id in done.answer


def test_each_turn_of_a_session_is_written_from_its_own_calls(world, checkpoints) -> None:
    model = ScriptedModel(seen=[], offered=[], responses=[AIMessage(content="已查。"), AIMessage(content="已查。")])
    chat = service(world, checkpoints, model, role="write")
    first = chat.ask(ChatRequest(message="A3区雨水井盖归谁管？"))
    second = chat.ask(ChatRequest(message="那A5区呢", session_id=first.session_id))
    assert [c.args.get("district") for c in second.tool_calls] == ["990105"]
    assert "A5区" in model.seen[1][-1].content and "rule-component-0103-990105" in second.answer
