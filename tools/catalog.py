"""The assistant's tools: typed arguments (pydantic), structured results, citations for what they return.

Every tool is a plain function ``(client, args) -> ToolOutput`` so the offline planner, the LLM loop
and the tests call exactly the same code; ``tools.langchain`` wraps them as LangChain tools.
Read tools never change anything. Write tools (``writes=True``) run only after a person confirms.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from core import clock
from core.citations import Citation, ToolOutput
from core.exceptions import InvalidInput, NotFound
from core.times import china_if_naive, period_bounds
from core.untrusted import quote_without_instructions
from graph.ids import asset_category_code, asset_category_id, component_code, label_for_id
from services.monitoring.alarm_rules import rank
from tools.client import Json, ServicesClient
from tools.figures import run_query
from tools.query_spec import CASE_MEASURES, FigureQuery

MAX_LIST = 20


def graph_citation(entity: Json) -> Citation:
    props = entity.get("properties") or {}
    detail = props.get("district_name") or props.get("address") or props.get("description") or ""
    return Citation(id=str(entity["id"]), kind="graph", title=str(entity.get("name") or entity["id"]),
                    snippet=f"{entity.get('label', '')} {detail}".strip()[:200])  # fmt: skip


def document_citation(hit: Json) -> Citation:
    return Citation(id=hit["chunk_id"], kind="document", title=hit["title"], snippet=hit["text"][:300])


# ---- argument models -------------------------------------------------------------------------------------


class SearchEntitiesArgs(BaseModel):
    q: str = Field(min_length=1, max_length=200, description="名称、别名或编号, e.g. 幸福路, A3区, 城管局")
    label: str | None = Field(
        None, description="District/Street/Road/Landmark/Department/EventCategory/ComponentCategory"
    )
    limit: int = Field(5, ge=1, le=MAX_LIST)


class NodeArgs(BaseModel):
    node_id: str = Field(
        min_length=1, max_length=64, description="graph node id, e.g. 990103, road-0001, event-0401"
    )


class ResponsibilityArgs(BaseModel):
    category: str = Field(
        min_length=1, max_length=64, description="event-0401 / component-0101, or a category name"
    )
    district: str | None = Field(None, description="district code (990103) or name (A3区)")
    grid_id: str | None = Field(None, description="15-digit unit grid id")


class FindAssetsArgs(BaseModel):
    name: str | None = Field(None, max_length=64, description="road or place in the asset's name/address")
    category: str | None = Field(
        None, max_length=32, description="component category, e.g. 0204 or component-0204"
    )
    district: str | None = Field(None, max_length=16, description="district code, e.g. 990105")
    limit: int = Field(10, ge=1, le=MAX_LIST)


class AssetStatusArgs(BaseModel):
    asset_id: str = Field(pattern=r"^\d{16}$", description="16-digit asset code")


class AlarmsArgs(BaseModel):
    state: Literal["open", "closed"] | None = "open"
    district: str | None = Field(None, max_length=16)
    kind: str | None = Field(
        None, max_length=32, description="sensor kind, e.g. water_level, gas_concentration"
    )
    level: Literal["watch", "warning", "alarm"] | None = None
    asset_category: str | None = Field(
        None,
        pattern=r"^(component-)?\d{4}$",
        description="only alarms on assets of this component category, e.g. 0601 泵站",
    )
    opened: str | None = Field(None, max_length=22, description="opened in a period: 2026-12-05, 2026-11, last7d…")
    closed: str | None = Field(None, max_length=22, description="closed in a period (then state is closed)")


class VitalsArgs(BaseModel):
    district: str | None = Field(None, max_length=16, description="district code; none for the whole city")


class ReadingStatsArgs(BaseModel):
    sensor_id: str = Field(pattern=r"^S\d{16}-\d{2}$")
    hours: int = Field(24, ge=1, le=24 * 90, description="window ending now")


class SensorStatsArgs(BaseModel):
    kind: str = Field(
        max_length=32, description="sensor kind, e.g. water_level, water_pressure, gas_concentration"
    )
    district: str | None = Field(None, max_length=16, description="district code; none for the whole city")
    hours: int = Field(24, ge=1, le=24 * 90, description="window ending now (ignored when since is given)")
    since: datetime | None = Field(None, description="window start (China time if no offset)")
    until: datetime | None = Field(None, description="window end; default now")


class ForecastArgs(BaseModel):
    series_id: str = Field(
        min_length=1, max_length=80, description="sensor:<id>, cases:<district>:<category>, ett:OT…"
    )
    horizon: int = Field(24, ge=1, le=720)


class CaseSearchArgs(BaseModel):
    state: str | None = Field(None, max_length=8, description="受理/立案/派遣/处置/核查/结案…")
    categories: list[str] = Field(default_factory=list, max_length=12, description="category ids, e.g. component-0103")
    district: str | None = Field(None, max_length=16)
    department_id: str | None = Field(None, max_length=64)
    overdue: bool | None = None
    reworked: bool | None = Field(None, description="sent back for rework at least once (返工过)")
    returned: bool | None = Field(None, description="handed back by a department at least once (回退过)")
    extended: bool | None = Field(None, description="deadline extended at least once (延期过)")
    days: int | None = Field(None, ge=1, le=3650, description="only cases created in the last N days")
    since: datetime | None = Field(None, description="created at or after (ISO 8601)")
    until: datetime | None = Field(None, description="created before (ISO 8601)")


class CaseFindArgs(BaseModel):
    """One case picked by its traits: the newest (or oldest, or last closed) of those matching."""

    categories: list[str] = Field(default_factory=list, max_length=12, description="category ids, e.g. event-0403")
    district: str | None = Field(None, max_length=16)
    department_id: str | None = Field(None, max_length=64)
    source: Literal["12345", "app", "patrol", "sensor", "media", "video"] | None = None
    since: datetime | None = Field(None, description="created at or after (ISO 8601)")
    until: datetime | None = Field(None, description="created before (ISO 8601)")
    reworked: bool | None = None
    returned: bool | None = Field(None, description="handed back by a department at least once (回退过)")
    extended: bool | None = Field(None, description="deadline extended at least once (延期过)")
    overdue: bool | None = Field(None, description="past the deadline and still open")
    open: bool | None = Field(None, description="not finished yet (not 结案, 作废 or 不予立案)")
    state: str | None = Field(None, max_length=8)
    order: Literal["newest", "oldest", "last_closed", "most_overdue"] = "newest"


class CaseArgs(BaseModel):
    case_id: str = Field(pattern=r"^C\d{8}-[0-9A-F]{8}$", description="e.g. C20261124-1A2B3C4D")


class EvaluationArgs(BaseModel):
    period: str | None = Field(
        None, max_length=22, description="2026, 2026-11, 2026-11-24, 2026-11-23..2026-11-29 or last30d"
    )
    department_id: str | None = Field(None, max_length=64)


class PolicySearchArgs(BaseModel):
    q: str = Field(min_length=1, max_length=500)
    k: int = Field(3, ge=1, le=10)
    district: str | None = Field(None, max_length=16, description="that district's and city-wide documents")


class TriageArgs(BaseModel):
    text: str = Field(
        min_length=1, max_length=20_000, description="市民诉求原文 / the citizen's report as received"
    )


class CreateCaseArgs(BaseModel):
    text: str = Field(min_length=1, max_length=5000)
    category_code: str = Field(max_length=32)
    grid_id: str | None = None
    urgency: Literal["low", "normal", "high", "critical"] | None = None
    department_id: str | None = Field(None, max_length=64, description="the department named by the operator; "
                                                                        "default: the responsibility rule's")


class TransitionCaseArgs(BaseModel):
    case_id: str = Field(pattern=r"^C\d{8}-[0-9A-F]{8}$")
    action: str = Field(
        max_length=16, description="立案/派遣/签收/回退/延期/处置反馈/核查通过/返工/作废/不予立案"
    )
    note: str | None = Field(None, max_length=500)
    expected_version: int | None = None
    department_id: str | None = Field(None, max_length=64, description="派遣: the department to send it to")
    extend_hours: int | None = Field(None, ge=1, le=720, description="延期: extra working hours")


# ---- tool functions --------------------------------------------------------------------------------------


def _resolve(client: ServicesClient, value: str, labels: tuple[str, ...]) -> Json:
    """A node given by id or by name (best match among ``labels``); NotFound says what was tried."""
    if label_for_id(value) in labels:
        return {
            "id": value
        }  # the service checks that it exists (a node look-up would count all its neighbours)
    for label in labels:
        items = client.search_entities(value, label=label, limit=1)
        if items and (items[0].get("score") or 0) >= 0.75:
            return items[0]
    raise NotFound(f"未找到名为「{value}」的{'/'.join(labels)}")


def search_entities(client: ServicesClient, args: SearchEntitiesArgs) -> ToolOutput:
    items = client.search_entities(args.q, args.label, args.limit)
    return ToolOutput(data={"items": items}, citations=[graph_citation(e) for e in items[:3]])


def get_node(client: ServicesClient, args: NodeArgs) -> ToolOutput:
    detail = client.node(args.node_id, limit=20)
    return ToolOutput(data=detail, citations=[graph_citation(detail["node"])])


def responsible_department(client: ServicesClient, args: ResponsibilityArgs) -> ToolOutput:
    category = _resolve(client, args.category, ("EventCategory", "ComponentCategory", "HotlineCategory"))
    district = None
    if not args.grid_id:
        if not args.district:
            raise InvalidInput("请指明区或网格 / give a district or a grid")
        district = _resolve(client, args.district, ("District",))["id"]
    result = client.responsibility(category["id"], grid_id=args.grid_id, district=district)
    cited = [result["department"], result["category"], result["district"]]
    if result.get("street_office"):
        cited.append(result["street_office"])
    return ToolOutput(data=result, citations=[graph_citation(e) for e in cited])


def find_assets(client: ServicesClient, args: FindAssetsArgs) -> ToolOutput:
    # Assets are found by name through the graph query the HTTP layer does not expose by name alone.
    items = client.find_assets(
        name=args.name, category=args.category, district=args.district, limit=args.limit
    )
    return ToolOutput(
        data={"items": items, "count": len(items)}, citations=[graph_citation(e) for e in items[:5]]
    )


def asset_status(client: ServicesClient, args: AssetStatusArgs) -> ToolOutput:
    asset = client.node(args.asset_id, limit=1)["node"]
    sensors = client.sensors(asset_id=args.asset_id)
    # The asset's own alarms, asked by its id: its district's list is a page of the newest 200.
    alarms = [a for a in client.alarms(state="open", asset_id=args.asset_id) if a["asset_id"] == args.asset_id]  # a server that ignores the filter
    data = {"asset": asset, "sensors": sensors, "open_alarms": alarms}
    return ToolOutput(data=data, citations=[graph_citation(asset)])


def open_alarms(client: ServicesClient, args: AlarmsArgs) -> ToolOutput:
    if not args.asset_category:
        return ToolOutput(data=_counted_alarms(client, args))
    items = client.alarms(state=args.state, district=args.district, kind=args.kind, level=args.level)
    if args.asset_category:
        # Asset codes carry their category: 6 admin digits, then 2 major + 2 minor (GB/T 30428.2).
        code = component_code(args.asset_category)
        items = [a for a in items if asset_category_code(a["asset_id"]) == code]
    items.sort(key=lambda a: -rank(a["level"]))  # most severe first, newest first within a level
    summary = {
        "count": len(items),
        "groups": _groups(items),
        "by_level": dict(Counter(a["level"] for a in items)),
        "by_kind": dict(Counter(a["kind"] for a in items)),
        "by_district": dict(Counter(a["district"] for a in items)),
        "truncated": len(items) >= 200,
    }
    return ToolOutput(data={**summary, "items": _with_excess(items[:MAX_LIST])})


def _counted_alarms(client: ServicesClient, args: AlarmsArgs) -> Json:
    """Counts from the database (whole, whatever their number) and the most severe alarms: each level's
    newest, from 报警 down, so a page of the newest never hides an older 报警."""
    scope = {"state": args.state, "district": args.district, "kind": args.kind, "level": args.level,
             "opened": args.opened, "closed": args.closed}  # fmt: skip
    by_district = client.alarm_stats(**scope, group_by="district")
    by_kind = client.alarm_stats(**scope, group_by="kind")
    items: list[Json] = []
    now = clock.now()  # the periods' bounds once, not once per listed alarm
    windows = {field: period_bounds(period, now)[1:] for period, field in ((args.opened, "opened_at"),
                                                                          (args.closed, "closed_at")) if period}  # fmt: skip
    for level in ("alarm", "warning", "watch"):
        if len(items) < MAX_LIST and by_district["by_level"].get(level) and args.level in (None, level):
            found = client.alarms(state=args.state, district=args.district, kind=args.kind, level=level)
            # Within a level, the furthest past its threshold first ("读数最高那个是多少").
            found.sort(key=lambda a: -abs((a.get("value") or 0.0) - (a.get("threshold") or 0.0)))
            items += [a for a in found if _within(a, windows)][: MAX_LIST - len(items)]
    return {"count": by_district["total"], "by_level": by_district["by_level"],
            "by_kind": {g["key"]: g["count"] for g in by_kind["groups"]},
            "by_district": {g["key"]: g["count"] for g in by_district["groups"]},
            "opened": args.opened, "closed": args.closed, "start": by_district["start"], "end": by_district["end"],
            "records_from": by_district.get("records_from"),
            "groups": _groups(items), "truncated": False, "items": _with_excess(items)}  # fmt: skip


def _with_excess(items: list[Json]) -> list[Json]:
    """Each alarm with how far its value is past its threshold ("超了阈值多少"), whichever way the line is crossed,
    and, while open, for how many hours it has been ("开了多久了")."""
    now = clock.now()
    out = []
    for a in items:
        extra: Json = {}
        if a.get("value") is not None and a.get("threshold") is not None:
            extra["past_threshold_by"] = round(abs(a["value"] - a["threshold"]), 4)
        if a.get("opened_at") and not a.get("closed_at"):
            extra["open_hours"] = round((now - datetime.fromisoformat(a["opened_at"])).total_seconds() / 3600, 1)
        out.append(a | extra)
    return out


def _groups(items: list[Json]) -> list[Json]:
    """(component category, district) of the listed alarms, most first: whom to ask about them."""
    groups = Counter((asset_category_id(a["asset_id"]), a["district"]) for a in items)
    return [{"category": c, "district": d, "count": n} for (c, d), n in groups.most_common()]


def _within(alarm: Json, windows: dict[str, tuple[datetime, datetime]]) -> bool:
    """An alarm of the list opened (or closed) in the periods asked (the list route takes no period)."""
    for field, (since, until) in windows.items():
        moment = alarm.get(field)
        if not moment or not since <= datetime.fromisoformat(moment) < until:
            return False
    return True


def city_vitals(client: ServicesClient, args: VitalsArgs) -> ToolOutput:
    items = client.vitals(args.district)
    # Counted here, so that "正常、关注、预警、报警各几项" is answered from the tool's own figures.
    by_status = {status: sum(v["status"] == status for v in items) for status in ("normal", "watch", "warning", "alarm")}
    return ToolOutput(data={"district": args.district, "items": items, "total": len(items), "by_status": by_status,
                            "not_normal": len(items) - by_status["normal"],  # "哪个区的体征异常项最多"
                            "warning_or_worse": by_status["warning"] + by_status["alarm"],  # "预警项最多"
                            # "处于watch以上的有几项，占比多少": each status's share of the signs watched
                            "share_pct": {s: round(n / len(items) * 100, 1) if items else None for s, n in
                                          {**by_status, "not_normal": len(items) - by_status["normal"]}.items()}})


def reading_stats(client: ServicesClient, args: ReadingStatsArgs) -> ToolOutput:
    until = clock.now()
    rows = client.readings(args.sensor_id, since=until - timedelta(hours=args.hours), until=until)
    values = [r["value"] for r in rows]
    stats = {"sensor_id": args.sensor_id, "hours": args.hours, "count": len(values)}
    if values:
        stats |= {"min": round(min(values), 3), "max": round(max(values), 3),
                  "mean": round(statistics.fmean(values), 3), "last": round(values[-1], 3),
                  "last_ts": rows[-1]["ts"], "first_ts": rows[0]["ts"]}  # fmt: skip
    return ToolOutput(data=stats)


def sensor_stats(client: ServicesClient, args: SensorStatsArgs) -> ToolOutput:
    until = _aware(args.until) or clock.now()
    since = _aware(args.since) or until - timedelta(hours=args.hours)
    items = client.sensor_stats(args.kind, args.district, since=since, until=until)
    hours = max(1, round((until - since).total_seconds() / 3600))
    data: Json = {"kind": args.kind, "district": args.district, "hours": hours, "sensors": len(items),
                  "readings": sum(i["count"] for i in items), "highest": items[:3]}  # fmt: skip
    if items:
        data |= {"max": items[0]["max"], "min": min(i["min"] for i in items), "unit": items[0]["unit"],
                 "lowest": sorted(items, key=lambda i: i["min"])[:1]}  # fmt: skip
        # The kind's lines (one sensor of it carries them): "最高到过多少？超没超警戒" is answered against them.
        if one := client.sensors(kind=args.kind, limit=1):
            data["thresholds"] = one[0]["thresholds"]
    return ToolOutput(data=data)


def make_forecast(client: ServicesClient, args: ForecastArgs) -> ToolOutput:
    return ToolOutput(data=client.forecast(args.series_id, args.horizon))


def _aware(moment: datetime | None) -> datetime | None:
    return china_if_naive(moment) if moment is not None else None


def search_cases(client: ServicesClient, args: CaseSearchArgs) -> ToolOutput:
    since = _aware(args.since) or (clock.now() - timedelta(days=args.days) if args.days else None)
    # Counted in the database over every case selected; only the listing is a page.
    page = client.cases(state=args.state, category=args.categories or None, district=args.district,
                        department_id=args.department_id, since=since,
                        until=_aware(args.until), overdue=args.overdue, reworked=args.reworked, returned=args.returned,
                        extended=args.extended, limit=MAX_LIST, counts=True)  # fmt: skip
    counts = page["counts"]
    data = {"count": counts["total"], "by_state": counts["by_state"],
            "by_category": dict(list(counts["by_category"].items())[:5]), "overdue": counts["overdue"],
            "overdue_open": counts["overdue_open"],
            "items": [{k: c[k] for k in ("id", "state", "category_name", "district", "department_id", "deadline", "overdue")}
                      for c in page["items"]]}  # fmt: skip
    return ToolOutput(data=data)


def find_case(client: ServicesClient, args: CaseFindArgs) -> ToolOutput:
    page = client.cases(category=args.categories or None, district=args.district, department_id=args.department_id,
                        source=args.source, since=_aware(args.since), until=_aware(args.until), reworked=args.reworked,
                        overdue=args.overdue, state=args.state, order=args.order, open=args.open, returned=args.returned,
                        extended=args.extended, limit=1)  # fmt: skip
    return ToolOutput(data={"case": (page["items"] or [None])[0], "others": page.get("next") is not None})


def get_case(client: ServicesClient, args: CaseArgs) -> ToolOutput:
    return ToolOutput(data=client.case(args.case_id))


def department_evaluation(client: ServicesClient, args: EvaluationArgs) -> ToolOutput:
    return ToolOutput(data=client.evaluation(args.period, args.department_id))


def query_figures(client: ServicesClient, args: FigureQuery) -> ToolOutput:
    # The city's districts are looked up only for a per-district case count or forecast (the groupings that need them).
    per_district = (args.group_by == "district" and args.measure in (*CASE_MEASURES, "forecast", "assets")
                    and not (args.district or args.districts))  # fmt: skip
    districts = sorted(d["id"] for d in client.search_entities("区", label="District", limit=100)) if per_district else []
    return ToolOutput(data=run_query(client, args, districts).model_dump())


def search_policies(client: ServicesClient, args: PolicySearchArgs) -> ToolOutput:
    hits = client.search_documents(args.q, args.k, {"district": args.district} if args.district else None)
    for hit in hits:  # a document is data: a sentence in it that addresses the assistant is not passed on
        hit["text"], dropped = quote_without_instructions(hit["text"])
        if dropped:
            hit["instructions_dropped"] = True
    return ToolOutput(data={"items": hits}, citations=[document_citation(h) for h in hits])


def triage_report(client: ServicesClient, args: TriageArgs) -> ToolOutput:
    result = client.triage({"text": args.text})
    citations = [Citation(**c) for c in result.get("citations", [])]
    return ToolOutput(data=result, citations=citations)


def create_case(client: ServicesClient, args: CreateCaseArgs) -> ToolOutput:
    return ToolOutput(data=client.create_case(args.model_dump(exclude_none=True)))


def transition_case(client: ServicesClient, args: TransitionCaseArgs, actor: str = "assistant") -> ToolOutput:
    body = {
        "action": args.action,
        "actor": actor,
        "note": args.note,
        "expected_version": args.expected_version,
    }
    body |= {
        k: v
        for k, v in (("department_id", args.department_id), ("extend_hours", args.extend_hours))
        if v is not None
    }
    return ToolOutput(data=client.transition_case(args.case_id, body))


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    args: type[BaseModel]
    run: Callable[..., ToolOutput]
    writes: bool = False


TOOLS: dict[str, ToolSpec] = {spec.name: spec for spec in (
    ToolSpec("search_entities", "按名称/别名/编号查找城市实体(区、街道、道路、地标、部门、类别) / find graph entities by name",
             SearchEntitiesArgs, search_entities),
    ToolSpec("get_node", "查看一个图谱节点及其关联 / one graph node with its neighbours", NodeArgs, get_node),
    ToolSpec("responsible_department", "某类事件/部件在某区或网格由哪个部门负责, 附责任规则 / who is responsible",
             ResponsibilityArgs, responsible_department),
    ToolSpec("find_assets", "按道路/地名、部件类别、区查找部件(井盖、泵站、桥梁…) / find assets", FindAssetsArgs, find_assets),
    ToolSpec("asset_status", "部件状态: 传感器最新读数与未关闭告警 / asset status with latest readings",
             AssetStatusArgs, asset_status),
    ToolSpec("open_alarms", "告警列表与按等级、类型、区的统计 / alarms with counts", AlarmsArgs, open_alarms),
    ToolSpec("city_vitals", "城市生命体征(全市或某区) / city vital signs", VitalsArgs, city_vitals),
    ToolSpec("reading_stats", "传感器在时间窗内的读数统计 / reading statistics over a window", ReadingStatsArgs, reading_stats),
    ToolSpec("sensor_stats", "某类传感器(全市或某区)在时间窗内的最高/最低/平均 / one kind's extremes over a window",
             SensorStatsArgs, sensor_stats),
    ToolSpec("forecast", "时间序列预测及回测 MASE / forecast with backtest", ForecastArgs, make_forecast),
    ToolSpec("search_cases", "案件检索与统计 / case search and counts", CaseSearchArgs, search_cases),
    ToolSpec("get_case", "案件详情及处置历史 / one case with its history", CaseArgs, get_case),
    ToolSpec("find_case", "按类别/区/部门/来源/期间找一件案件(最新、最早或最近结案)及其历史 / one case by its traits",
             CaseFindArgs, find_case),
    ToolSpec("department_evaluation", "部门考核指标(按期处置率、结案率、返工率…) / department indicators",
             EvaluationArgs, department_evaluation),
    ToolSpec("query_figures", "城市数字: 案件/部门考核/部件/传感器读数/预测 × 区/类别/来源/部门 × 期间 × 分组×排序×前N×环比, 在库中计数 / the city's figures",
             FigureQuery, query_figures),
    ToolSpec("search_policies", "检索政策文件条款 / search policy documents", PolicySearchArgs, search_policies),
    ToolSpec("triage_report", "市民诉求分拨: 类别、网格、责任部门、紧急程度、疑似重复 (不写入) / triage a citizen report",
             TriageArgs, triage_report),
    ToolSpec("create_case", "新建案件(需人工确认) / create a case (needs confirmation)", CreateCaseArgs, create_case, writes=True),
    ToolSpec("transition_case", "推进案件流程(需人工确认) / move a case on (needs confirmation)", TransitionCaseArgs,
             transition_case, writes=True),
)}  # fmt: skip
