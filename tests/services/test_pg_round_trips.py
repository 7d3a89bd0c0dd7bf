"""A keyed case transition on PostgreSQL opens its transaction with its first statement and commits
with its last: still one all-or-nothing transaction, and the pooled connection goes back to the
driver's own transaction handling afterwards, whether the transition committed or was rolled back."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.exceptions import Conflict
from services import db
from services.dispatch import cases
from services.dispatch.models import TransitionRequest
from services.dispatch.tables import CaseEventRow, CaseRow
from services.dispatch.workflow import State
from services.idempotency import IdempotencyRow, run_once


class _Graph:
    """派遣 reads the category's time limits from the graph; nothing else is asked."""

    def ro_query(self, query: str, params: dict | None = None) -> list[dict]:
        return [{"c": {"name": "路面塌陷", "sla_hours": 8, "urgent_sla_hours": 2}}]


def _seed(sessions, case_id: str) -> None:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    with sessions() as session:
        session.add(CaseRow(id=case_id, state=State.ACCEPTED.value, category_code="event-0401", category_name="路面塌陷",
                            department_id="dept-x", grid_id="990101001001001", district="990101", urgency="normal",
                            text="井盖缺失", source="12345", created_at=now, updated_at=now, deadline=now + timedelta(days=1),
                            version=1, rework_count=0, extension_count=0))  # fmt: skip
        session.flush()
        session.add(CaseEventRow(case_id=case_id, seq=1, action="受理", from_state=None, to_state=State.ACCEPTED.value,
                                 actor="test", department_id="dept-x", at=now, note=None))  # fmt: skip
        session.commit()


def _register(sessions, case_id: str, key: str, expected_version: int | None = 1, action: str = "立案") -> dict:  # type: ignore[no-untyped-def]
    body = TransitionRequest(action=action, actor="op", expected_version=expected_version)
    return run_once(sessions, key, f"POST /v1/cases/{case_id}/transition", body,
                    lambda s: cases.transition(s, _Graph(), case_id, body))  # type: ignore[arg-type]  # fmt: skip


def _protocol_messages(engine, action) -> list[str]:  # type: ignore[no-untyped-def]
    """The messages the client sent to the server while ``action`` ran on the pooled connection."""
    with engine.connect() as connection:
        pgconn = connection.connection.dbapi_connection.pgconn
    with tempfile.TemporaryDirectory() as tmp:
        trace = Path(tmp) / "trace"
        with trace.open("w") as handle:
            pgconn.trace(handle.fileno())
            try:
                action()
            finally:
                pgconn.untrace()
        # Lines are [timestamp] direction length type …; "F" is frontend (client) to server.
        fields = [line.split("\t") for line in trace.read_text().splitlines()]
        return [f[f.index("F") + 2] for f in fields if "F" in f[:2]]


@pytest.fixture
def pg_engine(db_url: str):  # type: ignore[no-untyped-def]
    if not db_url.startswith("postgresql"):
        pytest.skip("the round trips saved are PostgreSQL's")
    engine = db.make_engine(db_url)
    db.migrate(engine)  # used one at a time, the pool hands out the same connection every time
    yield engine
    engine.dispose()


def test_a_keyed_transition_costs_two_messages(pg_engine) -> None:  # type: ignore[no-untyped-def]
    sessions = db.session_factory(pg_engine)
    _seed(sessions, "C1")
    _seed(sessions, "C2")
    first = _protocol_messages(pg_engine, lambda: _register(sessions, "C1", "k-1"))
    then = _protocol_messages(pg_engine, lambda: _register(sessions, "C2", "k-2"))
    # The connection's first transition prepares the move; every one after sends BEGIN with the
    # move and the key with COMMIT: two simple queries, nothing on its own, nothing parsed again.
    assert first == ["Query"] * 3
    assert then == ["Query"] * 2
    with sessions() as session:
        for case_id in ("C1", "C2"):
            case = session.get(CaseRow, case_id)
            assert (case.version, case.state) == (2, State.REGISTERED.value)
        assert session.scalar(select(func.count()).select_from(IdempotencyRow)) == 2


def test_a_keyed_dispatch_reads_the_case_with_its_begin(pg_engine) -> None:  # type: ignore[no-untyped-def]
    """派遣 reads the case first (its deadline runs from dispatch): BEGIN goes with that read."""
    sessions = db.session_factory(pg_engine)
    for case_id in ("C1", "C2"):
        _seed(sessions, case_id)
        _register(sessions, case_id, f"r-{case_id}")
    _register(sessions, "C1", "d-1", expected_version=2, action="派遣")  # prepares the read
    sent = _protocol_messages(pg_engine, lambda: _register(sessions, "C2", "d-2", expected_version=2, action="派遣"))
    # BEGIN with the read; the move in the transaction that opened (the driver's extended protocol:
    # Parse/Bind/Execute up to one Sync); the key with COMMIT. Each Query or Sync ends a round trip.
    assert sent[0] == "Query" and sent[-1] == "Query"
    assert sum(m in ("Query", "Sync") for m in sent) == 3, sent
    with sessions() as session:
        case = session.get(CaseRow, "C2")
        assert (case.version, case.state) == (3, State.DISPATCHED.value) and case.deadline is not None


def test_the_connection_is_transactional_again_after_a_replay_and_a_refusal(pg_engine) -> None:  # type: ignore[no-untyped-def]
    sessions = db.session_factory(pg_engine)
    _seed(sessions, "C1")
    first = _register(sessions, "C1", "k-1")
    assert _register(sessions, "C1", "k-1") == first  # replayed: the second move was rolled back
    with pytest.raises(Conflict):
        _register(sessions, "C1", "k-2")  # stale version: refused, nothing written
    with sessions() as session:
        assert session.connection().connection.dbapi_connection.autocommit is False
        # A write rolled back on that connection leaves nothing, as it would had it never been used.
        session.add(IdempotencyRow(key="probe", scope="s", body_hash="", status_code=200, response="{}",
                                   created_at=datetime.now(UTC)))  # fmt: skip
        session.flush()
        session.rollback()
    with sessions() as session:
        assert session.get(IdempotencyRow, ("probe", "s")) is None
        assert session.scalar(select(func.count()).select_from(CaseEventRow)) == 2  # 受理 and one 立案
        assert session.get(CaseRow, "C1").version == 2


def test_a_statement_dropped_on_the_server_is_prepared_again(pg_engine) -> None:  # type: ignore[no-untyped-def]
    """DEALLOCATE ALL (psycopg's own after a rollback once it has auto-prepared, a pooler's, an
    operator's) drops the prepared move: the next transition prepares it again instead of failing."""
    sessions = db.session_factory(pg_engine)
    for case_id in ("C1", "C2"):
        _seed(sessions, case_id)
    _register(sessions, "C1", "k-1")
    with pg_engine.connect() as connection:  # the same pooled connection
        connection.connection.dbapi_connection.execute("DEALLOCATE ALL")
        connection.commit()
    assert _register(sessions, "C2", "k-2")["state"] == State.REGISTERED.value
    with sessions() as session:
        assert session.connection().connection.dbapi_connection.autocommit is False
