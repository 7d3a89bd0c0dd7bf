"""Supervision orders (督办): a parent platform sends one down on a case or an indicator; the lower platform
takes it in when it next publishes (it pulls: a city reaches its province, never the other way), records it
on the case, and its receipt goes back up with its figures, so the parent sees each order received and the
case's state as it moves."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field, model_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import clock
from core.exceptions import InvalidInput, YiwangError
from core.times import as_utc, local_iso
from services.dispatch.cases import state_of, supervise
from services.federation.received import newest
from services.federation.tables import OrderReceivedRow, OrderRow


class OrderRequest(BaseModel):
    target: str = Field(pattern=r"^\d{6}$", description="the lower platform's code, e.g. 990100")
    case_id: str | None = Field(None, max_length=32, description="the case supervised (or an indicator)")
    indicator: str | None = Field(None, max_length=64, description="the indicator supervised, e.g. 按期处置率")
    text: str = Field(min_length=1, max_length=1000, description="what is asked, by when")
    due_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _on_something(self) -> OrderRequest:
        if not (self.case_id or self.indicator):
            raise ValueError("督办需指明案件 (case_id) 或指标 (indicator)")
        return self


class Order(BaseModel):
    id: int
    target: str
    case_id: str | None
    indicator: str | None
    text: str
    due_at: str | None
    issued_by: str
    issued_at: str


def _order(row: OrderRow) -> Order:
    return Order(id=row.id, target=row.target, case_id=row.case_id, indicator=row.indicator, text=row.text,
                 due_at=local_iso(as_utc(row.due_at)) if row.due_at else None, issued_by=row.issued_by,
                 issued_at=local_iso(as_utc(row.issued_at)) or "")  # fmt: skip


def issue(session: Session, body: OrderRequest, issued_by: str, now: datetime | None = None) -> Order:
    row = OrderRow(target=body.target, case_id=body.case_id, indicator=body.indicator, text=body.text,
                   due_at=as_utc(body.due_at) if body.due_at else None, issued_by=issued_by, issued_at=now or clock.now())  # fmt: skip
    session.add(row)
    session.flush()
    return _order(row)


def orders_for(session: Session, target: str, after: int = 0) -> list[Order]:
    rows = session.scalars(select(OrderRow).where(OrderRow.target == target, OrderRow.id > after).order_by(OrderRow.id))
    return [_order(row) for row in rows]


class OrderStatus(Order):
    received_at: str | None = Field(description="when the lower platform took it in (from its receipts)")
    applied: str | None
    case_state: str | None = Field(description="the case's state in the lower platform's newest receipts")
    receipt_seq: int | None = Field(description="the batch that said so")


def statuses(session: Session) -> list[OrderStatus]:
    """Every order sent, newest first, with what its target last reported of it."""
    receipts = {(held.source, item["order_id"]): (held.seq, item)
                for held in newest(session, "order_receipts", "all") for item in held.payload["items"]}  # fmt: skip
    out = []
    for row in session.scalars(select(OrderRow).order_by(OrderRow.id.desc()).limit(200)):
        seq, item = receipts.get((row.target, row.id), (None, {}))
        out.append(OrderStatus(**_order(row).model_dump(), received_at=item.get("received_at"), applied=item.get("applied"),
                               case_state=item.get("case_state"), receipt_seq=seq))  # fmt: skip
    return out


def last_taken(session: Session) -> int:
    return session.scalar(select(func.max(OrderReceivedRow.order_id))) or 0


def take_in(session: Session, orders: list[Order], now: datetime | None = None) -> int:
    """Record each order not taken in yet; one on a case goes into the case's history (and may bring its
    deadline forward). An order on a case this platform does not have is kept with that said."""
    now = now or clock.now()
    taken = 0
    for order in orders:
        if session.get(OrderReceivedRow, order.id) is not None:
            continue
        due = as_utc(datetime.fromisoformat(order.due_at)) if order.due_at else None
        applied = f"指标督办: {order.indicator}" if order.indicator and not order.case_id else ""
        if order.case_id:
            note = f"{order.issued_by}督办: {order.text}" + (f" (限 {order.due_at[:16].replace('T', ' ')} 前)" if due else "")
            try:
                supervise(session, order.case_id, note, actor=order.issued_by, due=due, now=now)
                applied = "已记入案件流转记录"
            except YiwangError as exc:
                applied = f"未能记入案件: {exc.message}"
        session.add(OrderReceivedRow(order_id=order.id, issuer=order.issued_by, case_id=order.case_id,
                                     indicator=order.indicator, text=order.text, due_at=due, received_at=now,
                                     applied=applied))  # fmt: skip
        taken += 1
    session.flush()
    return taken


def receipts(session: Session) -> dict[str, Any]:
    """The orders taken in, each with what became of it and its case's state now (the fact sent back up)."""
    items = []
    for row in session.scalars(select(OrderReceivedRow).order_by(OrderReceivedRow.order_id)):
        state = state_of(session, row.case_id)
        items.append({"order_id": row.order_id, "case_id": row.case_id, "received_at": local_iso(as_utc(row.received_at)),
                      "applied": row.applied, "case_state": state})  # fmt: skip
    return {"items": items}


def check_target(body: OrderRequest, known: set[str]) -> None:
    if body.target not in known:
        raise InvalidInput(f"下级平台 {body.target} 尚未上报过数据; 已知: {', '.join(sorted(known)) or '无'}")
