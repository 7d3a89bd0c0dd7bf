"""Two analytics asked in chat (issue 16): sensors that behave unlike themselves ("最近6小时有哪些传感器不对劲？",
"A2区供水压力最近有没有异常波动的点") answered by the anomaly scan, and what citizens raise most in their messages
("2019年留言板里市民反映最集中的前5个问题是什么？") answered by the hot topics — each the figure query with its
measure, and the answer that says what was scanned or clustered, over which window, and from which run.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from assistant.lexicon import KIND_NAMES, SENSOR_KIND_WORDS
from assistant.periods import Period, find_period
from assistant.slots import Slots, _number
from core.text import normalize
from tools.query_spec import FigureQuery

UNLIKE_ITSELF = re.compile(r"不对劲|不正常|反常|异常波动|跟平时|和平时|与平时|同平时|规律|偏离|anomal|离群|异常检测|异常扫描|"
                           r"突变|对不上|数据异常|读数异常|异常的?(?:点|读数|数据)", re.IGNORECASE)  # fmt: skip
SENSOR_WORDS = re.compile(r"传感器|监测点|点位|设备|sensor|探头|读数|数据|监测", re.IGNORECASE)
ALARM_WORDS = re.compile(r"告警|报警|预警|超限|超标|阈值|警戒")
SOME_HOURS = re.compile(r"(?:过去|最近|近)?几个?(?:钟头|小时)")
HOURS = re.compile(r"(?:过去|最近|近|这)\s*([0-9一二两三四五六七八九十]{1,3})\s*(?:个)?(?:小时|钟头|h\b)", re.IGNORECASE)
SINCE_AFTERNOON = re.compile(r"今天下午以来|下午以来|今天下午")
SCAN_HOURS = 24  # no window named: the last day, a whole daily cycle

MESSAGES = re.compile(r"留言|留言板|网民|群众留言|市民留言|附议|点赞|热点议题|热点诉求|信访")
MOST_RAISED = re.compile(r"热点|集中|最关心|关心|最多的?(?:问题|话题|议题)|集中反映|反映最多|主要问题|话题|议题")
TOPIC_WORDS = {"噪音": ["噪音", "噪声"], "噪声": ["噪音", "噪声"], "学校": ["学校"], "教育": ["教育"], "收费": ["收费"],
               "物业": ["物业"], "停车": ["停车", "车位"], "车位": ["车位", "停车"], "拆迁": ["拆迁"], "油烟": ["油烟"],
               "扰民": ["扰民"], "房": ["房"]}  # fmt: skip
TOPICS_LISTED = 5


def understand_anomalies(question: str, slots: Slots, now: datetime, memory: dict[str, Any],
                         follow_up: bool) -> tuple[FigureQuery, Period] | None:  # fmt: skip
    """The anomaly scan a question asks: which sensors (of a kind or every kind) departed from their own
    pattern in the last hours; "只看燃气的" after one narrows it."""
    text = normalize(question)
    kinds = [kind for kind, words in SENSOR_KIND_WORDS.items() if any(w in text for w in words)]
    remembered = memory.get("figures") or {}
    again = remembered.get("measure") == "anomalies" and (follow_up or (len(text) <= 12 and bool(kinds or slots.districts)))
    unlike = UNLIKE_ITSELF.search(text)
    windowed = "异常" in text and (HOURS.search(text) or SOME_HOURS.search(text) or SINCE_AFTERNOON.search(text))
    if not again and (not (unlike or windowed) or ALARM_WORDS.search(text)
                      or not (SENSOR_WORDS.search(text) or slots.sensor_kind)):  # fmt: skip
        return None
    base: dict[str, Any] = {k: v for k, v in remembered.items() if k in FigureQuery.model_fields} if again else {}
    hours = _hours(text, now) if not again or HOURS.search(text) else base.get("hours", SCAN_HOURS)
    base |= {"measure": "anomalies", "hours": hours}
    if len(kinds) == 1:
        base |= {"sensor_kind": kinds[0], "sensor_kinds": []}
    elif kinds:
        base |= {"sensor_kind": None, "sensor_kinds": kinds}
    if slots.districts:
        base["district"] = slots.districts[0].id
    if top := re.search(r"(?:前|top\s*)([0-9一二两三四五六七八九十]{1,2})", text, re.IGNORECASE):
        base["top"] = _number(top.group(1))
    day = now.date()
    return FigureQuery.model_validate(base), Period(f"last{hours}h", f"近{hours}小时", day, day)


def _hours(text: str, now: datetime) -> int:
    if match := HOURS.search(text):
        return max(1, min(24 * 7, _number(match.group(1)) or SCAN_HOURS))
    if SINCE_AFTERNOON.search(text):
        from core.times import CHINA

        return max(1, now.astimezone(CHINA).hour - 12 + 1)
    if SOME_HOURS.search(text):
        return 6  # "过去几个钟头": a few hours, said as six
    return SCAN_HOURS


def understand_hot_topics(question: str, slots: Slots, now: datetime) -> tuple[FigureQuery, Period] | None:
    """The hot issues of the citizens' messages a question asks: of a period, a district, about a subject."""
    text = normalize(question)
    if not (MESSAGES.search(text) and (MOST_RAISED.search(text) or re.search(r"有哪些|有没有|是啥|是什么|多少", text))):
        return None
    base: dict[str, Any] = {"measure": "hot_topics"}
    if slots.districts:
        base["district"] = slots.districts[0].id
    top = re.search(r"(?:前|top\s*)([0-9一二两三四五六七八九十]{1,2})", text, re.IGNORECASE)
    base["top"] = (_number(top.group(1)) if top else None) or TOPICS_LISTED  # asked, so the answer may say it
    if re.search(r"(?:点赞|赞|支持|附议)(?:数)?最多|最多(?:人)?(?:点赞|支持|附议)", text):
        base["rank_by"] = "likes"
    elif re.search(r"留言最多|反映最多|最集中|条数最多", text):
        base["rank_by"] = "volume"
    words = sorted({w for key, group in TOPIC_WORDS.items() if key in text for w in group})
    if words:
        base["keywords"] = words
    period = _message_period(text, now)
    if period:
        base["period"] = period.api
    day = now.date()
    return FigureQuery.model_validate(base), period or Period("all", "全部留言", day, day)


