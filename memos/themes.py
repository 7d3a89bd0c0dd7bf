"""Memos on themes (汛期排水防涝, 燃气安全, 市容环境整治, 12345热点诉求, 城市生命线, 井盖安全): the theme's categories
and sensor kinds come from the graph (``Theme -[:INCLUDES]->`` categories), and its 现状 and 研判 from the
analytics — where its cases concentrate (hotspots), the sensors forecast to cross a threshold (with intervals),
the sensors unlike themselves, its departments ranked, and what citizens raise (hot topics) — each figure
cited, with charts of the key series and its forecast band, the hotspots and the departments.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from core.citations import Citation
from core.times import CHINA
from memos.charts import Chart
from memos.models import Memo, MemoRequest
from memos.sources import (
    Sources,
    days_covered,
    optional,
    partial,
    pct,
    period_words,
    previous_period,
    references,
    tool_citation,
)
from tools.catalog import document_citation
from tools.client import Json, ServicesClient

CHANGE = 0.2  # a fifth more or fewer cases a day than the period before is named as a rise or a fall
ON_TIME_FLOOR = 0.8  # a department below this 按期处置率 (with enough cases come due) is named
MIN_DUE = 5
HOTSPOTS = 5
HORIZON = 24  # hours the theme's sensors are forecast
SCREEN = 48  # sensors of a kind forecast for a memo: those nearest their thresholds (a full district is minutes)
HISTORY_HOURS = 48  # the key series' history drawn before its forecast
POLICIES = 3
LEVEL_NAMES = {"watch": "关注", "warning": "预警", "alarm": "报警"}
DISTRICTS = 7  # the city's districts, for the departments responsible city-wide
LISTED_DEPARTMENTS = 8


def find_theme(client: ServicesClient, topic: str) -> Json | None:
    """The theme a topic names (its name or an alias in the topic), unless the topic names one of the theme's
    categories in full ("道路积水内涝" is that category's memo; "汛期排水防涝风险研判" the theme's)."""
    for theme in client.themes():
        named = theme["name"] in topic or any(alias in topic for alias in theme["aliases"])
        if named and (theme["name"] in topic or not any(name in topic for name in theme["category_names"])):
            return theme
    return None


def theme_names(client: ServicesClient) -> list[str]:
    return [theme["name"] for theme in client.themes()]


class _Memo:
    """The memo being written: its sources, sections and charts."""

    def __init__(self) -> None:
        self.sources = Sources()
        self.status: list[str] = []
        self.judgments: list[str] = []
        self.advice: list[tuple[str, list[str]]] = []
        self.charts: list[Chart] = []

    def ref(self, citation: Citation) -> str:
        return self.sources.ref(citation)

    def chart(self, chart: Chart) -> str:
        numbered = chart.model_copy(update={"id": f"chart-{len(self.charts) + 1}"})
        self.charts.append(numbered)
        return f"![图{len(self.charts)} {chart.title}]({numbered.id})"


def compose_theme_memo(client: ServicesClient, body: MemoRequest, theme: Json, district: Json | None,
                       now: datetime) -> Memo:  # fmt: skip
    memo = _Memo()
    where = district["name"] if district else "全市"
    district_id = district["id"] if district else None
    ref_theme = memo.ref(Citation(id=theme["id"], kind="graph", title=f"主题 {theme['name']}",
                                  snippet=f"{theme['description']}；类别：{'、'.join(theme['category_names']) or '全部'}；"
                                          f"监测：{'、'.join(theme['sensor_kinds']) or '无'}"))  # fmt: skip
    overall = client.case_stats(body.period, district_id)
    period, named = overall["period"], period_words(overall)
    title = f"关于{where}{theme['name']}的决策参考（{named}）"
    background = [f"议题「{body.topic}」属于主题「{theme['name']}」：{theme['description']}{ref_theme}。",
                  f"统计范围：{where}，{overall['start'][:10]} 起至 {overall['end'][:10]} 前（{named}）；"
                  f"涵盖类别 {len(theme['categories']) or '全部'}{'' if not theme['categories'] else ' 类'}"
                  f"（{'、'.join(theme['category_names']) or '12345热线受理的全部案件'}）{ref_theme}。"]  # fmt: skip

    responsible = _responsible(client, theme, district_id)
    if responsible:
        names = sorted(set(responsible.values()))
        shown = "、".join(names[:LISTED_DEPARTMENTS]) + (f"等 {len(names)} 个单位" if len(names) > LISTED_DEPARTMENTS else "")
        ref_rules = memo.ref(Citation(id=f"rules:{theme['id']}:{district_id or 'city'}", kind="graph",
                                      title=f"责任规则 · {theme['name']} · {where}", snippet=f"责任单位：{shown}"))  # fmt: skip
        background.append(f"按责任规则，{where}{theme['name']}涵盖类别的责任单位：{shown}{ref_rules}。")
    cases = _cases(client, memo, theme, district_id, where, overall, now)
    _hotspots(client, memo, theme, district_id, where, period, named, cases)
    for kind in [k for k in theme["sensor_kinds"] if not k.endswith("_status")]:
        _sensors(client, memo, theme, kind, district_id, where, now)
    _departments(client, memo, set(responsible), district_id, where, period, named)
    if theme["hot_topics"]:
        _hot_topics(client, memo, district)
    policies = _policies(client, memo, theme, district, now)
    if not memo.judgments:
        memo.judgments.append(f"本期{where}{theme['name']}相关案件、监测和考核指标未见需要专门研判的异常{ref_theme}。")
    memo.advice.append((f"对照{'、'.join('《' + c.title + '》' for c in _documents(memo))}做好{theme['name']}相关工作"
                        if policies else f"按{theme['name']}涵盖类别的立案和结案条件做好核查", policies or [ref_theme]))  # fmt: skip

    lines = [f"# {title}", "", "## 一、背景", "", *background, "", "## 二、现状", ""]
    lines += [line if line.startswith("![") else f"- {line}" for line in memo.status]
    lines += ["", "## 三、研判", ""] + [f"{n}. {text}" for n, text in enumerate(memo.judgments, 1)]
    lines += ["", "## 四、建议", ""] + [f"{n}. {text}{''.join(refs)}。" for n, (text, refs) in enumerate(memo.advice, 1)]
    lines += ["", "## 五、依据", "", *references(memo.sources)]
    local = now.astimezone(CHINA)
    lines += ["", f"生成时间：{local:%Y-%m-%d %H:%M}（北京时间）。数字均来自实时数据与分析批次，可按编号追溯。"]
    return Memo(id=f"M{local:%Y%m%d}-{uuid.uuid4().hex[:8].upper()}", title=title, markdown="\n".join(lines) + "\n",
                citations=memo.sources.cited, created_at=local.isoformat(), request=body, theme=theme["id"],
                charts=memo.charts)  # fmt: skip


def _cases(client: ServicesClient, memo: _Memo, theme: Json, district: str | None, where: str, overall: Json,
           now: datetime) -> Json:  # fmt: skip
    """The theme's cases this period and the one before, counted in the database."""
    categories, source = theme["categories"] or None, None if theme["categories"] else "12345"
    counts = client.cases(district=district, since=overall["start"], until=overall["end"], category=categories,
                          source=source, counts=True, limit=1)["counts"]  # fmt: skip
    ref = memo.ref(tool_citation(f"cases:{theme['id']}:{overall['period']}", f"案件统计 · {where} · {theme['name']} · "
                                 f"{overall['period']}", counts))  # fmt: skip
    open_now = sum(n for state, n in counts["by_state"].items() if state not in ("结案", "不予立案", "作废"))
    # Every category of the theme is named with its count, none included: a reader checks the sum.
    each = {name: counts["by_category"].get(name, 0) for name in theme["category_names"]} or counts["by_category"]
    listed = sorted(each.items(), key=lambda kv: -kv[1])[: len(theme["category_names"]) or 5]
    memo.status.append(f"{where}同期受理{theme['name']}相关案件 {counts['total']} 件（占全部 {overall['total']} 件的 "
                       f"{pct(counts['total'], overall['total'])}），未办结 {open_now} 件，超期 {counts['overdue']} 件；"
                       f"{'按类别' if theme['category_names'] else '居前'}：{'、'.join(f'{n} {c} 件' for n, c in listed) or '无'}"
                       f"{ref}。")  # fmt: skip
    before = previous_period(overall["period"])
    if before:
        stats = client.case_stats(before, district)
        earlier = client.cases(district=district, since=stats["start"], until=stats["end"], category=categories,
                               source=source, counts=True, limit=1)["counts"]  # fmt: skip
        ref_before = memo.ref(tool_citation(f"cases:{theme['id']}:{before}", f"案件统计 · {where} · {theme['name']} · {before}",
                                            earlier))  # fmt: skip
        # A period before the first case on record is counted only in part: said, and not compared.
        part = f"（案件记录自 {stats['data_since'][:10]} 起，上期只部分覆盖，不作比较）" if partial(stats) else ""
        memo.status.append(f"上期（{period_words(stats)}）{theme['name']}相关案件 {earlier['total']} 件{part}{ref_before}。")
        rate_now, rate_before = counts["total"] / days_covered(overall, now), earlier["total"] / days_covered(stats, now)
        if not part and rate_before and abs(change := (rate_now - rate_before) / rate_before) >= CHANGE:
            memo.judgments.append(f"{theme['name']}相关案件日均 {rate_now:.2f} 件，较上期日均 {rate_before:.2f} 件"
                                  f"{'上升' if change > 0 else '下降'} {abs(change):.0%}{ref}{ref_before}。")  # fmt: skip
    if counts["total"] and counts["overdue"] / counts["total"] >= CHANGE:
        memo.judgments.append(f"处置时效有压力：超期 {counts['overdue']} 件，占 {pct(counts['overdue'], counts['total'])}{ref}。")
        memo.advice.append(("对超期案件逐件督办，按规定时限处置并反馈", [ref]))
    return counts


