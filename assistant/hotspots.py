"""Where cases concentrate, asked in chat ("最近哪些网格井盖问题最集中？", "上周垃圾相关的案子集中在哪些街道"): the
figure query grouped by grid or street, answered by the hotspots analytic, and the answer that names each area
with its count against an even spread, its week on week and who is responsible there.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import rjieba

from assistant.lexicon import CityLexicon
from assistant.periods import Period, find_period
from assistant.slots import Slots, _number, says
from core.text import normalize
from core.times import CHINA
from tools.query_spec import FigureQuery

CONCENTRATED = re.compile(r"集中|扎堆|热点|高发|多发|频发|突出|冒出|hotspot|主要在|都在哪|分布在", re.IGNORECASE)
MOST = re.compile(r"最多|最严重|排名|排一下|排个|排行|top|前\s*[0-9一二两三四五六七八九十]", re.IGNORECASE)
STREETS = re.compile(r"(?:哪些?|哪几|哪个|各|按|每个|分)个?街道|街道(?:排|分布)|by street|按 ?street|street ?排", re.IGNORECASE)
GRIDS = re.compile(r"网格|grid", re.IGNORECASE)
RISING = re.compile(r"涨得最快|增长最快|增加最多|增加最快|上升最快|涨幅最大|增幅最大|冒得最快")
WHERE = re.compile(r"哪[里儿块片]|(?<!卡)在哪(?!个?环节)|哪最|哪些地方|哪个地方|哪些位置|什么地方|哪个片区|哪些片区")
DISTRICTS = re.compile(r"哪(?:几|些)?个?区|各区|每个区")  # districts ranked: the figure query's grouping, not a map
CASES = re.compile(r"案件|案子|工单|单子|诉求|投诉|问题|事件|报修|反映")
# "前三", "top5", "5个网格" — not "前一周", "前两天" (a period, not a cut).
TOP = re.compile(r"(?:前|top\s*)([0-9一二两三四五六七八九十]{1,2})(?!\s*(?:个?星期|周|天|日|个?月|年|期))"
                 r"|([0-9一二两三四五六七八九十]{1,2})\s*(?:个|名)?(?:网格|街道)", re.IGNORECASE)
RECENT_DAYS = 30  # "最近" with no period named: the last 30 days, the window the analytic ranks by default
# Words shared by several category names that are no problem of their own ("施工扬尘" is not every 施工
# category): a generic word groups categories only if it names a problem (井盖, 垃圾, 停放). A name's words are
# jieba's and its last two characters (上水井盖 is cut 上/水井/盖).
NOT_GROUPS = {"道路", "施工", "公共", "非法", "违规", "设施", "电力", "交通", "其他", "经营", "广告", "车辆", "管道", "线路"}


def asks_hotspots(question: str, slots: Slots) -> bool:
    """A question about where cases of a kind gather: concentrated in which grids or streets, or where most."""
    text = normalize(question)
    level = STREETS.search(text) or GRIDS.search(text)
    if DISTRICTS.search(text) and not level:
        return False
    where = level or WHERE.search(text)
    about_cases = bool(CASES.search(text) or slots.categories)
    asked = CONCENTRATED.search(text) or RISING.search(text) or (MOST.search(text) and (level or WHERE.search(text)))
    return bool(where and about_cases and asked)


def understand_hotspots(question: str, slots: Slots, lexicon: CityLexicon, now: datetime,
                        memory: dict[str, Any], follow_up: bool) -> tuple[FigureQuery, Period] | None:  # fmt: skip
    """The hotspot query a question asks, or None; "那A2区呢" after one asks it again there."""
    remembered = memory.get("figures") or {}
    again = follow_up and remembered.get("group_by") in ("grid", "street")
    if not (again or asks_hotspots(question, slots)):
        return None
    if len(slots.districts) > 1:
        return None  # two districts side by side are the figure query's comparison, not a map of one scope
    text = normalize(question)
    base: dict[str, Any] = dict(remembered) if again else {"measure": "cases"}
    base["measure"] = "cases"
    if STREETS.search(text):
        base["group_by"] = "street"
    elif GRIDS.search(text) or "group_by" not in base:
        base["group_by"] = "grid"
    if categories := case_categories(text, slots, lexicon):
        base["categories"], base["category"] = categories, None
    if slots.districts:
        base["district"] = slots.districts[0].id
    elif "全市" in text:
        base.pop("district", None)
    if top := TOP.search(text):
        base["top"] = _number(top.group(1) or top.group(2))
    if RISING.search(text):
        base["rank_by"] = "rise"
    elif not again:
        base.pop("rank_by", None)
    period = find_period(question, now)
    if period is None and again and memory.get("figures_period"):
        api, label = memory["figures_period"]
        period = Period(api, label, now.date(), now.date())
    if period is None:
        today = now.astimezone(CHINA).date()
        period = Period(f"last{RECENT_DAYS}d", f"近{RECENT_DAYS}天", today - timedelta(days=RECENT_DAYS), today)
    base["period"] = period.api
    return FigureQuery.model_validate({k: v for k, v in base.items() if k in FigureQuery.model_fields}), period


def case_categories(question: str, slots: Slots, lexicon: CityLexicon) -> list[str]:
    """The categories a question counts together: those it names, and every one a generic word covers (井盖:
    the seven kinds of cover; 垃圾: every refuse event) unless a fuller name was said."""
    named = [c.id for c in slots.categories]
    categories = [n for n in lexicon.nodes.values() if n.label in ("EventCategory", "ComponentCategory")]
    for label in ("EventCategory", "ComponentCategory"):  # cases are mostly events: their groups first
        of_label = [c for c in categories if c.label == label]
        grams = {w for c in of_label for w in [*rjieba.cut(c.name), c.name[-2:]] if len(w) >= 2} - NOT_GROUPS
        for gram in sorted(grams):
            holders = [c for c in of_label if gram in c.name]
            if len(holders) < 2 or not says(gram, question) or any(says(c.name, question) for c in holders):
                continue
            named = [i for i in named if gram not in lexicon.nodes[i].name] + [c.id for c in holders]
        if any(lexicon.nodes[i].label == label for i in named) and label == "EventCategory":
            break
    if not named:
        # "燃气方面的案子": a word that no one kind holds twice but the events and the parts share (燃气管道泄漏,
        # 燃气井盖) is every one of them, not every case.
        grams = {w for c in categories for w in [*rjieba.cut(c.name), c.name[:2]] if len(w) >= 2} - NOT_GROUPS
        for gram in sorted(grams):
            holders = [c for c in categories if gram in c.name]
            # said as a field ("燃气方面", "燃气相关的"), not inside a department's name (市燃气集团) or a word (按分类)
            if (len({c.label for c in holders}) == 2 and re.search(rf"{re.escape(gram)}(?:方面|相关|类|这块|一块|领域)", question)
                    and not any(says(c.name, question) for c in holders)):
                named += [c.id for c in holders]
    return sorted(set(named))


def compose_hotspots(data: dict[str, Any], query: FigureQuery, period: Period, name: Any) -> str:
    """Each area with its count against an even spread, its week on week and who is responsible there."""
    level = "网格" if query.group_by == "grid" else "街道"
    scope = name(query.district) if query.district else "全市"
    categories = query.categories or ([query.category] if query.category else [])
    what = "、".join(f"「{name(c)}」" for c in categories) + "类" if categories else "全部类别"
    rows, total = data["rows"], (data.get("total") or {}).get("value") or 0
    head = f"{period.label}，{scope}{what}案件按{level}看"
    note = "；".join(part.split(" / ")[0] for part in data["note"].split("；")) + "。" if data.get("note") else ""
    if not rows:
        return f"{head}：没有此类案件，谈不上集中。{note}\n统计口径：按案件受理时间，{_span(data)}。"
    which = "近7天比此前7天增加最多" if query.rank_by == "rise" else "最集中"
    lines = [f"{head}，{which}的{len(rows)}个{level}（共 {total:g} 件，分布在 {data['areas']} 个{level}）："]
    for i, row in enumerate(rows, 1):
        where = f"网格 {row['key']}（{_district(row, name)} {row['street']}）" if query.group_by == "grid" else \
            f"{_district(row, name)} {row['street']}（{row['grids']} 个网格）"
        beyond = "，显著高于随机" if row.get("significant") else ""
        duty = f"；责任部门 {row['department']}" if row.get("department") else ""
        office = f"，属地 {row['street_office']}" if row.get("street_office") else ""
        lines.append(f"{i}. {where}：{row['value']:g} 件，占 {row['share_pct']:g}%；均匀分布时约 {row['expected']:g} 件，"
                     f"为其 {row['ratio']:g} 倍{beyond}；近7天 {row['last_week']} 件、此前7天 {row['week_before']} 件"
                     f"（{_trend(row['last_week'], row['week_before'])}）{duty}{office}。")  # fmt: skip
    if note:
        lines.append(note)
    lines.append(f"{scope}同类案件近7天 {data['last_week']} 件、此前7天 {data['week_before']} 件"
                 f"（{_trend(data['last_week'], data['week_before'])}）；显著集中的{level} {data['significant']} 个。")  # fmt: skip
    lines.append(f"统计口径：按案件受理时间，{_span(data)}；均匀分布指本范围案件平均落在 {data['grids']} 个网格中"
                 f"（每格 {data['expected']:g} 件），显著性按泊松分布检验；分析批次 {data['run_id']}。")  # fmt: skip
    return "\n".join(lines)


def _district(row: dict[str, Any], name: Any) -> str:
    return str(name(row["district"])) if row.get("district") else ""


def _trend(last: int, before: int) -> str:
    return "上升" if last > before else "下降" if last < before else "持平"


def _span(data: dict[str, Any]) -> str:
    return f"{data['start'][:16].replace('T', ' ')} 起至 {data['end'][:16].replace('T', ' ')}"