def _message_period(text: str, now: datetime) -> Period | None:
    """The messages are 2019's: a year, a half or a month of 2019 named; "今天", "本月" name no period of them."""
    day = now.date()
    if match := re.search(r"(20\d\d)\s*年?\s*(上半年|下半年)", text):
        year, half = match.group(1), match.group(2)
        span = f"{year}-01-01..{year}-06-30" if half == "上半年" else f"{year}-07-01..{year}-12-31"
        return Period(span, f"{year}年{half}", day, day)
    if match := re.search(r"(20\d\d)\s*年\s*([0-9]{1,2})\s*月", text):
        return Period(f"{match.group(1)}-{int(match.group(2)):02d}", match.group(0), day, day)
    if match := re.search(r"(20\d\d)\s*年", text):
        return Period(match.group(1), f"{match.group(1)}年", day, day)
    period = find_period(text, now)
    return period if period and period.api.startswith("2019") else None


def compose_anomalies(data: dict[str, Any], query: FigureQuery, name: Any) -> str:
    kinds = [query.sensor_kind] if query.sensor_kind else query.sensor_kinds
    what = "、".join(KIND_NAMES.get(k, k) for k in kinds) if kinds else "全部类型"
    scope = name(query.district) if query.district else "全市"
    anomalous, scanned = (data.get("total") or {}).get("value") or 0, data.get("sensors") or 0
    window = f"近{query.hours}小时（{data['start'][5:16].replace('T', ' ')} 至 {data['end'][5:16].replace('T', ' ')}）" \
        if data.get("start") else f"近{query.hours}小时"
    head = f"{window}，{scope}{what}传感器共扫描 {scanned:g} 个，偏离自身日常规律的 {anomalous:g} 个"
    if not data["rows"]:
        return f"{head}，没有发现异常。\n判定方法：每个传感器的逐时均值对照其自身的日周期和趋势（中位数），稳健 z 值显著偏离才算异常。"
    lines = [f"{head}，按偏离程度排列："]
    for i, row in enumerate(data["rows"], 1):
        direction = "偏高" if (row["value"] or 0) > 0 else "偏低"
        duty = f"；责任单位 {row['department']}" if row.get("department") else ""
        lines.append(f"{i}. {row['key']}（{row['name']}，{name(row['district'])}）：{row['start'][5:16].replace('T', ' ')} 起"
                     f"{direction}，峰值 {row['latest']:g} {row['unit']}，常态约 {row['expected']:g} {row['unit']}，"
                     f"z = {row['value']:g}{duty}。")  # fmt: skip
    lines.append("判定方法：每个传感器的逐时均值对照其自身的日周期和趋势（中位数），稳健 z 值显著偏离才算异常；"
                 f"这与阈值告警不同，偏离规律不一定越线。分析批次 {data['run_id']}。")  # fmt: skip
    return "\n".join(lines)


def compose_hot_topics(data: dict[str, Any], query: FigureQuery, period: Period, name: Any) -> str:
    scope = name(query.district) if query.district else "全市"
    about = f"涉及「{'、'.join(query.keywords)}」的" if query.keywords else ""
    messages = (data.get("total") or {}).get("value") or 0
    head = (f"市民留言板数据（历史留言，时间为 {data['rows'][0]['start'][:4] if data['rows'] else '2019'} 年前后，不反映今天的情况）中，{period.label}{scope}{about}"
            f"留言 {messages:g} 条")  # fmt: skip
    if not data["rows"]:
        return f"{head}，没有形成两条以上留言的热点议题。"
    ranked = {"likes": "点赞最多", "volume": "留言最多"}.get(query.rank_by or "", "热度最高")
    lines = [f"{head}，{ranked}的 {len(data['rows'])} 个议题："]
    for i, row in enumerate(data["rows"], 1):
        lines.append(f"{i}. 「{row['name']}」（{row['district']}）：{row['volume']} 条留言、{row['likes']} 个赞，"
                     f"{row['start'][:10]} 至 {row['end'][:10]}，热度 {row['value']:g}。")  # fmt: skip
    lines.append(f"热度综合留言数、留言人数、点赞数和持续天数（取对数加权）；同一地点同一问题的留言归为一个议题。"
                 f"分析批次 {data['run_id']}。")  # fmt: skip
    return "\n".join(lines)
