"""``/v1/cases``: the dispatch workflow (thin: validate, call services.dispatch.cases, return a model)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.auth import CaseCreator, Dispatcher, Reader
from api.deps import GraphDep, IdempotencyKey, SessionDep, SessionsDep
from graph.queries.cases import category_majors
from services.dispatch import cases
from services.dispatch.models import CaseCreate, CaseFilter, CaseList, CasePublic, Source, TransitionRequest
from services.dispatch.stats import Basis, CaseStats, case_stats
from services.dispatch.writes import create_case_once, transition_once

router = APIRouter(prefix="/v1/cases", tags=["cases"])
SEES_ORIGINAL = ("hotline", "admin")


@router.post("", response_model=CasePublic, status_code=201)
def create(
    body: CaseCreate, graph: GraphDep, sessions: SessionsDep, who: CaseCreator, idempotency_key: IdempotencyKey = None
) -> dict:
    """Register a case (受理); department and deadline default from the responsibility rules. The history
    records the caller's identity as the actor."""
    return create_case_once(sessions, graph, body, idempotency_key, actor=who.name)


@router.get("/stats", response_model=CaseStats)
def stats(session: SessionDep, graph: GraphDep, period: str | None = None, district: str | None = None,
          category: str | None = Query(None, description="category id, e.g. event-0405"),
          source: Annotated[Source | None, Query(description="channel: 12345, app, patrol or sensor")] = None,
          major: Annotated[str | None, Query(max_length=20, description="major class (大类), e.g. 市容环境")] = None,
          basis: Annotated[Basis, Query(description="received: cases created in the period; closed: cases closed in it")] = "received") -> CaseStats:  # fmt: skip
    """Cases created (or, with ``basis=closed``, closed) in the period (default this month): total, open, closed,
    overdue, the top categories and every major class (大类)."""
    return case_stats(session, period, district, category, source=source, major=major, majors=category_majors(graph), basis=basis)


@router.get("/{case_id}", response_model=CasePublic)
def read(case_id: str, session: SessionDep, who: Reader) -> CasePublic:
    """One case with its full history; the report as written (``original_text``) only to the roles that
    work with citizens' own words (hotline, admin)."""
    case = cases.get_case(session, case_id)
    if who.role in SEES_ORIGINAL:
        case.original_text = cases.original_text(session, case_id)
    return case


@router.get("", response_model=CaseList)
def search(
    session: SessionDep,
    filters: Annotated[CaseFilter, Query()],
    limit: Annotated[int, Query(ge=1, le=cases.MAX_PAGE)] = 50,
    cursor: str | None = Query(None, description="the 'next' value of the previous page"),
    counts: bool = Query(False, description="also count every case the filter selects (total, by state and "
                                            "category, overdue), in the database, not the page"),
) -> CaseList:
    """Cases filtered, newest first unless ``order`` says otherwise; ``next`` pages on."""
    return cases.list_cases(session, filters, limit=limit, cursor=cursor, counts=counts)


@router.post("/{case_id}/transition", response_model=CasePublic)
def move(case_id: str, body: TransitionRequest, graph: GraphDep, sessions: SessionsDep, who: Dispatcher,
         idempotency_key: IdempotencyKey = None) -> dict:  # fmt: skip
    """Apply a workflow action (立案, 派遣, 签收, 回退, 延期, 处置反馈, 核查通过, 返工, 作废, 不予立案). The actor
    recorded is the caller's identity; an ``actor`` in the body is ignored."""
    return transition_once(sessions, graph, case_id, body.model_copy(update={"actor": who.name}), idempotency_key)
