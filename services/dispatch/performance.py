"""综合评价: per-department indicators over a period, with the counts behind every rate.

Formulas as cities use them (shared/domain): 准确派遣率 = 准确派遣数 / 派遣数 (a dispatch is accurate
when the department does not return it), 按期处置率 = 按期处置数 / 应处置数, 返工率 = 返工数 / 应结案数,
结案率 = 结案数 / 应结案数, 延期率 = 延期数 / 应处置数. A case counts for the department it was dispatched
to (each dispatch to the department it was sent to), in the period of its dispatch.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import clock
from core.times import as_utc, local_iso, period_bounds
from services.dispatch.tables import CaseEventRow, CaseRow
from services.dispatch.workflow import State


class Rate(BaseModel):
    value: float | None = Field(description="numerator / denominator; null when the denominator is 0")
    numerator: int
    denominator: int


class DepartmentIndicators(BaseModel):
    department_id: str
    应处置数: int
    派遣数: int
    准确派遣数: int
    按期处置数: int
    超期处置数: int
    返工数: int
    延期数: int
    结案数: int
    应结案数: int
    准确派遣率: Rate
    按期处置率: Rate
    返工率: Rate
    结案率: Rate
    延期率: Rate
    平均处置时长_小时: float | None
    已处置数: int = 0  # the cases the mean handling time is over (a city-wide mean weighs departments by it)


class Evaluation(BaseModel):
    period: str
    start: str
    end: str
    items: list[DepartmentIndicators]


def _rate(numerator: int, denominator: int) -> Rate:
    return Rate(value=round(numerator / denominator, 4) if denominator else None, numerator=numerator, denominator=denominator)


def indicators(cases: list[CaseRow], events: dict[str, list[CaseEventRow]], start: datetime, end: datetime,
               now: datetime) -> list[DepartmentIndicators]:  # fmt: skip
    """Pure computation over cases and their histories."""
    counts: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    durations: dict[str, list[float]] = defaultdict(list)
    for case in cases:
        history = events.get(case.id, [])
        dispatches = [e for e in history if e.action == "派遣" and start <= as_utc(e.at) < end]
        if not dispatches:
            continue
        for dispatch in dispatches:
            # Accurate unless the department it went to handed it back (回退) afterwards.
            sent_to = dispatch.department_id or "unassigned"
            returned = any(e.action == "回退" and e.seq > dispatch.seq and e.department_id == sent_to for e in history)
            counts[sent_to]["派遣数"] += 1
            counts[sent_to]["准确派遣数"] += not returned
        department = case.department_id or "unassigned"
        c = counts[department]
        last_return = max((e.seq for e in history if e.action == "回退"), default=0)
        if last_return > max(e.seq for e in history if e.action == "派遣"):
            continue  # returned to the centre and not yet re-dispatched: nobody's to handle
        c["应处置数"] += 1
        deadline = as_utc(case.deadline) if case.deadline else None
        handled = [as_utc(e.at) for e in history if e.action == "处置反馈"]
        first_handled = handled[0] if handled else None
        if deadline and first_handled and first_handled <= deadline:
            c["按期处置数"] += 1
        elif deadline and (first_handled or now) > deadline:
            c["超期处置数"] += 1
        if first_handled:
            durations[department].append((first_handled - as_utc(dispatches[0].at)).total_seconds() / 3600)
        c["返工数"] += sum(1 for e in history if e.action == "返工")
        c["延期数"] += sum(1 for e in history if e.action == "延期")
        if case.state != State.VOIDED:
            c["应结案数"] += 1
            c["结案数"] += case.state == State.CLOSED
    out = []
    for department in sorted(counts):
        c = {k: int(v) for k, v in counts[department].items()}
        get = lambda key, c=c: c.get(key, 0)  # noqa: E731
        times = durations.get(department)
        out.append(DepartmentIndicators(
            department_id=department, 应处置数=get("应处置数"), 派遣数=get("派遣数"), 准确派遣数=get("准确派遣数"),
            按期处置数=get("按期处置数"), 超期处置数=get("超期处置数"), 返工数=get("返工数"), 延期数=get("延期数"),
            结案数=get("结案数"), 应结案数=get("应结案数"),
            准确派遣率=_rate(get("准确派遣数"), get("派遣数")), 按期处置率=_rate(get("按期处置数"), get("应处置数")),
            返工率=_rate(get("返工数"), get("应结案数")), 结案率=_rate(get("结案数"), get("应结案数")),
            延期率=_rate(get("延期数"), get("应处置数")),
            平均处置时长_小时=round(sum(times) / len(times), 2) if times else None, 已处置数=len(times or []),
        ))  # fmt: skip
    return out


def evaluate_departments(session: Session, period: str | None = None, department_id: str | None = None,
                         now: datetime | None = None) -> Evaluation:  # fmt: skip
    now = now or clock.now()
    label, start, end = period_bounds(period, now)
    dispatched = select(CaseEventRow.case_id).where(CaseEventRow.action == "派遣", CaseEventRow.at >= start,
                                                    CaseEventRow.at < end)  # fmt: skip
    query = select(CaseRow).where(CaseRow.id.in_(dispatched))
    if department_id:
        query = query.where(CaseRow.department_id == department_id)
    cases = list(session.scalars(query))
    events: dict[str, list[CaseEventRow]] = defaultdict(list)
    if cases:
        for event in session.scalars(select(CaseEventRow).where(CaseEventRow.case_id.in_([c.id for c in cases]))
                                     .order_by(CaseEventRow.case_id, CaseEventRow.seq)):  # fmt: skip
            events[event.case_id].append(event)
    return Evaluation(period=label, start=local_iso(start), end=local_iso(end), items=indicators(cases, events, start, end, now))
