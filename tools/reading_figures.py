"""Sensor readings as figures (measure ``readings`` of the query spec): the newest value of every sensor of a
kind in the city or a district, or each sensor's max/min/mean over a window, filtered by a value, ranked and
set against the kind's thresholds. Counted over every sensor of the kind (the registry and the database's own
per-sensor aggregates), never over the first page of a list.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time, timedelta

from core import clock
from core.exceptions import InvalidInput
from core.times import CHINA, period_bounds
from graph.ids import asset_category_id
from services.monitoring.alarm_rules import Thresholds, level_of, rank
from services.monitoring.sensors import MAX_SENSORS
from tools.client import Json, ServicesClient
from tools.query_spec import FigureQuery, FigureRow, Figures

STATUS_KINDS = ("light_status", "pump_status")
SHOWN = 10  # rows listed; the counts cover them all


def sensors_on(client: ServicesClient, query: FigureQuery) -> list[Json]:
    """The sensors of the query's kind in its district, on the facilities it names (all of them when it names none)."""
    sensors = client.sensors(kind=query.sensor_kind, district=query.district, limit=MAX_SENSORS)
    return [s for s in sensors if not query.asset_categories or asset_category_id(s["asset_id"]) in query.asset_categories]


def reading_figures(client: ServicesClient, query: FigureQuery, now: datetime | None = None) -> Figures:
    if not query.sensor_kind:
        raise InvalidInput("读数查询需要传感器类型 sensor_kind / readings need a sensor_kind")
    # "A5区路灯…其中装了状态监测的多少": the sensors on those facilities (a landscape lamp's is not a street lamp's).
    sensors = sensors_on(client, query)
    reporting = [s for s in sensors if s["last_value"] is not None]
    now = now or clock.now()
    windowed = bool(query.hours or query.period)
    # "这周有没有掉到0.18以下的时候": each sensor's lowest of the window is set against the line, not its highest.
    statistic = query.statistic or (("min" if query.below is not None else "max") if windowed else "latest")
    lowest: FigureRow | None = None
    if windowed:
        period, since, until = _window(query, now)
        stats = client.sensor_stats(query.sensor_kind, query.district, since=since, until=until, above=query.above,
                                    below=query.below)  # fmt: skip
        if query.asset_categories:
            kept = {s["id"] for s in sensors}
            stats = [s for s in stats if s["sensor_id"] in kept]
        names = {s["id"]: s["name"] for s in sensors}
        field = "max" if statistic == "latest" else statistic
        rows = [FigureRow(key=s["sensor_id"], value=s[field], asset_id=s["asset_id"], district=s["district"],
                          name=names.get(s["sensor_id"]), ts=s.get(f"{field}_at")) for s in stats]  # fmt: skip
        start, end = since.isoformat(), until.isoformat()
        readings = sum(s["count"] for s in stats)
        # "超过90%的出现过几次": the readings past the value, every sensor's together.
        past = sum(s["past"] for s in stats) if (query.above is not None or query.below is not None) else None
        if stats and statistic != "min":  # the other end: the lowest single reading of the window
            low = min(stats, key=lambda s: s["min"])
            lowest = FigureRow(key=low["sensor_id"], value=low["min"], asset_id=low["asset_id"],
                               district=low["district"], name=names.get(low["sensor_id"]), ts=low.get("min_at"))  # fmt: skip
        in_window = len(stats)
        overall = _overall(stats)
        daily = _daily(client, query, since, until) if query.trend else []
        days = (until.astimezone(CHINA).date() - since.astimezone(CHINA).date()).days + (
            until.astimezone(CHINA).time() != time(0))  # fmt: skip
    else:
        period, start, end, readings, in_window, overall, days, past = "latest", "", "", None, len(reporting), {}, None, None
        daily = []
        rows = [FigureRow(key=s["id"], value=s["last_value"], asset_id=s["asset_id"], name=s["name"],
                          district=s["district"], ts=s["last_ts"]) for s in reporting]  # fmt: skip
    if query.sensor_kind in STATUS_KINDS and query.above is None and query.below is None:
        rows = [r for r in rows if r.value != 1]  # 1 is 开/运行: the ones to name are off or faulty
    valued = [r for r in rows if r.value is not None]
    # "最高到过多少？有没有超过40cm": the peak is said whether or not it passes the line.
    thresholds = sensors[0]["thresholds"] if sensors else None
    limits = thresholds_of(thresholds)
    bounded = query.above is not None or query.below is not None or query.reached is not None
    below_kind = limits is not None and limits.direction == "below"
    extreme = min if (below_kind and query.reached) or query.below is not None else max  # the end asked about
    highest = extreme(valued, key=lambda r: r.value or 0.0) if valued and bounded else None
    if query.reached and limits:
        wanted = rank(query.reached)
        rows = [r for r in rows if (level := level_reached(r.value, limits)) and rank(level) >= wanted]
    if query.above is not None:
        rows = [r for r in rows if r.value is not None and r.value > query.above]
    if query.below is not None:
        rows = [r for r in rows if r.value is not None and r.value < query.below]
    if not windowed:
        lowest = min(rows, key=lambda r: r.value or 0.0) if len(rows) > 1 and statistic != "min" else None
    low_first = query.order == "asc" or (query.order is None and (
        statistic == "min" or query.below is not None or (query.reached is not None and below_kind)))
    rows.sort(key=lambda r: (r.value if r.value is not None else 0.0), reverse=not low_first)
    for row in rows + [r for r in (lowest, highest) if r]:
        row.level = level_reached(row.value, limits)
    first = rows[0] if rows else highest
    margins = {level: round(abs(float(line) - first.value), 4) for level, line in (thresholds or {}).items()
               if level in ("watch", "warning", "alarm") and isinstance(line, int | float)} if first and first.value is not None else {}  # fmt: skip
    return Figures(
        measure="readings", unit=sensors[0]["unit"] if sensors else "", period=period, start=start, end=end,
        rows=keep_ties(rows, query.top or SHOWN), total=FigureRow(key="", value=len(rows)), thresholds=thresholds,
        lowest=lowest if query.sensor_kind not in STATUS_KINDS else None, readings=readings,
        highest=highest if query.sensor_kind not in STATUS_KINDS else None,
        sensors=len(sensors), reporting=in_window, levels=_levels(reporting, limits), overall=overall, margins=margins,
        days=days, readings_past=past, daily=daily,
        codes=dict(sorted(Counter(str(round(s["last_value"])) for s in reporting).items()))
        if query.sensor_kind in STATUS_KINDS else {},
    )  # fmt: skip


