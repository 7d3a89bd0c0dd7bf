"""A case on a city's boundary handed over to its neighbour, with its history. The city closes it here (作废,
the note naming where it went) and publishes it upward as a ``handover`` fact, the report already redacted;
the parent relays it (the neighbour pulls what is addressed to it, as with 督办); the neighbour opens it as a
case of its own, placed by the report's location (on or past the border: the nearest grid), with the first
city's history in its own, and reports the new case back up in ``handover_receipts``."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import clock
from core.exceptions import InvalidInput, YiwangError
from core.times import as_utc, local_iso
from graph.queries.entities import get_node
from graph.queries.places import nearest_grid
from graph.store import GraphStore
from services.dispatch.cases import create_case, get_case, note_on_case, state_of, transition
from services.dispatch.models import CaseCreate, CasePublic, TransitionRequest
from services.federation.models import Fact
from services.federation.outbox import enqueue_changes
from services.federation.tables import HandoverReceivedRow, ReceivedRow

HANDOVER, RECEIVED = "移交", "接收移交"


class HandoverRequest(BaseModel):
    case_id: str = Field(max_length=32)
    to: str = Field(pattern=r"^\d{6}$", description="the neighbouring city's code, e.g. 990200")
    note: str = Field(min_length=1, max_length=500, description="why it belongs there")


def hand_over(session: Session, graph: GraphStore, body: HandoverRequest, actor: str, own_code: str) -> CasePublic:
    """Close the case here as handed over and put it in the outbox for the neighbour; the closed case."""
    if body.to == own_code:
        raise InvalidInput("不能移交给本市自己")
    case = get_case(session, body.case_id)
    closed = transition(session, graph, body.case_id,
                        TransitionRequest(action="作废", actor=actor, note=f"{HANDOVER}至 {body.to}: {body.note}"))  # fmt: skip
    lon, lat = _where(session, graph, case.id, case.grid_id)
    payload = {"case_id": case.id, "to": body.to, "note": body.note, "text": case.text, "category_code": case.category_code,
               "urgency": case.urgency, "lon": lon, "lat": lat, "created_at": case.created_at,
               "history": [h.model_dump(include={"action", "actor", "at", "note"}) for h in closed.history]}  # fmt: skip
    # Scoped by the neighbour's code first, so the parent finds what is addressed to a platform by the scope.
    enqueue_changes(session, [Fact("handover", f"{body.to}/{case.id}", payload)])
    return closed


def _where(session: Session, graph: GraphStore, case_id: str, grid_id: str | None) -> tuple[float | None, float | None]:
    from services.dispatch.tables import CaseRow

    row = session.get(CaseRow, case_id)
    if row is not None and row.lon is not None:
        return row.lon, row.lat
    if grid_id:  # placed by its grid only: the grid's centre
        props = get_node(graph, grid_id, neighbor_limit=1).node.properties
        return props.get("lon"), props.get("lat")
    return None, None


class Incoming(BaseModel):
    source: str
    source_name: str
    seq: int
    payload: dict[str, Any]


def addressed_to(session: Session, code: str | None, limit: int = 200) -> list[Incoming]:
    """At the parent: the handovers its lower platforms sent to ``code`` (every one: ``None``), oldest first."""
    query = select(ReceivedRow).where(ReceivedRow.kind == "handover")
    if code is not None:  # selected in the database: every neighbour pulls at each publication
        query = query.where(ReceivedRow.scope.startswith(f"{code}/", autoescape=True))
    rows = list(session.scalars(query.order_by(ReceivedRow.received_at.desc(), ReceivedRow.seq.desc()).limit(limit)))
    return [Incoming(source=r.source, source_name=r.source_name, seq=r.seq, payload=json.loads(r.payload)) for r in reversed(rows)]


def take_in(session: Session, graph: GraphStore, incoming: list[Incoming], now: datetime | None = None) -> int:
    """Open each handover not taken in yet as a case here; how many were new."""
    now = now or clock.now()
    taken = 0
    for item in incoming:
        p = item.payload
        if session.get(HandoverReceivedRow, (item.source, p["case_id"])) is not None:
            continue
        new_id, applied = None, ""
        try:
            grid = nearest_grid(graph, p["lon"], p["lat"]) if p.get("lon") is not None else None
            if grid is None:
                raise InvalidInput("移交案件没有位置, 无法落到本市网格; 请人工受理")
            case = create_case(session, graph, CaseCreate(text=p["text"], category_code=p["category_code"], grid_id=grid,
                                                          urgency=p["urgency"], source="handover"), actor=item.source_name)  # fmt: skip
            steps = "; ".join(f"{h['at'][5:16].replace('T', ' ')} {h['action']}" for h in p["history"])
            note_on_case(session, case.id, RECEIVED, f"由{item.source_name}移交 (原案件 {p['case_id']}): {p['note']}。原流转: {steps}",
                         actor=item.source_name, now=now)  # fmt: skip
            new_id, applied = case.id, "已立为本市案件"
        except YiwangError as exc:
            applied = f"未能立案: {exc.message}"
        session.add(HandoverReceivedRow(source=item.source, case_id=p["case_id"], source_name=item.source_name,
                                        new_case_id=new_id, received_at=now, applied=applied))  # fmt: skip
        taken += 1
    session.flush()
    return taken


def receipts(session: Session) -> dict[str, Any]:
    items = []
    for row in session.scalars(select(HandoverReceivedRow).order_by(HandoverReceivedRow.received_at)):
        state = state_of(session, row.new_case_id)
        items.append({"source": row.source, "case_id": row.case_id, "new_case_id": row.new_case_id, "applied": row.applied,
                      "received_at": local_iso(as_utc(row.received_at)), "state": state})  # fmt: skip
    return {"items": items}
