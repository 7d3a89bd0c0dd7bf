"""City vital signs (城市运行生命体征): indicators with value, unit, status and as-of time, per city or
district, computed from the newest readings, open alarms and cases.

Status bands are the demo city's defaults (a city sets its own): counts of open alarms are normal at 0;
rates compare against the targets its rules state (e.g. 亮灯率 ≥ 98 %, 按期处置率 ≥ 90 %).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import clock
from core.times import as_utc, local_iso
from services.dispatch.tables import CaseRow
from services.dispatch.workflow import TERMINAL_NAMES
from services.monitoring.tables import AlarmRow, SensorRow

Status = str  # normal | watch | warning | alarm


class Vital(BaseModel):
    code: str
    name: str
    value: float | None
    unit: str
    status: Status
    as_of: str
    basis: str


def _count_status(value: int, watch: int, warning: int, alarm: int) -> Status:
    return "alarm" if value >= alarm else "warning" if value >= warning else "watch" if value >= watch else "normal"


def _rate_status(value: float | None, target: float, watch_gap: float, warning_gap: float) -> Status:
    if value is None:
        return "normal"
    return ("normal" if value >= target else "watch" if value >= target - watch_gap
            else "warning" if value >= target - warning_gap else "alarm")  # fmt: skip


# The vital signs that count open alarms: code, name, the alarm kinds counted, unit, basis, status bands.
ALARM_VITALS: list[tuple[str, str, tuple[str, ...], str, str, tuple[int, int, int]]] = [
    ("waterlogging_points", "积水点数", ("water_level",), "处", "水位告警未关闭的监测点", (1, 3, 6)),
    ("gas_leak_alarms", "燃气泄漏报警数", ("gas_concentration",), "起", "可燃气体浓度告警未关闭", (1, 1, 2)),
    ("abnormal_manhole_covers", "井盖异常数", ("manhole_tilt", "manhole_displacement"), "个", "倾斜/位移告警未关闭", (1, 5, 10)),
    ("bridge_structural_alerts", "桥梁结构告警数", ("bridge_strain", "bridge_deflection"), "起", "应变/挠度告警未关闭", (1, 1, 2)),
    ("pump_station_faults", "泵站故障数", ("pump_status",), "座", "泵站故障告警未关闭", (1, 1, 3)),
]  # fmt: skip


def vitals(session: Session, district: str | None = None, now: datetime | None = None) -> list[Vital]:
    now = now or clock.now()
    as_of = local_iso(now)

    def open_alarms(*kinds: str) -> int:
        query = select(func.count()).select_from(AlarmRow).where(AlarmRow.state == "open", AlarmRow.kind.in_(kinds))
        return session.scalar(query.where(AlarmRow.district == district) if district else query) or 0

    def sensors(kind: str):
        query = select(SensorRow.last_value, SensorRow.watch).where(SensorRow.kind == kind, SensorRow.last_value.is_not(None))
        return session.execute(query.where(SensorRow.district == district) if district else query).all()

    pressure = sensors("water_pressure")
    compliant = sum(1 for value, watch in pressure if watch is None or value > watch)
    pressure_rate = round(100 * compliant / len(pressure), 2) if pressure else None
    lights = sensors("light_status")
    light_failure = round(100 * sum(1 for value, _ in lights if value >= 2) / len(lights), 2) if lights else None

    cases = select(CaseRow)
    if district:
        cases = cases.where(CaseRow.district == district)
    recent = session.scalar(select(func.count()).select_from(
        cases.where(CaseRow.source == "12345", CaseRow.created_at >= now - timedelta(hours=24)).subquery())) or 0  # fmt: skip
    open_cases = cases.where(CaseRow.state.notin_(TERMINAL_NAMES))
    overdue = session.scalar(select(func.count()).select_from(open_cases.where(CaseRow.deadline < now).subquery())) or 0
    due = session.scalars(cases.where(CaseRow.deadline < now, CaseRow.created_at >= now - timedelta(days=30))).all()
    on_time = [c for c in due if c.closed_at is not None and c.closed_at <= c.deadline]
    on_time_rate = round(100 * len(on_time) / len(due), 2) if due else None

    counts = [(code, name, open_alarms(*kinds), unit, basis, bands) for code, name, kinds, unit, basis, bands in ALARM_VITALS]
    counts.append(("overdue_cases", "超期未结案件数", overdue, "件", "已过处置时限且未办结", (1, 10, 30)))
    out = [Vital(code=code, name=name, value=value, unit=unit, status=_count_status(value, *bands), as_of=as_of, basis=basis)
           for code, name, value, unit, basis, bands in counts]  # fmt: skip
    out += [
        Vital(code="water_pressure_compliance", name="供水压力合格率", value=pressure_rate, unit="%", as_of=as_of,
              status=_rate_status(pressure_rate, 98, 3, 8), basis=f"{len(pressure)} 个压力监测点最新读数高于关注阈值的比例"),
        Vital(code="street_light_failure_rate", name="路灯故障率", value=light_failure, unit="%", as_of=as_of,
              status=_rate_status(None if light_failure is None else 100 - light_failure, 98, 2, 5),
              basis=f"{len(lights)} 个路灯监测点最新状态为故障的比例"),
        Vital(code="hotline_case_volume_24h", name="12345案件量(24小时)", value=recent, unit="件", as_of=as_of,
              status="normal", basis="过去24小时来源为12345的案件数"),
        Vital(code="on_time_disposal_rate", name="按期处置率(30天)", value=on_time_rate, unit="%", as_of=as_of,
              status=_rate_status(on_time_rate, 90, 5, 15), basis=f"过去30天到期的 {len(due)} 件案件中按期办结的比例"),
    ]  # fmt: skip
    return out


class VitalTrend(BaseModel):
    code: str
    points: list[tuple[str, float]]  # (hour, value) oldest first


def vital_trends(session: Session, district: str | None = None, hours: int = 24,
                 now: datetime | None = None) -> list[VitalTrend]:  # fmt: skip
    """The count vital signs hour by hour over the last ``hours``, as they stood at each hour: the alarms
    open then (opened before, closed after or not yet) and the 12345 cases of the 24 hours before. The
    rates read the newest readings only and have no history here."""
    now = now or clock.now()
    hours_back = [now - timedelta(hours=h) for h in range(hours, -1, -1)]
    start = hours_back[0]
    alarms = select(AlarmRow.kind, AlarmRow.opened_at, AlarmRow.closed_at).where(
        AlarmRow.opened_at <= now, (AlarmRow.closed_at.is_(None)) | (AlarmRow.closed_at > start))
    if district:
        alarms = alarms.where(AlarmRow.district == district)
    spans = [(kind, as_utc(opened), as_utc(closed) if closed else None) for kind, opened, closed in session.execute(alarms)]
    calls = select(CaseRow.created_at).where(CaseRow.source == "12345", CaseRow.created_at > start - timedelta(hours=24),
                                             CaseRow.created_at <= now)  # fmt: skip
    if district:
        calls = calls.where(CaseRow.district == district)
    received = [as_utc(at) for (at,) in session.execute(calls)]

    def open_at(t: datetime, kinds: tuple[str, ...]) -> float:
        return float(sum(1 for kind, opened, closed in spans if kind in kinds and opened <= t and (closed is None or closed > t)))

    trends = [VitalTrend(code=code, points=[(local_iso(t), open_at(t, kinds)) for t in hours_back])
              for code, _, kinds, *_ in ALARM_VITALS]  # fmt: skip
    trends.append(VitalTrend(code="hotline_case_volume_24h", points=[
        (local_iso(t), float(sum(1 for at in received if t - timedelta(hours=24) < at <= t))) for t in hours_back]))  # fmt: skip
    return trends
