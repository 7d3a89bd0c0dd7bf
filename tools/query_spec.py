"""The typed query an official's figure question becomes (issue 15): a measure, filters, a grouping, an order and
a cut, a period and optionally the period before it — and the figures that answer it. ``tools.figures`` executes
it; the assistant's understanding and an LLM fill it in.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

SOURCES = ("12345", "app", "patrol", "sensor", "media", "video")
CASE_MEASURES = {"cases": "total", "registered": "registered", "open": "open", "closed": "closed", "overdue": "overdue",
                 "overdue_open": "overdue_open", "closed_in": "total"}  # closed_in: counted by the day closed
RATES = ("按期处置率", "结案率", "返工率", "准确派遣率", "延期率")
Measure = Literal["cases", "registered", "open", "overdue_open", "closed", "closed_in", "overdue", "按期处置率", "结案率", "返工率", "准确派遣率", "延期率",
                  "应处置数", "派遣数", "准确派遣数", "按期处置数", "超期处置数", "返工数", "延期数", "结案数", "应结案数",
                  "平均处置时长_小时", "assets", "readings", "forecast", "anomalies", "hot_topics"]  # fmt: skip
SensorKind = Literal["water_pressure", "water_level", "manhole_tilt", "manhole_displacement", "gas_concentration",
                     "bridge_strain", "bridge_deflection", "light_status", "pump_status", "power_load"]  # fmt: skip


class FigureQuery(BaseModel):
    """What an official asks of the case figures, typed: every field is optional but the measure."""

    measure: Measure = Field(
        description="cases/registered/open/closed/overdue (案件数, 立案数…; closed: of the period's cases; closed_in: closed in the period) "
        "or a department indicator (按期处置率…)"
    )
    period: str | None = Field(
        None, max_length=22, description="2026-11, 2026-11-23..2026-11-29, last7d…; default this month"
    )
    district: str | None = Field(None, max_length=20, description="district code (990103) or name (A3区)")
    districts: list[str] = Field(default_factory=list, max_length=20, description="several districts, side by side")
    category: str | None = Field(None, max_length=32, description="category id (event-0405) or name (道路积水内涝)")
    categories: list[str] = Field(default_factory=list, max_length=60,
                                  description="several categories counted together (井盖: every kind of cover)")  # fmt: skip
    source: str | None = Field(None, max_length=8, description="channel: 12345, app, patrol, sensor")
    major: str | None = Field(None, max_length=20, description="major class of categories (大类), e.g. 市容环境")
    departments: list[str] = Field(default_factory=list, max_length=100, description="department ids or names to keep")
    asset_categories: list[str] = Field(
        default_factory=list, max_length=50, description="component categories (assets)"
    )
    asset_status: list[str] = Field(
        default_factory=list, max_length=5, description="完好、破损、丢失、废弃、移除"
    )
    place: str | None = Field(None, max_length=50, description="assets on a road or at a place (劳动路)")
    share_of_all: bool = Field(False, description="also the period's count with no place/category/channel filter, and the share of it (占比)")
    share_of_city: bool = Field(False, description="a district's groups as shares of the city's count, not of the district's own (占全市)")
    list_assets: bool = Field(False, description="assets: also list them (at most 20) with their state (有哪些)")
    with_sensors: bool = Field(False, description="assets listed: also the kinds of sensor on each (装了监测没有)")
    watched_only: bool = Field(False, description="assets listed: only those a sensor (of sensor_kind) watches (哪几座装了监测)")
    spread: bool = Field(False, description="also the gap between the highest and the lowest of the groups (差了第一名多少)")
    beside_all: bool = Field(False, description="also the same figure for the whole city, every department (全市平均)")
    kpi: bool = Field(False, description="departments: every indicator of each one shown beside the one ranked (KPI表)")
    group_by: Literal["district", "category", "major", "kind", "department", "source", "status", "grid", "street", "road", "month",
                      "week", "day"] | None = Field(
        None, description="major: the categories' major classes (大类); kind: 事件 vs 部件 cases; month/week/day: the period cut into them (按月); "
        "road: assets per road (哪条路上最多); "
        "grid/street: where cases concentrate (热点), against an even spread over the grids")
    rank_by: Literal["count", "rise", "volume", "likes", "share"] | None = Field(
        None, description="grid/street: by cases (default) or by the rise of the last week over the one before (涨得最快); "
        "hot_topics: by heat (default), messages or likes; assets of a state per group: by their share of the group's assets "
        "(破损比例最高的区)")
    order: Literal["desc", "asc"] | None = None
    top: int | None = Field(None, ge=1, le=50)
    compare_period: str | None = Field(
        None, max_length=22, description="a second period to set beside it (环比: the one before)"
    )
    # Sensor readings (measure "readings"): the newest value of each sensor of a kind, or a statistic over a
    # window (the period, or the last N hours), filtered by a value and ranked.
    sensor_kind: SensorKind | None = None
    sensor_kinds: list[SensorKind] = Field(default_factory=list, max_length=10,
                                           description="anomalies: several kinds (none named: every kind)")  # fmt: skip
    keywords: list[str] = Field(default_factory=list, max_length=10,
                                description="hot_topics: only citizens' messages holding one of these words")  # fmt: skip
    statistic: Literal["latest", "max", "min", "mean"] | None = Field(
        None, description="readings: latest (default without a window) or max/min/mean over the window"
    )
    hours: int | None = Field(None, ge=1, le=24 * 90, description="readings: the last N hours instead of a period")
    trend: bool = Field(False, description="readings over a window: every day's mean and peak of the kind, and whether "
                        "they rise or fall (走势)")
    above: float | None = Field(None, description="readings: keep values above this")
    below: float | None = Field(None, description="readings: keep values below this")
    reached: Literal["watch", "warning", "alarm"] | None = Field(
        None, description="readings: keep values at or past this threshold level (超标 = watch, 过报警线 = alarm); "
        "forecast: the level the forecast is judged against")
    # Forecasts (measure "forecast"): daily case counts of the scope (district × category), or the hourly
    # readings of the sensors of a kind most likely to cross a threshold; ``period`` then names future days.
    horizon: int | None = Field(None, ge=1, le=168, description="forecast: steps ahead (days for cases, hours for sensors)")


class FigureRow(BaseModel):
    key: str  # district code, category id, major class name or department id; "" for the whole scope
    value: float | None
    numerator: int | None = None
    denominator: int | None = None
    # readings: the sensor's asset, name, district and the time of the value
    asset_id: str | None = None
    name: str | None = None
    district: str | None = None
    ts: str | None = None
    level: str | None = None  # the highest threshold level the value reaches (watch/warning/alarm)
    latest: float | None = None  # forecast: the sensor's newest reading, the forecast's starting point
    trend: Literal["up", "down", "flat"] | None = None  # forecast: from the newest reading to the horizon's end
    interval: dict[str, float] | None = None  # forecast: lo80/hi80/lo95/hi95 of the value
    peak: float | None = None  # readings by day (trend): the day's highest reading, beside its mean as value
    status: str | None = None  # assets listed: 完好/破损/丢失…
    address: str | None = None
    grid: str | None = None  # assets listed: the unit grid
    place: int | None = None  # ranked: 1 + how many rank before it (shared places share a number)
    sensors: list[str] | None = None  # assets listed with_sensors: the kinds of sensor on it ([] for none)
    indicators: dict[str, float | None] | None = None  # kpi: each indicator of the department (rates as 0–1)
    share_pct: float | None = None  # a group's share of the whole period's count, when a share is asked (占比)
    # a group compared with the period before (环比 of a grouped figure): its value then, and the change (rates in points)
    previous: float | None = None
    change: float | None = None
    # hotspots (grouped by grid or street): the area's street, its count against an even spread over its grids
    # (expected, ratio, and whether that many is beyond chance), its last week against the week before, and the
    # department responsible for its most frequent category there
    street: str | None = None
    grids: int | None = None
    expected: float | None = None
    ratio: float | None = None
    significant: bool | None = None
    last_week: int | None = None
    week_before: int | None = None
    department: str | None = None
    street_office: str | None = None
    # anomalies: the episode's span, the reading's unit and what the sensor's own pattern expected (``expected``);
    # hot topics: the topic's first and last message, its volume and likes (``value`` is its heat)
    unit: str | None = None
    start: str | None = None
    end: str | None = None
    volume: int | None = None
    likes: int | None = None


class Figures(BaseModel):
    measure: str
    unit: str
    period: str
    start: str
    end: str
    rows: list[FigureRow]
    total: FigureRow | None
    previous: Figures | None = None
    change: float | None = Field(
        None, description="total minus the previous period's (rates: in percentage points)"
    )
    change_pct: float | None = Field(None, description="the change as a share of the previous total, in %")
    # A period under way beside a whole one: the first days of the one before, as many as this one has run (上月同期),
    # with ``change`` this period's total minus theirs.
    same_span: Figures | None = None
    watched: int | None = None  # assets: how many of those counted a sensor (of the kind asked) watches
    watched_by: dict[str, int] = Field(default_factory=dict)  # … per group, when counted by district
    note: str = ""
    # readings: the kind's thresholds, how many sensors it has (and report), how many of the newest values
    # reach each level, and for status kinds how many show each code (路灯 0关/1开/2故障)
    thresholds: dict[str, float | str | None] | None = None
    sensors: int | None = None
    reporting: int | None = None  # sensors with a newest value, or with readings in the window
    readings: int | None = None  # readings in the window
    readings_past: int | None = None  # of them, past the value filtered by (above/below): "出现过几次"
    days: int | None = None  # readings: the calendar days the window touches ("最近7天" counts today)
    per_day: float | None = None  # forecast: the cases per day forecast, and (on ``previous``) received per day
    screened_out: int | None = None  # forecast of an area: sensors left out for being furthest from a threshold
    lowest: FigureRow | None = None  # readings: the other end of the ranking
    highest: FigureRow | None = None  # readings under a value filter: the highest of all, filter or not
    levels: dict[str, int] = Field(default_factory=dict)
    # readings: how far the first value ranked (or the highest) is from each line, in the kind's unit ("还差多少")
    margins: dict[str, float] = Field(default_factory=dict)
    # readings over a window: every reading of every sensor together (mean weighted by readings, max, min)
    overall: dict[str, float] = Field(default_factory=dict)
    # readings, trend asked: each calendar day of the window, its readings together (key the day, value the mean)
    daily: list[FigureRow] = Field(default_factory=list)
    codes: dict[str, int] = Field(default_factory=dict)
    # a filtered count's share of all cases of the period (占比), with that count; or, beside_all, the
    # city's own figure of the measure
    all_total: float | None = None
    shares_within_scope: bool = False  # the groups' shares are of the scope's own total, not of the city's
    share_pct: float | None = None
    # assets by state: those not 完好, and each state's share of the total in % (破损率)
    gap: float | None = None  # two rows side by side: the first minus the second (rates in percentage points)
    spread: float | None = None  # the highest group minus the lowest, over every group (rates in points)
    not_intact: int | None = None
    items: list[FigureRow] = Field(default_factory=list)  # assets listed (有哪些), at most 20
    shares: dict[str, float] = Field(default_factory=dict)
    # hotspots: the analytics run counted, its grids, cases per grid under an even spread, the areas beyond chance,
    # and the scope's last week beside the week before
    run_id: str | None = None
    grids: int | None = None
    areas: int | None = None
    expected: float | None = None
    significant: int | None = None
    last_week: int | None = None
    week_before: int | None = None
    # forecast: the model chosen and its backtest beside seasonal naive's, per series
    model: str | None = None
    backtest: dict[str, float] | None = None
    history_start: str | None = None  # forecast: the first point of the history fitted, and how many points it has
    history_points: int | None = None


def coverage_note(stats: dict) -> str:
    """Says so when the period starts before the first case on record: its figure covers only part of it."""
    since = stats.get("data_since")
    if since and since[:10] > stats["start"][:10]:  # by day: a record starting at noon covers that day
        day = f"{since[:4]}年{int(since[5:7])}月{int(since[8:10])}日"
        if since[:10] >= stats["end"][:10]:  # "去年11月": wholly before the first case on record
            return f"系统中的案件记录从 {day} 起，这一期全部在此之前，没有记录 / none"
        return f"系统中的案件记录从 {day} 起，此前没有记录：本期数字只覆盖 {day} 之后 / partial"
    return ""


def is_rate(measure: str) -> bool:
    return measure in RATES


def unit_of(measure: str) -> str:
    """The unit of a case or department measure (a reading's unit is its sensor kind's)."""
    return "%" if is_rate(measure) else "小时" if measure == "平均处置时长_小时" else "件"
