"""The evaluation harness against the real offline assistant and the real services of the test city: gold
computed from the data, a wrong answer failing, write tasks judged on the database's end state, memos
scored on their headings and figures."""

from __future__ import annotations

from evals.chat import LocalChat, Question, Scored, run_question
from evals.gold import City, Recipe
from evals.memos import MemoItem, run_memos
from evals.tasks import LocalConversation, Task, run_task
from memos.compose import compose_memo
from memos.models import MemoRequest


def _district(world) -> dict:
    return sorted(world.client.search_entities("区", label="District", limit=20), key=lambda d: d["id"])[0]


def _ask(chat, world, text: str, recipe: dict, answerable: bool = True) -> Scored:
    question = Question("t", "official", [text], "case_stats", "", "", answerable)
    return run_question(
        question,
        Recipe.model_validate({"id": "t"} | recipe),
        LocalChat(chat),
        world.client,
        City.of(world.client),
    )


def test_gold_comes_from_the_services_and_a_figure_the_answer_lacks_fails(chat, world) -> None:
    month = {
        "calls": {"s": {"op": "case_stats", "args": {"period": "@this_month"}}},
        "checks": [{"figure": "s.total"}],
    }
    scored = _ask(chat, world, "本月全市案件多少件", month)
    total = world.client.case_stats()["total"]
    assert (
        scored.error is None
        and scored.mode == "offline-planner"
        and scored.tools_called
        and scored.latency_s > 0
    )
    assert scored.checks[0].expected == f"{total:g}" and scored.passed == (str(total) in scored.answer)
    impossible = {"calls": month["calls"], "checks": [{"figure": "sum([s.total, `1000`])"}]}
    assert not _ask(chat, world, "本月全市案件多少件", impossible).passed


def test_a_question_with_no_recipe_or_gold_that_is_not_a_number_is_an_error_not_a_pass(chat, world) -> None:
    question = Question("t", "official", ["本月全市案件多少件"], "case_stats", "", "", True)
    assert (
        run_question(question, None, LocalChat(chat), world.client, City.of(world.client)).error
        == "no gold recipe for this question"
    )
    empty = {
        "calls": {"a": {"op": "alarms", "args": {"district": "999999"}}},
        "checks": [{"figure": "a[].value"}],
    }
    scored = _ask(chat, world, "999999的告警", empty)
    assert not scored.passed and scored.error


def test_a_refusal_of_a_place_that_does_not_exist_passes_its_decline_check(chat, world) -> None:
    scored = _ask(chat, world, "A8区本月案件多少", {"checks": [{"decline": True}]}, answerable=False)
    assert scored.error is None and scored.should_decline
    assert scored.passed and scored.declined, scored.answer


def _task(district: str, confirm: bool, expect: dict) -> Task:
    return Task.model_validate({"id": "t", "setup": {"case": {"text": "路灯不亮", "category_code": "component-0110", "district": district}},
                                "turns": ["把{case}立案"], "confirm": confirm, "expect": expect})  # fmt: skip


def test_tasks_are_judged_on_the_end_state_not_the_wording(chat, world) -> None:
    name = _district(world)["name"]
    talk = LocalConversation(chat)
    assert run_task(
        _task(name, True, {"case": {"state": "立案", "actions": ["立案"]}}), talk, world.client
    ).ok
    refused = run_task(_task(name, False, {"no_write": True}), talk, world.client)
    assert refused.ok and refused.tool_calls  # the assistant asked, the person said no, nothing changed
    wrong = run_task(_task(name, False, {"case": {"state": "立案"}}), talk, world.client)
    assert not wrong.ok and wrong.failures == ["state: '受理', expected '立案'"]
    wrote = run_task(_task(name, True, {"no_write": True}), talk, world.client)
    assert not wrote.ok and "nothing should change" in wrote.failures[0]


def test_a_memo_is_scored_on_its_headings_and_the_figures_of_its_period(world) -> None:
    district = _district(world)
    item = MemoItem.model_validate({"id": "m", "request": {"topic": "路灯", "district": district["name"]},
                                    "calls": {"s": {"op": "case_stats", "args": {"period": "@this_month", "district": district["id"]}}},
                                    "checks": [{"figure": "s.total", "unit": "件"}, {"period": "@this_month"}]})  # fmt: skip

    def write(request: dict) -> dict:
        return compose_memo(world.client, MemoRequest.model_validate(request)).model_dump(mode="json")

    scored = run_memos([item], write, world.client)[0]
    assert scored.error is None and scored.passed, scored.checks
    fewer = item.model_copy(update={"sections": ["背景", "附件"]})
    assert [c.ok for c in run_memos([fewer], write, world.client)[0].checks[:2]] == [True, False]
