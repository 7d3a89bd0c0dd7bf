"""``GET /v1/evaluation``: department indicators per period, with the counts behind each rate."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import SessionDep
from services.dispatch.performance import Evaluation, evaluate_departments

router = APIRouter(prefix="/v1/evaluation", tags=["evaluation"])


@router.get("", response_model=Evaluation)
def evaluation(session: SessionDep, period: str | None = None, department_id: str | None = None) -> Evaluation:
    """按期处置率, 结案率, 返工率, 准确派遣率, 延期率 … per department for ``period`` (default: this month)."""
    return evaluate_departments(session, period, department_id)
