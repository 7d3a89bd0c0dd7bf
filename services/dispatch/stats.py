"""Case statistics for a period: how many cases came in, how many are still open, closed or past their
deadline, and which categories they were, per city, district or category. The figures a decision memo
and an official's question quote, counted in the database rather than from one page of the case list."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import Row, and_, case, func, select
from sqlalchemy.orm import Session

from core import clock
from core.exceptions import InvalidInput
from core.times import as_utc, local_iso, period_bounds
from graph.ids import is_category_id
from services.dispatch.tables import CaseRow
from services.dispatch.workflow import TERMINAL_NAMES, UNREGISTERED_NAMES, State

TOP_CATEGORIES = 10
Basis = Literal["received", "closed"]


class PartCounts(BaseModel):
    """The counts of a part of the period's cases, as the whole is counted ("上周立案的哪类最多")."""

    registered: int = 0
    open: int = 0
    closed: int = 0
    overdue: int = 0
    overdue_open: int = 0


class CategoryCount(PartCounts):
    category_code: str
    category_name: str
    count: int


class MajorCount(PartCounts):
    """The cases of the period of one major class (大类: 市容环境, 街面秩序…), every category of it together."""

    major_name: str
    count: int


class KindCount(PartCounts):
    """The cases of the period of one kind: 事件 (event categories) or 部件 (component categories)."""

    kind: Literal["event", "component"]
    count: int


class DepartmentCount(PartCounts):
    """The cases of the period a department holds or held ("哪个部门超期的最多")."""

    department_id: str
    total: int


class StateCount(BaseModel):
    """The cases of the period now at one step of the workflow (受理, 立案, 派遣, 处置, 核查, 结案…)."""

    state: str
    count: int
    open: bool = Field(description="whether the step is one a case is still being handled at (not 结案, 不予立案, 作废)")


class DistrictCount(BaseModel):
    district: str
    total: int
    open: int


class CaseStats(BaseModel):
    period: str
    start: str
    end: str
    district: str | None
    category_code: str | None
    source: str | None = None
    major: str | None = Field(None, description="the major class (大类) kept, when one was asked")
    basis: Basis = Field("received", description="received: the cases created in the period; closed: those closed in it")
    total: int
    registered: int = Field(0, description="of them, 立案: past 受理, neither 不予立案 nor 作废")
    open: int
    closed: int
    overdue: int
    overdue_open: int = Field(0, description="of them, still open past their deadline now (超期未结)")
    by_category: list[CategoryCount]
    by_major: list[MajorCount] = Field(default_factory=list, description="every major class (大类) with cases, most first")
    by_kind: list[KindCount] = Field(default_factory=list, description="事件 and 部件 cases, each kind with cases, most first")
    by_district: list[DistrictCount] = Field(default_factory=list, description="every district with cases, most first")
    by_department: list[DepartmentCount] = Field(default_factory=list, description="every department holding cases of the period")
    by_state: list[StateCount] = Field(default_factory=list, description="every step of the workflow the cases are at now, "
                                       "in the workflow's order (在办案件卡在哪个环节)")
    data_since: str | None = None  # when the first case on record was created: a period before it is not whole


