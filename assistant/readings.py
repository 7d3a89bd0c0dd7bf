"""Questions about sensor readings ("A2区积水水位现在读数多少", "过去24小时供水压力最低到多少", "井盖位移超过20mm
的有没有", "泵站现在都正常运行吗", "桥梁挠度的报警阈值是多少"), understood as the query spec's ``readings``
measure: a sensor kind × district × the newest values or a window's max/min/mean × a value filter × a ranking,
and answered with the thresholds and the levels the values reach.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from assistant.assets import EACH_WATCHED, WHICH_WATCHED
from assistant.periods import Period, find_period, label_of, month_day
from assistant.slots import Slots, _number
from core.times import CHINA, day_and_clock
from tools.query_spec import FigureQuery

# What a reading question says beside a sensor kind (a bare "积水" without these is the alarm list's).
READING_CUE = re.compile(r"(?i:(?<![a-z])(?:peak|max)(?![a-z]))|读数|数值|最高|最低|最大|最小|峰值|平均|超过\s*[0-9.]|过了\s*[0-9.]+(?![0-9.])(?!\s*(?:个|小时|钟|分|天|日|点|号|周|月))|高于\s*[0-9.]|低于|大于|小于|不足"
                         r"|哪个点|哪个传感器|正常吗|正常运行|都在运行|故障|不亮|停机|停泵|阈值|门限|监测|传感器|状态|超标|超限|越限|走势|趋势")  # fmt: skip
# "这一周啥走势": every day's readings of the window, and whether they rise or fall.
TREND = re.compile(r"走势|趋势|怎么变|变化情况|涨还是跌|升还是降")
# Weaker words that ask a reading only of a measured quantity (水位多少), not of a thing (几个路灯 is a count).
ASKING = re.compile(r"多少|几个|有没有|有哪些|哪些")
# A question about alarms, cases, forecasts or a rule is for those tools, unless it asks for a threshold.
OTHER_TOOLS = re.compile(r"告警|报警|预警|警戒|案件|案子|工单|预测|预计|未来|明天|会不会|谁负责|归谁|哪个部门|处置|时限|规定|依据"
                         r"|合格率|故障率|体征")  # fmt: skip
# A threshold named as a line ("超过40cm的报警线") asks about readings, not about alarms.
LINES = re.compile(r"报警线|告警线|警戒线|预警线|关注线|报警值|告警值|警戒值|预警值"
                   r"|(?:快到|接近|逼近|临近|靠近)(?:报警|预警|告警|警戒|关注)")  # "有没有快到预警的": near a line
# "超没超预警" after a reading: whether that reading passed a line, not the alarm list.
PASSED_LINE = re.compile(r"(?:超没超|超了没|超过没|过没过|到没到|达没达到|有没有(?:超过?|达到|过))(?:报警|预警|告警|关注)")
THRESHOLD = re.compile(r"阈值|门限|多少算|算报警|算预警|多少\S{0,2}?(?:就)?会(?:报警|预警|告警)|到多少.{0,3}(?:报警|预警|告警)")
MAXIMUM = re.compile(r"最高|最大|峰值|最多|最严重|(?<![a-z])(?:peak|max)(?![a-z])", re.IGNORECASE)
MINIMUM = re.compile(r"最低|最小|最少")
MEAN = re.compile(r"平均|均值")
_VALUE = r"\s*(-?[0-9]+(?:\.[0-9]+)?)"
ABOVE = re.compile(rf"(?:超过|高于|大于|超出|>|达到|过了){_VALUE}(?![0-9.])(?!\s*(?:个|小时|钟|分|天|日|点|号|周|月))")
BELOW = re.compile(rf"(?:低于|小于|不足|<|不到){_VALUE}|(?:掉到|降到|跌到|跌破|掉下){_VALUE}\s*(?:MPa|mpa|cm|mm|%)?\s*(?:以下|之下|下面)")
# The threshold line a question measures against: 超标 is past the first line (关注), 警戒 the warning line.
LEVEL_ASKED = (("alarm", re.compile(r"[报告]警线|[报告]警值|[报告]警阈值|报警级|报警水位|报警的?标准|(?:到|达到|过|超过?)了?报警")),
               ("warning", re.compile(r"预警线|预警值|预警阈值|预警级|警戒线|警戒值|警戒水位|(?:到|达到|过|超过?)了?(?:预警|警戒)")),
               ("watch", re.compile(r"关注线|关注值|关注阈值|超标|超限|越限|超阈值|超过阈值|超出阈值")))  # fmt: skip
DAY_WINDOW = re.compile(r"(?:过去|最近|近)\s*(?:一|1)\s*天(?![0-9])|过去一整天")
HOURS = re.compile(r"(?:过去|最近|近)\s*([0-9一二两三四五六七八九十]{1,3})\s*(?:个)?小时")
STATUS_KINDS = {"light_status", "pump_status"}
CODE_NAMES = {"light_status": {"0": "关闭", "1": "开启", "2": "故障"},
              "pump_status": {"0": "停机", "1": "运行", "2": "故障"}}  # fmt: skip
COUNTERS = {"light_status": "盏", "pump_status": "座"}
LEVEL_NAMES = {"watch": "关注", "warning": "预警", "alarm": "报警"}
# "离报警线还差多少", "跟告警阈值比差多远", "超了阈值多少": the distance from the line, not only the value.
MARGIN_ASKED = re.compile(r"差多少|差多远|还差|差几|距离.{0,6}(?:线|阈值|值)|离.{0,8}(?:线|阈值|值)|离(?:报警|预警|告警|警戒|关注).{0,4}(?:多远|多少|差)|超(?:了|出|过)?.{0,6}(?:阈值|线).{0,2}多少")


def understand_readings(question: str, slots: Slots, now: datetime, remembered: dict[str, Any] | None,
                        follow_up: bool) -> tuple[FigureQuery, Period] | None:  # fmt: skip
    """The readings query a question asks, or None; a follow-up ("它们今天的峰值") changes what it names."""
    # "过去24小时读数最高的是哪个" after the sensors were counted, "离报警值还差多少？" after a peak, nothing else
    # named: the same sensors asked again.
    last = remembered or {}
    # "到警戒线没有" names the kind just asked (警戒线 is a water level's): still those sensors.
    same_kind = not slots.sensor_kind or (slots.sensor_kind == last.get("sensor_kind") and len(question) <= 24)
    follow_up = follow_up or bool(last.get("measure") == "readings" and same_kind and (
        READING_CUE.search(question) or (MARGIN_ASKED.search(question) and last.get("statistic"))))
    base = dict(last) if follow_up and last.get("measure") == "readings" else {}
    if slots.sensor_kind and slots.sensor_kind != base.get("sensor_kind"):
        base.pop("asset_categories", None)  # "全市的水压呢" after the pumps' running state: every sensor of the new kind
    kind = slots.sensor_kind or base.get("sensor_kind")
    asked = READING_CUE.search(question) or (kind not in STATUS_KINDS and ASKING.search(question))
    if not kind or not (base or asked):
        return None
    # "峰值多少？离报警还有多远": the distance from a line asked of a reading, not the alarm list.
    unlined = MARGIN_ASKED.sub("", question) if asked else question
    if OTHER_TOOLS.search(LINES.sub("", PASSED_LINE.sub("", unlined) if base else unlined)) and not THRESHOLD.search(question):
        return None
    if slots.places or slots.asset_ids or slots.sensor_ids:
        return None  # a named facility's sensors: its status answers that
    if re.search(r"列几个|列一下|举几个|列出|具体位置", question):
        return None  # the assets themselves, listed
    if WHICH_WATCHED.search(question) or EACH_WATCHED.search(question):
        return None  # "其中哪几座装了运行状态监测": which assets carry such a sensor, not their readings
    base |= {"measure": "readings", "sensor_kind": kind}
    if slots.districts:
        base["district"] = slots.districts[0].id
    elif "全市" in question:
        base.pop("district", None)
    # What a follow-up asks of the same sensors is asked anew; "离报警值还差多少" asks it of the value just given.
    for key in ("reached",) if base and MARGIN_ASKED.search(question) else ("statistic", "order", "top", "reached"):
        base.pop(key, None)
    base.pop("trend", None)
    period = _window(question, now, base)
    if TREND.search(question) and kind not in STATUS_KINDS:
        if period.api == "latest":
            period = _window("最近7天", now, base)  # a trend needs days: the last week when none is named
        base["trend"] = True
    if MINIMUM.search(question) and MAXIMUM.search(question):
        pass  # "最低和最高": the ranking by the highest, with the lowest beside it
    elif MINIMUM.search(question):
        base["statistic"], base["order"] = ("min" if period.api != "latest" else "latest"), "asc"
    elif MEAN.search(question) and period.api != "latest":
        base["statistic"] = "mean"
    elif MAXIMUM.search(question):
        base["statistic"], base["order"] = ("max" if period.api != "latest" else "latest"), "desc"
    if m := ABOVE.search(question):
        base["above"] = float(m.group(1))
        base.pop("below", None)
    if m := BELOW.search(question):
        base["below"] = float(m.group(1) or m.group(2))
        base.pop("above", None)
    if "above" not in base and "below" not in base and (level := asked_level(question)):
        base["reached"] = level
    if kind in STATUS_KINDS and re.search(r"故障|不亮|坏", question):
        base["above"] = 1.5  # code 2 = 故障
    return FigureQuery.model_validate(base), period


def latest_period(today: date) -> Period:
    """The newest value of each sensor, whenever it came."""
    return Period("latest", "最新读数", date.min, today)


def asked_level(question: str) -> str | None:
    """The threshold level a question names as a line ("过没过报警线", "有超标的吗"), or None."""
    return next((level for level, pattern in LEVEL_ASKED if pattern.search(question)), None)


def _window(question: str, now: datetime, base: dict[str, Any]) -> Period:
    today = now.astimezone(CHINA).date()  # the day in the city, not in UTC (they differ until 08:00)
    if (m := HOURS.search(question)) or DAY_WINDOW.search(question):
        hours = (_number(m.group(1)) if m else 24) or 24
        base["hours"] = hours
        base.pop("period", None)
        return Period(f"last{hours}h", f"过去 {hours} 小时", (now - timedelta(hours=hours)).date(), today)
    if period := find_period(question, now):
        if period.api.startswith("last") and period.api.endswith("d"):
            days = int(period.api[4:-1])
            # "最近三天" counts today: from the day before yesterday's start, as officials count days.
            first = today - timedelta(days=days - 1)
            period = Period(f"{first:%Y-%m-%d}..{today:%Y-%m-%d}", f"最近{days}天（{first.month}月{first.day}日至今）",
                            first, today)  # fmt: skip
        base["period"] = period.api
        base.pop("hours", None)
        return period
    if base.get("hours"):
        return Period(f"last{base['hours']}h", f"过去 {base['hours']} 小时", today, today)
    if base.get("period"):
        return Period(base["period"], label_of(base["period"], now), today, today)
    return latest_period(today)


TIMES_ASKED = re.compile(r"几次|多少次|次数|几回")


def compose_readings(data: dict[str, Any], query: FigureQuery, period: Period, name: Any, kind_name: str,
                     question: str = "") -> str:  # fmt: skip
    """The answer: scope and window first, the values ranked, then the thresholds and the levels reached."""
    scope = name(query.district) if query.district else "全市"
    unit = data["unit"]
    if not data["sensors"]:
        return f"{scope}没有{kind_name}传感器。"
    latest = period.api == "latest"
    head = f"{scope}{kind_name}传感器共 {data['sensors']} 个（有读数 {data['reporting']} 个）"
    if not latest:
        head = (f"{scope}{kind_name}传感器共 {data['sensors']} 个，{period.label}有读数的传感器 {data['reporting']} 个，"
                f"共 {data['readings']} 条读数")  # fmt: skip
    rows = data["rows"]
    if latest and (newest := max((r["ts"] for r in rows if r.get("ts")), default=None)):
        # "读数多少…数据是几点的": the time the newest values are as of, said once
        head += f"，最新读数更新至 {int(newest[5:7])}月{int(newest[8:10])}日 {newest[11:16]}"
    if query.sensor_kind in STATUS_KINDS:
        return _compose_status(data, query, head)
    what = "最新读数" if latest else f"{period.label}的" + {"mean": "平均读数"}.get(query.statistic or "", "读数")
    lines = [f"{head}。"]
    limits = data.get("thresholds") or {}
    if query.reached and limits.get(query.reached) is not None:
        line = f"{LEVEL_NAMES[query.reached]}线（{limits[query.reached]:g} {unit}）"
        if not rows:
            lines.append(f"{what}没有传感器达到{line}，都未{'低于' if limits.get('direction') == 'below' else '超过'}。")
            if data.get("highest"):
                word = "最低" if limits.get("direction") == "below" else "最高"
                lines.append(f"{what}{word} {_row(data['highest'], unit, name)}。")
        else:
            lines.append(f"{what}达到{line}的有 {data['total']['value']:g} 个：" + "；".join(
                _row(r, unit, name) for r in rows) + "。")  # fmt: skip
    elif query.above is not None or query.below is not None:
        bound = f"超过 {query.above:g}" if query.above is not None else f"低于 {query.below:g}"
        if not rows:
            lines.append(f"{what}没有{bound} {unit} 的传感器。")
            if data.get("highest"):  # "有没有掉到0.18以下": no, and how low it did go
                lines.append(f"{what}{'最高' if query.above is not None else '最低'} {_row(data['highest'], unit, name)}。")
        else:
            lines.append(f"{what}{bound} {unit} 的有 {data['total']['value']:g} 个：" + "；".join(
                _row(r, unit, name) for r in rows) + "。")  # fmt: skip
        if data.get("readings_past") is not None and TIMES_ASKED.search(question):
            # "出现过几次": readings past the value, counted one by one (an hourly reading each), not sensors.
            lines.append(f"{period.label}共有 {data['readings_past']:g} 条读数{bound} {unit}（按读数条数计）。")
    elif rows:
        word = "最低" if query.order == "asc" else "最高"
        lines.append(f"{what}{word} {_row(rows[0], unit, name)}。")
        if len(rows) > 1:
            # "各是多少": every sensor listed (the rows are the first ten); otherwise the next four.
            shown = rows[1:] if re.search(r"各是|各自|分别|每个|每一个|都是多少|逐个|一一", question) else rows[1:5]
            lines.append("其次：" + "；".join(_row(r, unit, name) for r in shown) + "。")
        if (low := data.get("lowest")) and query.order != "asc" and (not latest or low["value"] != rows[0]["value"]):
            lines.append(f"最低 {_row(low, unit, name)}。")
    else:
        lines.append(f"{what}：没有读数。")
    if (overall := data.get("overall")) and (query.statistic == "mean" or MEAN.search(question)):
        lines.append(f"{period.label}全部 {data['readings']} 条读数合计：平均 {overall['mean']:g} {unit}，"
                     f"最高 {overall['max']:g} {unit}，最低 {overall['min']:g} {unit}。")  # fmt: skip
    if data.get("daily"):
        lines += trend_lines(data["daily"], unit)
    lines.append(_thresholds(data, rows, unit, latest))
    if data.get("margins") and MARGIN_ASKED.search(question):
        lines.append(_margin(data, query, unit, question))
    return "\n".join(line for line in lines if line)


TREND_SHARE = 0.1  # a change of the daily mean under a tenth of it is no rise or fall


def trend_lines(daily: list[dict[str, Any]], unit: str) -> list[str]:
    """Each day's mean and peak, and whether the daily mean rose or fell from the first day to the last."""
    days = "；".join(f"{month_day(date.fromisoformat(d['key']))} 均值 {d['value']:g}、最高 {d['peak']:g}" for d in daily)
    lines = [f"逐日（全部传感器读数合计，单位 {unit}）：{days}。"]
    if len(daily) > 1:
        first, last = daily[0]["value"], daily[-1]["value"]
        scale = abs(first) or max(abs(d["value"]) for d in daily)  # from a first day at 0, against the window's largest
        change = (last - first) / scale if scale else 0.0
        word = "上升" if change > TREND_SHARE else "下降" if change < -TREND_SHARE else "总体平稳"
        lines.append(f"走势：日均值由 {month_day(date.fromisoformat(daily[0]['key']))} 的 {first:g} 到 {month_day(date.fromisoformat(daily[-1]['key']))} 的 {last:g}，{word}。")
    return lines


