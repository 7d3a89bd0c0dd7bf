"""Misses of the development sets (issue 15, session 23), asked through chat: a grouped figure compared with the
period before, group by group; two measures asked together kept by the follow-up; each measure ranked the way its
own clause asks; one department's figure then "按部门排一下"; the city's average beside a department without the
month before."""

from __future__ import annotations

import uuid

from assistant.chat import ChatService
from assistant.figures import _beside_previous
from tests.assistant.support import ask, calls
from tools.figures import _set_beside
from tools.query_spec import FigureQuery, FigureRow, Figures


def _figures(measure: str, rows: dict[str, float]) -> Figures:
    return Figures(measure=measure, unit="件", period="p", start="", end="",
                   rows=[FigureRow(key=k, value=v) for k, v in rows.items()], total=None)  # fmt: skip


def test_each_group_of_a_compared_count_carries_its_figure_of_the_period_before() -> None:
    # The demo world of these tests has cases of today only: the period before is built here.
    now = _figures("cases", {"市容环境": 167, "公用设施": 80, "其他设施": 5})
    _set_beside(now, _figures("cases", {"市容环境": 62, "公用设施": 80}), FigureQuery(measure="cases", group_by="major"))
    assert [(r.previous, r.change) for r in now.rows] == [(62, 105), (80, 0), (0, 5)]  # a class absent then had 0
    said = [_beside_previous("cases", r.model_dump()) for r in now.rows]
    assert said == ["（前一期 62 件，增加 105 件）", "（前一期 80 件，持平）", "（前一期 0 件，增加 5 件）"]


def test_a_rate_of_a_group_absent_before_has_no_figure_then_and_changes_in_points() -> None:
    now = _figures("结案率", {"dept-a": 0.667, "dept-b": 0.5})
    _set_beside(now, _figures("结案率", {"dept-a": 1.0}), FigureQuery(measure="结案率", group_by="department"))
    assert now.rows[0].change == -33.3 and now.rows[1].previous is None  # no cases then: no rate, not 0 %
    assert _beside_previous("结案率", now.rows[0].model_dump()) == "（前一期 100%，下降 33.3 个百分点）"
    assert _beside_previous("结案率", now.rows[1].model_dump()) == ""


def test_two_rates_asked_together_are_both_given_again_for_the_month_before(world, chat: ChatService) -> None:
    session = uuid.uuid4().hex
    first = ask(chat, "这个月市水务局的结案率和返工率分别是多少", session)
    assert {c["measure"] for c in calls(first, "query_figures")} == {"结案率", "返工率"}
    reply = ask(chat, "上个月的呢", session)
    asked = calls(reply, "query_figures")
    assert {c["measure"] for c in asked} == {"结案率", "返工率"}
    assert len({c["period"] for c in asked}) == 1 and asked[0]["period"] != calls(first, "query_figures")[0]["period"]
    assert "结案率" in reply.answer and "返工率" in reply.answer


def test_each_measure_is_ranked_the_way_its_own_clause_asks(world, chat: ChatService) -> None:
    reply = ask(chat, "国庆以来哪个部门返工率最高？准确派遣率最低的又是谁")
    orders = {c["measure"]: c.get("order") for c in calls(reply, "query_figures")}
    assert orders == {"返工率": "desc", "准确派遣率": "asc"}
    rework, dispatch = (line for line in reply.answer.splitlines() if "各部门" in line)
    assert "返工率" in rework and "最高的是" in rework
    assert "准确派遣率" in dispatch and "最低的是" in dispatch


def test_ranking_departments_after_one_departments_rate_ranks_all_and_places_it(world, chat: ChatService) -> None:
    session = uuid.uuid4().hex
    ask(chat, "市水务局本月返工率多少", session)
    reply = ask(chat, "按部门排一下，返工率从高到低", session)
    query = calls(reply, "query_figures")[0]
    assert query["group_by"] == "department" and not query.get("departments") and query["order"] == "desc"
    assert "A市水务局排第" in reply.answer
    single = ask(chat, "市水务局这个月准确派遣率多少？", session)  # one department again: its own figure
    assert not calls(single, "query_figures")[0].get("group_by")


def test_the_city_average_beside_a_department_brings_no_month_before(world, chat: ChatService) -> None:
    session = uuid.uuid4().hex
    ask(chat, "市水务局这个月准确派遣率多少？", session)
    reply = ask(chat, "跟全市平均比高还是低", session)
    query = calls(reply, "query_figures")[0]
    assert query.get("beside_all") and not query.get("compare_period")
    assert "全市同期" in reply.answer and "环比" not in reply.answer