def _overall(stats: list[Json]) -> dict[str, float]:
    """Every reading of the window together: "桥梁挠度过去一天平均和最大值" asks of the kind, not of one sensor."""
    counted = [s for s in stats if s["count"]]
    readings = sum(s["count"] for s in counted)
    if not readings:
        return {}
    mean = sum(s["mean"] * s["count"] for s in counted) / readings
    return {"mean": round(mean, 3), "max": max(s["max"] for s in counted), "min": min(s["min"] for s in counted)}


MAX_TREND_DAYS = 31


def _daily(client: ServicesClient, query: FigureQuery, since: datetime, until: datetime) -> list[FigureRow]:
    """Each calendar day of the window (its last month at most), every sensor's readings of it together."""
    last = until.astimezone(CHINA).date()
    first = max(since.astimezone(CHINA).date(), last - timedelta(days=MAX_TREND_DAYS - 1))
    rows = []
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        start = max(since, datetime.combine(day, time(0), CHINA))
        end = min(until, datetime.combine(day + timedelta(days=1), time(0), CHINA))
        if end <= start:
            continue
        together = _overall(client.sensor_stats(query.sensor_kind or "", query.district, since=start, until=end))
        if together:
            rows.append(FigureRow(key=f"{day:%Y-%m-%d}", value=together["mean"], peak=together["max"]))
    return rows


def _window(query: FigureQuery, now: datetime) -> tuple[str, datetime, datetime]:
    if query.hours:
        return f"last{query.hours}h", now - timedelta(hours=query.hours), now
    period, since, until = period_bounds(query.period, now)
    return period, since, min(until, now)


def thresholds_of(thresholds: Json | None) -> Thresholds | None:
    if not thresholds or not isinstance(thresholds.get("alarm"), int | float):
        return None
    return Thresholds(str(thresholds["direction"]), _number(thresholds.get("watch")),
                      _number(thresholds.get("warning")), float(thresholds["alarm"]))  # fmt: skip


def level_reached(value: float | None, limits: Thresholds | None) -> str | None:
    reached = level_of(value, limits) if value is not None and limits else None
    return reached[0] if reached else None


def _levels(reporting: list[Json], limits: Thresholds | None) -> dict[str, int]:
    """How many newest values reach each level (a value at 报警 counts once, at its highest level)."""
    reached = Counter(level_reached(s["last_value"], limits) for s in reporting)
    return {level: reached[level] for level in ("alarm", "warning", "watch") if reached[level]}


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def keep_ties(rows: list[FigureRow], top: int) -> list[FigureRow]:
    """The first ``top`` rows of a ranking, and any tied with the last of them: "which district had the most"
    may have two answers."""
    cut = top
    while cut < len(rows) and rows[cut].value is not None and rows[cut].value == rows[top - 1].value:
        cut += 1
    return rows[:cut]
