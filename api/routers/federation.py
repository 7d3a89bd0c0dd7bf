"""``/v1/federation``: a parent platform receives its lower platforms' figures (batches, de-duplicated by source
and sequence number) and compares them; a platform publishes its own upward on demand (``/sync``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.auth import Caller, Dispatcher, Platform, Supervisor
from api.deps import GraphDep, RuntimeDep, SessionDep, SessionsDep, SettingsDep
from core.exceptions import Forbidden, InvalidInput
from services.dispatch.models import CasePublic
from services.federation import codes, handovers, orders, outbox, push, received
from services.federation.facts import KINDS

router = APIRouter(prefix="/v1/federation", tags=["federation"])


@router.post("/batches", response_model=received.Ack)
def receive(body: received.Batch, session: SessionDep, who: Platform) -> received.Ack:
    """A lower platform's facts, in its outbox order. Stored once per (source, seq); the answer's ``through``
    is what the sender may mark delivered. A platform key sends only as the platform it is named for."""
    if who.role == "platform" and who.name != body.source.code:
        raise Forbidden(f"密钥属于平台 {who.name}, 不能以 {body.source.code} 的名义上报")
    ack = received.accept(session, body)
    session.commit()
    return ack


class SourceList(BaseModel):
    items: list[received.SourceState]


@router.get("/sources", response_model=SourceList)
def sources(session: SessionDep, settings: SettingsDep) -> SourceList:
    """Every lower platform heard from: its newest batch and whether it is stale (three intervals silent)."""
    return SourceList(items=received.sources(session, timedelta(seconds=3 * settings.sync_interval_s)))


class HeldList(BaseModel):
    kind: str
    scope: str
    items: list[received.Held]


@router.get("/facts", response_model=HeldList)
def facts(session: SessionDep, kind: Annotated[str, Query(description=f"one of {', '.join(KINDS)}")],
          scope: Annotated[str, Query(description="2026-12, 2026-12-06, city, open, codes", max_length=64)]) -> HeldList:  # fmt: skip
    """Each source's newest fact of a kind and scope, with the batch (seq) and as-of time it came in."""
    return HeldList(kind=kind, scope=scope, items=received.newest(session, kind, scope))


class SyncResult(BaseModel):
    made: int
    sent: int
    duplicates: int
    through: int | None
    outbox: outbox.OutboxState


@router.post("/sync", response_model=SyncResult)
def sync_now(sessions: SessionsDep, graph: GraphDep, settings: SettingsDep, _: Platform) -> SyncResult:
    """Publish to the parent now (the figures that changed, then everything unsent)."""
    done = push.publish(sessions, graph, settings)
    with sessions() as session:
        return SyncResult(made=done.made, sent=done.sent, duplicates=done.duplicates, through=done.through,
                          outbox=outbox.state(session))  # fmt: skip


@router.post("/orders", response_model=orders.Order, status_code=201)
def send_order(body: orders.OrderRequest, session: SessionDep, settings: SettingsDep, who: Supervisor) -> orders.Order:
    """A 督办 down to a lower platform heard from, on a case or an indicator; it is taken in when that platform
    next publishes, recorded on the case, and its receipt comes back up (``GET /v1/federation/orders``)."""
    known = {s.code for s in received.sources(session, timedelta(seconds=3 * settings.sync_interval_s))}
    orders.check_target(body, known)
    order = orders.issue(session, body, issued_by=f"{settings.platform_name}（{who.name}）")
    session.commit()
    return order


class OrderList(BaseModel):
    items: list[orders.Order] | list[orders.OrderStatus]


@router.get("/orders", response_model=OrderList)
def list_orders(session: SessionDep, who: Caller, after: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0) -> OrderList:
    """For a lower platform's key: the orders sent to it after ``after`` (what it has not taken in yet). For a
    person: every order sent, newest first, with what its target last reported of it."""
    if who.role == "platform":
        return OrderList(items=orders.orders_for(session, who.name, after))
    return OrderList(items=orders.statuses(session))


class CodeReport(BaseModel):
    items: list[codes.SourceCodes]


@router.get("/codes", response_model=CodeReport)
def code_alignment(session: SessionDep, runtime: RuntimeDep) -> CodeReport:
    """Each lower platform's category and district codes against this platform's standard tables: how many map,
    which cannot, which are named differently."""
    return CodeReport(items=codes.code_report(session, runtime.domain))


@router.post("/handovers", response_model=CasePublic)
def hand_over(body: handovers.HandoverRequest, session: SessionDep, graph: GraphDep, settings: SettingsDep,
              who: Dispatcher) -> CasePublic:  # fmt: skip
    """Hand a case on the boundary over to a neighbouring city: closed here (作废, the note says where it went),
    sent up with its history at the next publication, opened there as a case of its own."""
    known = push.neighbours(settings)  # a case handed to a platform nobody runs would be closed here and lost
    if body.to not in known or body.to == settings.platform_code:
        raise InvalidInput(f"上级平台没有登记 {body.to}; 可移交给: {', '.join(f'{n}({c})' for c, n in known.items() if c != settings.platform_code) or '无'}")
    closed = handovers.hand_over(session, graph, body, actor=who.name, own_code=settings.platform_code)
    session.commit()
    return closed


class IncomingList(BaseModel):
    items: list[handovers.Incoming]


@router.get("/handovers", response_model=IncomingList)
def incoming(session: SessionDep, who: Caller) -> IncomingList:
    """At the parent: for a lower platform's key, the handovers addressed to it; for a person, all of them."""
    return IncomingList(items=handovers.addressed_to(session, who.name if who.role == "platform" else None))
