"""The audit log: every write and every chat tool call that touched case data — who, when, what, from
where, which request — append-only and chained by hashes, so that a row changed or removed afterwards
shows (``verify_chain``).

Rows are numbered without gaps; two writers that read the same last row both try the same ``seq`` and the
primary key lets one win, so the chain never forks and no lock is needed on either database.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from core.access import Identity
from core.exceptions import BackendUnavailable
from core.times import as_utc, local_iso
from services.access.tables import AuditRow

GENESIS = "0" * 64
RETRIES = 20
MAX_PAGE = 500


class AuditEntry(BaseModel):
    seq: int
    at: str
    actor: str
    role: str
    action: str = Field(description="what was done: an HTTP route (POST /v1/cases) or a chat tool (chat:get_case)")
    target: str = Field(description="what it was done to (a case id, a path)")
    outcome: int = Field(description="the HTTP status answered (403: refused)")
    request_id: str
    client: str = Field(description="the caller's address")
    detail: dict[str, Any]
    hash: str


class AuditPage(BaseModel):
    items: list[AuditEntry]
    next: int | None = Field(None, description="pass as ``before`` for the next (older) page")


class ChainCheck(BaseModel):
    rows: int
    intact: bool
    first_broken: int | None = Field(None, description="the first row whose hash or link does not hold")
    reason: str = ""


def record(sessions: sessionmaker[Session], who: Identity, action: str, target: str, outcome: int, request_id: str,
           client: str, detail: dict[str, Any] | None = None) -> int:  # fmt: skip
    """Append one row; returns its ``seq``."""
    text = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)[:2000]
    for _ in range(RETRIES):
        with sessions() as session:
            last = session.scalars(select(AuditRow).order_by(AuditRow.seq.desc()).limit(1)).first()
            row = AuditRow(seq=(last.seq + 1) if last else 1, at=datetime.now(UTC), actor=who.name[:64], role=who.role,
                           action=action[:64], target=target[:200], outcome=outcome, request_id=request_id[:64],
                           client=client[:64], detail=text, prev_hash=last.hash if last else GENESIS, hash="")  # fmt: skip
            row.hash = row_hash(row)
            session.add(row)
            try:
                session.commit()
                return row.seq
            except IntegrityError:  # another writer took this seq: read the new last row and chain to it
                session.rollback()
    raise BackendUnavailable("审计日志写入冲突过多, 请重试 / the audit log is too contended, retry")


def row_hash(row: AuditRow) -> str:
    fields = [str(row.seq), as_utc(row.at).isoformat(), row.actor, row.role, row.action, row.target, str(row.outcome),
              row.request_id, row.client, row.detail, row.prev_hash]  # fmt: skip
    return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()


def entries(session: Session, *, actor: str | None = None, action: str | None = None, target: str | None = None,
            since: datetime | None = None, until: datetime | None = None, before: int | None = None,
            limit: int = 100) -> AuditPage:  # fmt: skip
    """Newest first."""
    query = select(AuditRow)
    if actor:
        query = query.where(AuditRow.actor == actor)
    if action:
        query = query.where(AuditRow.action.startswith(action))
    if target:
        query = query.where(AuditRow.target == target)
    if since:
        query = query.where(AuditRow.at >= since)
    if until:
        query = query.where(AuditRow.at < until)
    if before:
        query = query.where(AuditRow.seq < before)
    rows = list(session.scalars(query.order_by(AuditRow.seq.desc()).limit(limit + 1)))
    items = [_entry(row) for row in rows[:limit]]
    return AuditPage(items=items, next=rows[limit - 1].seq if len(rows) > limit else None)


def verify_chain(session: Session) -> ChainCheck:
    """Walk the whole log oldest first: each row's hash must be its own, link to the row before, and the
    numbering must have no gap (a removed row)."""
    previous, expected, count = GENESIS, 1, 0
    for row in session.scalars(select(AuditRow).order_by(AuditRow.seq)).yield_per(1000):
        count += 1
        if row.seq != expected:
            return ChainCheck(rows=count, intact=False, first_broken=expected, reason=f"第 {expected} 行缺失 / row {expected} is missing")
        if row.prev_hash != previous:
            return ChainCheck(rows=count, intact=False, first_broken=row.seq, reason="与前一行的链接不符 / link to the previous row broken")
        if row_hash(row) != row.hash:
            return ChainCheck(rows=count, intact=False, first_broken=row.seq, reason="内容与哈希不符 / content does not match its hash")
        previous, expected = row.hash, expected + 1
    return ChainCheck(rows=count, intact=True)


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(seq=row.seq, at=local_iso(row.at) or "", actor=row.actor, role=row.role, action=row.action,
                      target=row.target, outcome=row.outcome, request_id=row.request_id, client=row.client,
                      detail=json.loads(row.detail or "{}"), hash=row.hash)  # fmt: skip