def case_stats(session: Session, period: str | None = None, district: str | None = None,
               category_code: str | None = None, now: datetime | None = None, *, source: str | None = None,
               major: str | None = None, majors: Mapping[str, str] | None = None,
               basis: Basis = "received") -> CaseStats:  # fmt: skip
    """Cases created in ``period`` (as ``/v1/evaluation`` reads it; default this month). A case is overdue
    as ``GET /v1/cases`` marks it: registered, with a deadline, and finished after it or not yet finished.
    ``majors`` (category id → major class name, from the graph) counts them by major class too, and lets
    ``major`` keep one class. ``basis="closed"`` counts the cases closed (结案) in the period instead, whenever
    they came in ("昨天结了几件")."""
    now = as_utc(now) if now else clock.now()  # SQLite compares times as UTC text
    if district and not re.fullmatch(r"\d{6}", district):
        raise InvalidInput(f"区划代码 {district!r} 无效; 形如 990103")
    # Several codes, comma-separated, are counted together ("井盖" is seven kinds of cover).
    codes = [c.strip() for c in (category_code or "").split(",") if c.strip()]
    if bad := [c for c in codes if not is_category_id(c)]:
        raise InvalidInput(f"类别编码 {bad[0]!r} 无效; 形如 event-0405 或 component-0101（多个用逗号分隔）")
    label, start, end = period_bounds(period, now)
    when = CaseRow.closed_at if basis == "closed" else CaseRow.created_at
    where = [when >= start, when < end]
    if basis == "closed":  # 结案 only: a case voided or refused also has a closed_at
        where.append(CaseRow.state == State.CLOSED.value)
    if district:
        where.append(CaseRow.district == district)
    if codes:
        where.append(CaseRow.category_code.in_(codes))
    if source:
        where.append(CaseRow.source == source)
    if major:
        where.append(CaseRow.category_code.in_(_major_codes(major, majors or {})))
    late = and_(CaseRow.deadline.is_not(None), CaseRow.state.not_in([State.NOT_REGISTERED.value, State.VOIDED.value]),
                func.coalesce(CaseRow.closed_at, now) > CaseRow.deadline)  # fmt: skip
    open_count = func.coalesce(func.sum(case((CaseRow.state.not_in(TERMINAL_NAMES), 1), else_=0)), 0)
    past_due = and_(CaseRow.state.not_in(TERMINAL_NAMES), CaseRow.deadline.is_not(None), CaseRow.deadline < now)
    measures = (func.coalesce(func.sum(case((CaseRow.state.not_in(UNREGISTERED_NAMES), 1), else_=0)), 0), open_count,
                func.coalesce(func.sum(case((CaseRow.state == State.CLOSED.value, 1), else_=0)), 0),
                func.coalesce(func.sum(case((late, 1), else_=0)), 0), func.coalesce(func.sum(case((past_due, 1), else_=0)), 0))  # fmt: skip
    total, registered, still_open, closed, overdue, overdue_open = session.execute(select(func.count(), *measures).where(*where)).one()
    counted = func.count().label("n")
    rows = session.execute(select(CaseRow.category_code, func.max(CaseRow.category_name), counted, *measures).where(*where)
                           .group_by(CaseRow.category_code).order_by(counted.desc(), CaseRow.category_code)).all()  # fmt: skip
    districts = session.execute(select(CaseRow.district, counted, open_count).where(*where)
                                .group_by(CaseRow.district).order_by(counted.desc(), CaseRow.district))  # fmt: skip
    departments = session.execute(select(CaseRow.department_id, counted, *measures).where(*where, CaseRow.department_id.is_not(None))
                                  .group_by(CaseRow.department_id).order_by(counted.desc(), CaseRow.department_id))  # fmt: skip
    states = dict(session.execute(select(CaseRow.state, func.count()).where(*where).group_by(CaseRow.state)).all())
    first = session.scalar(select(func.min(CaseRow.created_at)))
    return CaseStats(period=label, data_since=local_iso(as_utc(first)) if first else None, start=local_iso(start), end=local_iso(end), district=district, category_code=category_code, source=source, major=major, basis=basis,
                     total=total, registered=registered, open=still_open, closed=closed, overdue=overdue, overdue_open=overdue_open,
                     by_category=[CategoryCount(category_code=c, category_name=n, count=k, registered=r, open=o, closed=x,
                                                overdue=late, overdue_open=due) for c, n, k, r, o, x, late, due in rows[:TOP_CATEGORIES]],
                     by_major=_by_major(rows, majors) if majors else [], by_kind=_by_kind(rows),
                     by_district=[DistrictCount(district=d, total=k, open=o) for d, k, o in districts if d],
                     by_department=[DepartmentCount(department_id=d, total=k, registered=r, open=o, closed=x, overdue=late,
                                                    overdue_open=due) for d, k, r, o, x, late, due in departments],
                     by_state=[StateCount(state=step.value, count=states[step.value], open=step.value not in TERMINAL_NAMES)
                               for step in State if states.get(step.value)])  # fmt: skip


def _major_codes(major: str, majors: Mapping[str, str]) -> list[str]:
    codes = [code for code, name in majors.items() if name == major.removesuffix("大类").removesuffix("类")]
    if not codes:
        known = "、".join(sorted(set(majors.values())))
        raise InvalidInput(f"没有名为「{major}」的大类；大类有：{known}")
    return codes


def _by_kind(rows: Sequence[Row[Any]]) -> list[KindCount]:
    """The categories' counts summed per kind (the prefix of the category's id: event-0101, component-0103)."""
    summed: dict[str, list[int]] = {}
    for code, _, *counts in rows:
        sums = summed.setdefault(code.split("-")[0], [0] * len(counts))
        for i, n in enumerate(counts):
            sums[i] += n
    ordered = sorted(summed.items(), key=lambda item: (-item[1][0], item[0]))
    return [KindCount(kind=kind, count=k, registered=r, open=o, closed=x, overdue=late, overdue_open=due)  # type: ignore[arg-type]
            for kind, (k, r, o, x, late, due) in ordered if kind in ("event", "component")]  # fmt: skip


def _by_major(rows: Sequence[Row[Any]], majors: Mapping[str, str]) -> list[MajorCount]:
    """The categories' counts summed per major class; a category the graph has no class for is 其他."""
    summed: dict[str, list[int]] = {}
    for code, _, *counts in rows:
        sums = summed.setdefault(majors.get(code, "其他"), [0] * len(counts))
        for i, n in enumerate(counts):
            sums[i] += n
    ordered = sorted(summed.items(), key=lambda item: (-item[1][0], item[0]))
    return [MajorCount(major_name=m, count=k, registered=r, open=o, closed=x, overdue=late, overdue_open=due)
            for m, (k, r, o, x, late, due) in ordered]  # fmt: skip
