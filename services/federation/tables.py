"""Tables of federation: the outbox a platform publishes from, and what a parent received from each source."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base


class OutboxRow(Base):
    """One fact to publish upward (a snapshot of one kind and scope), numbered in the order it was made.
    ``sent_at`` is set when the parent acknowledged it: what is unsent is sent again, in order."""

    __tablename__ = "sync_outbox"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    scope: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)


class ReceivedRow(Base):
    """A fact a lower platform sent: (source, seq) is the key, so a batch delivered twice is stored once."""

    __tablename__ = "sync_received"

    source: Mapped[str] = mapped_column(String(12), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source_name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32), index=True)
    scope: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OrderRow(Base):
    """A supervision order (督办) a platform sent down to one of its lower platforms, on a case or an indicator."""

    __tablename__ = "supervision_orders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    target: Mapped[str] = mapped_column(String(12), index=True)
    case_id: Mapped[str | None] = mapped_column(String(32))
    indicator: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    issued_by: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OrderReceivedRow(Base):
    """A supervision order as the lower platform took it in (once per order, however often it is fetched)."""

    __tablename__ = "supervision_received"

    order_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    issuer: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[str | None] = mapped_column(String(32))
    indicator: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    applied: Mapped[str] = mapped_column(Text)  # what became of it here: recorded on the case, or why not


class HandoverReceivedRow(Base):
    """A case a neighbouring city handed over, as this city took it in: once per (source, their case id)."""

    __tablename__ = "handovers_received"

    source: Mapped[str] = mapped_column(String(12), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    source_name: Mapped[str] = mapped_column(String(64))
    new_case_id: Mapped[str | None] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    applied: Mapped[str] = mapped_column(Text)
