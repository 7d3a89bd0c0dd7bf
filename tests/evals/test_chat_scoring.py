"""An answer is scored on what an official would notice: the right figure, for the right period and place,
with no figure of another period, and a decline where the question cannot be answered. Each check shown
failing on the answer it must catch."""

from __future__ import annotations

from datetime import date

import pytest

from evals.chat import Question, declines, figures_stated, name_in, score_answer, ungrounded
from evals.gold import Facts, Recipe
from evals.metrics import Unscorable

TODAY = date(2026, 12, 5)
FACTS = Facts({"s": {"total": 61}, "all": {"total": 546},
               "e": {"items": [{"department_name": "A市水务局", "按期处置率": {"value": 0.7097}},
                               {"department_name": "A1区城市管理和综合执法局", "按期处置率": {"value": 0.9}}]}})  # fmt: skip
MONTH = Recipe.model_validate({"id": "q", "checks": [{"figure": "s.total", "unit": "件"}, {"period": "@this_month"},
                                                     {"not_figure": "all.total"}]})  # fmt: skip


def _question(text: str = "这个月全市受理了多少案件", answerable: bool = True) -> Question:
    return Question("q", "official", [text], "case_stats", "", "", answerable)


def _passes(answer: str, recipe: Recipe = MONTH, question: Question | None = None) -> bool:
    return all(c.ok for c in score_answer(answer, recipe, FACTS, question or _question(), TODAY))


def test_the_right_figure_for_the_right_period_passes_in_any_numeral() -> None:
    assert _passes("本月（12月1日至今）全市共受理案件 61 件。")
    assert _passes("这个月全市一共受理了六十一件。")


@pytest.mark.parametrize("answer", [
    "全市共有案件 546 件，其中本月 61 件。",  # an all-time total beside it
    "全市共受理案件 61 件。",  # no period named
    "本月全市共受理案件 60 件。",  # off by one
    "本月全市共受理案件 61 起。",  # another unit
])  # fmt: skip
def test_what_an_official_would_catch_fails(answer: str) -> None:
    assert not _passes(answer)


def test_a_rate_may_be_said_as_a_percentage_and_the_department_without_the_city_prefix() -> None:
    recipe = Recipe.model_validate({"id": "q", "checks": [
        {"name": "min_by(e.items, &\"按期处置率\".value).department_name"},
        {"figure": "min_by(e.items, &\"按期处置率\".value).\"按期处置率\".value", "percent": True}]})  # fmt: skip
    assert _passes("按期处置率最低的是市水务局，为 71.0%。", recipe)
    assert _passes("最低：水务局 70.97%", recipe)
    assert not _passes("最低：水务局 90%", recipe)
    assert not _passes("最低：A1区城市管理和综合执法局 71%", recipe)


def test_either_of_two_readings_passes_a_figure_check_marked_any() -> None:
    either = Recipe.model_validate({"id": "q", "checks": [{"figure": "[s.total, all.total]", "unit": "件", "any": True}]})
    both = Recipe.model_validate({"id": "q", "checks": [{"figure": "[s.total, all.total]", "unit": "件"}]})
    assert _passes("全市共受理案件 61 件。", either) and not _passes("全市共受理案件 61 件。", both)
    assert not _passes("全市共受理案件 62 件。", either)


def test_a_decline_states_no_figure_but_may_repeat_the_question() -> None:
    recipe = Recipe.model_validate(
        {"id": "q", "checks": [{"decline": True}, {"says": ["A1区", "A7区", "不存在"]}]}
    )
    question = _question("A8区本月案件多少", answerable=False)
    assert _passes("A市没有A8区，只有A1区至A7区，请核对区名。", recipe, question)
    assert not _passes("A8区本月共有 12 件案件。", recipe, question)
    assert not _passes("全市本月 61 件。", recipe, question)


def test_a_check_that_applies_to_nothing_today_is_unscorable() -> None:
    recipe = Recipe.model_validate({"id": "q", "checks": [{"figure": "s.total", "when": "s.total > `100`"}]})
    with pytest.raises(Unscorable):
        score_answer("61", recipe, FACTS, _question(), TODAY)
    guarded = Recipe.model_validate({"id": "q", "checks": [{"figure": "s.total", "when": "s.total > `100`"},
                                                           {"says": ["没有", "无"], "when": "s.total <= `100`"}]})  # fmt: skip
    assert _passes("本月没有超过一百件。", guarded)


def test_dates_times_list_markers_and_the_questions_numbers_are_not_figures() -> None:
    answer = "1. 2026-12-05 10:30 A3区 共 3 件\n2. 12月4日 2 件"
    assert figures_stated(answer) == [3.0, 2.0]
    assert figures_stated("990108 不存在", ["990108这个区的告警情况"]) == []
    assert figures_stated("最高 8.698 cm（传感器 S9901020103000227-03，A2区，12-05 13:30）") == [8.698]  # a reading's stamp
    assert figures_stated("11月67.7%，12月40%") == [67.7, 40.0]  # a month's rate written on, not a day of it
    assert figures_stated("10月21日起共 5 件") == [5.0]


def test_the_hotlines_number_is_no_figure_but_a_phone_number_holding_it_is() -> None:
    assert figures_stated("已转12345热线，共 2 件") == [2.0]
    assert figures_stated("来电号码 13912345678") == [13912345678.0]  # not "139" and "678"


def test_groundedness_finds_each_figure_in_what_the_reply_cites() -> None:
    reply = {
        "citations": [{"title": "案件统计", "snippet": '{"total": 61, "rate": 0.7097}'}],
        "tool_calls": [],
    }
    assert ungrounded("本月 61 件，按期处置率 71.0%。", reply, _question()) == []
    assert ungrounded("本月 61 件，其中 12 件超期。", reply, _question()) == [12.0]


def test_decline_wording_and_names() -> None:
    assert declines("系统没有空气质量监测数据，无法提供。") and declines("未找到该案件，请核对编号")
    assert not declines("本月共 61 件，其中不予立案 8 件，超出期限 3 件。")
    assert not declines("分拨建议：井盖丢失，承办市水务局。位置：只能定位到区，无法确定网格。")
    assert declines("A市没有A8区，只有A1区至A7区。")
    assert name_in("派给市水务局处理", "A市水务局") and not name_in("派给市城管局", "A市水务局")
    assert name_in("A1区 0 件，合计 0 件", "0件")  # a space before the unit says the same
    assert not name_in("抱歉，无法查询。", "无") and name_in("本周无新增案件", "无")  # 无法 is not "none"


def test_words_with_one_in_them_and_house_numbers_are_not_figures() -> None:
    assert figures_stated("我不能替您跳过流程的每一步，请逐一办理。") == []
    assert figures_stated("幸福路582号附近 3 件，5号泵站 2 件") == [3.0, 2.0]


def test_a_wrong_answer_with_figures_is_counted_apart_from_a_refusal() -> None:
    from evals.chat import Scored, summarize

    def scored(answer: str, passed: bool) -> Scored:
        return Scored(
            "q",
            "case_stats",
            "official",
            ["本月案件多少"],
            "",
            answer=answer,
            passed=passed,
            declined=declines(answer),
        )

    figures = summarize([scored("本月 61 件。", True), scored("全市共有 546 件。", False), scored("抱歉，无法回答。", False),
                         scored("请说明要查哪个区。", False)])["figures"]  # fmt: skip
    assert figures["accuracy"] == 0.25 and figures["wrong_with_figures"] == 0.25