def _hotspots(client: ServicesClient, memo: _Memo, theme: Json, district: str | None, where: str, period: str,
              named: str, cases: Json) -> None:  # fmt: skip
    if not cases["total"]:
        return
    run = client.hotspots(theme["categories"], district, period, "grid", HOTSPOTS)
    ref = memo.ref(tool_citation(run["run_id"], f"网格热点 · {where} · {theme['name']} · {named}",
                                 {"cases": run["cases"], "significant": run["significant"],
                                  "top": [(i["area_id"], i["count"]) for i in run["items"]]}))  # fmt: skip
    listed = "；".join(f"网格 {i['area_id']}（{i['district_name']} {i['street']}）{i['count']} 件"
                      + (f"，{i['department']}" if i["department"] else "") for i in run["items"][:3])  # fmt: skip
    memo.status.append(f"案件集中的网格：{listed}；均匀分布时每格约 {run['expected']:g} 件，显著集中的网格 {run['significant']} 个{ref}。")
    memo.status.append(memo.chart(Chart(
        id="", title=f"{where}{theme['name']}案件最多的网格（{named}）", kind="bars", unit="件",
        labels=[f"{i['street']} {i['area_id'][-6:]}" for i in run["items"]], values=[i["count"] for i in run["items"]],
        source=run["run_id"])))  # fmt: skip
    if run["significant"]:
        top = run["items"][0]
        memo.judgments.append(f"案件在少数网格集中：网格 {top['area_id']}（{top['street']}）{top['count']} 件，为均匀分布的 "
                              f"{top['ratio']:g} 倍{ref}。")  # fmt: skip
        owner = f"，由{top['department']}会同{top['street_office'] or '属地街道'}" if top["department"] else ""
        memo.advice.append((f"对案件集中的网格开展专项巡查和源头治理{owner}", [ref]))


