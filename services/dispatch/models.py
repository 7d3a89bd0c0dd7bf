"""Pydantic shapes of the dispatch API (``/v1/cases``), per shared/api.md."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator

Urgency = Literal["low", "normal", "high", "critical"]
Source = Literal["12345", "app", "patrol", "sensor", "media", "video", "handover"]  # handover: from a neighbouring city


class Location(BaseModel):
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def printable(value: str | None) -> str | None:
    """Text with no control characters but line breaks and tabs: a NUL stored in a case breaks exports."""
    if value is not None and CONTROL.search(value):
        raise ValueError("不能包含控制字符 (NUL 等) / must not contain control characters")
    return value


class CaseCreate(BaseModel):
    text: str = Field(min_length=1, max_length=5000, description="诉求或上报内容")
    _printable = field_validator("text")(printable)
    category_code: str = Field(description="event-0401 / component-0101")
    grid_id: str | None = None
    location: Location | None = None
    department_id: str | None = Field(None, description="默认按责任规则确定")
    urgency: Urgency | None = Field(None, description="默认取类别的默认紧急程度")
    source: Source = "12345"


class HistoryEntry(BaseModel):
    action: str
    actor: str
    at: str
    note: str | None = None
    from_state: str | None = None
    to_state: str


class CasePublic(BaseModel):
    id: str
    state: str
    category_code: str
    category_name: str
    department_id: str | None
    grid_id: str | None
    district: str | None
    urgency: Urgency
    text: str = Field(description="the report with personal data replaced ([电话], [门牌] …)")
    source: str
    created_at: str
    deadline: str | None
    overdue: bool
    closed_at: str | None
    rework_count: int
    history: list[HistoryEntry]
    version: int
    allowed_actions: list[str] = Field(description="what can be done next, e.g. ['派遣', '作废']")
    original_text: str | None = Field(None, description="the report as the citizen wrote it, only to roles that need "
                                      "it (hotline, admin) and only where redaction changed it")


class TransitionRequest(BaseModel):
    action: str = Field(description="dispatch / 派遣, register / 立案 …")
    actor: str = Field("", max_length=64, description="ignored over HTTP: the history records the caller's identity")
    note: str | None = Field(None, max_length=2000)
    _printable = field_validator("note")(printable)
    expected_version: int | None = Field(None, strict=True, ge=1, le=2**31 - 1)  # a case's version is a 32-bit integer column
    department_id: str | None = Field(None, description="for 派遣: send to another department")
    extend_hours: int | None = Field(None, strict=True, ge=1, le=720, description="for 延期: extra working hours")


class CaseFilter(BaseModel):
    """Which cases ``GET /v1/cases`` lists, and in what order (query parameters beside ``limit``/``cursor``)."""

    state: str | None = Field(None, description="受理/立案/派遣/处置/核查/结案…")
    department_id: str | None = None
    district: str | None = Field(None, description="district code, e.g. 990103")
    category: list[str] | None = Field(None, max_length=50, description="category ids, e.g. event-0405 (any of them)")
    source: Source | None = Field(None, description="channel: 12345, app, patrol, sensor…")
    since: datetime | None = Field(None, description="created at or after (a time without offset is China time)")
    until: datetime | None = Field(None, description="created before")
    overdue: bool | None = Field(None, description="only cases past their deadline and still open")
    reworked: bool | None = Field(None, description="only cases sent back for rework at least once")
    returned: bool | None = Field(None, description="only cases a department handed back (回退) at least once")
    extended: bool | None = Field(None, description="only cases whose deadline was extended (延期) at least once")
    open: bool | None = Field(None, description="only cases not finished yet (not 结案, 作废 or 不予立案)")
    order: Literal["newest", "oldest", "last_closed", "most_overdue"] = Field(
        "newest", description="newest or oldest created first, the most recently closed first, or the open cases "
                              "past their deadline, the longest overdue first"
    )


class CaseCounts(BaseModel):
    """Every case the filter selects, counted in the database (not the page): ``GET /v1/cases?counts=true``."""

    total: int
    by_state: dict[str, int]
    by_category: dict[str, int] = Field(description="category name → cases, most first")
    overdue: int = Field(description="past the deadline, closed late included (not 作废/不予立案)")
    overdue_open: int = Field(description="past the deadline and still open")


class CaseList(BaseModel):
    items: list[CasePublic]
    next: str | None
    counts: CaseCounts | None = None
