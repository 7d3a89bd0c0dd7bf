"""What a city publishes upward: figures and codes, never a citizen's text. Each fact is one kind of figure
for one scope (a day, a month, the city), made from the same service functions that answer the city's own
screen, so the parent's figure for a city is the city's own."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.times import CHINA
from graph.queries.codes import code_tables
from graph.store import GraphStore
from services.dispatch.performance import evaluate_departments
from services.dispatch.stats import case_stats
from services.federation import handovers
from services.federation.models import Fact
from services.federation.orders import receipts
from services.monitoring.alarms import list_alarms
from services.monitoring.tables import AlarmRow
from services.monitoring.vitals import vitals

KINDS = ("metadata", "vitals", "case_stats", "evaluation", "major_alarms", "order_receipts", "handover", "handover_receipts")


def publishable(session: Session, graph: GraphStore, now: datetime | None = None) -> list[Fact]:
    """The facts of this moment: the code tables, the vital signs, today's and this month's case statistics,
    this month's department evaluation with the counts behind each rate, and the open alarm-level alarms."""
    now = now or datetime.now(UTC)
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


def urgent_mark(session: Session) -> tuple[int, int]:
    """What changes when a major incident opens or closes (the open alarm-level alarms: how many, the newest):
    cheap enough to look at every second, so an escalation goes up at once, not at the next interval."""
    count, newest = session.execute(select(func.count(), func.max(AlarmRow.id))
                                    .where(AlarmRow.state == "open", AlarmRow.level == "alarm")).one()  # fmt: skip
    return count, newest or 0