def _sensors(client: ServicesClient, memo: _Memo, theme: Json, kind: str, district: str | None, where: str,
             now: datetime) -> None:  # fmt: skip
    """A sensor kind: open alarms, the forecast over the next hours with its interval, and anomalies."""
    alarms = client.alarms(state="open", district=district, kind=kind)
    levels = {LEVEL_NAMES.get(level, level): sum(1 for a in alarms if a["level"] == level) for level in LEVEL_NAMES}
    ref_alarms = memo.ref(tool_citation(f"alarms:{kind}", f"未关闭告警 · {where} · {kind}", {"open": len(alarms), **levels}))
    run = optional(lambda: client.sensor_forecasts(kind, district, HORIZON, 5, SCREEN))
    serious_alarms = levels["预警"] + levels["报警"]
    if serious_alarms:
        memo.judgments.append(f"{where}{theme['sensor_kind_names'].get(kind, kind)}有 {serious_alarms} 条预警或报警级告警未关闭"
                              f"{ref_alarms}。")  # fmt: skip
        memo.advice.append(("逐条核查未关闭的预警、报警级告警对应设施，与案件处置联动", [ref_alarms]))
    if run is None or not run.get("forecast"):
        memo.status.append(f"{theme['sensor_kind_names'].get(kind, kind)}：未关闭告警 {len(alarms)} 条{ref_alarms}；暂无可用的预测。")
        return
    unit, name = run["unit"], theme["sensor_kind_names"].get(kind, kind)
    ref_run = memo.ref(tool_citation(run["run_id"], f"批量预测 · {where} · {name} · 未来 {HORIZON} 小时",
                                     {"forecast": run["forecast"], "reaching": run["reaching"],
                                      "highest": run["highest"] and {k: run["highest"][k] for k in ("sensor_id", "peak", "lo95", "hi95")}}))  # fmt: skip
    reaching = "、".join(f"{LEVEL_NAMES[level]} {n} 个" for level, n in run["reaching"].items()) or "无"
    top = run["highest"]
    screened = f"（对最接近阈值的 {run['forecast']} 个点位预测，共 {run['sensors']} 个）" if run["screened_out"] else ""
    memo.status.append(f"{name}：未关闭告警 {len(alarms)} 条（{'、'.join(f'{k} {v} 条' for k, v in levels.items() if v) or '无'}）"
                       f"{ref_alarms}；未来 {HORIZON} 小时预测均值达到各级阈值的点位：{reaching}{screened}；最高为 {top['sensor_id']}"
                       f"（{top['name']}）{top['peak']:.2f} {unit}，95% 区间 {top['lo95']:.2f}–{top['hi95']:.2f} {unit}{ref_run}。")  # fmt: skip
    if run["reaching"].get("warning") or run["reaching"].get("alarm"):
        serious = run["reaching"].get("alarm", 0) + run["reaching"].get("warning", 0)
        memo.judgments.append(f"未来 {HORIZON} 小时{where}有 {serious} 个{name}点位预计达到预警或报警线，最高 {top['peak']:.2f} {unit}"
                              f"（95% 区间上沿 {top['hi95']:.2f}）{ref_run}。")  # fmt: skip
        memo.advice.append((f"对预计越线的{name}点位提前布防、加密巡检，必要时启动应急响应", [ref_run]))
    _key_series(client, memo, top, run, name, now)
    scan = optional(lambda: client.anomalies(kind, district, 24, 5))
    if scan and scan.get("scanned"):
        ref_scan = memo.ref(tool_citation(scan["run_id"], f"异常扫描 · {where} · {name} · 近24小时",
                                          {"scanned": scan["scanned"], "anomalous": scan["anomalous"]}))  # fmt: skip
        first = scan["items"][0] if scan["items"] else None
        strongest = (f"，偏离最大的是 {first['sensor_id']}（{first['episodes'][0]['peak']:g} {unit}，常态约 "
                     f"{first['episodes'][0]['expected']:.2f}）") if first else ""  # fmt: skip
        memo.status.append(f"近24小时{name}偏离自身日常规律的点位 {scan['anomalous']} 个（扫描 {scan['scanned']} 个）{strongest}{ref_scan}。")
        if scan["anomalous"]:
            memo.judgments.append(f"{scan['anomalous']} 个{name}点位近24小时读数偏离自身规律，需核实是否为设施故障或真实险情{ref_scan}。")


