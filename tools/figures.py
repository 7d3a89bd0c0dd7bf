"""The city's case and department figures as one typed query (issue 15): a measure, filters, a grouping, an
order and a cut, a period and optionally the period before it. One executor answers every combination from
the services' own counts (``/v1/cases/stats``, ``/v1/evaluation``) — never from a page of a list.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, timedelta

from core import clock
from core.exceptions import NotFound
from core.times import CHINA, china_if_naive, period_days
from graph.ids import district_of
from graph.queries.assets import ASSET_GROUPINGS
from services.dispatch.stats import TOP_CATEGORIES
from services.dispatch.workflow import UNREGISTERED_NAMES
from services.monitoring.sensors import MAX_SENSORS
from tools.analytics_figures import anomaly_figures, hot_topic_figures
from tools.client import Json, ServicesClient
from tools.forecast_figures import forecast_figures
from tools.hotspot_figures import hotspot_figures
from tools.query_spec import (
    CASE_MEASURES,
    SOURCES,
    FigureQuery,
    FigureRow,
    Figures,
    coverage_note,
    is_rate,
    unit_of,
)
from tools.reading_figures import keep_ties, reading_figures, sensors_on


def run_query(client: ServicesClient, query: FigureQuery, districts: list[str]) -> Figures:
    """The figures ``query`` asks for; ``districts`` are the city's district codes (for a per-district count)."""
    query = resolved(client, query)
    if query.districts and not query.group_by:
        query = query.model_copy(update={"group_by": "district"})  # several districts are set side by side
    if query.measure == "readings":
        return reading_figures(client, query)
    if query.measure == "forecast":
        return forecast_figures(client, query, districts=districts)
    if query.group_by in ("grid", "street") and query.measure != "assets":
        return hotspot_figures(client, query)
    if query.measure == "anomalies":
        return anomaly_figures(client, query)
    if query.measure == "hot_topics":
        return hot_topic_figures(client, query)
    if query.measure == "assets":
        figures = _asset_figures(client, query, districts)
    elif query.measure in CASE_MEASURES:
        figures = _case_figures(client, query, districts)
    else:
        figures = _department_figures(client, query)
    if query.share_of_all and query.measure in CASE_MEASURES and figures.total and figures.total.value is not None:
        everything = client.case_stats(query.period, basis=_basis(query))[CASE_MEASURES[query.measure]]
        figures.all_total = everything
        if query.group_by:  # "最多的那个区占全市多大比例": each group's share of the whole
            # "A3区…各大类占比呢": the classes of one district as shares of that district's own count; districts (or
            # a filter the groups do not split) as shares of the city's.
            figures.shares_within_scope = bool(query.group_by in ("category", "major", "source", "status") and query.district
                                               and not (query.category or query.categories or query.major or query.source
                                                        or query.share_of_city))  # fmt: skip
            whole = figures.total.value if figures.shares_within_scope else everything
            for row in figures.rows:
                row.share_pct = round(row.value / whole * 100, 1) if whole and row.value is not None else None
        else:
            figures.share_pct = round(figures.total.value / everything * 100, 1) if everything else None
    if query.spread and query.group_by and query.measure not in ("readings", "forecast"):
        every = run_query(client, query.model_copy(update={"top": None, "spread": False, "compare_period": None}), districts)
        known = [r.value for r in every.rows if r.value is not None]
        if len(known) > 1:
            figures.spread = round((max(known) - min(known)) * (100 if is_rate(query.measure) else 1), 2)
    values = [r.value for r in figures.rows]
    if query.measure not in ("readings", "forecast") and query.group_by != "status" and len(values) == 2 and None not in values:
        figures.gap = round((values[0] - values[1]) * (100 if is_rate(query.measure) else 1), 2)  # type: ignore[operator]
    if query.beside_all and (query.departments or query.district):
        city = query.model_copy(update={"departments": [], "district": None, "districts": [], "group_by": None,
                                        "order": None, "top": None, "beside_all": False, "compare_period": None})  # fmt: skip
        overall = run_query(client, city, districts).total
        figures.all_total = overall.value if overall else None
    if query.compare_period:
        earlier = query.model_copy(update={"period": query.compare_period, "compare_period": None})
        # Every group of the period before, not its own top k: the groups ranked now are looked up in it.
        figures.previous = run_query(client, earlier.model_copy(update={"top": None}), districts)
        now, before = (f.total.value if f.total else None for f in (figures, figures.previous))
        if figures.previous.note.endswith("/ none"):
            # "同比去年11月" with no case on record then: no figure to set beside it, said so.
            figures.note = "；".join(x for x in (figures.note, f"系统中的案件记录从 {_record_start(figures.previous)} 起，比较期（{query.compare_period}）"
                                                               "没有记录，无法比较 / none") if x)  # fmt: skip
            figures.previous = None
            return figures
        partial = figures.previous.note.endswith("/ partial")
        if not partial:
            _set_beside(figures, figures.previous, query)
        if now is not None and before is not None:
            scale = 100 if is_rate(query.measure) else 1
            figures.change = round((now - before) * scale, 2)
            figures.change_pct = (
                round((now - before) / before * 100, 1) if before and not is_rate(query.measure) and not partial else None
            )
        if partial:
            # The period before is only partly on record: the difference is the records' and said to be so, with no
            # growth rate (a part of a month beside a whole one would mislead as a percentage).
            figures.note = "；".join(x for x in (figures.note, f"前一期数据不完整：只有 {_record_start(figures.previous)} 起的记录，"
                                                               "增减按已有记录计算、仅供参考，不计算环比增幅 / partial") if x)  # fmt: skip
        elif same := same_span(figures, figures.previous, clock.now().astimezone(CHINA)):
            if query.measure in CASE_MEASURES:
                # "这个月…跟上个月比" on the 7th: a month under way beside a whole one says little; the same days of
                # the month before do (上月同期).
                figures.same_span = run_query(client, earlier.model_copy(update={"period": same}), districts)
                if figures.same_span.total and figures.same_span.total.value is not None and now is not None:
                    before_same = figures.same_span.total.value
                    figures.same_span.change = now - before_same
                    figures.same_span.change_pct = round((now - before_same) / before_same * 100, 1) if before_same else None
            else:
                # A rate of a month under way ("这个月的准确派遣率跟上个月比"): few days, said so.
                since = _at(figures.start)
                figures.note = "；".join(x for x in (figures.note, f"本期尚未结束（{since.month}月{since.day}日起至今），数据期较短，"
                                                                   "与前一期整期相比仅供参考 / under way") if x)  # fmt: skip
    return figures


