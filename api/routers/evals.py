"""``GET /v1/evals/latest``: the evaluation harness's newest figures, section by section (the 评测 page)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import SettingsDep
from core.eval_record import latest

router = APIRouter(prefix="/v1/evals", tags=["evaluation"])


@router.get("/latest")
def latest_figures(settings: SettingsDep) -> dict[str, Any]:
    """``{"sections": {name: {"figures": {…}, "created", "commit", "target", …}}}``: each section as its last
    ``yiwang eval`` run left it; 404 before any run."""
    return latest(settings.eval_dir)
