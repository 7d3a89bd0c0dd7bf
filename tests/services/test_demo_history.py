"""The demo case history goes through the real workflow and gives the evaluation something to measure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from services.db import make_engine, migrate, session_factory
from services.dispatch.demo_history import existing_cases, seed_case_history
from services.dispatch.performance import evaluate_departments
from services.dispatch.tables import CaseEventRow, CaseRow

NOW = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)


def _history(graph, db_url: str, seed: int = 5) -> tuple:
    engine = make_engine(db_url)
    migrate(engine)
    sessions = session_factory(engine)
    with sessions() as session:
        stats = seed_case_history(session, graph, seed=seed, days=10, per_day=6, now=NOW)
        states = dict(session.execute(select(CaseRow.state, func.count()).group_by(CaseRow.state)).all())
        evaluation = evaluate_departments(session, "last30d", now=NOW)
        events = session.scalar(select(func.count()).select_from(CaseEventRow))
        assert existing_cases(session) == stats.created
    engine.dispose()
    return stats, states, evaluation, events


def test_history_is_deterministic_and_reaches_every_outcome(graph, tmp_path) -> None:
    if graph.backend != "falkordb-embedded":
        pytest.skip("the history is written through one graph engine only")
    first = _history(graph, f"sqlite:///{tmp_path / 'a.db'}")
    second = _history(graph, f"sqlite:///{tmp_path / 'b.db'}")
    assert first[0] == second[0] and first[1] == second[1]
    stats, states, evaluation, events = first
    assert stats.created >= 40 and events == stats.created + stats.transitions  # 受理 plus every move
    assert {"结案", "不予立案"} <= set(states) and {"处置", "派遣", "核查", "立案"} & set(states)
    rates = [d.按期处置率.value for d in evaluation.items if d.按期处置率.value is not None]
    assert rates and any(0 < r < 1 for r in rates)  # some cases late, most on time
    assert sum(d.返工数 for d in evaluation.items) > 0


def test_case_count_forecasts_never_go_below_zero(graph, tmp_path, base_settings) -> None:
    """A sparse district × category count series gets intervals around zero; a negative count is no answer."""
    if graph.backend != "falkordb-embedded":
        pytest.skip("the history is written through one graph engine only")
    from services.forecasting.forecast import ForecastRequest, forecast

    engine = make_engine(f"sqlite:///{tmp_path / 'f.db'}")
    migrate(engine)
    with session_factory(engine)() as session:
        seed_case_history(session, graph, seed=3, days=40, per_day=4, now=NOW)
        pairs = session.execute(select(CaseRow.district, CaseRow.category_code, func.count(), func.min(CaseRow.created_at))
                                .group_by(CaseRow.district, CaseRow.category_code)).all()  # fmt: skip
        long_enough = [row for row in pairs if row[3] < (NOW - timedelta(days=30)).replace(tzinfo=None)]
        district, category, *_ = min(long_enough, key=lambda row: row[2])
        body = forecast(session, ForecastRequest(series_id=f"cases:{district}:{category}", horizon=7),
                        base_settings.shared_dir, now=NOW)  # fmt: skip
    engine.dispose()
    assert body.points and all(min(p.mean, p.lo80, p.lo95) >= 0 for p in body.points)
    assert all(p.lo95 <= p.lo80 <= p.mean <= p.hi80 <= p.hi95 for p in body.points)
