"""What a platform publishes upward: a city its figures and codes, never a citizen's text; a province its
cities' figures added up. Each fact is one kind of figure for one scope (a day, a month, the city), made from
the same service functions that answer the city's own screen, so the parent's figure for a city is the
city's own."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import clock
from core.times import CHINA
from graph.queries.codes import code_tables
from graph.store import GraphStore
from services.dispatch.performance import evaluate_departments
from services.dispatch.stats import case_stats
from services.federation import handovers
from services.federation.models import Fact
from services.federation.orders import receipts
from services.federation.received import newest
from services.federation.tables import ReceivedRow
from services.monitoring.alarms import list_alarms
from services.monitoring.tables import AlarmRow
from services.monitoring.vitals import vitals

KINDS = ("metadata", "vitals", "case_stats", "evaluation", "major_alarms", "order_receipts", "handover", "handover_receipts")


def publishable(session: Session, graph: GraphStore, now: datetime | None = None) -> list[Fact]:
    """The facts of this moment: the code tables, the vital signs, today's and this month's case statistics,
    this month's department evaluation with the counts behind each rate, and the open alarm-level alarms."""
    now = now or clock.now()
    local = now.astimezone(CHINA)
    day, month = f"{local:%Y-%m-%d}", f"{local:%Y-%m}"
    facts = [Fact("metadata", "codes", code_tables(graph)),
             Fact("vitals", "city", {"items": [v.model_dump() for v in vitals(session, now=now)]})]  # fmt: skip
    for period in (day, month):
        facts.append(Fact("case_stats", period, case_stats(session, period, now=now).model_dump()))
    facts.append(Fact("evaluation", month, evaluate_departments(session, month, now=now).model_dump()))
    alarms = [a.model_dump() for a in list_alarms(session, "open", level="alarm")]
    facts.append(Fact("major_alarms", "open", {"items": alarms}))
    facts.append(Fact("order_receipts", "all", receipts(session)))
    facts.append(Fact("handover_receipts", "all", handovers.receipts(session)))
    return facts


def rolled_up(session: Session, now: datetime | None = None) -> list[Fact]:
    """What a province publishes to the nation: its cities' newest facts added up — counts summed, each rate left
    to be computed from the departments' counts (every city's departments travel, named by city), the major
    alarms of every city — with each city's figure and batch kept beside the sum, so the nation can cite them."""
    now = now or clock.now()
    local = now.astimezone(CHINA)
    facts = []
    for period in (f"{local:%Y-%m-%d}", f"{local:%Y-%m}"):
        held = newest(session, "case_stats", period)
        if held:
            total = {k: sum(h.payload[k] for h in held) for k in ("total", "open", "closed", "overdue")}
            cities = [{"code": h.source, "name": h.source_name, "seq": h.seq, "as_of": h.as_of, "total": h.payload["total"],
                       "open": h.payload["open"]} for h in held]  # fmt: skip
            facts.append(Fact("case_stats", period, {"period": period, **total, "by_city": cities}))
    held = newest(session, "evaluation", f"{local:%Y-%m}")
    if held:
        items = [{**item, "department_id": f"{h.source}:{item['department_id']}"} for h in held for item in h.payload["items"]]
        facts.append(Fact("evaluation", f"{local:%Y-%m}", {"items": items, "cities": [h.source for h in held]}))
    held = newest(session, "vitals", "city")
    if held:
        counted = {v["code"]: v for h in held for v in h.payload["items"] if v["unit"] not in ("%",)}
        sums = [{**v, "value": sum(next((x["value"] or 0 for x in h.payload["items"] if x["code"] == code), 0) for h in held)}
                for code, v in counted.items()]  # fmt: skip
        facts.append(Fact("vitals", "city", {"items": sums}))  # rates are not summed: the nation asks the cities' counts
    alarms = [{**a, "city": h.source} for h in newest(session, "major_alarms", "open") for a in h.payload["items"]]
    facts.append(Fact("major_alarms", "open", {"items": alarms}))
    cities = sorted(session.scalars(select(ReceivedRow.source).distinct()))
    facts.append(Fact("metadata", "codes", {"cities": cities, "districts": [], "departments": [], "categories": []}))
    return facts


def urgent_mark(session: Session, level: str = "city") -> tuple[int, int]:
    """What changes when a major incident opens or closes (the open alarm-level alarms: how many, the newest; at a
    province, those its cities sent up): cheap enough to look at every second, so an escalation goes up at once."""
    if level != "city":
        held = newest(session, "major_alarms", "open")
        return sum(len(h.payload["items"]) for h in held), max((h.seq for h in held), default=0)
    count, latest = session.execute(select(func.count(), func.max(AlarmRow.id))
                                    .where(AlarmRow.state == "open", AlarmRow.level == "alarm")).one()  # fmt: skip
    return count, latest or 0
