"""Gold recipes: refused when they could pass anything, periods as officials name them, ties kept, and gold
computed from the services' answers (a scripted client here; tests/assistant/test_eval_harness.py runs the
real services)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from evals.gold import City, Facts, Recipe, compute, numbers, period, strings
from evals.metrics import Unscorable
from tools.client import Operation, ServicesClient

SATURDAY = date(2026, 12, 5)


def test_a_recipe_that_could_pass_anything_is_refused() -> None:
    with pytest.raises(ValidationError, match="without checks"):
        Recipe(id="x", checks=[])
    with pytest.raises(ValidationError, match="writing operation"):
        Recipe.model_validate(
            {"id": "x", "calls": {"a": {"op": "create_case", "args": {}}}, "checks": [{"says": ["好"]}]}
        )
    with pytest.raises(ValidationError, match="exactly one"):
        Recipe.model_validate({"id": "x", "checks": [{"figure": "a.total", "name": "a.name"}]})
    with pytest.raises(ValidationError, match="jmespath"):
        Recipe.model_validate({"id": "x", "checks": [{"figure": "min_by(e.items, &按期处置率)"}]})
    with pytest.raises(ValidationError, match="reserved"):
        Recipe.model_validate(
            {"id": "x", "calls": {"districts": {"op": "vitals"}}, "checks": [{"says": ["好"]}]}
        )


@pytest.mark.parametrize(("token", "api", "spelling"), [
    ("@this_week", "2026-11-30..2026-12-05", "本周"),
    ("@last_week", "2026-11-23..2026-11-29", "11月23日"),
    ("@this_month", "2026-12", "12月"),
    ("@last_month", "2026-11", "上个月"),
    ("@yesterday", "2026-12-04", "12月4日"),
    ("@last7d", "last7d", "近7天"),
    ("@days7", "2026-11-29..2026-12-05", "最近7天"),
    ("@days7_before", "2026-11-22..2026-11-28", "11月22日"),
    ("2026-10", "2026-10", "10月"),
])  # fmt: skip
def test_periods_are_computed_from_today_and_spelled_as_people_write_them(
    token: str, api: str, spelling: str
) -> None:
    resolved = period(token, SATURDAY)
    assert resolved.api == api and spelling in resolved.spellings


def test_an_unknown_period_token_is_unscorable() -> None:
    with pytest.raises(Unscorable):
        period("@next_year", SATURDAY)


def test_ties_keep_every_district_at_the_top() -> None:
    facts = Facts({"per": [{"name": "A1区", "result": {"total": 3}}, {"name": "A2区", "result": {"total": 3}},
                           {"name": "A3区", "result": {"total": 1}}]})  # fmt: skip
    assert facts.search("all_max_by(per, &result.total)[].name") == ["A1区", "A2区"]
    assert facts.search("all_min_by(per, &result.total)[].name") == ["A3区"]
    assert facts.search("max_by(per, &result.total).name") == "A1区"  # plain JMESPath keeps one


def test_no_number_or_no_name_is_unscorable_not_a_pass() -> None:
    with pytest.raises(Unscorable):
        numbers([])
    with pytest.raises(Unscorable):
        numbers(None)
    with pytest.raises(Unscorable):
        strings([None])
    assert numbers([[1, 2], 3.5]) == [1.0, 2.0, 3.5]


class Scripted(ServicesClient):
    """Answers case_stats per district from a table and records what was asked."""

    backend = "scripted"

    def __init__(self) -> None:
        self.asked: list[dict[str, Any]] = []

    def _call(self, op: Operation, arguments: dict[str, Any]) -> Any:
        self.asked.append({"op": op.name} | arguments)
        if op.name == "case_stats":
            return {
                "total": {"990101": 4, "990102": 9}.get(arguments["district"] or "", 13),
                "district": arguments["district"],
            }
        if op.name == "evaluation":
            return {"items": [{"department_id": "dept-water", "按期处置率": {"value": 0.5}}]}
        raise AssertionError(op.name)


def test_gold_is_computed_per_district_for_the_period_asked_with_names_beside_ids() -> None:
    client = Scripted()
    city = City(
        [{"code": "990101", "name": "A1区"}, {"code": "990102", "name": "A2区"}],
        [{"id": "dept-water", "name": "A市水务局"}],
        SATURDAY,
    )
    recipe = Recipe.model_validate({"id": "x", "calls": {
        "per": {"op": "case_stats", "args": {"period": "@yesterday", "district": "{code}"}, "each": "districts"},
        "e": {"op": "evaluation", "args": {"period": "@last_month"}}},
        "checks": [{"figure": "per[].result.total"}]})  # fmt: skip
    facts = compute(recipe, client, city)
    assert [a["period"] for a in client.asked] == ["2026-12-04", "2026-12-04", "2026-11"]
    assert facts.search("max_by(per, &result.total).name") == "A2区"
    assert facts.search("per[0].result.district_name") == "A1区"
    assert facts.search("e.items[0].department_name") == "A市水务局"


def test_the_functions_recipes_need_beyond_jmespath() -> None:
    facts = Facts({"a": [{"x": 1}, {"x": 1}, {"x": 2}], "t": "2026-12-04T20:30:00+00:00"})
    assert facts.search("distinct(a[].x)") == [1, 2]
    assert facts.search("minus(`5`, `3`)") == 2 and facts.search("divide(`1`, `4`)") == 0.25
    assert facts.search("divide(`1`, `0`)") is None
    assert facts.search("month_day(t)") == "12月5日"  # 20:30 UTC is the next morning in China
    assert period("@day_before_yesterday", SATURDAY).api == "2026-12-03"
    assert period("@week_before_last", SATURDAY).api == "2026-11-16..2026-11-22"


def test_a_set_with_a_line_that_does_not_fit_is_unscorable_naming_the_line(tmp_path) -> None:
    from evals import read_models

    path = tmp_path / "gold.jsonl"
    path.write_text('{"id": "a", "checks": [{"says": ["好"]}]}\n\n{"id": "b", "checks": []}\n', "utf-8")
    with pytest.raises(Unscorable, match="gold.jsonl line 3"):
        read_models(path, Recipe)
