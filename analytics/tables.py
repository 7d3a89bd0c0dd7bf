"""The analytics runs kept (issue 16): every run's request and result, by the id answers and memos cite it by.
It imports only the database layer, so the migrations can register it without loading the analytics."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base


class AnalyticsRunRow(Base):
    __tablename__ = "analytics_runs"

    run_id: Mapped[str] = mapped_column(String(512), primary_key=True)
    analytic: Mapped[str] = mapped_column(String(32), index=True)
    request: Mapped[str] = mapped_column(Text)
    result: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
