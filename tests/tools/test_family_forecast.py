"""A family of kinds forecast together ("井盖类案件下周"): the kinds' daily forecasts added up, over the kinds that
have a history; none with a history is said in a sentence."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from core.exceptions import NotFound, YiwangError
from core.times import CHINA
from services.db import make_engine, migrate, session_factory
from services.dispatch.demo_history import seed_case_history
from tools.client import LocalServices
from tools.figures import run_query
from tools.query_spec import FigureQuery


def test_a_family_is_the_sum_of_its_kinds_forecasts(doc_graph, doc_settings, db_url: str) -> None:
    if doc_graph.backend != "falkordb-embedded":
        pytest.skip("the history is written through one graph engine only")
    engine = make_engine(db_url)
    migrate(engine)
    sessions = session_factory(engine)
    now = datetime.now(UTC)
    with sessions() as session:
        seed_case_history(session, doc_graph, seed=3, days=40, per_day=10, now=now)
        session.commit()
    client = LocalServices(doc_graph, sessions, doc_settings.shared_dir)
    counted = client.case_stats("last30d")["by_category"]
    kinds = [c["category_code"] for c in counted[:3]] + ["event-0999"]  # the last has no history
    today = now.astimezone(CHINA).date()
    first, last = today + timedelta(days=1), today + timedelta(days=7)
    figures = run_query(client, FigureQuery(measure="forecast", categories=kinds, period=f"{first}..{last}"), [])
    expected = 0.0
    for kind in kinds:
        try:
            points = client.forecast(f"cases:city:{kind}", 7)["points"]
        except YiwangError:
            continue
        expected += sum(p["mean"] for p in points if first <= date.fromisoformat(p["ts"][:10]) <= last)
    assert figures.total and figures.total.value == pytest.approx(expected, abs=0.05) and expected > 0
    assert len(figures.rows) == 7 and all(r.interval is None for r in figures.rows)  # bounds do not add up
    assert "event-0999" not in figures.note and kinds[0] in figures.note
    with pytest.raises(NotFound, match="没有足够的案件历史"):
        run_query(client, FigureQuery(measure="forecast", categories=["event-0998", "event-0999"]), [])
    engine.dispose()
