"""Demo only: weeks of case history for A市, so evaluation, case statistics and case-count forecasts have
something to show on a fresh machine. Deterministic from a seed; written through the real workflow
(``create_case`` / ``transition`` with back-dated times), so every history obeys the state machine."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import clock
from core.exceptions import InvalidInput
from graph.queries.cases import find_category
from graph.queries.places import grid_ids
from graph.store import GraphStore
from services.dispatch.cases import create_case, transition
from services.dispatch.models import CaseCreate, TransitionRequest
from services.dispatch.tables import CaseRow

# Frequent categories of a city's cases (roughly as 12345 and patrols report them), with weights.
CATEGORY_WEIGHTS: dict[str, int] = {
    "event-0102": 14, "event-0101": 6, "event-0104": 8, "event-0405": 6, "component-0103": 5, "component-0101": 4,
    "component-0110": 7, "event-0106": 5, "event-0201": 4, "component-0204": 1, "component-0601": 1,
}  # fmt: skip
TEXTS: dict[str, str] = {
    "event-0102": "路边垃圾堆了好几天没人清", "event-0101": "小区楼顶有人私搭乱建", "event-0104": "人行道很脏没人扫",
    "event-0405": "下雨后路面积水很深", "component-0103": "雨水井盖丢了很危险", "component-0101": "自来水井盖松动有响声",
    "component-0110": "路灯晚上不亮", "event-0106": "垃圾桶满了溢出来", "event-0201": "电线杆上贴满了小广告",
    "component-0204": "桥面有坑槽", "component-0601": "泵站设备异响",
}  # fmt: skip
# Real cases cluster: a market street fills its bins, one low-lying block floods every storm. Each category has a
# few grids that draw HOT_WEIGHT times their share, so the hotspot analytics have something true to find.
HOT_GRIDS = 2
HOT_WEIGHT = 250


@dataclass(frozen=True)
class HistoryStats:
    created: int
    transitions: int


def existing_cases(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(CaseRow)) or 0


def seed_case_history(session: Session, graph: GraphStore, *, seed: int, days: int = 45, per_day: int = 12,
                      now: datetime | None = None,
                      progress: Callable[[int], None] | None = None) -> HistoryStats:  # fmt: skip
    """Create ``days`` × ~``per_day`` cases ending now; older ones mostly closed, some late or reworked,
    the last two days still in progress. Commits once per day of history."""
    rng = random.Random(seed)
    now = (now or clock.now()).replace(microsecond=0)
    grids = grid_ids(graph)
    categories = [c for c in CATEGORY_WEIGHTS if find_category(graph, c) is not None]
    if not grids or not categories:
        raise InvalidInput("图谱里没有网格或案件类别: 先运行 `yiwang graph load` / load the graph first")
    weights = [CATEGORY_WEIGHTS[c] for c in categories]
    grid_weights = {category: _grid_weights(grids, random.Random(f"{seed}:{category}")) for category in categories}
    created = moves = 0
    for day in range(days, -1, -1):
        for _ in range(max(1, int(rng.gauss(per_day, per_day / 4)))):
            # Office hours in China time (UTC+8): 08:00–20:00 local is 00:00–12:00 UTC.
            start = (now - timedelta(days=day)).replace(hour=0, minute=0, second=0) + timedelta(minutes=rng.randint(0, 719))
            if start >= now:
                continue
            category = rng.choices(categories, weights)[0]
            case = create_case(session, graph, CaseCreate(text=TEXTS[category], category_code=category,
                                                          grid_id=rng.choices(grids, grid_weights[category])[0], source=rng.choice(["12345", "patrol", "app"])),
                               actor="demo", now=start)  # fmt: skip
            created += 1
            moves += _progress(session, graph, case.id, start, case.deadline, now, rng)
        session.commit()
        if progress:
            progress(1)
    return HistoryStats(created, moves)


def _grid_weights(grids: list[str], rng: random.Random) -> list[int]:
    hot = set(rng.sample(range(len(grids)), min(HOT_GRIDS, len(grids))))
    return [HOT_WEIGHT if i in hot else 1 for i in range(len(grids))]


def _progress(session: Session, graph: GraphStore, case_id: str, start: datetime, deadline: str | None,
              now: datetime, rng: random.Random) -> int:  # fmt: skip
    """Walk one case through the workflow as far as its age allows."""
    due = datetime.fromisoformat(deadline) if deadline else start + timedelta(days=2)
    budget = max(due - start, timedelta(hours=1))
    steps: list[tuple[str, timedelta]] = []
    roll = rng.random()
    if roll < 0.05:
        steps = [("不予立案", timedelta(minutes=30))]
    elif roll < 0.08:
        steps = [("立案", timedelta(minutes=20)), ("作废", timedelta(hours=2))]
    else:
        # 80 % handled within the limit, the rest late by up to half the limit again.
        handling = budget * (rng.uniform(0.2, 0.9) if rng.random() < 0.8 else rng.uniform(1.05, 1.5))
        steps = [("立案", timedelta(minutes=rng.randint(5, 40))), ("派遣", timedelta(minutes=rng.randint(5, 60))),
                 ("签收", timedelta(minutes=rng.randint(10, 90))), ("处置反馈", handling)]  # fmt: skip
        if rng.random() < 0.1:
            steps += [("返工", timedelta(hours=2)), ("处置反馈", budget * 0.3)]
        steps.append(("核查通过", timedelta(hours=rng.uniform(1, 6))))
    at, done = start, 0
    for action, wait in steps:
        at += wait
        if at >= now:
            break
        transition(session, graph, case_id, TransitionRequest(action=action, actor="demo"), now=at)
        done += 1
    return done
