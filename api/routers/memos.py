"""``/v1/memos``: decision memos for analysts (thin: validate, compose and keep, download)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from api.auth import MemoWriter
from api.deps import IdempotencyKey, ServicesDep, SessionDep, SessionsDep, SettingsDep
from memos.compose import compose_memo
from memos.export import to_docx, to_pdf
from memos.models import Memo, MemoRequest
from memos.store import MemoSummary, list_memos, load_memo, save_memo
from services.idempotency import run_once

router = APIRouter(prefix="/v1/memos", tags=["memos"])
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@router.post("", response_model=Memo, status_code=201)
def create(body: MemoRequest, services: ServicesDep, sessions: SessionsDep, settings: SettingsDep, _: MemoWriter,
           idempotency_key: IdempotencyKey = None) -> dict:  # fmt: skip
    """背景/现状/研判/建议/依据 on a topic for a district and period, every figure cited; kept for download.
    With an ``Idempotency-Key`` a repeat returns the first memo instead of writing another."""

    def write(session: Session) -> Memo:
        memo = compose_memo(services, body, level=settings.level, platform=settings.platform_name)
        save_memo(session, memo)
        return memo

    return run_once(sessions, idempotency_key, "POST /v1/memos", body, write, look_first=True)


def _download(content: bytes, media_type: str, memo: Memo, suffix: str) -> Response:
    filename = quote(f"{memo.title}.{suffix}")
    return Response(content, media_type=media_type,
                    headers={"Content-Disposition": f"attachment; filename={memo.id}.{suffix}; filename*=UTF-8''{filename}"})  # fmt: skip


class MemoList(BaseModel):
    items: list[MemoSummary]


@router.get("", response_model=MemoList)
def index(session: SessionDep, limit: Annotated[int, Query(ge=1, le=200)] = 50) -> MemoList:
    """The memos kept, newest first."""
    return MemoList(items=list_memos(session, limit))


# The downloads are declared before /{memo_id}, which would otherwise take "M….docx" as an id.
@router.get("/{memo_id}.docx", response_class=Response)
def docx(memo_id: str, session: SessionDep, settings: SettingsDep) -> Response:
    memo = load_memo(session, memo_id)
    return _download(to_docx(memo.markdown, memo.charts, settings.memo_font), DOCX, memo, "docx")


@router.get("/{memo_id}.pdf", response_class=Response)
def pdf(memo_id: str, session: SessionDep, settings: SettingsDep) -> Response:
    memo = load_memo(session, memo_id)
    content = to_pdf(memo.markdown, memo.title, settings.memo_font, memo.charts)
    return _download(content, "application/pdf", memo, "pdf")


@router.get("/{memo_id}", response_model=Memo)
def read(memo_id: str, session: SessionDep) -> Memo:
    return load_memo(session, memo_id)
