"""Department indicators from constructed case histories, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.exceptions import InvalidInput
from core.times import period_bounds
from graph.demo.city import CityData
from graph.store import GraphStore
from services.db import make_engine, migrate, session_factory
from services.dispatch import cases
from services.dispatch.models import CaseCreate, TransitionRequest
from services.dispatch.performance import evaluate_departments

MONDAY = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # 10:00 China time


def test_indicators_count_what_happened(graph: GraphStore, small_city: CityData, db_url: str) -> None:
    if graph.backend != "falkordb-embedded":
        pytest.skip("one graph engine is enough here")
    engine = make_engine(db_url)
    migrate(engine)
    grid = small_city.nodes["Grid"][0]["id"]
    other = next(d["id"] for d in small_city.nodes["Department"] if d["key"] == "city_chengguan")

    def new(session, text: str):
        return cases.create_case(session, graph, CaseCreate(text=text, category_code="component-0101", grid_id=grid), now=MONDAY)

    def move(session, case, *actions, at=MONDAY, **extra):
        for offset, action in enumerate(actions):
            case = cases.transition(session, graph, case.id, TransitionRequest(action=action, actor="t", **extra),
                                    now=at + timedelta(minutes=offset))  # fmt: skip
        return case

    with session_factory(engine)() as session:
        on_time = move(session, new(session, "按期"), "立案", "派遣", "签收", "处置反馈", "核查通过")
        late = move(session, new(session, "超期"), "立案", "派遣", "签收")
        late = move(session, late, "处置反馈", at=MONDAY + timedelta(days=10))
        rework = move(session, new(session, "返工"), "立案", "派遣", "签收", "处置反馈", "返工", "处置反馈", "核查通过")
        move(session, new(session, "延期"), "立案", "派遣", "延期")
        returned = move(session, new(session, "回退"), "立案", "派遣", "回退")
        move(session, returned, "派遣", department_id=other)
        session.commit()
        result = evaluate_departments(session, "2026-11", now=MONDAY + timedelta(days=1))
    engine.dispose()
    by_department = {item.department_id: item for item in result.items}
    main = by_department[on_time.department_id]
    assert (main.派遣数, main.准确派遣数) == (5, 4)  # the returned case was dispatched here once, wrongly
    assert main.应处置数 == 4 and main.按期处置数 == 2 and main.超期处置数 == 1
    assert main.按期处置率.model_dump() == {"value": 0.5, "numerator": 2, "denominator": 4}
    assert (main.返工数, main.延期数, main.结案数, main.应结案数) == (1, 1, 2, 4)
    assert main.结案率.value == 0.5 and main.返工率.value == 0.25 and main.准确派遣率.value == 0.8
    assert by_department[other].应处置数 == 1 and by_department[other].准确派遣数 == 1
    assert rework.state == "结案" and rework.rework_count == 1 and late.state == "核查" and late.overdue
    assert result.start == "2026-11-01T00:00:00+08:00" and result.end == "2026-12-01T00:00:00+08:00"


def test_a_span_of_days_includes_both_ends_in_china_time() -> None:
    label, start, end = period_bounds("2026-11-23..2026-11-29", MONDAY)
    assert label == "2026-11-23..2026-11-29"
    assert (start, end) == (datetime(2026, 11, 22, 16, tzinfo=UTC), datetime(2026, 11, 29, 16, tzinfo=UTC))


@pytest.mark.parametrize("period", ["2026-13", "last", "11/2026", "2026-02-30", "2026-11-29..2026-11-23", "2026-11-01..2026-11-31"])
def test_bad_period_is_a_clear_error(period: str) -> None:
    with pytest.raises(InvalidInput, match="统计周期"):
        period_bounds(period, datetime.now(UTC))
