"""Decision memos (决策参考): 背景 / 现状 / 研判 / 建议 / 依据 on a topic, for a district and a period.

Every figure comes from a call to the live services (case statistics, the responsible department's
indicators, open alarms, vital signs, a case-count forecast) or the knowledge graph, and carries the
number of its citation; every judgment names the figures it rests on and every recommendation the rule
or policy clause behind it. Composed without a language model, so the same data gives the same memo.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from core import clock
from core.citations import Citation
from core.exceptions import InvalidInput
from core.times import CHINA
from memos.across_cities import compose_across
from memos.models import Memo, MemoRequest
from memos.sources import (
    Sources,
    days_covered,
    find_district,
    optional,
    pct,
    previous_month,
    references,
    tool_citation,
)
from memos.themes import compose_theme_memo, find_theme, theme_names
from tools.catalog import document_citation
from tools.client import Json, ServicesClient

OVERDUE_SHARE = 0.2  # a fifth of a category's cases past their deadline is a timeliness problem
ON_TIME_FLOOR = 0.8  # the responsible department's 按期处置率 below this is named
CHANGE = 0.2  # a change of a fifth against the previous period is named as a rise or a fall
POLICIES = 3
MIN_TOPIC_CONFIDENCE = 0.1  # below this, triage could not tell which category the topic is about
LOW_TOPIC_CONFIDENCE = 0.35  # below this the background says the filing is uncertain (as triage does)
MIN_DUE = 5  # cases come due before an on-time rate is judged


def _definition(category_id: str, props: Json) -> Citation:
    return Citation(id=category_id, kind="graph", title=f"{props['name']}（{props['kind']} {props['code']}）",
                    snippet=f"立案条件：{props.get('filing_condition')}；结案条件：{props.get('closing_condition')}；"
                            f"依据：{props.get('legal_basis')}")  # fmt: skip


def compose_memo(client: ServicesClient, body: MemoRequest, now: datetime | None = None, *, level: str = "city",
                 platform: str = "") -> Memo:  # fmt: skip
    """A memo on a theme (汛期排水防涝…) when the topic names one, else on the one category the topic is about;
    at a province or the nation, across its lower platforms from the figures they sent."""
    now = now or clock.now()
    if level != "city":
        return compose_across(client, body, platform, "省" if level == "nation" else "市", now)
    district = find_district(client, body.district)
    if theme := find_theme(client, body.topic):
        return compose_theme_memo(client, body, theme, district, now)
    return _category_memo(client, body, district, now)


def _category_memo(client: ServicesClient, body: MemoRequest, district: Json | None, now: datetime) -> Memo:
    """Gather the figures, judge them by the rules above, and write the memo."""
    sources = Sources()
    where = district["name"] if district else "全市"
    district_id = district["id"] if district else None
    triaged = client.triage({"text": body.topic})
    category, confidence = triaged["category"], triaged["confidence"]
    if confidence < MIN_TOPIC_CONFIDENCE:
        themes = "、".join(f"「{name}」" for name in theme_names(client))
        raise InvalidInput(f"无法把议题「{body.topic}」归入一个主题或标准事部件类别 (最接近的类别「{category['name']}」, 置信度 "
                           f"{confidence:.2f}); 可写主题 {themes or '（未载入主题）'}, 或写明问题, 如「道路积水内涝」「垃圾满溢」「占道经营」")  # fmt: skip
    category_id, name = category["id"], category["name"]
    # The responsibility answer carries the category's node; a city-wide memo reads it on its own.
    responsibility = client.responsibility(category_id, district=district_id) if district_id else None
    definition = responsibility["category"] if responsibility else client.node(category_id, limit=1)["node"]
    ref_definition = sources.ref(_definition(category_id, definition["properties"]))

    department: Json | None = None
    ref_rule = whole = ""
    if responsibility:
        department, rule = responsibility["department"], responsibility["rule"]
        # A city-level department's indicators cover every district it serves: say so wherever they appear.
        whole = "" if district_id in department["id"] else "（全部辖区）"
        ref_rule = sources.ref(Citation(id=rule["rule_id"], kind="graph", title=f"责任规则 {rule['rule_id']}",
                                        snippet=f"{name} 在 {where} 由 {department['name']} 处置，时限 {rule.get('sla_hours')} 小时"))  # fmt: skip

    overall = client.case_stats(body.period, district_id)
    period = overall["period"]
    focused = client.case_stats(period, district_id, category_id)
    ref_overall = sources.ref(tool_citation("case_stats", f"案件统计 · {where} {period}", overall))
    ref_focused = sources.ref(tool_citation(f"case_stats:{category_id}", f"案件统计 · {where} {period} · {name}", focused))
    previous_period = previous_month(period)
    previous = client.case_stats(previous_period, district_id, category_id) if previous_period else None
    ref_previous = sources.ref(tool_citation(f"case_stats:{category_id}:{previous_period}",
                                     f"案件统计 · {where} {previous_period} · {name}", previous)) if previous else ""  # fmt: skip

    on_time: Json | None = None
    closing: Json | None = None
    late = 0
    ref_indicators = ""
    if department:
        rows = client.evaluation(period, department["id"])["items"]
        if rows:
            on_time, closing, late = rows[0]["按期处置率"], rows[0]["结案率"], rows[0]["超期处置数"]
            ref_indicators = sources.ref(tool_citation(f"evaluation:{department['id']}", f"综合评价 · {department['name']} · {period}",
                                               {"按期处置率": on_time, "结案率": closing, "超期处置数": late}))  # fmt: skip
    alarms = client.alarms(state="open", district=district_id)
    ref_alarms = sources.ref(tool_citation("alarms", f"未关闭告警 · {where}", {"open": len(alarms)}))
    off_normal = [v for v in client.vitals(district_id) if v["status"] != "normal"]
    ref_vitals = sources.ref(tool_citation("vitals", f"城市体征 · {where}", {"not_normal": [v["code"] for v in off_normal]}))
    series = f"cases:{district_id or 'city'}:{category_id}"
    forecast = optional(lambda: client.forecast(series, 7))
    ref_forecast = (sources.ref(tool_citation(f"forecast:{series}", f"案件量预测 · {where} · {name} · 未来 7 天",
                                      {"model": forecast["model"], "backtest": forecast["backtest"]})) if forecast else "")  # fmt: skip
    scope = {"district": where} if district else {"level": "municipal"}
    filters = {**scope, "valid_on": now.astimezone(CHINA).date().isoformat()}
    hits = optional(lambda: client.search_documents(f"{name} 处置时限 {body.topic}", POLICIES, filters)) or []
    ref_policies = [sources.ref(document_citation(hit)) for hit in hits]

    title = f"关于{where}{name}问题的决策参考（{period}）"
    uncertain = f"（归类置信度 {confidence:.2f}，请核对）" if confidence < LOW_TOPIC_CONFIDENCE else ""
    background = [f"议题「{body.topic}」归入标准类别「{name}」（{category['kind']} {category['code']}）{uncertain}{ref_definition}。"
                  f"统计范围：{where}，{overall['start'][:10]} 起至 {overall['end'][:10]} 前（{period}）。"]  # fmt: skip
    if department:
        background.append(f"按责任规则，{name}在{where}由{department['name']}处置{ref_rule}。")

    refused = overall["total"] - overall["closed"] - overall["open"]
    status = [f"{where}同期受理案件 {overall['total']} 件，其中办结 {overall['closed']} 件、未办结 {overall['open']} 件"
              + (f"、不予立案或作废 {refused} 件" if refused else "")
              + f"；超期（含逾期办结）{overall['overdue']} 件{ref_overall}。"]  # fmt: skip
    if overall["by_category"]:
        top = "、".join(f"{c['category_name']} {c['count']} 件" for c in overall["by_category"][:3])
        status.append(f"案件量居前的类别：{top}{ref_overall}。")
    status.append(f"{name}案件 {focused['total']} 件（占 {pct(focused['total'], overall['total'])}），未办结 {focused['open']} 件，"
                  f"超期 {focused['overdue']} 件{ref_focused}。")  # fmt: skip
    if previous is not None:
        status.append(f"上期（{previous_period}）{name}案件 {previous['total']} 件{ref_previous}。")
    if department and on_time and closing:
        status.append(f"{department['name']}{whole}本期应处置 {on_time['denominator']} 件，按期处置 {on_time['numerator']} 件，按期处置率 "
                      f"{pct(on_time['numerator'], on_time['denominator'])}，结案率 "
                      f"{pct(closing['numerator'], closing['denominator'])}{ref_indicators}。")  # fmt: skip
    off = "、".join(f"{v['name']} {v['value']}{v['unit']}（{v['status']}）" for v in off_normal)
    status.append(f"当前未关闭监测告警 {len(alarms)} 条{ref_alarms}；"
                  + (f"城市体征偏离正常：{off}{ref_vitals}。" if off else f"城市体征各项正常{ref_vitals}。"))  # fmt: skip
    if forecast:
        expected = sum(p["mean"] for p in forecast["points"])
        backtest = forecast["backtest"]
        caveat = "；回测不及基线，仅供参考" if backtest["mase"] > backtest["baseline_mase"] else ""
        status.append(f"预测未来 7 天{name}案件约 {expected:.1f} 件（{forecast['model']}，回测 MASE {backtest['mase']:.2f}，"
                      f"季节朴素基线 {backtest['baseline_mase']:.2f}{caveat}）{ref_forecast}。")  # fmt: skip

    judgments: list[str] = []
    advice: list[tuple[str, list[str]]] = []
    fallback = ref_policies[:1] or [ref_definition]
    if previous is not None and previous["total"]:
        # Per day: the current month has run only part of its days, the previous one all of them.
        now_rate, before_rate = focused["total"] / days_covered(focused, now), previous["total"] / days_covered(previous, now)
        change = (now_rate - before_rate) / before_rate
        if abs(change) >= CHANGE:
            judgments.append(f"{name}案件日均 {now_rate:.2f} 件，较上期日均 {before_rate:.2f} 件{'上升' if change > 0 else '下降'} "
                             f"{abs(change):.0%}{ref_focused}{ref_previous}。")  # fmt: skip
            if change > 0:
                advice.append(("加强巡查和源头治理，针对案件集中的区域提前部署", fallback))
    elif previous is not None and focused["total"]:
        judgments.append(f"上期没有{name}案件，本期出现 {focused['total']} 件{ref_focused}{ref_previous}。")
    if focused["total"] and focused["overdue"] / focused["total"] >= OVERDUE_SHARE:
        judgments.append(f"处置时效有压力：{name}超期 {focused['overdue']} 件，占 {pct(focused['overdue'], focused['total'])}"
                         f"{ref_focused}。")  # fmt: skip
        advice.append(("对超期案件逐件督办，按规定时限处置并反馈", [ref_rule] if ref_rule else fallback))
    if department and on_time:
        # Judged on the cases that have come due (on time or late): 应处置数 also holds cases not yet due.
        due = on_time["numerator"] + late
        if due >= MIN_DUE and on_time["numerator"] / due < ON_TIME_FLOOR:
            judgments.append(f"{department['name']}{whole}已到期的 {due} 件中按期处置 {on_time['numerator']} 件（"
                             f"{pct(on_time['numerator'], due)}），低于 {ON_TIME_FLOOR:.0%}{ref_indicators}。")  # fmt: skip
            advice.append((f"将{department['name']}{whole}的按期处置情况纳入本期综合评价通报", [ref_indicators]))
    if focused["open"]:
        judgments.append(f"尚有 {focused['open']} 件{name}案件未办结{ref_focused}。")
    if alarms:
        judgments.append(f"监测端有 {len(alarms)} 条告警未关闭{ref_alarms}。")
        advice.append(("核查未关闭告警对应的设施，与案件处置联动", [ref_alarms]))
    if off_normal:
        judgments.append(f"城市体征有 {len(off_normal)} 项偏离正常（{'、'.join(v['name'] for v in off_normal)}）{ref_vitals}。")
    if not judgments:
        judgments.append(f"本期{name}案件量、时效和监测指标未见异常{ref_focused}{ref_alarms}。")
    if department:
        advice.append((f"由{department['name']}牵头，按责任规则和处置时限闭环办理", [ref_rule]))
    if ref_policies:
        advice.append(("对照下列规定做好立案、处置和结案核查", ref_policies))
    else:
        advice.append((f"按{name}的立案和结案条件做好核查", [ref_definition]))

    lines = [f"# {title}", "", "## 一、背景", "", *background, "", "## 二、现状", ""]
    lines += [f"- {line}" for line in status]
    lines += ["", "## 三、研判", ""] + [f"{n}. {text}" for n, text in enumerate(judgments, 1)]
    lines += ["", "## 四、建议", ""] + [f"{n}. {text}{''.join(refs)}。" for n, (text, refs) in enumerate(advice, 1)]
    lines += ["", "## 五、依据", ""]
    lines += references(sources)
    local = now.astimezone(CHINA)
    lines += ["", f"生成时间：{local:%Y-%m-%d %H:%M}（北京时间）。数字均来自实时数据，可按编号追溯。"]
    return Memo(id=f"M{local:%Y%m%d}-{uuid.uuid4().hex[:8].upper()}", title=title, markdown="\n".join(lines) + "\n",
                citations=sources.cited, created_at=local.isoformat(), request=body)  # fmt: skip
