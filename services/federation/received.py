"""The parent's side of sync: batches from lower platforms stored once per (source, seq), whatever number
of times they arrive, and read back as each source's newest fact of a kind and scope, with its batch and time."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from core import clock
from core.exceptions import InvalidInput
from core.times import CHINA, as_utc, local_iso, period_bounds
from services.dispatch.performance import DepartmentIndicators, Evaluation
from services.federation.models import Item
from services.federation.tables import ReceivedRow


class Source(BaseModel):
    code: str = Field(pattern=r"^\d{6}$", description="the platform's administrative code, e.g. 990100")
    name: str = Field(min_length=1, max_length=64)


class Batch(BaseModel):
    source: Source
    items: list[Item] = Field(max_length=1000)


class Ack(BaseModel):
    source: str
    accepted: int
    duplicates: int
    through: int | None = Field(description="the highest sequence number held from this source: the sender marks "
                                            "everything up to it delivered")


def accept(session: Session, batch: Batch, now: datetime | None = None) -> Ack:
    """Store the batch's facts not held yet; a fact delivered again (a lost acknowledgement, a retry racing
    the first try) is a duplicate, never a second count."""
    now = now or clock.now()
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
    accepted = 0
    for item in batch.items:
        row = {"source": batch.source.code, "seq": item.seq, "source_name": batch.source.name, "kind": item.kind,
               "scope": item.scope, "payload": json.dumps(item.payload, ensure_ascii=False),
               "as_of": as_utc(item.as_of), "received_at": now}  # fmt: skip
        stored = insert(ReceivedRow).values(row).on_conflict_do_nothing(index_elements=["source", "seq"])
        accepted += session.execute(stored.returning(ReceivedRow.seq)).first() is not None
    through = session.scalar(select(func.max(ReceivedRow.seq)).where(ReceivedRow.source == batch.source.code))
    return Ack(source=batch.source.code, accepted=accepted, duplicates=len(batch.items) - accepted, through=through)


class SourceState(BaseModel):
    code: str
    name: str
    last_seq: int
    last_as_of: str
    last_received_at: str
    stale: bool = Field(description="nothing received for longer than the staleness limit")


def sources(session: Session, stale_after: timedelta, now: datetime | None = None) -> list[SourceState]:
    now = now or clock.now()
    rows = session.execute(select(ReceivedRow.source, func.max(ReceivedRow.source_name), func.max(ReceivedRow.seq),
                                  func.max(ReceivedRow.as_of), func.max(ReceivedRow.received_at))
                           .group_by(ReceivedRow.source).order_by(ReceivedRow.source))  # fmt: skip
    return [SourceState(code=code, name=name, last_seq=seq, last_as_of=as_utc(as_of).isoformat(),
                        last_received_at=as_utc(at).isoformat(), stale=now - as_utc(at) > stale_after)
            for code, name, seq, as_of, at in rows]  # fmt: skip


class Held(BaseModel):
    """One source's newest fact of a kind and scope, citable by source and sequence number."""

    source: str
    source_name: str
    seq: int
    as_of: str
    payload: dict[str, Any]


def newest(session: Session, kind: str, scope: str) -> list[Held]:
    latest = (select(ReceivedRow.source, func.max(ReceivedRow.seq).label("seq"))
              .where(ReceivedRow.kind == kind, ReceivedRow.scope == scope).group_by(ReceivedRow.source).subquery())  # fmt: skip
    rows = session.scalars(select(ReceivedRow).join(latest, (ReceivedRow.source == latest.c.source)
                                                     & (ReceivedRow.seq == latest.c.seq)).order_by(ReceivedRow.source))  # fmt: skip
    return [Held(source=r.source, source_name=r.source_name, seq=r.seq, as_of=as_utc(r.as_of).isoformat(),
                 payload=json.loads(r.payload)) for r in rows]  # fmt: skip


def evaluation_across(session: Session, period: str | None, now: datetime | None = None) -> Evaluation:
    """At a province or the nation, ``GET /v1/evaluation``: every department of every lower platform, as each sent
    its indicators with their counts (ids named by platform: ``990100:<department>``). Only the month synced."""
    now = now or clock.now()
    label, start, end = period_bounds(period, now)
    month = f"{now.astimezone(CHINA):%Y-%m}"
    if label != month:
        raise InvalidInput(f"下级平台只同步本月 ({month}) 的考核数据; 其他周期请到各平台查询")
    items = [DepartmentIndicators(**{**item, "department_id": f"{held.source}:{item['department_id']}"})
             for held in newest(session, "evaluation", month) for item in held.payload["items"]]  # fmt: skip
    return Evaluation(period=label, start=local_iso(start), end=local_iso(end), items=items)


def counts_behind(evaluation: dict[str, Any], indicator: str) -> tuple[int, int]:
    """A platform's rate as the counts behind it, summed over its departments (an ``evaluation`` fact's payload):
    the rate across cities is computed from these, never averaged from the departments' rates."""
    items = evaluation["items"]
    return sum(i[indicator]["numerator"] for i in items), sum(i[indicator]["denominator"] for i in items)