def _key_series(client: ServicesClient, memo: _Memo, top: Json, run: Json, name: str, now: datetime) -> None:
    """The highest forecast's sensor: its last two days hourly, then its forecast with the 80/95 % bands."""
    forecast = optional(lambda: client.forecast(f"sensor:{top['sensor_id']}", HORIZON))
    readings = optional(lambda: client.readings(top["sensor_id"], since=(now - timedelta(hours=HISTORY_HOURS)).isoformat()))
    if not forecast or not readings:
        return
    hourly: dict[str, list[float]] = {}
    for reading in readings:
        hourly.setdefault(reading["ts"][:13], []).append(reading["value"])
    hours = sorted(hourly)
    points = forecast["points"]
    lines = {f"{LEVEL_NAMES[level]}线": run["thresholds"][level] for level in LEVEL_NAMES if run["thresholds"].get(level) is not None}
    memo.status.append(memo.chart(Chart(
        id="", title=f"{top['sensor_id']} {name}：近{HISTORY_HOURS}小时与未来{HORIZON}小时预测", kind="series", unit=run["unit"],
        labels=[f"{h[5:10]} {h[11:13]}时" for h in hours], values=[round(sum(v) / len(v), 3) for v in hourly.values()],
        forecast=[p["mean"] for p in points], lo80=[p["lo80"] for p in points], hi80=[p["hi80"] for p in points],
        lo95=[p["lo95"] for p in points], hi95=[p["hi95"] for p in points],
        forecast_labels=[f"{p['ts'][5:10]} {p['ts'][11:13]}时" for p in points], lines=lines, source=run["run_id"])))  # fmt: skip


