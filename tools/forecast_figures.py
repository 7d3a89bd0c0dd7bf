"""Forecasts as figures (measure ``forecast`` of the query spec): the daily case count of a scope (district ×
category) for the days asked, with 80/95 % intervals and their total; or, for a sensor kind, the hourly
readings of the sensors nearest to their thresholds, each with its forecast peak set against the thresholds.
The model and its backtest beside seasonal naive come with every answer.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal

from core import clock
from core.exceptions import NotFound, YiwangError
from core.times import CHINA, period_bounds
from graph.ids import asset_category_id
from services.monitoring.alarm_rules import Thresholds, rank
from services.monitoring.sensors import MAX_SENSORS
from tools.client import Json, ServicesClient
from tools.query_spec import FigureQuery, FigureRow, Figures
from tools.reading_figures import level_reached, thresholds_of

SENSORS_FORECAST = 3  # listed in an answer, the most likely to cross first
# A chat turn forecasts at most this many sensors of a scope (≈0.4 s each, spread over Ray's workers): every
# sensor of a district (≤ ~200 of a kind), the nearest their thresholds of the city's. A screen is not safe
# below that: on A3区's 192 water levels, keeping the 96 with the highest newest readings lost the highest
# forecast.
SENSORS_SCREENED = 300
ON_FACILITIES = 8  # "那几个泵站的水位": the sensors on those facilities, each forecast (a district has a few pumps)


def forecast_figures(client: ServicesClient, query: FigureQuery, now: datetime | None = None,
                     districts: list[str] | None = None) -> Figures:  # fmt: skip
    now = now or clock.now()
    if query.sensor_kind:
        # "压力最低的那个传感器": one sensor, the extreme by its newest reading; "A3区那几个泵站的水位": the sensors on
        # those facilities, each; otherwise the whole scope.
        on = _on_facilities(client, query)
        return _sensor_forecast(client, query, on) if query.top == 1 or on is not None else _area_forecast(client, query)
    if query.group_by == "district" and not query.district:
        return _case_forecast_by_district(client, query, now, query.districts or districts or [])
    return _case_forecast(client, query, now)


def _on_facilities(client: ServicesClient, query: FigureQuery) -> list[Json] | None:
    """The sensors of the kind on the facilities named, when naming them leaves some out ("泵站的水位": not the
    covers' water levels); None when nothing is named or naming them keeps the whole scope (变电箱的负载率)."""
    if not query.asset_categories:
        return None
    sensors = client.sensors(kind=query.sensor_kind, district=query.district, limit=MAX_SENSORS)
    on = [s for s in sensors if asset_category_id(s["asset_id"]) in query.asset_categories]
    return on if len(on) < len(sensors) else None


def _case_forecast_by_district(client: ServicesClient, query: FigureQuery, now: datetime, districts: list[str]) -> Figures:
    """"下周各区案件量预测，哪个区最高": each district's forecast over the days asked, ranked by its total."""
    each = [(code, _case_forecast(client, query.model_copy(update={"district": code, "group_by": None, "districts": []}), now))
            for code in districts]  # fmt: skip
    # One day asked: each district's own interval of it (intervals of several days do not add up).
    rows = sorted((FigureRow(key=code, value=f.total.value if f.total else None, interval=f.rows[0].interval if len(f.rows) == 1 else None)
                   for code, f in each if f.rows), key=lambda r: -(r.value or 0.0))  # fmt: skip
    first = next((f for _, f in each if f.rows), None)
    if first is None:
        return Figures(measure="forecast", unit="件", period="", start="", end="", rows=[], total=None)
    total = round(sum(r.value or 0.0 for r in rows), 2)
    return Figures(measure="forecast", unit="件", period=first.period, start=first.start, end=first.end, rows=rows,
                   total=FigureRow(key="cases:districts:all", value=total), model=first.model)  # fmt: skip


def _case_forecast(client: ServicesClient, query: FigureQuery, now: datetime) -> Figures:
    today = now.astimezone(CHINA).date()
    first, last = _days(query, now, today)
    scope = query.district or "city"
    if len(query.categories) > 1:
        answer, series, note = _family_forecast(client, scope, query.categories, (last - today).days)
    else:
        series = f"cases:{scope}:{query.category or (query.categories or ['all'])[0]}"
        answer, note = client.forecast(series, (last - today).days), ""
    rows = [
        FigureRow(key=p["ts"][:10], value=p["mean"], interval=_interval(p) if "lo80" in p else None)
        for p in answer["points"]
        if first <= date.fromisoformat(p["ts"][:10]) <= last
    ]
    total = round(sum(r.value or 0.0 for r in rows), 2)
    figures = Figures(measure="forecast", unit="件", period=f"{first:%Y-%m-%d}..{last:%Y-%m-%d}", start=str(first),
                      end=str(last), rows=rows, total=FigureRow(key=series, value=total), model=answer["model"],
                      backtest=_backtest(answer), note=note, history_start=answer.get("history_start"),
                      history_points=answer.get("history_points"))  # fmt: skip
    if query.compare_period:  # "明天会比今天多吗": today's count so far beside it
        stats = client.case_stats(query.compare_period, query.district, query.category or ",".join(query.categories) or None)
        figures.previous = Figures(measure="cases", unit="件", period=stats["period"], start=stats["start"],
                                   end=stats["end"], rows=[], total=FigureRow(key="", value=stats["total"]))  # fmt: skip
        # Days of different lengths set side by side per day ("跟最近7天的日均比", "会不会暴增"): the part of
        # today that has passed counts as part of a day.
        since, until = (datetime.fromisoformat(stats[k]) for k in ("start", "end"))
        past_days = max((min(until, now) - since).total_seconds() / 86400, 1e-9)
        if past_days >= 1:
            figures.previous.per_day = round(stats["total"] / past_days, 2)
    figures.per_day = round(total / len(rows), 2) if rows else None  # "未来三天日均大概多少"
    return figures


def _family_forecast(client: ServicesClient, scope: str, categories: list[str], horizon: int) -> tuple[Json, str, str]:
    """"井盖类案件下周": the kinds' daily forecasts added up, for the kinds with a history to forecast from (a kind
    never reported has no series). Intervals are not added: the sum of the kinds' bounds is no bound of the sum."""
    answers: list[tuple[str, Json]] = []
    for category in categories:
        try:
            answers.append((category, client.forecast(f"cases:{scope}:{category}", horizon)))
        except YiwangError:  # no history of this kind: it adds nothing to the forecast
            continue
    if not answers:
        raise NotFound("这些类别都没有足够的案件历史，无法预测")
    points = [{"ts": p["ts"], "mean": round(sum(a["points"][i]["mean"] for _, a in answers), 2)}
              for i, p in enumerate(answers[0][1]["points"])]  # fmt: skip
    first = answers[0][1]
    kinds = "、".join(c for c, _ in answers)
    note = f"为各类别预测之和（有历史的类别：{kinds}），区间不可简单相加，未给出；回测为第一类的 / sum of the kinds"
    return {**first, "points": points}, f"cases:{scope}:" + "+".join(c for c, _ in answers), note


def _days(query: FigureQuery, now: datetime, today: date) -> tuple[date, date]:
    """The future days asked for: the period's days after today, or the next ``horizon`` days (7 by default)."""
    if query.period:
        _, since, until = period_bounds(query.period, now)
        first = max(since.astimezone(CHINA).date(), today + timedelta(days=1))
        last = (until - timedelta(seconds=1)).astimezone(CHINA).date()
        if last > today:
            return first, min(last, today + timedelta(days=90))
    days = query.horizon or 7
    return today + timedelta(days=1), today + timedelta(days=days)


def _area_forecast(client: ServicesClient, query: FigureQuery) -> Figures:
    """Every sensor of the kind in the scope, forecast in one batch: the ones most likely to cross a threshold,
    and the scope's extreme forecast among them (what "会不会到报警线" is asked of)."""
    hours = query.horizon or 24
    run = client.sensor_forecasts(str(query.sensor_kind), query.district, hours, query.top or SENSORS_FORECAST,
                                  SENSORS_SCREENED)  # fmt: skip
    limits = thresholds_of(run["thresholds"])
    items = run["items"]
    if query.reached and query.top and query.top > SENSORS_FORECAST:
        # "哪些点位会超过警戒线": those whose forecast mean reaches the line, or the nearest when none does
        past = [r for r in items if r["level"] and rank(r["level"]) >= rank(query.reached)]
        items = past or items[:SENSORS_FORECAST]
    shown = items + ([run["highest"]] if run["highest"] and run["highest"] not in items else [])
    rows = [FigureRow(key=r["sensor_id"], value=r["peak"], asset_id=r["asset_id"], name=r["name"],
                      district=r["district"], ts=r["peak_ts"], level=r["band_level"], latest=r["latest"],
                      trend=trend(r["latest"], r["end"], limits) if r["latest"] is not None else None,
                      interval={k: r[k] for k in ("lo80", "hi80", "lo95", "hi95")} | {"bound95": r["bound95"]})
            for r in shown]  # fmt: skip
    first = run["items"][0] if run["items"] else None
    failed = f"{len(run['failures'])} 个传感器无法预测（历史读数不足等）" if run["failures"] else ""
    return Figures(measure="forecast", unit=run["unit"], period=f"next{hours}h", start="", end="", rows=rows,
                   total=FigureRow(key=run["run_id"], value=run["forecast"]), thresholds=run["thresholds"],
                   sensors=run["sensors"], reporting=run["forecast"], levels=run["reaching"], screened_out=run["screened_out"],
                   model=first["model"] if first else None,
                   backtest={"mase": first["mase"], "baseline_mase": first["baseline_mase"]} if first else None,
                   note=failed)  # fmt: skip


def _sensor_forecast(client: ServicesClient, query: FigureQuery, on: list[Json] | None = None) -> Figures:
    """The sensors most likely to cross first, each forecast: of those ``on`` the facilities named, else of the scope."""
    scope = on if on is not None else client.sensors(kind=query.sensor_kind, district=query.district, limit=MAX_SENSORS)
    sensors = [s for s in scope if s["last_value"] is not None]
    if on is not None and not sensors:
        raise NotFound("这类设施上没有该类传感器，无法按设施预测；可以去掉设施、按区预测该类读数")
    limits = thresholds_of(sensors[0]["thresholds"]) if sensors else None
    below = limits is not None and limits.direction == "below"
    # Nearest to their thresholds first: the highest values of an "above" kind, the lowest of a "below" one.
    sensors.sort(key=lambda s: s["last_value"], reverse=not below)
    hours = query.horizon or 24
    rows, failed, model, backtest = [], [], None, None
    # "压力最低的那个传感器" is one sensor: the extreme by its newest reading.
    for sensor in sensors[:query.top or (ON_FACILITIES if on is not None else SENSORS_FORECAST)]:
        try:
            answer = client.forecast(f"sensor:{sensor['id']}", hours)
        except YiwangError as exc:  # one sensor without enough history does not lose the others
            failed.append(f"{sensor['id']}: {exc}")
            continue
        pick = min if below else max
        peak = pick(answer["points"], key=lambda p: p["mean"])
        bound = min(p["lo95"] for p in answer["points"]) if below else max(p["hi95"] for p in answer["points"])
        rows.append(FigureRow(key=sensor["id"], value=peak["mean"], asset_id=sensor["asset_id"], name=sensor["name"],
                              district=sensor["district"], ts=peak["ts"], level=level_reached(bound, limits),
                              interval=_interval(peak) | {"bound95": bound}, latest=sensor["last_value"],
                              trend=trend(sensor["last_value"], answer["points"][-1]["mean"], limits)))  # fmt: skip
        model, backtest = model or answer["model"], backtest or _backtest(answer)
    return Figures(measure="forecast", unit=sensors[0]["unit"] if sensors else "", period=f"next{hours}h", start="",
                   end="", rows=rows, total=None, thresholds=sensors[0]["thresholds"] if sensors else None,
                   sensors=len(sensors), model=model, backtest=backtest,
                   note="；".join(failed))  # fmt: skip


def trend(latest: float, end: float, limits: Thresholds | None) -> Literal["up", "down", "flat"]:
    """Where the forecast goes from the newest reading: flat within 5 % of the first threshold's scale (a
    pressure of 0.30 MPa moving by 0.005 is not a trend, a water level moving by 2 cm is)."""
    scale = abs(limits.lowest) if limits else max(abs(latest), 1.0)
    if abs(end - latest) <= 0.05 * scale:
        return "flat"
    return "up" if end > latest else "down"


def _interval(point: Json) -> dict[str, float]:
    return {key: point[key] for key in ("lo80", "hi80", "lo95", "hi95")}


def _backtest(answer: Json) -> dict[str, float]:
    return {"mase": answer["backtest"]["mase"], "baseline_mase": answer["backtest"]["baseline_mase"]}
