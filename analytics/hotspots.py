"""Hotspots (issue 16): where cases of a category, or a group of them, concentrate — each grid's count in a period
against what an even spread over the scope's grids would give (a Poisson tail says how unlikely so many are by
chance), its last week against the week before, and who is responsible there ("最近哪些网格井盖问题最集中？").

Cases are counted in the database (grid × category × week, one query); each district's grids are scored as one
batch item on the engine, so a city-wide run of every category is one job; a district that fails is reported
beside the others.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field
from scipy.stats import poisson
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, sessionmaker

from analytics.engine import BatchEngine, Engine
from core import clock
from core.exceptions import InvalidInput, YiwangError
from core.times import CHINA, as_utc, local_iso, period_bounds
from graph.ids import is_category_id
from graph.queries.cases import find_category
from graph.queries.gazetteer import district_names, streets
from graph.queries.places import grid_shapes
from graph.queries.responsibility import responsible_department
from graph.store import GraphStore
from services.dispatch.tables import CaseRow

WEEK = timedelta(days=7)
SIGNIFICANT = 0.01  # a grid's count this unlikely under an even spread is called a hotspot, not chance
MIN_CASES = 2  # one case is no concentration, however few the scope has


class HotspotRequest(BaseModel):
    categories: list[str] = Field(default_factory=list, max_length=60,
                                  description="category ids (component-0103, event-0405), counted together; empty: every category")  # fmt: skip
    district: str | None = Field(None, pattern=r"^\d{6}$", description="district code (990103); empty: the whole city")
    period: str = Field("last30d", max_length=22, description="2026-11, 2026-11-01..2026-11-30, last30d…")
    level: Literal["grid", "street"] = Field("grid", description="unit grids, or the streets (街道) they make up")
    top: int = Field(10, strict=True, ge=1, le=100, description="areas listed, the most cases first")
    engine: Literal["auto", "ray", "in-process"] = "auto"


class Hotspot(BaseModel):
    area_id: str = Field(description="the grid's id, or the street's")
    street: str = Field(description="the street (街道) the area is or lies in")
    district: str
    district_name: str
    grids: int = Field(description="unit grids the area holds (1 for a grid)")
    count: int = Field(description="cases of the categories created in the area in the period")
    share_pct: float = Field(description="the area's share of the scope's cases, in %")
    expected: float = Field(description="cases the area would have if the scope's cases spread evenly over its grids")
    ratio: float = Field(description="count ÷ expected (集中度)")
    p_value: float = Field(description="chance of at least ``count`` cases under the even spread (Poisson)")
    significant: bool = Field(description=f"p below {SIGNIFICANT} and at least {MIN_CASES} cases")
    last_week: int = Field(description="cases in the last 7 days of the period")
    week_before: int = Field(description="cases in the 7 days before those")
    by_category: dict[str, int]
    top_grid: str = Field(description="the area's grid with the most cases (the grid itself for a grid)")
    department_id: str | None = Field(None, description="responsible for the area's most frequent category there")
    department: str | None = None
    street_office: str | None = None


class HotspotRun(BaseModel):
    run_id: str = Field(description="cite the run by it: categories, scope, level, period and the newest case it counted")
    as_of: str = Field(description="when the cases were counted")
    categories: dict[str, str] = Field(description="category id → name; empty: every category")
    district: str | None
    level: Literal["grid", "street"]
    period: str
    start: str
    end: str
    cases: int = Field(description="cases of the categories in the scope and period")
    grids: int = Field(description="grids of the scope")
    areas_with_cases: int
    expected: float = Field(description="cases per grid under an even spread")
    significant: int = Field(description="areas whose count is a hotspot (see Hotspot.significant)")
    last_week: int
    week_before: int
    items: list[Hotspot] = Field(description="``top`` areas, the most cases first (then the least likely)")
    failures: dict[str, str]
    engine: Engine
    workers: int
    seconds: float


def find_hotspots(sessions: sessionmaker[Session], graph: GraphStore, engine: BatchEngine, request: HotspotRequest,
                  progress: Callable[[int], None] | None = None, now: datetime | None = None) -> HotspotRun:  # fmt: skip
    now = now or clock.now()
    names = _category_names(graph, request.categories)
    label, start, end = period_bounds(request.period, now)
    grids = [g for g in grid_shapes(graph) if not request.district or g.district == request.district]
    if not grids:
        raise InvalidInput(f"区划代码 {request.district} 下没有网格 / no grids in district {request.district}")
    with sessions() as session:
        counts, newest = _counts(session, request, start, min(end, now))  # a running period's last week ends now
    expected = sum(counts.values()) / len(grids)
    by_district: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for grid in grids:
        by_district[grid.district].append((grid.id, grid.street))
    per_grid: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for (grid_id, category, week), count in counts.items():
        per_grid[grid_id].append((category, week, count))
    jobs = [(district, (expected, district, request.level, [(gid, street, per_grid.get(gid, [])) for gid, street in members]))
            for district, members in sorted(by_district.items())]  # fmt: skip
    batch = engine.run(_score_district, jobs, request.engine, progress)
    scored = sorted((h for rows in batch.results.values() for h in rows), key=lambda h: (-h.count, h.p_value, h.area_id))
    district_name = district_names(graph)
    street_name = {s.id: s.name for s in streets(graph)}
    cases = sum(h.count for h in scored)
    items = [_responsible(graph, h, district_name, street_name, cases) for h in scored[: request.top]]
    scope = request.district or "city"
    return HotspotRun(
        run_id=f"hotspots:{'+'.join(sorted(names)) or 'all'}:{scope}:{request.level}:{label}:{_stamp(newest)}",
        as_of=local_iso(now) or "", categories=names, district=request.district, level=request.level, period=label,
        start=local_iso(start) or "", end=local_iso(end) or "", cases=cases, grids=len(grids),
        areas_with_cases=len(scored), expected=round(expected, 3), significant=sum(1 for h in scored if h.significant),
        last_week=sum(h.last_week for h in scored), week_before=sum(h.week_before for h in scored), items=items,
        failures=batch.failures, engine=batch.engine, workers=batch.workers, seconds=batch.seconds,
    )  # fmt: skip


def _category_names(graph: GraphStore, categories: list[str]) -> dict[str, str]:
    names = {}
    for category in dict.fromkeys(categories):
        entity = find_category(graph, category) if is_category_id(category) else None
        if entity is None:
            raise InvalidInput(f"类别编号 {category!r} 无效或不存在; 形如 event-0405 或 component-0103 / unknown category")
        names[category] = str(entity.properties.get("name", category))
    return names


def _counts(session: Session, request: HotspotRequest, start: datetime,
            end: datetime) -> tuple[dict[tuple[str, str, int], int], datetime | None]:  # fmt: skip
    """Cases per (grid, category, week) — week 0 is the period's last 7 days, 1 the 7 before, 2 anything
    earlier — and when the newest of them came in."""
    week = _week_bucket(end)
    query = (select(CaseRow.grid_id, CaseRow.category_code, week, func.count(), func.max(CaseRow.created_at))
             .where(CaseRow.created_at >= start, CaseRow.created_at < end, CaseRow.grid_id.is_not(None))
             .group_by(CaseRow.grid_id, CaseRow.category_code, week))  # fmt: skip
    if request.categories:
        query = query.where(CaseRow.category_code.in_(request.categories))
    if request.district:
        query = query.where(CaseRow.district == request.district)
    rows = session.execute(query).all()
    newest = max((as_utc(row[4]) for row in rows), default=None)
    return {(grid, category, int(bucket)): int(count) for grid, category, bucket, count, _ in rows}, newest


def _stamp(newest: datetime | None) -> str:
    return f"{newest.astimezone(CHINA):%Y%m%d%H%M%S}" if newest else "none"


def _week_bucket(end: datetime):  # noqa: ANN202 - a SQL expression
    return case((CaseRow.created_at >= end - WEEK, 0), (CaseRow.created_at >= end - 2 * WEEK, 1), else_=2)


Counts = list[tuple[str, int, int]]  # (category, week, cases) of one grid


def _score_district(job: tuple[float, str, str, list[tuple[str, str, Counts]]]) -> list[Hotspot]:
    """One district's grids, or its streets, against the scope's even spread (pure: runs on a Ray worker too)."""
    per_grid_expected, district, level, grids = job
    areas: dict[str, list[tuple[str, str, Counts]]] = defaultdict(list)
    for grid_id, street, counts in grids:
        areas[grid_id if level == "grid" else street].append((grid_id, street, counts))
    rows = []
    for area_id, members in areas.items():
        count = sum(c for _, _, counts in members for _, _, c in counts)
        if not count:
            continue
        by_category: Counter[str] = Counter()
        by_grid: Counter[str] = Counter()
        for grid_id, _, counts in members:
            for category, _, c in counts:
                by_category[category] += c
                by_grid[grid_id] += c
        expected = per_grid_expected * len(members)
        p_value = float(poisson.sf(count - 1, expected)) if expected else 1.0
        weekly = Counter({week: 0 for week in (0, 1)})
        for _, _, counts in members:
            for _, week, c in counts:
                weekly[week] += c
        rows.append(Hotspot(
            area_id=area_id, street=members[0][1], district=district, district_name="", grids=len(members),
            count=count, share_pct=0.0, expected=round(expected, 3), ratio=round(count / expected, 2) if expected else 0.0,
            p_value=float(f"{p_value:.3g}"), significant=p_value < SIGNIFICANT and count >= MIN_CASES,
            last_week=weekly[0], week_before=weekly[1], by_category=dict(by_category.most_common()),
            top_grid=by_grid.most_common(1)[0][0],
        ))  # fmt: skip
    return rows


def _responsible(graph: GraphStore, hotspot: Hotspot, district_name: dict[str, str], street_name: dict[str, str],
                 cases: int) -> Hotspot:  # fmt: skip
    """The names and the department, read from the graph for the areas listed only."""
    update: dict[str, object] = {"district_name": district_name.get(hotspot.district, hotspot.district),
                                 "street": street_name.get(hotspot.street, hotspot.street),
                                 "share_pct": round(100 * hotspot.count / cases, 1)}  # fmt: skip
    category = next(iter(hotspot.by_category))
    try:
        duty = responsible_department(graph, category, grid_id=hotspot.top_grid)
    except YiwangError:  # a category without a rule in that district: the area is still a hotspot
        return hotspot.model_copy(update=update)
    update |= {"department_id": duty.department.id, "department": duty.department.properties.get("name"),
               "street_office": duty.street_office.properties.get("name") if duty.street_office else None}  # fmt: skip
    return hotspot.model_copy(update=update)
