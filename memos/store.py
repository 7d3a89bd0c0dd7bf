"""Memos kept as composed, so a download months later is the memo that was read then."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.citations import Citation
from core.exceptions import NotFound
from core.times import local_iso
from memos.compose import Memo, MemoRequest
from services.db import Base


class MemoRow(Base):
    """A decision memo as composed: its Markdown, its citations (JSON) and the request that asked for it."""

    __tablename__ = "memos"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    request: Mapped[str] = mapped_column(Text)
    markdown: Mapped[str] = mapped_column(Text)
    citations: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


def save_memo(session: Session, memo: Memo) -> None:
    # Stored in UTC like every other time here: SQLite keeps no offset.
    session.add(MemoRow(id=memo.id, title=memo.title, request=memo.request.model_dump_json(), markdown=memo.markdown,
                        citations=json.dumps([c.model_dump() for c in memo.citations], ensure_ascii=False),
                        created_at=datetime.fromisoformat(memo.created_at).astimezone(UTC)))  # fmt: skip


def load_memo(session: Session, memo_id: str) -> Memo:
    row = session.get(MemoRow, memo_id)
    if row is None:
        raise NotFound(f"未找到决策参考 {memo_id}; 用 POST /v1/memos 生成")
    return Memo(id=row.id, title=row.title, markdown=row.markdown, created_at=local_iso(row.created_at) or "",
                citations=[Citation(**c) for c in json.loads(row.citations)],
                request=MemoRequest.model_validate_json(row.request))  # fmt: skip