def _margin(data: dict[str, Any], query: FigureQuery, unit: str, question: str) -> str:
    """"离35的报警线还差多少": the first value ranked against the line asked (the alarm line unless another is named)."""
    first = (data.get("rows") or [data.get("highest")])[0]
    level = query.reached or asked_level(question) or "alarm"
    line = (data.get("thresholds") or {}).get(level)
    margin = data["margins"].get(level)
    if first is None or margin is None or line is None:
        return ""
    below = (data.get("thresholds") or {}).get("direction") == "below"
    past = first["value"] <= line if below else first["value"] >= line
    where = f"{first['value']:g} {unit}（{first['key']}）"
    if past:
        return f"{where}已越过{LEVEL_NAMES[level]}线 {line:g} {unit}，超出 {margin:g} {unit}。"
    return f"{where}距{LEVEL_NAMES[level]}线 {line:g} {unit} 还差 {margin:g} {unit}。"


def _row(row: dict[str, Any], unit: str, name: Any) -> str:
    where = "，".join(x for x in (row.get("name"), name(row["district"]) if row.get("district") else None) if x)
    when = f"，{day_and_clock(row['ts'])}" if row.get("ts") else ""
    level = f"，已达{LEVEL_NAMES[row['level']]}级" if row.get("level") else ""
    return f"{row['value']:g} {unit}（传感器 {row['key']}，{where}{when}{level}）"


