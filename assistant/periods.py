"""The period a question asks about, as officials say it (本月, 上个月, 11月份, 上周, 近7天, 国庆以来…), turned
into the services' period syntax and the words the answer names it by.

Measured against jionlp 1.5.31's ``parse_time``/``extract_time`` on the time words of the chat development
set: jionlp reads 上周, 近三天, 前天, 国庆以来, but none of 本月, 这个月, 上个月, 11月, 11月份 — the
commonest forms officials use — and it weighs 218 MB; these rules cover both sets of forms, with cn2an for
the numerals.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import cn2an

from core.exceptions import InvalidInput
from core.times import CHINA, period_days

_NUMERAL = r"[0-9零一二两三四五六七八九十百]{1,4}"


@dataclass(frozen=True)
class Period:
    """``api`` is what /v1/cases/stats and /v1/evaluation take; ``label`` how the answer names it."""

    api: str
    label: str
    first: date
    last: date  # the last day included (today for a period still running)
    words: str = ""  # the question's words that named it

    def year_before(self) -> Period | None:
        """The same days a year earlier (同比, 去年同期): a month's month, a span's days; none for a rolling window."""
        first, last = _a_year_before(self.first), _a_year_before(self.last)
        if re.fullmatch(r"\d{4}-\d{2}", self.api):
            return Period(f"{first:%Y-%m}", f"去年同期（{first.year}年{first.month}月）", first, last)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}(?:\.\.\d{4}-\d{2}-\d{2})?", self.api):
            return span(first, last, f"去年同期（{first.year}年{first.month}月{first.day}日至{last.month}月{last.day}日）")
        return None

    def previous(self) -> Period:
        """The period of the same length just before (环比): the month before a month, the week before a week."""
        if re.fullmatch(r"\d{4}-\d{2}", self.api):
            start = (self.first - timedelta(days=1)).replace(day=1)
            return month(start.year, start.month, self.last)
        if rolling := re.fullmatch(r"last(\d{1,3})d", self.api):
            # 近7天 is the last 7 × 24 hours up to now; the 7 × 24 hours before them are its 前一期, not 8 dates.
            days = int(rolling.group(1))
            first = self.first - timedelta(days=days)
            return Period(f"prev{days}d", f"再往前{days}天（{month_day(first)}至{month_day(self.first)}）", first, self.first)
        length = (self.last - self.first).days + 1
        last = self.first - timedelta(days=1)
        first = last - timedelta(days=length - 1)
        if re.match(r"过去|最近|近", self.words):  # "近7天" beside "再往前7天"
            return span(first, last, f"再往前{length}天（{month_day(first)}起）")
        return span(
            first,
            last,
            f"前一期（{month_day(first)}）" if first == last else f"前一期（{month_day(first)}至{month_day(last)}）",
        )


def recalled(api: str, label: str, now: datetime) -> Period:
    """A period an earlier turn named, from what it was asked as: its days again, so "环比呢" finds the one
    before it (not the same month, as from today's date alone)."""
    try:
        first, last = period_days(api, now)
    except InvalidInput:  # not a case period (a window of readings): today alone, as before
        first = last = now.astimezone(CHINA).date()
    return Period(api, label, first, last, label)


def label_of(api: str, now: datetime) -> str:
    """How an answer names a period known only by its api form ("2026-11-30..2026-12-05" → 本周（11月30日至今）)."""
    for words in ("今天", "昨天", "前天", "本周", "上周", "上上周", "本月", "上个月", "今年", "本季度", "近3天", "近7天", "近14天"):
        if (found := find_period(words, now)) and found.api == api:
            return found.label
    return api


def same_days_of_last_month(api: str, today: date) -> Period | None:
    """"比上个月同期": the month before, from its first day to the same day of the month as today (this month's
    days so far), or None when ``api`` is no month still running."""
    if not (m := re.fullmatch(r"(\d{4})-(\d{2})", api)):
        return None
    first = date(int(m.group(1)), int(m.group(2)), 1)
    if not first <= today < (first + timedelta(days=32)).replace(day=1):
        return None
    before = (first - timedelta(days=1)).replace(day=1)
    last = min(before + timedelta(days=(today - first).days), first - timedelta(days=1))
    return span(before, last, f"上月同期（{month_day(before)}至{month_day(last)}）")


def number(text: str) -> float | None:
    """A numeral as officials write it (六十, 2, 九十五点五), or None."""
    try:
        return float(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError):
        return None


def _number(text: str) -> int | None:
    value = number(text)
    return int(value) if value is not None and value.is_integer() else None


def _a_year_before(day: date) -> date:
    """The same day a year earlier (29 February: the 28th)."""
    return day.replace(year=day.year - 1, day=28) if (day.month, day.day) == (2, 29) else day.replace(year=day.year - 1)


def span(first: date, last: date, label: str, words: str = "") -> Period:
    api = f"{first:%Y-%m-%d}" if first == last else f"{first:%Y-%m-%d}..{last:%Y-%m-%d}"
    return Period(api, label, first, last, words)


def month(year: int, number: int, today: date, words: str = "") -> Period:
    first = date(year, number, 1)
    following = (first + timedelta(days=32)).replace(day=1)
    last = min(following - timedelta(days=1), today)
    running = following > today
    previous = (today.replace(day=1) - timedelta(days=1)).replace(day=1) == first
    label = (f"本月（{year}年{number}月{first.day}日至今）" if running
             else f"上个月（{year}年{number}月）" if previous and "上" in words else f"{year}年{number}月")  # fmt: skip
    return Period(f"{year}-{number:02d}", label, first, last, words)


def find_period(text: str, now: datetime) -> Period | None:
    """The first period the text names, or None (the caller then says which default it used)."""
    found = find_periods(text, now)
    return found[0] if found else None


# Up to this many days, "近N天" is calendar days (a month of them differs little from 30 × 24 hours, and the
# analytics take those).
CALENDAR_DAYS = 14


def find_periods(text: str, now: datetime, rolling: bool = False) -> list[Period]:
    """Every period the text names, in the order it names them ("这个月…上个月全月是多少": two). ``rolling``: "近N天"
    as the N × 24 hours up to now (a forecast's days beside as many days that were), not calendar days."""
    text = _in_chinese(text)
    today = now.astimezone(CHINA).date()
    monday = today - timedelta(days=today.weekday())
    quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    last_quarter = (quarter - timedelta(days=1)).replace(day=1)
    last_quarter = last_quarter.replace(month=3 * ((last_quarter.month - 1) // 3) + 1)
    if m := re.search(rf"(?:过去|最近|近)\s*({_NUMERAL})?\s*(?:个)?(天|日|周|星期|礼拜|月)", text):
        n = _number(m.group(1)) if m.group(1) else 1
        if n:
            days = {"天": n, "日": n, "月": 30 * n}.get(m.group(2), 7 * n)
            if days == 1 or days > CALENDAR_DAYS or rolling:  # "过去一天": the 24 hours up to now
                return [Period(f"last{days}d", f"近{days}天（{month_day(today - timedelta(days=days))}起）", today - timedelta(days=days),
                               today, m.group(0))]  # fmt: skip
            # "近7天", "最近三天": calendar days, today the last of them, as officials count them (the questions'
            # writers name them so: 近三天 = 12-03至12-05 on the 5th; 28 of the 31 that say which).
            first = today - timedelta(days=days - 1)
            # "至今", not today's date: the grounding check finds no "5" of 12月5日 in a period ending 2026-12-06.
            return [span(first, today, f"近{days}天（{month_day(first)}至今）", m.group(0))]
    if m := re.search(
        rf"(?:(\d{{4}})\s*年\s*)?({_NUMERAL})\s*月\s*({_NUMERAL})\s*[日号]\s*(?:到|至|-|~)\s*(?:({_NUMERAL})\s*月\s*)?({_NUMERAL})\s*[日号]?",
        text,
    ):
        year = int(m.group(1)) if m.group(1) else today.year
        first_month, first_day = _number(m.group(2)), _number(m.group(3))
        last_month, last_day = _number(m.group(4)) if m.group(4) else first_month, _number(m.group(5))
        if first_month and first_day and last_month and last_day:
            try:
                first, last = date(year, first_month, first_day), date(year, last_month, last_day)
            except ValueError:
                return []
            return [span(first, last, f"{month_day(first)}至{month_day(last)}", m.group(0))]
    parts = _parts_of_month(text, today)
    relative: list[tuple[str, Period]] = [
        (r"今天|今日|(?<![日号])当天|今儿", span(today, today, f"今天（{month_day(today)}）")),  # not "11月30日当天"
        (r"昨天(?:到|至)(?:现在|目前|今天|今)|昨天以来|昨天起|昨天开始", span(today - timedelta(days=1), today,
                                                          f"昨天至今（{month_day(today - timedelta(days=1))}至今）")),
        (r"昨晚|昨夜", span(today - timedelta(days=1), today - timedelta(days=1), f"昨晚（按{month_day(today - timedelta(days=1))}全天统计）")),
        (r"昨天|昨日|昨儿", span(today - timedelta(days=1), today - timedelta(days=1), f"昨天（{month_day(today - timedelta(days=1))}）")),
        (r"前天", span(today - timedelta(days=2), today - timedelta(days=2), f"前天（{month_day(today - timedelta(days=2))}）")),
        (r"上上周|上上个?星期", span(monday - timedelta(days=14), monday - timedelta(days=8),
                                f"上上周（{month_day(monday - timedelta(days=14))}至{month_day(monday - timedelta(days=8))}）")),
        # "上周同期": last week's days up to today's weekday, set beside this week so far.
        (r"上周同期|上个?星期同期|上周同一时段", span(monday - timedelta(days=7), today - timedelta(days=7),
                                              f"上周同期（{month_day(monday - timedelta(days=7))}至{month_day(today - timedelta(days=7))}）")),
        (r"上周(?!同期)|上一?个?星期(?!同期)|上个礼拜|上一周", span(monday - timedelta(days=7), monday - timedelta(days=1),
                                        f"上周（{month_day(monday - timedelta(days=7))}至{month_day(monday - timedelta(days=1))}）")),
        (r"本周|这周|这一周|本星期|这个?星期|这礼拜", span(monday, today, f"本周（{month_day(monday)}至今）")),
        (r"本季度|这个?季度|本季", span(quarter, today, f"本季度（{month_day(quarter)}至今）")),
        (r"上个?季度|上一季度", span(last_quarter, quarter - timedelta(days=1),
                                 f"上季度（{month_day(last_quarter)}至{month_day(quarter - timedelta(days=1))}）")),
        (r"上半年", span(date(today.year, 1, 1), min(today, date(today.year, 6, 30)), f"{today.year}年上半年")),
        (r"下半年", span(date(today.year, 7, 1), today, f"{today.year}年下半年（至今）")),
        (r"上上个?月", month(*_month_back(today, 2), today)),
        (r"上个?月|上一个?月", month(*_month_back(today, 1), today, "上个月")),
        (r"本月|这个?月|当月", month(today.year, today.month, today)),
        (r"今年|本年|年初以来", Period(f"{today:%Y}", f"{today.year}年（至今）", date(today.year, 1, 1), today)),
        (r"去年", Period(f"{today.year - 1}", f"{today.year - 1}年", date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))),
        (r"国庆(?:节)?(?:以来|之后|后)", span(date(today.year, 10, 1), today, "国庆以来（10月1日至今）")),
    ]  # fmt: skip
    found = [(m.start(), m.group(0), p) for pattern, p in relative if (m := re.search(pattern, text))]
    if m := re.search(
        rf"(?:(\d{{4}})\s*年\s*)?({_NUMERAL})\s*月(?:份)?(?![0-9零一二两三四五六七八九十]*\s*[日号])", text
    ):
        number = _number(m.group(2))
        if number and 1 <= number <= 12:
            year = (
                int(m.group(1)) if m.group(1) else (today.year if number <= today.month else today.year - 1)
            )
            if re.match(r"\s*(?:以来|至今|起至今|开始到现在|到现在|到今天|起到现在)", text[m.end():]) and date(year, number, 1) < today:
                # "10月以来累计结案多少件": from the 1st of that month to today, not the month alone.
                said = f"{year}年{number}月" if year != today.year else f"{number}月"
                found.append((m.start(), m.group(0), span(date(year, number, 1), today, f"{said}以来（{said}1日至今）")))
            else:
                found.append((m.start(), m.group(0), month(year, number, today)))
    # "11月下半月", "上个月下旬": the part of the month, not the month its words also name
    found = [f for f in found if not any(start <= f[0] < end for start, end, _ in parts)]
    found += [(start, period.words, period) for start, _, period in parts]
    periods: dict[str, Period] = {}
    for _, words, chosen in sorted(found, key=lambda f: f[0]):
        periods.setdefault(chosen.api, Period(chosen.api, chosen.label, chosen.first, chosen.last, words))
    return list(periods.values())


# "11月下半月跟上半月比", "上个月下旬": a part of a month (of the month named before it, else this month).
MONTH_PART = re.compile(rf"(?:({_NUMERAL})\s*月份?|(上上个?月|上个?月|上一个?月|本月|这个?月|当月))?\s*的?(上半月|下半月|上旬|中旬|下旬)")
PART_DAYS = {"上半月": (1, 15), "下半月": (16, 31), "上旬": (1, 10), "中旬": (11, 20), "下旬": (21, 31)}


def _parts_of_month(text: str, today: date) -> list[tuple[int, int, Period]]:
    """Each part of a month the text names, with where its words start and end."""
    periods: list[tuple[int, int, Period]] = []
    year, number = today.year, today.month
    for m in MONTH_PART.finditer(text):
        if m.group(1) and (named := _number(m.group(1))) and 1 <= named <= 12:
            year, number = (today.year if named <= today.month else today.year - 1), named
        elif m.group(2):
            back = 2 if m.group(2).startswith("上上") else 1 if m.group(2).startswith("上") else 0
            year, number = _month_back(today, back) if back else (today.year, today.month)
        first_day, last_day = PART_DAYS[m.group(3)]
        first = date(year, number, first_day)
        last = min(date(year, number, min(last_day, monthrange(year, number)[1])), today)
        if first > today:
            continue
        periods.append((m.start(), m.end(), span(first, last, f"{number}月{m.group(3)}（{month_day(first)}至{month_day(last)}）", m.group(0))))
    return periods


# Periods written in English among Chinese words ("last 7 days 哪个区…"), read as their Chinese.
ENGLISH_PERIODS = [(re.compile(r"\b(?:last|past|recent)\s+(\d{1,3})\s+days?\b", re.I), r"近\1天"),
                   (re.compile(r"\b(?:last|past)\s+(\d{1,2})\s+weeks?\b", re.I), r"近\1周"),
                   (re.compile(r"\bthis\s+week\b", re.I), "本周"), (re.compile(r"\blast\s+week\b", re.I), "上周"),
                   (re.compile(r"\bthis\s+month\b", re.I), "本月"), (re.compile(r"\blast\s+month\b", re.I), "上个月"),
                   (re.compile(r"\bthis\s+year\b", re.I), "今年"), (re.compile(r"\btoday\b", re.I), "今天"),
                   (re.compile(r"\byesterday\b", re.I), "昨天"),
                   *((re.compile(rf"\b{name}\b", re.I), f"{n}月") for n, name in enumerate(
                       ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                        "November", "December"), start=1))]  # fmt: skip


def _in_chinese(text: str) -> str:
    for pattern, chinese in ENGLISH_PERIODS:
        text = pattern.sub(chinese, text)
    return text


def this_month(now: datetime) -> Period:
    today = now.astimezone(CHINA).date()
    return month(today.year, today.month, today)


def _month_back(today: date, months: int) -> tuple[int, int]:
    index = today.year * 12 + today.month - 1 - months
    return index // 12, index % 12 + 1


def month_day(day: date) -> str:
    """"12月5日": a day as the answers name it."""
    return f"{day.month}月{day.day}日"
