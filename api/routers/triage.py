"""``/v1/triage``: a citizen report → category, place, department, urgency, duplicates (writes nothing)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from triage.service import Triage, TriageBatch, TriageRequest, TriageResult, TriageResults

router = APIRouter(prefix="/v1/triage", tags=["triage"])


def _triage(request: Request) -> Triage:
    return request.app.state.triage


@router.post("", response_model=TriageResult)
def triage(body: TriageRequest, request: Request) -> TriageResult:
    """Triage one report. Confirm the result, then ``POST /v1/cases`` to register it."""
    return _triage(request).triage(body)


@router.post("/batch", response_model=TriageResults)
def triage_batch(body: TriageBatch, request: Request) -> TriageResults:
    """Up to 1,000 reports, results in the same order."""
    return TriageResults(items=_triage(request).triage_many(body.items))