CALENDAR_STEPS = ("month", "week", "day")
MAX_STEPS = 62  # days (two months of them) at most: a longer period is asked by week or month


def calendar_spans(period: str | None, step: str, now: datetime) -> list[tuple[str, str]]:
    """The period cut into calendar months, weeks (Monday to Sunday) or days, each clipped to the period and to
    today: (key, span) with the span as the services read it ("2026-10-01..2026-10-31")."""
    first, last = period_days(period, now)
    spans: list[tuple[str, str]] = []
    day = first
    while day <= last and len(spans) < MAX_STEPS:
        if step == "month":
            end = (day.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            key = f"{day:%Y-%m}"
        elif step == "week":
            end, key = day + timedelta(days=6 - day.weekday()), f"{day:%Y-%m-%d}"
        else:
            end, key = day, f"{day:%Y-%m-%d}"
        end = min(end, last)
        spans.append((key, f"{day:%Y-%m-%d}..{end:%Y-%m-%d}"))
        day = end + timedelta(days=1)
    return spans


def _basis(query: FigureQuery) -> str:
    """How the cases are counted into a period: by the day received, or ("昨天结了几件") by the day closed."""
    return "closed" if query.measure == "closed_in" else "received"


def _record_start(figures: Figures) -> str:
    """The day the case records begin, as a coverage note of ``figures`` names it ("2026年10月21日")."""
    return figures.note.split(" 起")[0].split(" ")[-1]


def _at(iso: str) -> datetime:
    return china_if_naive(datetime.fromisoformat(iso))


def _set_beside(figures: Figures, previous: Figures, query: FigureQuery) -> None:
    """Each group's value in the period before and its change (a group absent then had no case: 0)."""
    if not query.group_by or query.group_by in CALENDAR_STEPS or query.measure in ("readings", "forecast", "assets"):
        return
    before = {r.key: r.value for r in previous.rows}
    scale = 100 if is_rate(query.measure) else 1
    for row in figures.rows:
        was = before.get(row.key, None if is_rate(query.measure) else 0.0)
        if row.value is not None and was is not None:
            row.previous, row.change = was, round((row.value - was) * scale, 2)


def same_span(current: Figures, previous: Figures, now: datetime) -> str | None:
    """The first days of the period before, as many as the current one has run ("12月1日至今" → 11月1日至7日),
    when the current period is under way and the one before it is over; else None."""
    if not (current.start and current.end and previous.start and previous.end):
        return None
    start, end, before_start, before_end = (_at(t) for t in (current.start, current.end, previous.start, previous.end))
    if not (start <= now < end) or before_end > start:
        return None
    days = (now.astimezone(CHINA).date() - start.astimezone(CHINA).date()).days
    first = before_start.astimezone(CHINA).date()
    last = first + timedelta(days=days)
    # Only days short of the whole period before (近7天 beside the 7 days before it is already like for like).
    whole_before = before_end.astimezone(CHINA).date() - timedelta(days=1)
    return f"{first:%Y-%m-%d}..{last:%Y-%m-%d}" if last < whole_before else None


def _case_figures(client: ServicesClient, query: FigureQuery, districts: list[str]) -> Figures:
    field = CASE_MEASURES[query.measure]
    basis = _basis(query)
    note = ""
    category = query.category or ",".join(query.categories) or None  # several kinds counted together
    whole = client.case_stats(query.period, query.district, category, query.source, query.major, basis)
    rows: list[FigureRow] = []
    if query.group_by == "district":
        for code in [query.district] if query.district else query.districts or districts:
            stats = client.case_stats(query.period, code, category, query.source, query.major, basis)
            rows.append(FigureRow(key=code, value=stats[field]))
    elif query.group_by == "source":
        for source in SOURCES:
            stats = client.case_stats(query.period, query.district, category, source, query.major, basis)
            if stats["total"] or source in ("12345", "app", "patrol", "sensor"):
                rows.append(FigureRow(key=source, value=stats[field]))
    elif query.group_by == "category":
        rows = [FigureRow(key=c["category_code"], value=c["count"] if field == "total" else c[field]) for c in whole["by_category"]]
        if len(whole["by_category"]) < TOP_CATEGORIES:
            # "上水、污水、雨水井盖各多少": every kind named, a kind with no case said as 0 (the list holds every kind with
            # cases when it is shorter than its cut).
            rows += [FigureRow(key=c, value=0) for c in query.categories if c not in {r.key for r in rows}]
        note = "" if field == "total" else "在受理量最多的 10 类中统计 / among the ten categories most received"
    elif query.group_by in CALENDAR_STEPS:  # "按月分开看", "近四周每周的量": the period cut into months, weeks or days
        for key, span in calendar_spans(query.period, query.group_by, clock.now()):
            stats = client.case_stats(span, query.district, category, query.source, query.major, basis)
            rows.append(FigureRow(key=key, value=stats[field], start=span.split("..")[0], end=span.split("..")[-1]))
    elif query.group_by == "status":  # "在办的卡在哪个环节": each step of the workflow the measure's cases are at now
        rows = [FigureRow(key=step["state"], value=step["count"]) for step in whole.get("by_state", [])
                if field == "total" or (field == "open" and step["open"]) or (field == "closed" and step["state"] == "结案")
                or (field == "registered" and step["state"] not in UNREGISTERED_NAMES)]  # fmt: skip
    elif query.group_by == "kind":  # "部件类和事件类各多少": every event category together, every component one together
        rows = [FigureRow(key=k["kind"], value=k["count"] if field == "total" else k[field]) for k in whole.get("by_kind", [])]
    elif query.group_by == "major":  # 大类: every category of a class together, the event and component 市容环境 as one
        rows = [FigureRow(key=m["major_name"], value=m["count"] if field == "total" else m[field]) for m in whole["by_major"]]
    elif query.group_by == "department" and field != "total":
        # "哪个部门超期的最多": each department's cases of that measure, counted as the whole is.
        rows = [FigureRow(key=d["department_id"], value=d[field]) for d in whole["by_department"]
                if not query.departments or d["department_id"] in query.departments]  # fmt: skip
        return _figures(query, whole, _ordered(rows, query), FigureRow(key="", value=whole[field]),
                        note="按部门为当前承办该案件的部门 / per department: the department holding the case")  # fmt: skip
    elif query.group_by == "department":
        evaluation = client.evaluation(query.period)
        rows = [FigureRow(key=i["department_id"], value=i["派遣数"]) for i in evaluation["items"]
                if not query.departments or i["department_id"] in query.departments]  # fmt: skip
        return _figures(query, whole, _ordered(rows, query), FigureRow(key="", value=whole[field]),
                        note="按部门为派遣到该部门的案件数 / per department: cases dispatched to it")  # fmt: skip
    # Several districts named: their own sum, not the city's.
    total = sum(r.value or 0 for r in rows) if query.districts and query.group_by == "district" else whole[field]
    # Cases open now are whole whenever the record starts; a count of a period before it is not.
    notes = [coverage_note(whole) if field not in ("open", "overdue_open") or not query.period.startswith("2000-") else "", note]
    return _figures(query, whole, _ordered(rows, query), FigureRow(key="", value=total), note="；".join(n for n in notes if n))


# A department's indicators in a KPI table, in the order a table shows them.
KPI = ("应处置数", "按期处置数", "超期处置数", "按期处置率", "结案率", "返工率", "准确派遣率")
LISTED_ASSETS = 20  # "A1区的桥梁有哪些": listed when there are this few


def _asset_figures(client: ServicesClient, query: FigureQuery, districts: list[str]) -> Figures:
    """Assets counted in the graph: they have no period (the count is as the graph stands now)."""
    group = query.group_by if query.group_by in ASSET_GROUPINGS else None
    counts = client.asset_stats(
        query.asset_categories or None, query.district, query.asset_status or None, group, query.place
    )
    # Category groups come as component codes ("0601"); the rows carry the graph's ids, as filters do.
    rows = [FigureRow(key=_group_key(group, g["key"]), value=g["count"]) for g in counts["groups"]
            if group != "district" or not query.districts or g["key"] in query.districts]  # fmt: skip
    if group == "district" and not query.district and not query.place:
        # "哪个区一个都没有": a district with none is a row at 0, not left out.
        rows += [FigureRow(key=d, value=0) for d in query.districts or districts if d not in {r.key for r in rows}]
    total = sum(r.value or 0 for r in rows) if query.districts else counts["total"]
    # Ranked by a share, every group is kept until the shares are known.
    ordered = _ordered(rows, query.model_copy(update={"top": None}) if query.rank_by == "share" else query)
    figures = Figures(measure="assets", unit="个", period="now", start="", end="", rows=ordered,
                      total=FigureRow(key="", value=total))  # fmt: skip
    counted_watched = query.with_sensors and not query.place and not query.asset_status
    watched = _watched_assets(client, query) if counted_watched or query.watched_only else None
    if query.list_assets and (query.asset_categories or query.place or query.district):
        figures.items = _assets_listed(client, query, watched if query.watched_only else None)
    if counted_watched and watched is not None:
        # "装了倾斜传感器的井盖有几个", "全市桥梁…哪些装了应变或挠度监测": the assets counted that a sensor (of the
        # kind) watches, however many are listed.
        figures.watched = len(watched)
        if group == "district":
            # "装了倾斜传感器的井盖有多少个，分在哪几个区": the watched ones per district (an asset's code starts with it).
            figures.watched_by = dict(sorted(Counter(district_of(asset) for asset in watched).items()))
        if total:
            figures.shares["watched"] = round(len(watched) / total * 100, 1)  # "占井盖总数多少"
    if query.share_of_all and (query.asset_status or query.asset_categories):
        # "破损或者丢失的占百分之几": those states as a share of every asset of the kind, whatever its state;
        # "部件里井盖占比多少": the kinds as a share of every asset, whatever its kind
        kinds = (query.asset_categories or None) if query.asset_status else None
        everything = client.asset_stats(kinds, query.district, None, group, query.place)
        figures.all_total = everything["total"]
        figures.share_pct = round(total / everything["total"] * 100, 1) if everything["total"] else None
        if group and group != "status":
            # "哪个区部件破损比例最高": each group's share of its own assets, ranked by it when asked.
            of_group = {_group_key(group, g["key"]): g["count"] for g in everything["groups"]}
            for row in figures.rows:
                row.share_pct = round((row.value or 0) / of_group[row.key] * 100, 2) if of_group.get(row.key) else None
            if query.rank_by == "share":
                figures.rows = sorted(figures.rows, key=lambda r: r.share_pct or 0, reverse=query.order != "asc")
                figures.rows = figures.rows[:query.top] if query.top else figures.rows
    elif group == "status" and total and not query.asset_status:  # shares of every state, not of those kept
        by_state = {r.key: r.value or 0 for r in rows}
        figures.not_intact = int(total - by_state.get("完好", 0))
        figures.shares = {state: round(n / total * 100, 1) for state, n in by_state.items()}
        figures.shares["非完好"] = round(figures.not_intact / total * 100, 1)
    return figures


WATCHED_SCAN = 100  # "哪几座装了监测": the first assets by code (the API's page) scanned for watched ones


def _group_key(group: str | None, key: str) -> str:
    """An asset group's key as filters name it: a category group comes as its component code ("0601")."""
    return f"component-{key}" if group == "category" and key.isdigit() else key


def _watched_assets(client: ServicesClient, query: FigureQuery) -> set[str]:
    """The assets of the kinds counted that a sensor (of ``sensor_kind``) watches, in the district."""
    return {s["asset_id"] for s in sensors_on(client, query)
            if not query.districts or district_of(s["asset_id"]) in query.districts}  # "A1区和A2区分别多少": those two


def _assets_listed(client: ServicesClient, query: FigureQuery, watched: set[str] | None = None) -> list[FigureRow]:
    """All the assets counted when they are few, else the first ones by code, kind after kind (the answer says
    how many there are); "丢失的…有哪些" lists lost ones, and with ``watched`` only those. With ``with_sensors``,
    the kinds of sensor on each."""
    found: list[Json] = []
    for category in query.asset_categories or [None]:
        page = client.find_assets(query.place, category, query.district, WATCHED_SCAN if watched is not None else LISTED_ASSETS - len(found),
                                  query.asset_status or None)  # fmt: skip
        found += [a for a in page if watched is None or a["id"] in watched][: LISTED_ASSETS - len(found)]
        if len(found) >= LISTED_ASSETS:
            break
    kinds: dict[str, list[str]] = {}
    if query.with_sensors:
        for district in sorted({a["properties"].get("district") for a in found} - {None}):
            for sensor in client.sensors(district=district, limit=MAX_SENSORS):  # A3区 has 1050, past the default 1000
                kinds.setdefault(sensor["asset_id"], []).append(sensor["kind"])
    return [FigureRow(key=a["id"], value=None, name=a["name"], district=a["properties"].get("district"),
                      status=a["properties"].get("status"), address=a["properties"].get("address"),
                      grid=a["properties"].get("grid"),
                      sensors=sorted(set(kinds.get(a["id"], []))) if query.with_sensors else None) for a in found]  # fmt: skip


def _department_figures(client: ServicesClient, query: FigureQuery) -> Figures:
    evaluation = client.evaluation(query.period)
    items = [
        i for i in evaluation["items"] if not query.departments or i["department_id"] in query.departments
    ]
    if query.district or query.districts:
        codes = [query.district] if query.district else query.districts
        items = [i for i in items if any(code in i["department_id"] for code in codes)] or items
    rows = [_row(i, query.measure) for i in items]
    if query.kpi:  # "做成KPI表": each department's indicators beside the one it is ranked by
        for row, item in zip(rows, items, strict=True):
            row.indicators = {k: (item[k]["value"] if isinstance(item[k], dict) else item[k]) for k in KPI if k in item}
    total = _pooled(items, query.measure) if len(items) > 1 else (rows[0] if rows else None)
    # "按期处置率不到60%的单位": only the departments past the bound (the total stays the city's).
    if query.below is not None:
        rows = [r for r in rows if r.value is not None and r.value < query.below]
    if query.above is not None:
        rows = [r for r in rows if r.value is not None and r.value > query.above]
    # "今年以来…数据够一整年吗": a period reaching before the first case on record is said to be partial.
    note = coverage_note(client.case_stats(query.period))
    return _figures(query, evaluation, _ordered(rows, query), total, note=note)


def _row(item: Json, measure: str) -> FigureRow:
    value = item[measure]
    if isinstance(value, dict):
        return FigureRow(
            key=item["department_id"],
            value=value["value"],
            numerator=value["numerator"],
            denominator=value["denominator"],
        )
    return FigureRow(key=item["department_id"], value=value)


def _pooled(items: list[Json], measure: str) -> FigureRow | None:
    """The rate over all the departments' counts together (not the mean of their rates)."""
    if measure == "平均处置时长_小时":  # the mean over every handled case, each department weighed by its cases
        timed = [(i[measure], i.get("已处置数") or 0) for i in items if i[measure] is not None]
        handled = sum(n for _, n in timed)
        return FigureRow(key="", value=round(sum(v * n for v, n in timed) / handled, 2) if handled else None)
    if not is_rate(measure):
        values = [i[measure] for i in items if i[measure] is not None]
        return FigureRow(key="", value=sum(values))
    numerator = sum(i[measure]["numerator"] for i in items)
    denominator = sum(i[measure]["denominator"] for i in items)
    return FigureRow(key="", value=round(numerator / denominator, 4) if denominator else None, numerator=numerator,
                     denominator=denominator)  # fmt: skip


def _ordered(rows: list[FigureRow], query: FigureQuery) -> list[FigureRow]:
    if query.order or query.top:
        known = [r for r in rows if r.value is not None]
        rows = sorted(known, key=lambda r: r.value, reverse=query.order != "asc") + [
            r for r in rows if r.value is None
        ]
        # "排第几": each row's place in the order just made, counted by the tool so the answer can say it; a row
        # equal to the one before shares its place.
        for i, row in enumerate(rows[: len(known)]):
            row.place = rows[i - 1].place if i and row.value == rows[i - 1].value else i + 1
    return keep_ties(rows, query.top) if query.top else rows


def _figures(
    query: FigureQuery, source: Json, rows: list[FigureRow], total: FigureRow | None, note: str = ""
) -> Figures:
    # A span of whole days says how many ("近7天"): the answer names them and the grounding check finds the number.
    span = re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", source["period"] or "")
    days = (date.fromisoformat(span.group(2)) - date.fromisoformat(span.group(1))).days + 1 if span else None
    return Figures(measure=query.measure, unit=unit_of(query.measure), period=source["period"], start=source["start"],
                   end=source["end"], rows=rows, total=total, note=note, days=days)  # fmt: skip


MATCH_FLOOR = 0.6  # below it a fuzzy hit is another place ("水务" is not "商务")
ID_FORMS = {"District": r"\d{6}", "Category": r"(?:event|component)-\d{4}", "Department": r"dept-[\w-]+"}


def resolved(client: ServicesClient, query: FigureQuery) -> FigureQuery:
    """The query with names ("A3区", "市水务局", "道路积水内涝") turned into the graph's ids: a model may fill the
    spec with the words it read, and the executor, not the model, knows the ids. A name matching nothing is an
    error that says so, never a wider scope."""
    update: dict[str, object] = {}
    if query.district and not re.fullmatch(ID_FORMS["District"], query.district):
        update["district"] = _id_of(client, query.district, ("District",))
    if query.category and not re.fullmatch(ID_FORMS["Category"], query.category):
        update["category"] = _id_of(client, query.category, ("EventCategory", "ComponentCategory"))
    if any(not re.fullmatch(ID_FORMS["Category"], c) for c in query.categories):
        update["categories"] = [c if re.fullmatch(ID_FORMS["Category"], c) else _id_of(client, c, ("EventCategory", "ComponentCategory"))
                                for c in query.categories]  # fmt: skip
    if any(not re.fullmatch(ID_FORMS["District"], d) for d in query.districts):
        update["districts"] = [d if re.fullmatch(ID_FORMS["District"], d) else _id_of(client, d, ("District",))
                               for d in query.districts]  # fmt: skip
    if any(not re.fullmatch(ID_FORMS["Department"], d) for d in query.departments):
        update["departments"] = [d if re.fullmatch(ID_FORMS["Department"], d) else _id_of(client, d, ("Department",))
                                 for d in query.departments]  # fmt: skip
    return query.model_copy(update=update) if update else query


def _id_of(client: ServicesClient, name: str, labels: tuple[str, ...]) -> str:
    for label in labels:
        hits = client.search_entities(name, label=label, limit=1)
        if hits and hits[0].get("score", 1.0) >= MATCH_FLOOR:
            return str(hits[0]["id"])
    raise NotFound(f"没有名为「{name}」的{'区' if labels == ('District',) else '类别' if 'Category' in labels[0] else '部门'}")
