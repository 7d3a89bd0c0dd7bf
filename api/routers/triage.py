"""``/v1/triage``: a citizen report → category, place, department, urgency, duplicates (writes nothing)."""

from __future__ import annotations

from fastapi import APIRouter

from api.auth import Triager
from api.deps import TriageDep
from triage.service import TriageBatch, TriageRequest, TriageResult, TriageResults

router = APIRouter(prefix="/v1/triage", tags=["triage"])


@router.post("", response_model=TriageResult)
def triage(body: TriageRequest, service: TriageDep, _: Triager) -> TriageResult:
    """Triage one report. Confirm the result, then ``POST /v1/cases`` to register it."""
    return service.triage(body)


@router.post("/batch", response_model=TriageResults)
def triage_batch(body: TriageBatch, service: TriageDep, _: Triager) -> TriageResults:
    """Up to 1,000 reports, results in the same order."""
    return TriageResults(items=service.triage_many(body.items))