def _thresholds(data: dict[str, Any], rows: list[dict[str, Any]], unit: str, latest: bool) -> str:
    limits = data.get("thresholds") or {}
    named = [(LEVEL_NAMES[k], limits.get(k)) for k in ("watch", "warning", "alarm") if limits.get(k) is not None]
    if not named:
        return ""
    side = "高于" if limits.get("direction") == "above" else "低于"
    # A lower bound said as one (a pressure: too low is the danger).
    line = "阈值：" + "、".join(f"{level} {value:g} {unit}" for level, value in named) + f"（{'下限，' if side == '低于' else ''}{side}即触发）"
    if rows and rows[0].get("level"):
        reached = rows[0]["level"]
        too_low = "，偏低即风险（压力过低）" if side == "低于" else ""  # a lower bound: the danger is said as one
        line += f"；{rows[0]['value']:g} {unit} 已达{LEVEL_NAMES[reached]}级（阈值 {limits[reached]:g} {unit}{too_low}）"
        # "要不要处理": what the level asks of the duty officer (the lifeline rules: 报警 at once, 预警 verified).
        line += {"alarm": "，需要处置：应立即通知权属单位到场核实处置", "warning": "，需要处理：权属单位应尽快到场核实",
                 "watch": "，暂不需到场处置：权属单位巡查时复核"}[reached]  # fmt: skip
    elif rows and rows[0].get("value") is not None and limits.get("watch") is not None and side == "低于":
        # Low is what harms (供水压力): the lowest value is set against the line, not the highest.
        # The level is the executor's, set on every row it ranks and on the lowest.
        lowest = min((r for r in [*rows, data.get("lowest")] if r and r.get("value") is not None), key=lambda r: r["value"])
        low, reached = lowest["value"], lowest.get("level")
        line += (f"；最低 {low:g} {unit} 已达{LEVEL_NAMES[reached]}级（阈值 {limits[reached]:g} {unit}）" if reached
                 else f"；最低 {low:g} {unit} 未低于关注值 {limits['watch']:g} {unit}，在正常范围")
    elif rows and rows[0].get("value") is not None and limits.get("watch") is not None:
        line += f"；最高 {rows[0]['value']:g} {unit} 未超过关注值 {limits['watch']:g} {unit}，在正常范围"
    levels = data.get("levels") or {}
    if latest and levels:
        line += "；当前最新读数达到" + "、".join(f"{LEVEL_NAMES[k]}级 {v} 个" for k, v in levels.items())
    elif latest:
        line += "；当前没有最新读数达到关注级"
    return line + "。"


def _compose_status(data: dict[str, Any], query: FigureQuery, head: str) -> str:
    kind = str(query.sensor_kind)
    counter = COUNTERS.get(kind, "个")
    codes = data.get("codes") or {}
    states = "、".join(f"{CODE_NAMES[kind].get(code, code)} {n} {counter}" for code, n in codes.items())
    lines = [f"{head}，最新状态：{states}。"]
    rows = data["rows"]
    if query.above is not None and not rows:
        lines.append(f"没有{CODE_NAMES[kind]['2']}的。")
    elif not rows:
        # What the sensors report: a pump the register holds as 破损 may carry none, so this is not "all is well".
        lines.append("状态传感器没有报故障或停机的，接入监测的均在运行。" if kind == "pump_status" else "状态传感器没有报故障或关闭的。")
    else:
        listed = "；".join(f"{r.get('name') or r['key']}（{CODE_NAMES[kind].get(str(round(r['value'])), '')}）"
                          for r in rows)  # fmt: skip
        lines.append(f"{'故障' if query.above is not None else '不在正常运行状态'}的 {data['total']['value']:g} {counter}：{listed}。")
    return "\n".join(lines)
