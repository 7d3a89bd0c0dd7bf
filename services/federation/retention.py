"""Retention: received batches and sent outbox rows older than a window are deleted, except each (source,
kind, scope)'s newest — the figure that is current — and the hand-overs, which are cases, not figures."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, select
from sqlalchemy.orm import Session

from core import clock
from services.federation.tables import OutboxRow, ReceivedRow


def prune(session: Session, keep: timedelta, now: datetime | None = None) -> tuple[int, int]:
    """(received rows deleted, outbox rows deleted)."""
    cutoff = (now or clock.now()) - keep
    newest = (select(ReceivedRow.source, ReceivedRow.kind, ReceivedRow.scope, func.max(ReceivedRow.seq).label("seq"))
              .group_by(ReceivedRow.source, ReceivedRow.kind, ReceivedRow.scope).subquery())  # fmt: skip
    kept = select(newest.c.seq).where(and_(newest.c.source == ReceivedRow.source, newest.c.kind == ReceivedRow.kind,
                                           newest.c.scope == ReceivedRow.scope))  # fmt: skip
    received = session.execute(delete(ReceivedRow).where(ReceivedRow.received_at < cutoff, ReceivedRow.kind != "handover",
                                                         ReceivedRow.seq.not_in(kept)))  # fmt: skip
    last = select(func.max(OutboxRow.seq)).group_by(OutboxRow.kind, OutboxRow.scope)
    sent = session.execute(delete(OutboxRow).where(OutboxRow.sent_at.is_not(None), OutboxRow.sent_at < cutoff,
                                                   OutboxRow.seq.not_in(last)))  # fmt: skip
    return received.rowcount or 0, sent.rowcount or 0
