"""Case statistics agree with the cases themselves, on both databases, and over HTTP."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from graph.queries.cases import category_majors
from services.db import make_engine, migrate, session_factory
from services.dispatch.cases import to_public
from services.dispatch.demo_history import seed_case_history
from services.dispatch.stats import case_stats
from services.dispatch.tables import CaseRow
from services.dispatch.workflow import TERMINAL, State

NOW = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)


def test_the_counts_are_the_cases_counted_one_by_one(graph, db_url: str) -> None:
    if graph.backend != "falkordb-embedded":
        pytest.skip("the history is written through one graph engine only")
    engine = make_engine(db_url)
    migrate(engine)
    sessions = session_factory(engine)
    with sessions() as session:
        seed_case_history(session, graph, seed=7, days=12, per_day=6, now=NOW)
        session.commit()
        district = session.scalars(select(CaseRow.district)).first()
        stats = case_stats(session, "last7d", district=district, now=NOW)
        whole = case_stats(session, "last30d", now=NOW)
        closed_in_week = case_stats(session, "last7d", now=NOW, basis="closed")
        one = [to_public(row, [], NOW) for row in session.scalars(select(CaseRow))]
    engine.dispose()
    week = [c for c in one if c.district == district and (NOW - datetime.fromisoformat(c.created_at)).days < 7]
    assert stats.total == len(week) > 0
    assert stats.open == sum(c.state not in {s.value for s in TERMINAL} for c in week)
    assert stats.closed == sum(c.state == "结案" for c in week)
    assert stats.overdue == sum(c.overdue for c in week)
    # 立案 and 超期未结 as officials count them: past 受理 (neither refused nor voided); still open past the deadline.
    assert stats.registered == sum(c.state not in ("受理", "不予立案", "作废") for c in week)
    assert whole.overdue_open == sum(c.overdue and c.state not in {s.value for s in TERMINAL} for c in one) > 0
    assert whole.total == len(one) and whole.overdue == sum(c.overdue for c in one) > 0
    # "昨天结了几件": the cases closed in the period, whenever they came in (voided ones are not 结案).
    closed = [c for c in one if c.state == "结案" and (NOW - datetime.fromisoformat(c.closed_at)).days < 7]
    assert closed_in_week.total == len(closed) > 0 and closed_in_week.basis == "closed"
    assert closed_in_week.total != sum(c.state == "结案" for c in one if (NOW - datetime.fromisoformat(c.created_at)).days < 7)
    expected = Counter(c.category_code for c in one).most_common()
    assert [(x.category_code, x.count) for x in whole.by_category] == sorted(expected, key=lambda x: (-x[1], x[0]))[:10]
    # "哪个部门超期的最多": each department's own cases of each count, not the cases dispatched to it.
    held = {d.department_id: d for d in whole.by_department}
    assert held and all(d.overdue_open == sum(c.overdue and c.state not in {s.value for s in TERMINAL}
                                              for c in one if c.department_id == d.department_id) for d in held.values())
    assert sum(d.total for d in held.values()) == sum(c.department_id is not None for c in one)
    # "在办的卡在哪个环节": every step the week's cases are at, in the workflow's order, open steps marked.
    assert {(s.state, s.count) for s in stats.by_state} == set(Counter(c.state for c in week).items())
    assert sum(s.count for s in stats.by_state if s.open) == stats.open
    order = [s.value for s in State]
    assert [s.state for s in stats.by_state] == sorted((s.state for s in stats.by_state), key=order.index)
    # "部件类和事件类各多少": every category of a kind together, whatever the top categories' cut.
    assert {(k.kind, k.count) for k in stats.by_kind} == set(Counter(c.category_code.split("-")[0] for c in week).items())
    assert sum(k.open for k in stats.by_kind) == stats.open


def test_the_stats_endpoint_filters_and_refuses_bad_parameters(client: TestClient, graph, db_url: str) -> None:
    engine = make_engine(db_url)
    with session_factory(engine)() as session:
        seed_case_history(session, graph, seed=9, days=20, per_day=6, now=datetime.now(UTC))
        session.commit()
    engine.dispose()
    everywhere = client.get("/v1/cases/stats", params={"period": "last30d"}).json()
    district = everywhere["by_category"] and client.get("/v1/cases", params={"limit": 1}).json()["items"][0]["district"]
    local = client.get("/v1/cases/stats", params={"period": "last30d", "district": district}).json()
    top = local["by_category"][0]
    one = client.get("/v1/cases/stats", params={"period": "last30d", "district": district, "category": top["category_code"]}).json()
    hotline = client.get("/v1/cases/stats", params={"period": "last30d", "source": "12345"}).json()
    assert 0 < hotline["total"] < everywhere["total"] and hotline["source"] == "12345"
    assert client.get("/v1/cases/stats", params={"source": "fax"}).status_code == 422
    assert 0 < local["total"] < everywhere["total"] and one["total"] == top["count"] < local["total"]
    assert [x["category_code"] for x in one["by_category"]] == [top["category_code"]]
    # Several kinds counted together ("井盖": seven kinds of cover), each counted once.
    two = [x["category_code"] for x in local["by_category"][:2]]
    both = client.get("/v1/cases/stats", params={"period": "last30d", "district": district, "category": ",".join(two)}).json()
    assert both["total"] == sum(x["count"] for x in local["by_category"][:2]) > one["total"]
    assert client.get("/v1/cases/stats", params={"category": f"{two[0]},井盖"}).status_code == 422
    for params, says in (({"period": "去年"}, "2026-11"), ({"district": "A3区"}, "990103"), ({"category": "井盖"}, "event-0405")):
        bad = client.get("/v1/cases/stats", params=params)
        assert bad.status_code == 422 and says in bad.json()["error"]["message"]


def test_major_classes_count_every_category_of_a_class_together(client: TestClient, graph, db_url: str) -> None:
    """"哪个大类最多", "市容环境大类的案件": the classes of the domain tables, the event and component 市容环境 as one."""
    engine = make_engine(db_url)
    with session_factory(engine)() as session:
        seed_case_history(session, graph, seed=11, days=20, per_day=6, now=datetime.now(UTC))
        session.commit()
        codes = Counter(session.scalars(select(CaseRow.category_code)).all())
    engine.dispose()
    majors = category_majors(graph)
    expected: Counter[str] = Counter()
    for code, n in codes.items():
        expected[majors[code]] += n
    whole = client.get("/v1/cases/stats", params={"period": "last30d"}).json()
    assert {m["major_name"]: m["count"] for m in whole["by_major"]} == dict(expected)
    assert [m["count"] for m in whole["by_major"]] == sorted(expected.values(), reverse=True)
    first = whole["by_major"][0]
    kept = client.get("/v1/cases/stats", params={"period": "last30d", "major": first["major_name"]}).json()
    assert kept["total"] == first["count"] and kept["major"] == first["major_name"]
    assert {c["category_code"] for c in kept["by_category"]} <= {c for c, m in majors.items() if m == first["major_name"]}
    bad = client.get("/v1/cases/stats", params={"major": "不存在的类"})
    assert bad.status_code == 422 and "市容环境" in bad.json()["error"]["message"]
