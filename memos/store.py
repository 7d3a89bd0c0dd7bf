"""Memos kept as composed, so a download months later is the memo that was read then."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.citations import Citation
from core.exceptions import NotFound
from core.times import as_utc, local_iso
from memos.charts import Chart
from memos.models import Memo, MemoRequest
from memos.tables import MemoRow


def save_memo(session: Session, memo: Memo) -> None:
    # Stored in UTC like every other time here: SQLite keeps no offset.
    session.add(MemoRow(id=memo.id, title=memo.title, request=memo.request.model_dump_json(), markdown=memo.markdown,
                        citations=json.dumps([c.model_dump() for c in memo.citations], ensure_ascii=False),
                        theme=memo.theme, charts=json.dumps([c.model_dump() for c in memo.charts], ensure_ascii=False),
                        created_at=datetime.fromisoformat(memo.created_at).astimezone(UTC)))  # fmt: skip


def load_memo(session: Session, memo_id: str) -> Memo:
    row = session.get(MemoRow, memo_id)
    if row is None:
        raise NotFound(f"未找到决策参考 {memo_id}; 用 POST /v1/memos 生成")
    return Memo(id=row.id, title=row.title, markdown=row.markdown, created_at=local_iso(row.created_at) or "",
                citations=[Citation(**c) for c in json.loads(row.citations)],
                request=MemoRequest.model_validate_json(row.request), theme=row.theme,
                charts=[Chart(**c) for c in json.loads(row.charts or "[]")])  # fmt: skip



class MemoSummary(BaseModel):
    id: str
    title: str
    theme: str | None
    created_at: str


def list_memos(session: Session, limit: int = 50) -> list[MemoSummary]:
    """The memos kept, newest first (titles only: the list on the memos page)."""
    rows = session.execute(select(MemoRow.id, MemoRow.title, MemoRow.theme, MemoRow.created_at)
                           .order_by(MemoRow.created_at.desc(), MemoRow.id).limit(limit))  # fmt: skip
    return [MemoSummary(id=i, title=t, theme=theme, created_at=local_iso(as_utc(at)) or "") for i, t, theme, at in rows]