def _responsible(client: ServicesClient, theme: Json, district: str | None) -> dict[str, str]:
    """The departments the responsibility rules name for the theme's categories in the scope: id → name."""
    found: dict[str, str] = {}
    for category in theme["categories"]:
        for code in [district] if district else [f"9901{n:02d}" for n in range(1, DISTRICTS + 1)]:
            duty = optional(lambda c=category, d=code: client.responsibility(c, district=d))
            if duty:
                found[duty["department"]["id"]] = duty["department"]["name"]
    return found


def _departments(client: ServicesClient, memo: _Memo, responsible: set[str], district: str | None, where: str,
                 period: str, named: str) -> None:  # fmt: skip
    """The departments responsible for the theme's categories, by 按期处置率 this period."""
    rollup = client.department_rollups([period], district, "按期处置率")
    items = [i for i in rollup["periods"][0]["items"] if not responsible or i["department_id"] in responsible] if rollup["periods"] else []
    if not items:
        return
    ref = memo.ref(tool_citation(rollup["run_id"], f"部门考核 · {where} · {named}",
                                 {i["name"]: i["按期处置率"] for i in items}))  # fmt: skip
    rated = [i for i in items if i["按期处置率"]["value"] is not None]
    memo.status.append("相关部门按期处置率：" + "；".join(
        f"{i['name']} {pct(i['按期处置率']['numerator'], i['按期处置率']['denominator'])}（{i['按期处置率']['numerator']}/"
        f"{i['按期处置率']['denominator']}）" for i in rated) + f"{ref}。")  # fmt: skip
    memo.status.append(memo.chart(Chart(
        id="", title=f"{where}相关部门按期处置率（{named}）", kind="bars", unit="%", labels=[i["name"] for i in rated],
        values=[round(i["按期处置率"]["value"] * 100, 1) for i in rated], lines={"80%": ON_TIME_FLOOR * 100},
        source=rollup["run_id"])))  # fmt: skip
    for item in rated:
        due = item["按期处置数"] + item["超期处置数"]
        if due >= MIN_DUE and item["按期处置数"] / due < ON_TIME_FLOOR:
            memo.judgments.append(f"{item['name']}已到期的 {due} 件中按期处置 {item['按期处置数']} 件（{pct(item['按期处置数'], due)}），"
                                  f"低于 {ON_TIME_FLOOR:.0%}{ref}。")  # fmt: skip
            memo.advice.append((f"将{item['name']}的按期处置情况纳入本期综合评价通报并督办", [ref]))


def _hot_topics(client: ServicesClient, memo: _Memo, district: Json | None) -> None:
    run = optional(lambda: client.hot_topics(None, district["name"] if district else None, 5))
    if not run or not run["topics"]:
        return
    ref = memo.ref(tool_citation(run["run_id"], "留言热点 · 市民留言板（2019 年数据）",
                                 {t["topic_id"]: t["volume"] for t in run["topics"]}))  # fmt: skip
    listed = "；".join(f"「{t['title']}」（{t['place']}，{t['volume']} 条留言、{t['likes']} 个赞，{t['first'][:10]} 至 {t['last'][:10]}）"
                      for t in run["topics"][:3])  # fmt: skip
    memo.status.append(f"市民留言中的热点议题（留言板 2019 年数据，共 {run['messages']} 条）：{listed}{ref}。")
    memo.judgments.append(f"留言最集中的议题是「{run['topics'][0]['title']}」，{run['topics'][0]['volume']} 条留言{ref}。")
    memo.advice.append(("对留言集中的议题建立专班回应机制，按时答复并公开办理结果", [ref]))


def _policies(client: ServicesClient, memo: _Memo, theme: Json, district: Json | None, now: datetime) -> list[str]:
    """The theme's own policies first (those the theme names), then whatever retrieval ranks next."""
    filters: dict[str, Any] = {"valid_on": now.astimezone(CHINA).date().isoformat()}
    if district:
        filters["district"] = district["name"]
    hits = optional(lambda: client.search_documents(f"{theme['name']} {theme['description']}", 10, filters)) or []
    own = [h for h in hits if h["doc_id"] in theme["policies"]]
    chosen = (own + [h for h in hits if h not in own])[:POLICIES]
    return [memo.ref(document_citation(hit)) for hit in chosen]


def _documents(memo: _Memo) -> list[Citation]:
    seen: dict[str, Citation] = {}
    for citation in memo.sources.cited:
        if citation.kind == "document":
            seen.setdefault(citation.title, citation)
    return list(seen.values())[:2]

