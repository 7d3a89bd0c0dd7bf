"""``GET /v1/evaluation``: department indicators per period, with the counts behind each rate."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import SessionDep, SettingsDep
from services.dispatch.performance import Evaluation, evaluate_departments
from services.federation.received import evaluation_across

router = APIRouter(prefix="/v1/evaluation", tags=["evaluation"])


@router.get("", response_model=Evaluation)
def evaluation(session: SessionDep, settings: SettingsDep, period: str | None = None,
               department_id: str | None = None) -> Evaluation:  # fmt: skip
    """按期处置率, 结案率, 返工率, 准确派遣率, 延期率 … per department for ``period`` (default: this month); at a
    province or the nation, every lower platform's departments as they sent them (``990100:<department>``)."""
    if settings.level != "city":
        return evaluation_across(session, period)
    return evaluate_departments(session, period, department_id)
