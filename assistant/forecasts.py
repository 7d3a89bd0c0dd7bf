"""Questions about what will be ("预测一下下周全市每天的案件量", "未来3天A1区案件数预测，带95%区间", "明天案件会比
今天多吗", "未来24小时A2区积水水位会不会超过警戒"), understood as the query spec's ``forecast`` measure and
answered day by day with units, intervals, the total, and the backtest beside seasonal naive.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

from assistant.assets import asset_categories
from assistant.hotspots import case_categories
from assistant.lexicon import CityLexicon
from assistant.periods import Period, find_periods, month_day, span
from assistant.readings import asked_level
from assistant.slots import Slots, _number
from core import clock
from core.times import CHINA, day_and_clock
from services.monitoring.alarm_rules import rank
from tools.query_spec import CASE_MEASURES, FigureQuery
from tools.reading_figures import thresholds_of

FUTURE = re.compile(r"预测|预计|预判|forecast|未来|明天|明日|后天|今明两?天|下周|下个?星期|下个?月|接下来|后面\s*[0-9一二两三四五六七八九十]|会不会|将会|估计.{0,4}会|大概会|还会(?:新增|增加|有多少)"
                    r"|今晚到|今夜|明早|明晨|到天亮|(?:可能|要|会)(?:会)?(?:超|达到|突破|掉到|跌破|低于|高于)"
                    # "今晚A5区的管网水位会涨吗": tonight's readings, ahead of now
                    r"|今晚.{0,12}会(?:涨|升|降|跌|回落|上来|下去)|会(?:涨|升高|上涨)(?:吗|么)"
                    # "今晚A1区那几个积水监测点水位最高会到多少": a level still to come
                    r"|今晚.{0,24}会(?:到|涨到|升到|降到|跌到)|会(?:涨到|升到|降到|跌到|到)多少")
# A window on the clock ("今晚到明早"): the hours from now to its end, in the city's time (hours after midnight
# of the day after today, or of today for 今天下午/傍晚).
CLOCK_ENDS = [(re.compile(r"明早|明晨|明天早上|到天亮"), 1, 8), (re.compile(r"凌晨"), 1, 6),
              (re.compile(r"今晚|今夜|夜里"), 1, 0), (re.compile(r"傍晚"), 0, 19), (re.compile(r"今天下午"), 0, 18)]
CASES = re.compile(r"案件|案子|案卷|工单|诉求|投诉|案件量|件|单量|多少单|几单|单子|进线|话务量|来电量|(?:12345|热线).{0,6}量|\bcases?\b|case volume", re.IGNORECASE)
HORIZON_AGAIN = re.compile(r"(?<![月\d])([0-9一二两三四五六七八九十]{1,3})\s*(?:个)?(小时|钟头|天|周|星期)")
HORIZON = re.compile(r"(?:未来|接下来|今后|之后|后面|往后)\s*(?:再?看|推|预测|的)?\s*([0-9一二两三四五六七八九十]{1,3})\s*(?:个)?(小时|钟头|钟|天|日|周|星期)")
WEEKDAYS = "一二三四五六日天"
EACH_DISTRICT = re.compile(r"各区|各个区|每个区|哪个区|哪几个区|分区|按区")
HOTLINE = re.compile(r"12345|热线|来电")
PER_DAY = re.compile(r"日均|平均每天|每天平均|平均一天|一天平均")
PEAK_DAY = re.compile(r"哪天最|哪一天最|最高的?(?:是)?哪天|最多的?(?:是)?哪天|峰值|高峰|哪天.{0,4}(?:最多|最高|最忙)")
DETAIL = re.compile(r"区间|回测|误差|MASE|基线|置信|上下限|上限|下限")
TREND_ASKED = re.compile(r"走势|趋势|往上|往下|上升还是|下降还是|涨还是|增加还是|多起来|少下来|走高|走低|是涨是跌|涨是跌|是升是降|升还是降|涨不涨|会涨吗|会跌吗")
COMPARED_TO_TODAY = re.compile(r"比今天|和今天比|跟今天比|较今天")
COMPARED_TO_PAST = re.compile(r"(?:比|和|跟|与|较|对比)\s*(?:实际的?)?\s*(昨天|前天|上周|本周|这周|(?:过去|最近|近)\s*[0-9一二两三四五六七八九十]+\s*(?:个)?(?:天|日|周))")
LEVEL_NAMES = {"watch": "关注", "warning": "预警", "alarm": "报警"}
ONE_EXTREME = re.compile(r"(?:最高|最低|最大|最小|最严重)的?(?:那|哪)?一?(?:个|只|处)(?:传感器|点位|点|监测点|设备)?")
WHICH_ONES = re.compile(r"哪些|哪几个|哪几处|都有哪|列出|有几个")
TREND_WORDS = {"up": "上升", "down": "回落", "flat": "基本持平"}
# "会不会暴增", "多不多": judged against the days just past, per day, when no other days are named.
# "本周末（今明两天）会不会比平时高": against the usual level (the week just past, per day), not today so far.
USUAL = re.compile(r"平时|平常|往常|通常|日常|平均水平|一般水平")
SURGE_ASKED = re.compile(r"暴增|激增|猛增|剧增|大增|(?<!新)增多(?!少)|会不会多|会不会增加|会不会很多|多不多|高峰|异常多|比平时|明显(?:增加|增多|上升|变多|上涨|多)")


def understand_forecast(question: str, slots: Slots, lexicon: CityLexicon, now: datetime, remembered: dict[str, Any] | None,
                        follow_up: bool, remembered_period: list[str] | None = None) -> tuple[FigureQuery, Period] | None:  # fmt: skip
    """The forecast a question asks, or None; "那A5区呢" after a forecast asks it of A5区 (``remembered_period``:
    the api and label of the period it was asked for)."""
    # "80%的区间给一下" after a forecast asks more of it; "A1区单独预测一下": the same forecast, of that district.
    again = follow_up or DETAIL.search(question) or (len(question) <= 16 and bool(slots.districts) and not slots.sensor_kind)
    base = dict(remembered or {}) if again and (remembered or {}).get("measure") == "forecast" else {}
    if not (base or FUTURE.search(question)):
        return None
    if slots.sensor_ids or slots.asset_ids or slots.places:
        return None  # one named sensor or facility: the forecast tool is called on it directly
    kind = slots.sensor_kind if not CASES.search(question) else None
    if not (kind or base or CASES.search(question)) and (remembered or {}).get("measure") == "readings":
        # "A1区那几个积水监测点现在水位多少" then "未来6个钟头会不会涨到报警线": those sensors' kind, in that district.
        kind = remembered["sensor_kind"]  # type: ignore[index]
        if remembered.get("district") and not slots.districts:  # type: ignore[union-attr]
            base["district"] = remembered["district"]  # type: ignore[index]
    # "今天受理了多少件" then "明天会比今天多吗": the cases just counted, forecast.
    cases_before = ((follow_up or COMPARED_TO_TODAY.search(question)) and not kind
                    and (remembered or {}).get("measure") in CASE_MEASURES)  # fmt: skip
    if not (base or kind or CASES.search(question) or cases_before or (DETAIL.search(question) and "预测" in question)):
        return None  # ("你这预测靠谱吗？MASE多少": the default forecast, the city's cases, and its backtest)
    base["measure"] = "forecast"
    earlier = remembered or {}
    if (cases_before and not base.get("sensor_kind") and not slots.districts and "全市" not in question):  # fmt: skip
        # "A3区这周案件多少？" then "那未来三天呢，预测一下" or "明天大概多少？比今天多还是少": the cases of that district
        # (and kind), forecast.
        base |= {k: earlier[k] for k in ("district", "category") if earlier.get(k)}
    if kind:
        base["sensor_kind"] = kind
        base.pop("category", None)
        # "A3区那几个泵站的水位": the sensors on those facilities; "A6区泵站附近的管网水位" then "预测下": still those.
        facilities = asset_categories(question, slots, lexicon)  # 井盖: every kind of cover
        if facilities or (remembered or {}).get("sensor_kind") != kind:
            base["asset_categories"] = facilities
        elif (remembered or {}).get("asset_categories"):
            base["asset_categories"] = remembered["asset_categories"]  # type: ignore[index]
    if slots.districts:
        base["district"] = slots.districts[0].id
        base.pop("group_by", None)
    elif "全市" in question:
        base.pop("district", None)
    if not (kind or slots.districts) and EACH_DISTRICT.search(question):
        base["group_by"] = "district"  # "下周各区案件量预测，哪个区最高": each district's forecast, ranked
        base.pop("district", None)
    if base.get("sensor_kind"):
        base.pop("reached", None)
        if level := asked_level(question):
            base["reached"] = level  # "会不会到报警线": the forecast judged against that line
        if ONE_EXTREME.search(question):
            base["top"] = 1  # "压力最低的那个传感器": that one sensor
        elif WHICH_ONES.search(question):
            base["top"] = 20  # "哪些点位水位会超过警戒线": each of them, not only the three most likely
        elif not again:
            base.pop("top", None)
    if not kind and len(family := case_categories(question, slots, lexicon)) > 1:
        base["categories"] = family  # "井盖类案件下周": every kind of cover, their forecasts added up
        base.pop("category", None)
    elif slots.categories and not kind:
        base["category"] = slots.categories[0].id
        base.pop("categories", None)
    today = now.astimezone(CHINA).date()
    period = _future(question, now, base)
    if remembered_period and (remembered or {}).get("measure") == "forecast" and period.api == remembered_period[0]:
        # "今晚A3区积水会不会变严重" then "那A5区呢": the same window, in the words it was asked in (今晚, not 未来 6 小时).
        period = replace(period, label=remembered_period[1])
    if (COMPARED_TO_TODAY.search(question) or re.search(r"今明两?天", question)) and not base.get("sensor_kind") and not USUAL.search(question):
        base["compare_period"] = f"{today:%Y-%m-%d}"
    elif (past := COMPARED_TO_PAST.search(question)) and not base.get("sensor_kind") and (
            named := find_periods(past.group(1), now, rolling=True)):  # fmt: skip
        base["compare_period"] = named[0].api  # "和过去3天实际比，会多还是少": those days' cases beside it
    elif ((SURGE_ASKED.search(question) or TREND_ASKED.search(question) or USUAL.search(question)) and not base.get("sensor_kind")
          and (recent := find_periods("最近7天", now, rolling=True))):  # fmt: skip
        # "会不会暴增", "是涨还是跌": judged against the week just past, per day
        base["compare_period"] = recent[0].api
    else:
        base.pop("compare_period", None)
    return FigureQuery.model_validate(base), period


def _clock_window(question: str, now: datetime) -> tuple[datetime, str] | None:
    """The latest end of the clock windows named ("今晚到明早": tomorrow 08:00) and the window in the
    question's words, or None."""
    local = now.astimezone(CHINA)
    found = sorted((m.start(), m.group(0), datetime.combine(local.date() + timedelta(days=days), time(hour), CHINA))
                   for pattern, days, hour in CLOCK_ENDS if (m := pattern.search(question)))  # fmt: skip
    later = [end for _, _, end in found if end > local]
    return (max(later), "到".join(word for _, word, _ in found)) if later else None


