"""Retention at both ends: old received batches and old sent outbox rows go, each figure's newest and every
hand-over stay, an unsent row is never deleted."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from services.db import make_engine, migrate, session_factory
from services.federation.retention import prune
from services.federation.tables import OutboxRow, ReceivedRow


def test_old_rows_go_and_the_current_figures_and_hand_overs_stay(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    sessions = session_factory(engine)
    old, now = datetime.now(UTC) - timedelta(days=40), datetime.now(UTC)
    with sessions() as session:
        for seq, kind, scope, at in ((1, "case_stats", "2026-10", old), (2, "case_stats", "2026-10", old),
                                     (3, "handover", "C1", old), (4, "vitals", "city", old), (5, "vitals", "city", now)):  # fmt: skip
            session.add(ReceivedRow(source="990100", seq=seq, source_name="A市", kind=kind, scope=scope, payload="{}",
                                    as_of=at, received_at=at))  # fmt: skip
        for kind, scope, sent in (("vitals", "city", old), ("vitals", "city", old), ("case_stats", "2026-10", None)):
            session.add(OutboxRow(kind=kind, scope=scope, digest="d", payload=json.dumps({}), as_of=old, created_at=old,
                                  sent_at=sent))  # fmt: skip
        session.commit()
        assert prune(session, timedelta(days=30)) == (2, 1)
        session.commit()
        assert sorted(session.scalars(select(ReceivedRow.seq))) == [2, 3, 5]
        assert sorted(session.scalars(select(OutboxRow.seq))) == [2, 3]
    engine.dispose()
