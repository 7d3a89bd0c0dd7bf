"""At a province or the nation the assistant answers across its cities, from the figures each city sent up:
"西地省各市本月按期处置率对比", "哪个城市积水点最多？". Every figure is the city's own (a rate is computed from
the counts the city sent, never averaged from rates), cited to the city's batch with its as-of time, and a city
that has gone silent is said to be stale. Follow-ups are not kept here yet: each question stands alone."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core import clock
from core.citations import Citation
from core.times import CHINA
from services.federation.received import counts_behind
from tools.client import ServicesClient
from triage.homophones import SoundIndex

Json = dict[str, Any]


@dataclass(frozen=True)
class Measure:
    name: str
    words: tuple[str, ...]
    kind: str  # the fact it is read from
    daily: bool  # also kept for today (case statistics), not only this month
    unit: str
    read: Callable[[Json], tuple[float, str] | None]  # payload → (value, the counts behind it)
    good_high: bool = False  # a rate where more is better: its "worst" city is the lowest


def _rate(indicator: str) -> Callable[[Json], tuple[float, str] | None]:
    def read(payload: Json) -> tuple[float, str] | None:
        num, den = counts_behind(payload, indicator)
        return (round(100 * num / den, 1), f"{num}/{den}") if den else None

    return read


def _count(field: str) -> Callable[[Json], tuple[float, str] | None]:
    return lambda payload: (payload[field], "")


def _vital(code: str) -> Callable[[Json], tuple[float, str] | None]:
    def read(payload: Json) -> tuple[float, str] | None:
        vital = next((v for v in payload["items"] if v["code"] == code), None)
        return (vital["value"], "") if vital and vital["value"] is not None else None

    return read


# Most specific words first: "超期未结" is overdue, not open; "按期处置率" is a rate, not a count of cases.
MEASURES: tuple[Measure, ...] = (
    Measure("按期处置率", ("按期处置率", "按期率", "按时处置率", "按时办结", "按时处置", "按期", "按时", "准时"), "evaluation",
            False, "%", _rate("按期处置率"), good_high=True),
    Measure("结案率", ("结案率", "办结率", "结办率"), "evaluation", False, "%", _rate("结案率"), good_high=True),
    Measure("返工率", ("返工率", "返工"), "evaluation", False, "%", _rate("返工率")),
    Measure("超期案件数", ("超期", "逾期", "超时"), "case_stats", True, "件", _count("overdue")),
    Measure("未办结案件数", ("未办结", "未结", "在办", "没办完", "积压"), "case_stats", True, "件", _count("open")),
    Measure("积水点数", ("积水", "内涝", "水浸", "浸水"), "vitals", False, "处", _vital("waterlogging_points")),
    Measure("燃气泄漏报警数", ("燃气", "煤气", "天然气"), "vitals", False, "起", _vital("gas_leak_alarms")),
    Measure("井盖异常数", ("井盖",), "vitals", False, "个", _vital("abnormal_manhole_covers")),
    Measure("桥梁结构告警数", ("桥梁", "桥"), "vitals", False, "起", _vital("bridge_structural_alerts")),
    Measure("泵站故障数", ("泵站",), "vitals", False, "座", _vital("pump_station_faults")),
    Measure("供水压力合格率", ("供水压力", "水压"), "vitals", False, "%", _vital("water_pressure_compliance"), good_high=True),
    Measure("路灯故障率", ("路灯",), "vitals", False, "%", _vital("street_light_failure_rate")),
    Measure("重大告警数", ("重大告警", "重大报警", "报警级", "重大事件"), "major_alarms", False, "条",
            lambda payload: (len(payload["items"]), "")),
    Measure("案件量", ("案件", "案子", "工单", "诉求", "件"), "case_stats", True, "件", _count("total")),
)  # fmt: skip
HIGHEST = re.compile(r"最多|最高|最大|哪个.*(多|高)|排第一|从多到少|从高到低|(排名)?前[两二三四五几\d]+(名|位)|第一名")
LOWEST = re.compile(r"最少|最低|最小|哪个.*(少|低)|垫底|倒数|从少到多|从低到高")
# "Worst" and "best" depend on the measure: the worst on-time rate is the lowest, the worst overdue count the highest.
WORST, BEST = re.compile(r"最差|最严重|最糟|最不好|最落后"), re.compile(r"最好|最优|最佳|最理想")
TODAY = re.compile(r"今天|今日|今儿|当日|当天")
OTHER_PERIOD = re.compile(r"上个?月|上周|去年|\d{1,2}月|\d{4}年|季度|上半年|昨天|昨日|前天|今年|本年|全年|年度")


@dataclass
class Reply:
    answer: str
    citations: list[Citation]
    tool_calls: list[Json]


@dataclass(frozen=True)
class Reading:
    """What a question asks across the cities: the measure (None: none the cities send), which end of the
    ranking, and the period (month, today, now for live figures, other for a period not synced)."""

    measure: Measure | None
    order: str  # highest | lowest | none
    period: str  # month | today | now | other


SOUNDS = SoundIndex()


def _names(measure: Measure, question: str, heard: str) -> bool:
    """The measure is named, as written or by its sound (按其 for 按期, 路登 for 路灯: typed while listening)."""
    return any(w in question or (len(w) > 1 and SOUNDS.sound(w) in heard) for w in measure.words)


def read(question: str) -> Reading:
    heard = SOUNDS.sound(question)
    measure = next((m for m in MEASURES if _names(m, question, heard)), None)
    worst, best = WORST.search(question), BEST.search(question)
    if (worst or best) and measure is not None:
        order = "lowest" if bool(worst) == measure.good_high else "highest"
    else:
        order = "lowest" if LOWEST.search(question) else "highest" if HIGHEST.search(question) else "none"
    if OTHER_PERIOD.search(question):
        period = "other"
    elif measure is not None and measure.kind in ("vitals", "major_alarms"):
        period = "now"
    else:
        period = "today" if measure is not None and measure.daily and TODAY.search(question) else "month"
    return Reading(measure, order, period)


def answer(question: str, client: ServicesClient, platform: str, now: datetime | None = None, lower: str = "市") -> Reply:
    """The answer across the lower platforms (``lower``: 市 under a province, 省 under the nation)."""
    now = now or clock.now()
    local = now.astimezone(CHINA)
    reading = read(question)
    measure = reading.measure
    if measure is None:
        names = "、".join(m.name for m in MEASURES)
        return Reply(f"{platform}平台汇总各{lower}上报的数据, 可以对比: {names}。请说明要对比哪一项。", [], [])
    today = reading.period == "today"
    scope = {"evaluation": f"{local:%Y-%m}", "case_stats": f"{local:%Y-%m-%d}" if today else f"{local:%Y-%m}",
             "vitals": "city", "major_alarms": "open"}[measure.kind]  # fmt: skip
    period = "今日" if today else "本月" if measure.kind in ("evaluation", "case_stats") else "当前"
    call_id = f"call-{uuid.uuid4().hex[:10]}"
    held = client.federation_facts(measure.kind, scope)
    stale = {s["code"]: s for s in client.federation_sources() if s["stale"]}
    calls = [{"id": call_id, "name": "federation_facts", "args": {"kind": measure.kind, "scope": scope}, "ok": True, "error": None}]
    rows = [(h, measure.read(h["payload"])) for h in held]
    known = sorted([(h, v) for h, v in rows if v is not None], key=lambda r: -r[1][0])
    if reading.order == "lowest":
        known.reverse()
    if not known:
        return Reply(f"各{lower}尚未上报{period}的{measure.name}。", [], calls)
    parts = []
    citations = []
    for h, (value, counts) in known:
        as_of = datetime.fromisoformat(h["as_of"]).astimezone(CHINA)
        figure = f"{value:g}{measure.unit}" + (f"（{counts}）" if counts else "")
        parts.append(f"{h['source_name']} {figure}〔批次 #{h['seq']}，数据时间 {as_of:%m-%d %H:%M}〕")
        citations.append(Citation(id=call_id, kind="tool", title=f"{h['source_name']}上报 {measure.kind} 批次 #{h['seq']}",
                                  snippet=f"{h['source_name']} {period}{measure.name} {figure}, 数据时间 {as_of:%Y-%m-%d %H:%M}"))  # fmt: skip
    text = f"{platform}各{lower}{period}{measure.name}（各{lower}上报数据）：" + "；".join(parts) + "。"
    if reading.order != "none":
        first = known[0]
        ties = [h["source_name"] for h, v in known if v[0] == first[1][0]]
        word = "最低" if reading.order == "lowest" else "最高" if measure.unit == "%" else "最多"
        text += f"{'、'.join(ties)}{'并列' if len(ties) > 1 else ''}{word}。"
    missing = [h["source_name"] for h, v in rows if v is None]
    if missing:
        text += f"{'、'.join(missing)}未上报该项。"
    for h, _ in known:
        if h["source"] in stale:
            last = datetime.fromisoformat(stale[h["source"]]["last_received_at"]).astimezone(CHINA)
            text += f"注意：{h['source_name']}已超过三个同步周期未上报（最后 {last:%m-%d %H:%M}），其数据可能过时。"
    if reading.period == "other":
        text += f"各{lower}只向上同步今日和本月的数据, 以上为本月（或今日）数字, 不是所问的时段。"
    return Reply(text, citations, calls)
