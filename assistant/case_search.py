"""One case asked about by what it is rather than by its number ("最近一件燃气泄漏案件到哪一步了", "昨天派给
市水务局的案件里最早那件处置了没", "A1区最近结案的一件是什么类别"): the filters and the order ``find_case``
takes, and a case number that cannot be one of ours said to be unknown instead of answered with a count."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from assistant.figures import asset_categories, departments_named
from assistant.lexicon import CityLexicon
from assistant.periods import Period, find_period
from assistant.slots import CASE_ID, Slots

_CASE_NOUN = r"(?:案件|案子|案卷|工单|单子|诉求|投诉)"
# A single case: "一件/那件/这单" near a case noun, either order ("最早那件", "挑一件本周返工过的案件").
ONE_CASE = re.compile(
    rf"(?<![每哪])(?:(?:一|那|这)(?:件|单|起|宗)|那(?:个|条)(?![区市县镇乡]))[^，,。；;？?]{{0,18}}?{_CASE_NOUN}(?![量数])"
    rf"|{_CASE_NOUN}[^。；;？?]{{0,12}}?(?:最早|最新|最近|最晚|最后|第一)的?(?:是)?(?:哪|那|一)一?(?:件|单|起|宗)"
    r"|(?:最后|最新|最近|最早)的?一(?:件|单)(?=[^，。？?]{0,4}(?:是什么|是啥|在哪|是哪))"
)
# A number written where a case number goes that is not one ("案件 ZZ-000000000"): unknown, not a count.
CASE_NUMBER = re.compile(r"(?:案件|案子|工单|单号|编号)\s*(?:号|编号)?\s*(?:是|为)?\s*[:：]?\s*([A-Za-z]{1,4}[-_]?\d[0-9A-Za-z_-]{2,}|\d{10,}(?![0-9A-Za-z]))"
                         # "查一下 2026120400015 这个单子": the number first, then what it numbers
                         r"|(?<![0-9A-Za-z])(\d{10,})(?![0-9A-Za-z])\s*(?:这个|这张|这件|这一?单|号)?\s*(?:单子|案子|工单|案件|单)")
OLDEST = re.compile(r"最早|第一[件单起]|最先|最老")
# A number that looks like a case number on its own ("他上报的 C-2026-999999"), in no form of ours.
CASE_LIKE = re.compile(r"(?<![A-Za-z0-9])(C[-_]?\d{4}[-_]?\d[0-9A-Za-z_-]*)")
# "超期最久的那件": among the open cases past their deadline, the one past it longest.
MOST_OVERDUE = re.compile(r"(?:超期|逾期|超时|拖|压)(?:得|时间|了)?最(?:久|长)|最久没办")
# Cases still open ("还没办结的案件里最早的"): their state, not a time.
STILL_OPEN = re.compile(r"还没办结|没办结|未办结|没办完|还没结|未结案|还在办")
LAST_CLOSED = re.compile(r"(?:最近|最新|刚)[^，。？?]{0,4}(?:结案|办结|结掉|结了)")
# Traits said of the case sought ("返工过的", "超期未结的"), not questions about it ("返工过没有", "超期没").
REWORKED = re.compile(r"返工过?的")
# What a case went through, asked of the cases to list or pick ("被回退过", "办过延期的"): steps of its history.
HISTORY_TRAITS = {"reworked": re.compile(r"返工过|被返工|有返工的?(?:案子|案件|工单|单子)"), "returned": re.compile(r"回退过?|被退回|退回过|被退单|退过单"),
                  "extended": re.compile(r"延期过|办过延期|申请过?延期|延过期|办理过延期|有延期的?(?:吗|案子|案件|工单|单子)")}  # fmt: skip


# "截至今天，超期最久还没结案的": up to now, not the cases received today.
UNTIL_NOW = re.compile(r"(?:截至|截止到?)(?:今天|今日|目前|现在|此刻)(?:为止)?|到(?:今天|目前|现在)为止")


def period_asked(question: str, now: datetime) -> Period | None:
    """The period the cases sought were received in; "截至今天" says up to when, no period."""
    return find_period(UNTIL_NOW.sub(" ", question), now)


def history_traits(question: str) -> list[str]:
    """The history traits asked ("被回退过或者返工过": both, each its own list)."""
    return [trait for trait, pattern in HISTORY_TRAITS.items() if pattern.search(question)]
OVERDUE = re.compile(r"(?:超期|逾期)了?(?:的|(?:未|没|没有|还没|还未)(?:办完|办结|结案|结)的?)")
HISTORY = re.compile(r"历史|流转|经过|过程|每一步|各环节|环节|来龙去脉|轨迹")
SOURCES = (("12345", re.compile(r"12345|热线")), ("patrol", re.compile(r"巡查")),
           ("app", re.compile(r"随手拍|[Aa][Pp][Pp]")), ("sensor", re.compile(r"传感器|监测告警|告警生成|告警产生")))  # fmt: skip


def unknown_case_number(question: str) -> str | None:
    """A case number that is not in our form (C + date + 8 hex digits), e.g. "ZZ-000000000"."""
    if CASE_ID.search(question):
        return None
    match = CASE_NUMBER.search(question) or CASE_LIKE.search(question)
    return next(g for g in match.groups() if g) if match else None


# "最近报上来的一件道路积水内涝": one case named by its category rather than the word 案件.
ONE_OF_A_CATEGORY = re.compile(r"(?:最近|最新|最早|最后)[^，,。？?]{0,8}?(?:一|那)(?:件|起|单|条)")
# "最早那件现在在谁手上" after a list of cases: one of those.
ONE_OF_THOSE = re.compile(r"(?:最早|最新|最近|最晚|最后)(?:[^，,。？?]{0,5}的)?那一?(?:件|单|起)|第(?:一|1)\s*(?:件|个|条|单)|(?:把|有的话)那一?件")


def asks_one_case(question: str, slots: Slots, memory: dict[str, Any] | None = None) -> bool:
    """A question about one case picked by its traits (no number given), or one of the cases just listed."""
    if slots.case_ids:
        return False
    return bool(ONE_CASE.search(question) or unknown_case_number(question)
                or (MOST_OVERDUE.search(question) and re.search(r"哪件|哪一件|那件|哪单|哪一单|哪个案|哪一个", question))
                # "有没有被部门回退、后来又重新派遣的案件？挑一件…": one of those picked by what it went through
                or (bool(history_traits(question)) and re.search(r"挑一[件单个]|选一[件单个]|拿一[件单个]|找一[件单个]", question) is not None)
                or (ONE_OF_A_CATEGORY.search(question) and (slots.categories or slots.districts or LAST_CLOSED.search(question)))
                or (ONE_OF_THOSE.search(question) and (memory or {}).get("case_filters") is not None))  # fmt: skip


def find_case_args(question: str, slots: Slots, lexicon: CityLexicon, now: datetime,
                   remembered: dict[str, Any] | None = None) -> dict[str, Any]:  # fmt: skip
    """``find_case``'s filters and order for the question (over the cases listed before, when it refers to them)."""
    args: dict[str, Any] = dict(remembered or {}) if ONE_OF_THOSE.search(question) else {}
    if slots.district:
        args["district"] = slots.district
    categories = [c.id for c in slots.categories if c.label == "EventCategory"]
    categories += asset_categories(question, slots, lexicon)
    if categories:
        args["categories"] = list(dict.fromkeys(categories))
    source = next((code for code, pattern in SOURCES if pattern.search(question)), None)
    if source:
        args["source"] = source
    # "12345进来的": the channel, not the hotline centre as the department handling it.
    departments = [d for d in departments_named(slots, lexicon, slots.district, question)
                   if not (source == "12345" and "12345" in lexicon.name(d))]  # fmt: skip
    if departments:
        args["department_id"] = departments[0]
    if period := period_asked(question, now):
        args |= created_within(period)
    if REWORKED.search(question):
        args["reworked"] = True
    for trait in history_traits(question)[:1]:  # one case: by the first trait named
        args[trait] = True
    if OVERDUE.search(question):
        args["overdue"] = True
    elif STILL_OPEN.search(question):
        args["open"] = True
    # "第一件" of the cases just listed (newest first) is the first one shown, not the oldest.
    first_shown = remembered is not None and ONE_OF_THOSE.search(question) and not re.search(r"最早|最先|最老", question)
    args["order"] = ("most_overdue" if MOST_OVERDUE.search(question)
                     else "oldest" if OLDEST.search(question) and not first_shown
                     else "last_closed" if LAST_CLOSED.search(question) else "newest")  # fmt: skip
    if args["order"] == "most_overdue":
        args.pop("overdue", None)  # the order keeps only the open cases past their deadline
    return args


def created_within(period: Period) -> dict[str, str]:
    """``GET /v1/cases``' since/until for cases created on the period's days (China time)."""
    return {"since": f"{period.first:%Y-%m-%d}T00:00:00+08:00",
            "until": f"{period.last + timedelta(days=1):%Y-%m-%d}T00:00:00+08:00"}  # fmt: skip


def asks_history(question: str) -> bool:
    return bool(HISTORY.search(question))
