"""Department roll-ups (issue 16): every department's indicators (on time, closure, rework, extension, accurate
dispatch) over several periods and optionally one district, ranked in each period, with each department's
backlog now — "最近三个月各部门按期处置率排名", "A3区各部门本月返工率".

Cases and their histories are read once in the driver; each period is one batch item computed by the same pure
function ``/v1/evaluation`` uses, so a roll-up agrees with the evaluation of each of its periods. A period that
fails is reported beside the others.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, sessionmaker

from analytics.engine import BatchEngine, Engine
from core import clock
from core.exceptions import InvalidInput
from core.times import CHINA, as_utc, local_iso, period_bounds
from graph.queries.gazetteer import named_entities
from graph.store import GraphStore
from services.dispatch.performance import DepartmentIndicators, indicators
from services.dispatch.tables import CaseEventRow, CaseRow
from services.dispatch.workflow import OPEN_NAMES

RankBy = Literal["按期处置率", "结案率", "返工率", "准确派遣率", "延期率", "平均处置时长_小时", "派遣数"]
LOWER_IS_BETTER = {"返工率", "延期率", "平均处置时长_小时"}
PERIODS = 3  # months rolled up when none are named: this one and the two before


class DepartmentRollupRequest(BaseModel):
    periods: list[str] = Field(default_factory=list, max_length=24,
                               description="periods as /v1/evaluation reads them (2026-11, last30d…); empty: this month and the two before")  # fmt: skip
    district: str | None = Field(None, pattern=r"^\d{6}$", description="only the cases of this district (990103)")
    rank_by: RankBy = Field("按期处置率", description="the indicator each period is ranked by (best first)")
    engine: Literal["auto", "ray", "in-process"] = "auto"


class RankedDepartment(DepartmentIndicators):
    name: str
    rank: int = Field(description="1 is the best by ``rank_by`` (lowest for 返工率, 延期率, 处置时长); no value ranks last")


class DepartmentPeriod(BaseModel):
    period: str
    start: str
    end: str
    items: list[RankedDepartment]


class Backlog(BaseModel):
    department_id: str
    name: str
    open: int = Field(description="cases it holds now, not finished (whenever they came in)")
    overdue: int = Field(description="of those, past their deadline")


class DepartmentRollupRun(BaseModel):
    run_id: str
    as_of: str
    district: str | None
    rank_by: str
    periods: list[DepartmentPeriod] = Field(description="in the order asked (oldest first by default)")
    backlog: list[Backlog] = Field(description="the most open cases first")
    failures: dict[str, str]
    engine: Engine
    workers: int
    seconds: float


@dataclass(frozen=True)
class _Case:
    """What the indicators read of a case: a plain record, light to send to a worker."""

    id: str
    department_id: str | None
    deadline: datetime | None
    state: str


@dataclass(frozen=True)
class _Event:
    case_id: str
    seq: int
    action: str
    at: datetime
    department_id: str | None


def roll_up_departments(sessions: sessionmaker[Session], graph: GraphStore, engine: BatchEngine,
                        request: DepartmentRollupRequest, progress: Callable[[int], None] | None = None,
                        now: datetime | None = None) -> DepartmentRollupRun:  # fmt: skip
    now = now or clock.now()
    labels = request.periods or _recent_months(now, PERIODS)
    bounds = [period_bounds(label, now) for label in labels]
    if len({label for label, _, _ in bounds}) < len(bounds):
        raise InvalidInput("统计周期有重复 / a period is named twice")
    with sessions() as session:
        cases, events = _read(session, request.district, min(s for _, s, _ in bounds), max(e for _, _, e in bounds))
        backlog = _backlog(session, request.district, now)
    jobs = [(label, (cases, events, start, end, now)) for label, start, end in bounds]
    batch = engine.run(_one_period, jobs, request.engine, progress)
    names = {d.id: d.name or d.id for d in named_entities(graph, "Department")}
    periods = [DepartmentPeriod(period=label, start=local_iso(start) or "", end=local_iso(end) or "",
                                items=_ranked(batch.results[label], request.rank_by, names))
               for label, start, end in bounds if label in batch.results]  # fmt: skip
    stamp = f"{now.astimezone(CHINA):%Y%m%d%H%M}"
    return DepartmentRollupRun(
        run_id=f"department-rollups:{request.district or 'city'}:{'+'.join(labels)}:{request.rank_by}:{stamp}",
        as_of=local_iso(now) or "", district=request.district, rank_by=request.rank_by, periods=periods,
        backlog=[Backlog(department_id=d, name=names.get(d, d), open=o, overdue=late) for d, o, late in backlog],
        failures=batch.failures, engine=batch.engine, workers=batch.workers, seconds=batch.seconds,
    )  # fmt: skip


def _one_period(job: tuple[list[_Case], dict[str, list[_Event]], datetime, datetime, datetime]) -> list[DepartmentIndicators]:
    cases, events, start, end, now = job
    return indicators(cases, events, start, end, now)  # type: ignore[arg-type]  # duck-typed records


def _read(session: Session, district: str | None, start: datetime,
          end: datetime) -> tuple[list[_Case], dict[str, list[_Event]]]:  # fmt: skip
    """Every case dispatched in the span (of the district) and its whole history."""
    dispatched = select(CaseEventRow.case_id).where(CaseEventRow.action == "派遣", CaseEventRow.at >= start,
                                                    CaseEventRow.at < end)  # fmt: skip
    query = select(CaseRow.id, CaseRow.department_id, CaseRow.deadline, CaseRow.state).where(CaseRow.id.in_(dispatched))
    if district:
        query = query.where(CaseRow.district == district)
    cases = [_Case(i, d, as_utc(dl) if dl else None, s) for i, d, dl, s in session.execute(query)]
    events: dict[str, list[_Event]] = defaultdict(list)
    if cases:
        rows = session.execute(select(CaseEventRow.case_id, CaseEventRow.seq, CaseEventRow.action, CaseEventRow.at,
                                      CaseEventRow.department_id)
                               .where(CaseEventRow.case_id.in_(select(CaseRow.id).where(CaseRow.id.in_(dispatched))))
                               .order_by(CaseEventRow.case_id, CaseEventRow.seq))  # fmt: skip
        for case_id, seq, action, at, department in rows:
            events[case_id].append(_Event(case_id, seq, action, as_utc(at), department))
    return cases, dict(events)


def _backlog(session: Session, district: str | None, now: datetime) -> list[tuple[str, int, int]]:
    late = func.sum(case((CaseRow.deadline < now, 1), else_=0))
    query = (select(CaseRow.department_id, func.count(), late)
             .where(CaseRow.state.in_(OPEN_NAMES), CaseRow.department_id.is_not(None))
             .group_by(CaseRow.department_id))  # fmt: skip
    if district:
        query = query.where(CaseRow.district == district)
    rows = [(d, int(n), int(o or 0)) for d, n, o in session.execute(query)]
    return sorted(rows, key=lambda r: (-r[1], r[0]))


def _ranked(items: list[DepartmentIndicators], rank_by: str, names: dict[str, str]) -> list[RankedDepartment]:
    def value(item: DepartmentIndicators) -> float | None:
        field: Any = getattr(item, rank_by)
        return field.value if hasattr(field, "value") else field

    lower = rank_by in LOWER_IS_BETTER
    known = sorted((i for i in items if value(i) is not None), key=lambda i: (value(i) if lower else -value(i), i.department_id))  # type: ignore[operator]
    unknown = sorted((i for i in items if value(i) is None), key=lambda i: i.department_id)
    return [RankedDepartment(**item.model_dump(), name=names.get(item.department_id, item.department_id), rank=n)
            for n, item in enumerate(known + unknown, 1)]  # fmt: skip


def _recent_months(now: datetime, n: int) -> list[str]:
    local = now.astimezone(CHINA)
    year, month = local.year, local.month
    months = []
    for _ in range(n):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]
