"""A province's (or the nation's) decision memo across its lower platforms: 背景/现状/研判/建议/依据 from the figures
each city sent up, every figure cited to that city's batch and as-of time, a rate computed from the counts the
city sent, a stale city said to be stale. Composed by rules, like the city's memos."""

from __future__ import annotations

import uuid
from datetime import datetime

from core import clock
from core.citations import Citation
from core.times import CHINA
from memos.charts import Chart
from memos.models import Memo, MemoRequest
from memos.sources import Sources, references
from services.federation.received import counts_behind
from tools.client import Json, ServicesClient

ON_TIME_FLOOR = 0.8  # as for a department in a city's memo: below it the city is named
OVERDUE_SHARE = 0.2


def _batch(held: Json, what: str) -> Citation:
    as_of = datetime.fromisoformat(held["as_of"]).astimezone(CHINA)
    return Citation(id=f"batch:{held['source']}:{held['seq']}", kind="tool",
                    title=f"{held['source_name']}上报{what} 批次 #{held['seq']}（数据时间 {as_of:%Y-%m-%d %H:%M}）",
                    snippet=str(held["payload"])[:300])  # fmt: skip


def compose_across(client: ServicesClient, body: MemoRequest, platform: str, lower: str = "市",
                   now: datetime | None = None) -> Memo:  # fmt: skip
    now = now or clock.now()
    local = now.astimezone(CHINA)
    month = f"{local:%Y-%m}"
    sources = Sources()
    heard = client.federation_sources()
    stats = {h["source"]: h for h in client.federation_facts("case_stats", month)}
    evaluation = {h["source"]: h for h in client.federation_facts("evaluation", month)}
    major = {h["source"]: h for h in client.federation_facts("major_alarms", "open")}
    title = f"{platform}{body.topic}（{month}）"
    lines = [f"# {title}", "", "## 背景", "",
             f"{platform}汇总各{lower}向上同步的运行数据：{len(heard)} 个下级平台上报（" + "、".join(s["name"] for s in heard) + "）。"
             f"本文所有数字均为各{lower}自己的数字，按其上报批次引用；比率由各{lower}上报的计数计算，不取平均。", "",
             "## 现状", "", f"| {lower} | 本月案件 | 未办结 | 超期 | 按期处置率 | 重大告警 |", "|---|---|---|---|---|---|"]  # fmt: skip
    rows: list[tuple[str, float | None, int, int, int]] = []
    for s in heard:
        st, ev, mj = stats.get(s["code"]), evaluation.get(s["code"]), major.get(s["code"])
        rate, rate_text = None, "—"
        if ev:
            num, den = counts_behind(ev["payload"], "按期处置率")
            if den:
                rate = num / den
                rate_text = f"{rate:.1%}（{num}/{den}）{sources.ref(_batch(ev, '部门考核'))}"
        cases = st["payload"] if st else None
        ref = sources.ref(_batch(st, "案件统计")) if st else ""
        alarms = len(mj["payload"]["items"]) if mj else 0
        lines.append(f"| {s['name']} | {cases['total'] if cases else '—'}{ref} | {cases['open'] if cases else '—'} | "
                     f"{cases['overdue'] if cases else '—'} | {rate_text} | {alarms}{sources.ref(_batch(mj, '重大告警')) if mj else ''} |")  # fmt: skip
        rows.append((s["name"], rate, cases["total"] if cases else 0, cases["overdue"] if cases else 0, alarms))
    lines += ["", "![各市本月案件量](chart-1)", "", "## 研判", ""]
    judged = False
    for name, rate, total, overdue, alarms in rows:
        if rate is not None and rate < ON_TIME_FLOOR:
            lines.append(f"- {name}按期处置率 {rate:.1%}，低于 {ON_TIME_FLOOR:.0%}，时效问题突出。")
            judged = True
        if total and overdue / total >= OVERDUE_SHARE:
            lines.append(f"- {name}本月案件超期 {overdue} 件，占 {overdue / total:.0%}。")
            judged = True
        if alarms:
            lines.append(f"- {name}有 {alarms} 条报警级告警未关闭。")
            judged = True
    stale = [s["name"] for s in heard if s["stale"]]
    if stale:
        lines.append(f"- {'、'.join(stale)}已超过三个同步周期未上报，其数字可能过时。")
        judged = True
    if not judged:
        lines.append(f"- 各{lower}主要指标未见异常。")
    lines += ["", "## 建议", ""]
    low = [name for name, rate, *_ in rows if rate is not None and rate < ON_TIME_FLOOR]
    if low:
        lines.append(f"- 对{'、'.join(low)}下发督办（按期处置率），限期说明原因并报送整改措施。")
    if any(alarms for *_, alarms in rows):
        lines.append("- 报警级告警所在城市立即核实处置，并向省平台续报。")
    if stale:
        lines.append(f"- 督促{'、'.join(stale)}恢复数据同步。")
    if not (low or stale or any(a for *_, a in rows)):
        lines.append(f"- 保持各{lower}日常监测与按月通报。")
    lines += ["", "## 依据", "", *references(sources)]
    chart = Chart(id="chart-1", title=f"各{lower}本月案件量", kind="bars", unit="件", labels=[r[0] for r in rows],
                  values=[float(r[2]) for r in rows], source="各市上报案件统计")  # fmt: skip
    return Memo(id=f"M{local:%Y%m%d}-{uuid.uuid4().hex[:8].upper()}", title=title, markdown="\n".join(lines) + "\n",
                citations=sources.cited, created_at=local.isoformat(), request=body, charts=[chart])  # fmt: skip
