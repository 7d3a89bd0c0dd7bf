"""The memo archive's table. It imports only the database layer, so the migrations can register it
without loading the rest of memos."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base


class MemoRow(Base):
    """A decision memo as composed: its Markdown, its citations (JSON), the request that asked for it and, for a
    themed memo, its theme and the figures of its charts."""

    __tablename__ = "memos"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    request: Mapped[str] = mapped_column(Text)
    markdown: Mapped[str] = mapped_column(Text)
    citations: Mapped[str] = mapped_column(Text)
    theme: Mapped[str | None] = mapped_column(String(32))
    charts: Mapped[str | None] = mapped_column(Text)  # JSON: the figures behind the charts, drawn at download
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
