"""The city's side of sync: facts enter the outbox when they changed, are sent in order, and are marked sent
only when the parent acknowledged them, so a platform down for an hour sends the rest when it is back."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core import clock
from core.times import as_utc
from services.federation.models import Fact, Item
from services.federation.tables import OutboxRow

BATCH = 200


def _digest(payload: Any) -> str:
    # A snapshot's time of making is not a change: without it, an unchanged figure is not sent again.
    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "as_of"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return hashlib.sha256(json.dumps(strip(payload), ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def enqueue_changes(session: Session, facts: list[Fact], now: datetime | None = None) -> int:
    """Put each fact whose figures differ from the last one of its kind and scope in the outbox; how many."""
    now = now or clock.now()
    added = 0
    for fact in facts:
        digest = _digest(fact.payload)
        last = session.scalar(select(OutboxRow.digest).where(OutboxRow.kind == fact.kind, OutboxRow.scope == fact.scope)
                              .order_by(OutboxRow.seq.desc()).limit(1))  # fmt: skip
        if last != digest:
            session.add(OutboxRow(kind=fact.kind, scope=fact.scope, digest=digest, as_of=now, created_at=now,
                                  payload=json.dumps(fact.payload, ensure_ascii=False)))  # fmt: skip
            added += 1
    session.flush()
    return added


def unsent(session: Session, limit: int = BATCH) -> list[Item]:
    rows = session.scalars(select(OutboxRow).where(OutboxRow.sent_at.is_(None)).order_by(OutboxRow.seq).limit(limit))
    return [Item(seq=r.seq, kind=r.kind, scope=r.scope, as_of=as_utc(r.as_of), payload=json.loads(r.payload))
            for r in rows]  # fmt: skip


def mark_sent(session: Session, through: int, now: datetime | None = None) -> int:
    """Everything up to the parent's acknowledged sequence number is delivered."""
    result = session.execute(update(OutboxRow).where(OutboxRow.seq <= through, OutboxRow.sent_at.is_(None))
                             .values(sent_at=now or clock.now()))  # fmt: skip
    return result.rowcount or 0


class OutboxState(BaseModel):
    pending: int
    last_seq: int | None
    last_sent_seq: int | None


def state(session: Session) -> OutboxState:
    pending = session.scalar(select(func.count()).select_from(OutboxRow).where(OutboxRow.sent_at.is_(None))) or 0
    return OutboxState(pending=pending, last_seq=session.scalar(select(func.max(OutboxRow.seq))),
                       last_sent_seq=session.scalar(select(func.max(OutboxRow.seq)).where(OutboxRow.sent_at.is_not(None))))  # fmt: skip
