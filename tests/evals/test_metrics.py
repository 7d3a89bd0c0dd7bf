"""The deterministic scores: each passes what it should and fails what it should (issue 14's pitfalls)."""

from __future__ import annotations

import pytest

from evals.metrics import (
    Call,
    Figure,
    Unscorable,
    abstention_scores,
    calls_match,
    digits,
    names_period,
    numbers_in,
    parse_reply,
    pass_hat_k,
    precision_recall,
    states_figure,
    ungrounded_numbers,
)


def test_chinese_numerals_and_separators_become_the_same_figure() -> None:
    assert numbers_in("十一月份共受理一千二百七十九件") == [11, 1279]
    assert numbers_in("11月份共受理1,279件") == [11, 1279]
    assert numbers_in("一共三件，一直没人管") == [3]  # 一共/一直 are not the number one
    assert "95.3%" in digits("按期处置率百分之九十五点三")


def test_a_figure_is_stated_only_with_its_value_and_unit() -> None:
    assert states_figure("A3区本月 三百二十 件", Figure(320, unit="件"))
    assert states_figure("按期处置率为95.26%", Figure(95.3, tolerance=0.05, unit="%"))
    assert not states_figure("A3区本月 321 件", Figure(320, unit="件"))
    assert not states_figure("A3区本月 320 处", Figure(320, unit="件"))
    assert states_figure("A3区坏了 21 盏路灯", Figure(21, unit="个"))  # a classifier of things is no unit
    assert not states_figure("A3区坏了 21 盏路灯", Figure(21, unit="%"))
    assert not states_figure("没有数据", Figure(0))


def test_the_period_must_be_named() -> None:
    assert names_period("十一月各区案件量如下", ["11月", "2026-11"])
    assert not names_period("各区案件量如下（全部时间）", ["11月", "2026-11"])
    assert names_period("过去 24 小时的读数最高 8.7 cm", ["近1天", "24小时"])  # spaces are typography
    with pytest.raises(Unscorable):
        names_period("十一月", [])


def test_every_number_must_come_from_the_turns_tool_results() -> None:
    results = [{"items": [{"district": "A3区", "total": 320}, {"rate": 0.953}]}]
    assert ungrounded_numbers("A3区共320件，按期处置率95.3%", results) == []
    assert ungrounded_numbers("A3区共三百二十件", results) == []
    assert ungrounded_numbers("A3区共325件", results) == [325]


def test_citations_by_id_and_empty_gold_is_an_error() -> None:
    assert precision_recall(["a", "b"], ["a", "c"]) == (0.5, 0.5)
    assert precision_recall([], ["a"]) == (0.0, 0.0)
    with pytest.raises(Unscorable):
        precision_recall(["a"], [])


def test_tool_calls_match_structurally_and_no_expectation_is_an_error() -> None:
    made = [Call("case_stats", {"period": "2026-11", "district": "990103", "category": None})]
    assert calls_match(made, [Call("case_stats", {"period": "2026-11"})])
    assert not calls_match(made, [Call("case_stats", {"period": "2026-12"})])
    assert not calls_match([], [Call("case_stats", {})])
    with pytest.raises(Unscorable):
        calls_match(made, [])


def test_pass_hat_k_is_the_chance_that_k_runs_all_succeed() -> None:
    assert pass_hat_k([True, True, True, True], 4) == 1.0
    assert pass_hat_k([True, True, False, True], 1) == 0.75
    assert pass_hat_k([True, True, False, True], 2) == 0.5
    assert pass_hat_k([True, False], 2) == 0.0
    with pytest.raises(Unscorable):
        pass_hat_k([True], 2)


def test_abstention_precision_and_recall() -> None:
    assert abstention_scores([True, False, True], [True, False, False]) == (0.5, 1.0)
    assert abstention_scores([False, False], [True, False]) == (0.0, 0.0)
    with pytest.raises(Unscorable):
        abstention_scores([True], [False])


@pytest.mark.parametrize("raw", ["", "not json", "[]", '{"answer": 3, "tool_calls": []}', '{"answer": "好"}'])
def test_a_reply_that_does_not_parse_is_a_failure_not_a_silent_no_call(raw: str) -> None:
    with pytest.raises(Unscorable):
        parse_reply(raw)


def test_a_reply_in_the_contracts_shape_parses() -> None:
    assert parse_reply('{"answer": "好", "tool_calls": []}')["answer"] == "好"