def _future(question: str, now: datetime, base: dict[str, Any]) -> Period:
    """The future days (cases) or hours (sensors) asked for; 7 days or 24 hours when none is named."""
    today = now.astimezone(CHINA).date()
    hourly = bool(base.get("sensor_kind"))
    # "要是看24小时呢" after a forecast of the next 6 hours: the same forecast, over the hours now named.
    if m := HORIZON.search(question) or (base.get("horizon") and HORIZON_AGAIN.search(question)):
        n = _number(m.group(1)) or 1
        hours = n if m.group(2) in ("小时", "钟头", "钟") else n * 24 * (7 if m.group(2) in ("周", "星期") else 1)
        base.pop("period", None)
        base["horizon"] = min(hours, 168) if hourly else max(1, min(90, -(-hours // 24)))
        return _ahead(today, base["horizon"], hourly)
    if hourly and (window := _clock_window(question, now)):
        base.pop("period", None)
        base["horizon"] = max(1, min(168, -(-int((window[0] - now).total_seconds()) // 3600)))
        # In words, not a clock time: a time no tool returned would be taken for an unsupported figure.
        return Period(f"next{base['horizon']}h", f"{window[1]}（未来 {base['horizon']} 小时）", today, today)
    monday = today + timedelta(days=7 - today.weekday())
    named: list[tuple[str, date, date, str]] = [
        (r"明天后天|明后天|明后两天", today + timedelta(days=1), today + timedelta(days=2), "明后两天"),
        # Today's cases are counted, not forecast: the answer sets today's count so far beside tomorrow's forecast.
        (r"今明两?天", today, today + timedelta(days=1), "今明两天"),
        (r"明天|明日|明晚", today + timedelta(days=1), today + timedelta(days=1), "明天"),
        (r"后天", today + timedelta(days=2), today + timedelta(days=2), "后天"),
        (r"下个?月", *_next_month(today), "下个月"),
    ]
    # "下下周三" is a day of the week after next ("预测一下下周一" is next week's: 一下 is "a bit").
    if m := re.search(rf"((?<!一)下)?下(?:周|个?星期|个?礼拜)([{WEEKDAYS}])", question):
        day = monday + timedelta(days=(7 if m.group(1) else 0) + (WEEKDAYS.index(m.group(2)) if m.group(2) not in "日天" else 6))
        named.insert(0, (m.group(0), day, day, f"{'下下' if m.group(1) else '下'}周{m.group(2)}"))
    # "下周一到周日每天": the days from one to the other, not the first of them alone.
    if r := re.search(rf"((?<!一)下)?下(?:周|个?星期|个?礼拜)([{WEEKDAYS}])\s*(?:到|至|~|-|—)\s*(?:下?下?(?:周|个?星期|个?礼拜))?([{WEEKDAYS}])", question):
        week = monday + timedelta(days=7 if r.group(1) else 0)
        first, last = (week + timedelta(days=WEEKDAYS.index(g) if g not in "日天" else 6) for g in (r.group(2), r.group(3)))
        if first <= last:
            named.insert(0, (re.escape(r.group(0)), first, last, f"{'下下' if r.group(1) else '下'}周{r.group(2)}至周{r.group(3)}"))
    named.append((r"(?<!一)下下(?:周|个?星期|个?礼拜)", monday + timedelta(days=7), monday + timedelta(days=13), "下下周"))
    named.append((r"下周|下个?星期|下个?礼拜", monday, monday + timedelta(days=6), "下周"))
    for pattern, first, last, word in named:
        if re.search(pattern, question):
            if hourly and first > today + timedelta(days=7):
                # "下下周A1区积水水位": past what hourly forecasts reach (168 hours), said, not labelled as that week.
                base["horizon"] = 168
                base.pop("period", None)
                return Period("next168h", f"未来 168 小时（{word}已超出逐小时预测的范围，只能预测到未来 168 小时）", today, today)
            if hourly:
                # To the end of the last day named ("明天的高峰": all of tomorrow, not the next 24 hours from now).
                end = datetime.combine(last + timedelta(days=1), time(0), CHINA)
                base["horizon"] = max(1, min(168, -(-int((end - now).total_seconds()) // 3600)))
                base.pop("period", None)
                return Period(f"next{base['horizon']}h", f"{word}（未来 {base['horizon']} 小时内）", today, today)
            base.pop("horizon", None)
            base["period"] = f"{first:%Y-%m-%d}..{last:%Y-%m-%d}"
            label = f"{word}（{month_day(first)}）" if first == last else f"{word}（{month_day(first)}至{month_day(last)}）"
            return span(first, last, label)
    future = [p for p in find_periods(question, now) if p.last > today and ".." in p.api]
    if future and not hourly:
        # "12月剩下的日子（12月8日到31日）": the days named, from tomorrow on.
        base.pop("horizon", None)
        base["period"] = f"{max(future[0].first, today + timedelta(days=1)):%Y-%m-%d}..{future[0].last:%Y-%m-%d}"
    if base.get("period") and not hourly:
        first, last = (date.fromisoformat(d) for d in base["period"].split(".."))
        return span(first, last, month_day(first) if first == last else f"{month_day(first)}至{month_day(last)}")
    base.setdefault("horizon", 24 if hourly else 7)
    base.pop("period", None)
    return _ahead(today, base["horizon"], hourly)


def _ahead(today: date, steps: int, hourly: bool) -> Period:
    if hourly:
        return Period(f"next{steps}h", f"未来 {steps} 小时", today, today)
    first, last = today + timedelta(days=1), today + timedelta(days=steps)
    label = f"未来 {steps} 天（{month_day(first)}）" if steps == 1 else f"未来 {steps} 天（{month_day(first)}至{month_day(last)}）"
    return Period(f"{first:%Y-%m-%d}..{last:%Y-%m-%d}", label, first, last)


def _next_month(today: date) -> tuple[date, date]:
    first = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def compose_forecast(data: dict[str, Any], query: FigureQuery, period: Period, name: Any, kind_name: str,
                     question: str = "") -> str:  # fmt: skip
    scope = name(query.district) if query.district else "全市"
    if query.sensor_kind:
        return _compose_sensors(data, query, period, scope, kind_name, name, question)
    if query.category:
        scope += f"「{name(query.category)}」"
    elif query.categories:
        scope += "「" + "、".join(map(name, query.categories)) + "」"
    rows = data["rows"]
    if not rows:
        return f"{period.label}：{scope}案件量没有可给出的预测。"
    if query.group_by == "district":
        top = [r for r in rows if r["value"] == rows[0]["value"]]
        return (f"各区案件量预测，{period.label}（各区合计，模型 {data['model']}）：\n"
                + "\n".join(f"- {name(r['key'])}：约 {r['value']:g} 件" + (f"（80% 区间 {_band(r, 80)}，95% 区间 {_band(r, 95)}）"
                                                                           if r.get("interval") else "") for r in rows)
                + f"\n预测最高的是 {'、'.join(name(r['key']) for r in top)}，最低的是 {name(rows[-1]['key'])}。"
                + ("" if rows[0].get("interval") else "\n各区逐日预测及 80%/95% 区间可分区查询（如“A3区下周案件量预测”）。"))  # fmt: skip
    lines = [f"{scope}案件量预测，{period.label}，按日（模型 {data['model']}）："]
    if HOTLINE.search(question):  # "12345那边的量": what the forecast counts, said before its figures
        lines.insert(0, "说明：系统按全部来源的案件量预测（没有单独按热线来源的预测序列，也没有来电呼入量数据）。")
    lines += [f"- {month_day(date.fromisoformat(r['key']))}（周{WEEKDAYS[date.fromisoformat(r['key']).weekday()]}）：约 {r['value']:.2f} 件" + (f"（80% 区间 {_band(r, 80)}，95% 区间 {_band(r, 95)}）"
              if r.get("interval") else "") for r in rows]  # fmt: skip
    if data.get("note"):  # several kinds added up: which had a history, and why no interval
        lines.append("说明：" + re.sub(r"(?:event|component)-\d{4}", lambda m: name(m.group()), data["note"].split(" / ")[0]) + "。")
    if len(rows) > 1:
        lines.append(f"合计约 {data['total']['value']:g} 件"
                     + (f"，日均约 {data['per_day']:g} 件" if data.get("per_day") is not None and PER_DAY.search(question) else "")
                     + "。")  # fmt: skip
    if len(rows) > 1 and PEAK_DAY.search(question):
        # "按天拆开，哪天最高": the day (or days) forecast highest and lowest, named, figures as listed above.
        high = [r for r in rows if r["value"] == max(x["value"] for x in rows)]
        low = [r for r in rows if r["value"] == min(x["value"] for x in rows)]
        lines.append(f"预测最高的是 {'、'.join(month_day(date.fromisoformat(r['key'])) for r in high)}（约 {high[0]['value']:.2f} 件），"
                     f"最低的是 {'、'.join(month_day(date.fromisoformat(r['key'])) for r in low)}（约 {low[0]['value']:.2f} 件）。")  # fmt: skip
    if len(rows) >= 4 and TREND_ASKED.search(question):
        # "往上走还是往下走": the later half of the days against the earlier half, in words (no new figure).
        half = len(rows) // 2
        early, late = (sum(r["value"] for r in part) / len(part) for part in (rows[:half], rows[-half:]))
        word = "上升" if late > early * 1.05 else "下降" if late < early * 0.95 else "基本持平"
        lines.append(f"预测期内走势：后{half}天的日均预测比前{half}天{'高' if word == '上升' else '低' if word == '下降' else '相近'}，总体{word}。")
    previous = data.get("previous")
    # Today is the day before the first day forecast: "明天会比今天多吗" sets tomorrow beside today so far.
    today_asked = previous and query.compare_period == f"{date.fromisoformat(data['start'][:10]) - timedelta(days=1):%Y-%m-%d}"
    if previous and previous.get("total") and today_asked:
        today = previous["total"]["value"]
        tomorrow = rows[0]["value"]
        verdict = "预计多于" if tomorrow > today else "预计少于" if tomorrow < today else "预计持平于"
        lines.append(f"今天截至目前已受理 {today:g} 件（今天尚未结束，全天数字还会增加）；明天{verdict}今天目前的数字。")
    elif previous and previous.get("total"):
        # "和过去3天实际比": the forecast's days together beside the days that were.
        actual, ahead = previous["total"]["value"], (data["total"]["value"] if len(rows) > 1 else rows[0]["value"])
        verdict = "多于" if ahead > actual else "少于" if ahead < actual else "持平于"
        said = f"合计约 {ahead:g} 件" if len(rows) > 1 else f"约 {ahead:.2f} 件"
        since, until = (previous[k][:16].replace("T", " ") for k in ("start", "end"))
        if datetime.fromisoformat(previous["end"]) > clock.now():
            # "跟这周实际的比": a week under way, counted so far — said, so no one reads it as a whole week.
            until = f"{until}（本期尚未结束，截至目前）"
        if data.get("per_day") is not None and previous.get("per_day") is not None:
            # Days of different lengths compared per day: "会不会暴增" is answered by the level, not the totals.
            ahead, past = data["per_day"], previous["per_day"]
            level = "明显高于" if ahead > past * 1.3 else "明显低于" if ahead < past * 0.7 else "接近"
            asked = SURGE_ASKED.search(question)
            word = asked.group(0) if asked and asked.group(0) in ("暴增", "激增", "猛增", "剧增", "大增") else "明显增多"  # in the words asked
            surge = ("，预计会明显增多" if level == "明显高于" else f"，预计不会{word}") if asked else ""
            if named := COMPARED_TO_PAST.search(question):  # "跟昨天比多还是少": answered in those words
                # "会比这周日均高吗": higher or lower said in so many words, with more or fewer.
                surge += (f"，即{'高于' if ahead > past else '低于' if ahead < past else '持平于'}{named.group(1)}"
                          f"{'（多）' if ahead > past else '（少）' if ahead < past else ''}")
                if TREND_ASKED.search(question):  # "跟上周实际比是涨还是跌": the word asked, too
                    surge += f"（{'上升' if ahead > past else '下降' if ahead < past else '持平'}）"
            elif TREND_ASKED.search(question):  # "是涨还是跌": against the days just past
                surge += f"，较近期{'上升' if level == '明显高于' else '下降' if level == '明显低于' else '基本持平'}"
            lines.append(f"实际：{since} 起至 {until} 受理 {actual:g} 件，日均约 {past:g} 件；"
                         f"{period.label}预测日均约 {ahead:g} 件，{level}近期日均水平{surge}。")
        else:
            lines.append(f"实际：{since} 起至 {until} 受理 {actual:g} 件；"
                         f"{period.label}预计{said}，{verdict}这段实际的数字。")
    lines.append(_backtest(data))
    return "\n".join(lines)


def _crossed(limits: dict[str, Any]) -> Callable[[float, float], bool]:
    """The kind's own test of a value against a line (above for water, below for pressure)."""
    thresholds = thresholds_of(limits)
    assert thresholds is not None, "a sensor kind always has its alarm line"
    return thresholds.crossed


def _listed_past(rows: list[dict[str, Any]], limits: dict[str, Any], query: FigureQuery) -> bool:
    """"哪些点位会超过警戒线": the rows listed are those whose forecast reaches the line asked."""
    line = limits.get(query.reached) if query.reached else None
    if line is None or not (query.top and query.top > 1):
        return False
    crossed = _crossed(limits)
    return all(crossed(r["value"], line) for r in rows)


def _verdict(rows: list[dict[str, Any]], limits: dict[str, Any], unit: str, asked: str | None) -> str:
    """The forecast set against a threshold: the one asked ("会不会到报警线"), or else the highest one the
    forecast means or their 95 % bands reach; "预计会" for a mean past it, "可能" for a band only."""
    below = limits.get("direction") == "below"
    past = _crossed(limits)
    extreme = min if below else max
    peak = extreme(rows, key=lambda r: r["value"])
    bound = extreme(r["interval"]["bound95"] for r in rows)
    named = [k for k in ("alarm", "warning", "watch") if limits.get(k) is not None]
    level = asked or next((k for k in named if past(peak["value"], limits[k])), None) or next(
        (k for k in named if past(bound, limits[k])), None)
    if level is None or limits.get(level) is None:
        edge = "下限" if below else "上限"
        return f"预测均值和 95% 区间{edge}都未触及关注阈值：预计不会超过警戒，处于正常范围。"
    line, side = limits[level], "低于" if below else "超过"  # "会不会超标" is answered in its own word
    name = f"{LEVEL_NAMES[level]}阈值 {line:g} {unit}"
    if past(peak["value"], line):
        latest = peak.get("latest")
        still = latest is not None and past(latest, line)
        # "会不会掉到报警线以下" is answered 会/不会 first, then the sensor and its figure.
        deepest = next(k for k in named if past(peak["value"], limits[k]))  # 0.09 MPa is past 报警 when 预警 was asked
        verdict = f"{'当前已' + side + name + '，' if still else ''}预计{'仍将' if still else '会'}{side}{name}（{'仍处于' if still else '达到'}{LEVEL_NAMES[deepest]}级）：" \
                  f"{peak['key']} 预测{'最低' if below else '最高'} {peak['value']:.2f} {unit}"
        return verdict + ("，预计不能回到正常范围。" if still else "，需要提前处置。")
    if past(bound, line):
        return f"预测均值不会{'低于' if below else '超过'}{name}，但 95% 区间{'下限' if below else '上限'} {bound:.2f} {unit} " \
               f"可能触及（有可能{side}），需要关注。"
    return f"预计不会{'低于' if below else '达到'}{name}（预测{'最低' if below else '最高'} {peak['value']:.2f} {unit}，" \
           f"95% 区间{'下限' if below else '上限'} {bound:.2f} {unit}；预测有不确定性，以区间为参考）。"


def _band(row: dict[str, Any], level: int) -> str:
    interval = row["interval"]
    return f"{interval[f'lo{level}']:.2f}–{interval[f'hi{level}']:.2f}"


def _backtest(data: dict[str, Any]) -> str:
    backtest = data.get("backtest")
    if not backtest:
        return ""
    mase, baseline = backtest["mase"], backtest["baseline_mase"]
    verdict = "优于基线" if mase < baseline else "与基线持平" if mase == baseline else "不如基线"
    return f"回测 MASE {mase:g}，季节性朴素基线 {baseline:g}：{verdict}（MASE 越低越准）。" + _history(data)


THIN_HISTORY_DAYS = 60  # fewer daily counts than this: a weekly pattern seen a few times only


def _history(data: dict[str, Any]) -> str:
    """The history the forecast stands on, and a caution when it is short: a few weeks of daily counts."""
    start, points = data.get("history_start"), data.get("history_points")
    if not (start and points) or data.get("period", "").startswith("next"):
        return ""  # hourly sensor series: weeks of readings, every hour
    day = f"{int(start[5:7])}月{int(start[8:10])}日"
    caution = "，历史较短（数据有限），预测仅供参考" if points < THIN_HISTORY_DAYS else ""
    return f"预测依据系统中 {day} 以来的历史数据（{points} 天）{caution}。"


def _line_named(question: str, limits: dict[str, Any]) -> str | None:
    """"会不会掉到0.18以下": the level whose line is the number the question names (0.18 MPa is 预警)."""
    numbers = {float(n) for n in re.findall(r"(?<![0-9.])[0-9]+(?:\.[0-9]+)?(?![0-9.])", question)}
    return next((k for k in ("alarm", "warning", "watch") if isinstance(limits.get(k), (int, float)) and limits[k] in numbers), None)


def _compose_sensors(data: dict[str, Any], query: FigureQuery, period: Period, scope: str, kind_name: str, name: Any,
                     question: str = "") -> str:  # fmt: skip
    unit = data["unit"]
    if not data.get("sensors"):
        return f"{scope}没有有读数的{kind_name}传感器，无法预测。"
    limits = data.get("thresholds") or {}
    named = [(LEVEL_NAMES[k], limits[k]) for k in ("watch", "warning", "alarm") if limits.get(k) is not None]
    thresholds = "阈值：" + "、".join(f"{level} {value:g} {unit}" for level, value in named) + "。"
    rows = data["rows"]
    if not rows:
        reason = data.get("note", "").split("：")[-1].split("；")[0] or "没有足够的历史读数"
        # No interval is named by its level here: a figure the tools did not return is not written.
        return (f"{scope}{kind_name}：最接近阈值的传感器历史读数不足，无法给出{period.label}的预测值及其置信区间"
                f"（{reason}）。{thresholds}")  # fmt: skip
    below = limits.get("direction") == "below"
    area = str((data.get("total") or {}).get("key", "")).startswith("sensor-forecasts:")
    if area:  # every sensor of the scope forecast in one batch
        reaching = "、".join(f"{LEVEL_NAMES[k]}级 {n} 个" for k, n in sorted(
            (data.get("levels") or {}).items(), key=lambda kv: -rank(kv[0])))  # fmt: skip
        screened = (f"其中当前读数最接近阈值的 {data['sensors'] - data['screened_out']} 个逐一预测"
                    if data.get("screened_out") else "逐一预测")
        model = f"，模型 {data['model']}" if data.get("model") else ""
        lines = [f"{scope}{kind_name}{period.label}预测：共 {data['sensors']} 个传感器，{screened}（{data['reporting']} 个有结果{model}），"
                 + (f"预测均值达到{reaching}" if reaching else "预测均值都未达到关注级") + "。"
                 + (f"预测均值达到{LEVEL_NAMES[query.reached]}线的：" if _listed_past(rows, limits, query)
                    else "以下是最可能越线的：")]  # fmt: skip
    else:
        chosen = "当前读数最低的传感器" if len(rows) == 1 and below else "当前读数最高的传感器" if len(rows) == 1 else \
            f"当前最接近阈值的 {len(rows)} 个传感器"
        lines = [f"{scope}{kind_name}{period.label}预测（按{chosen}，模型 {data['model']}）："]
    for r in rows:
        where = "，".join(x for x in (r.get("name"), name(r["district"]) if r.get("district") else None) if x)
        now = f"当前 {r['latest']:g} {unit}，" if r.get("latest") is not None else ""
        heading = f"，较当前{TREND_WORDS[r['trend']]}" if r.get("trend") else ""
        lines.append(f"- {r['key']}（{where}）：{now}预测{'最低' if below else '最高'} {r['value']:.2f} {unit}（{day_and_clock(r['ts'])}，"
                     f"80% 区间 {_band(r, 80)}，95% 区间 {_band(r, 95)}）{heading}")  # fmt: skip
    lines.append(thresholds)
    if (query.horizon or 24) >= 48:  # "那后天呢" after the next 12 hours: the bands widen with the distance
        lines.append("预测越远，区间越宽、不确定性越大，请结合临近时段的预测滚动研判。")
    lines.append(_verdict(rows, limits, unit, query.reached or _line_named(question, limits)))
    lines.append(_backtest(data))
    return "\n".join(lines)

