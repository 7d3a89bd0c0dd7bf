"""Gold computed when the eval runs (issue 14): a question's recipe names the API calls whose results hold
the expected facts and the checks an answer must meet, so the same set scores any city on any day.

A recipe (one line of ``evals/data/chat_*_gold.jsonl``, schema in ``docs/evals.md``)::

    {"id": "dev-002",
     "calls": {"by_district": {"op": "case_stats", "args": {"period": "@yesterday", "district": "{code}"},
                               "each": "districts"}},
     "checks": [{"figure": "by_district[].result.total", "unit": "件"},
                {"name": "max_by(by_district, &result.total).name"},
                {"period": "@yesterday"}],
     "tools": ["search_cases"]}

``op`` is an operation of ``tools.client.ServicesClient`` (the HTTP contract), ``@…`` a period relative to
today, ``each`` repeats the call for every district (``{code}``, ``{name}``) or department (``{id}``,
``{name}``). Checks read the results with JMESPath (a well-kept query language, so nobody learns ours):
``figure`` (a number or list of numbers the answer must state), ``name`` (strings it must contain; a raw
literal is ``'市水务局'``), ``says`` (one of these words), ``not_figure`` (a figure of the wrong period or
place), ``period`` (the period it must name), ``decline`` (it must decline and state no figure); any check
may carry ``when`` (a JMESPath condition: the check applies only when it holds).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import jmespath
from jmespath import functions
from jmespath.exceptions import JMESPathError
from pydantic import BaseModel, ConfigDict, Field, model_validator

from core import clock
from core.times import CHINA
from evals.metrics import Unscorable
from tools.client import OPERATIONS, ServicesClient

Json = dict[str, Any]

# Read-only operations a recipe may call: gold never writes.
READ_OPERATIONS = frozenset(name for name, op in OPERATIONS.items() if op.method == "GET") | {
    "forecast",
    "triage",
}
DEPARTMENT_WORDS = ("局", "公司", "集团", "中心", "办公室", "委员会", "支队")


class Call(BaseModel):
    model_config = ConfigDict(extra="forbid")

    op: str
    args: Json = Field(default_factory=dict)
    each: str | None = Field(None, pattern="^(districts|departments)$")

    @model_validator(mode="after")
    def _known(self) -> Call:
        if self.op not in READ_OPERATIONS:
            raise ValueError(f"unknown or writing operation {self.op!r}; one of {sorted(READ_OPERATIONS)}")
        return self


class Check(BaseModel):
    model_config = ConfigDict(extra="forbid")

    figure: str | None = None
    unit: str = ""
    tolerance: float | None = None
    percent: bool = False
    name: str | None = None
    any: bool = False
    says: list[str] | None = None
    not_figure: str | None = None
    period: str | None = None
    decline: bool | None = None
    when: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Check:
        kinds = [
            k
            for k in ("figure", "name", "says", "not_figure", "period", "decline")
            if getattr(self, k) is not None
        ]
        if len(kinds) != 1:
            raise ValueError(
                f"a check is exactly one of figure/name/says/not_figure/period/decline, got {kinds}"
            )
        for expression in (self.figure, self.name, self.not_figure, self.when):
            if expression is not None:
                jmespath.compile(expression)
        if self.says is not None and not self.says:
            raise ValueError("says needs at least one word")
        return self

    @property
    def kind(self) -> str:
        return next(
            k
            for k in ("figure", "name", "says", "not_figure", "period", "decline")
            if getattr(self, k) is not None
        )


class Recipe(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    calls: dict[str, Call] = Field(default_factory=dict)
    checks: list[Check]
    tools: list[str] = Field(default_factory=list)
    note: str = ""

    @model_validator(mode="after")
    def _not_empty(self) -> Recipe:
        if not self.checks:
            raise ValueError("a recipe without checks would pass any answer")
        reserved = {"districts", "departments", "today"} & set(self.calls)
        if reserved:
            raise ValueError(f"call names {sorted(reserved)} are reserved")
        return self


class _Functions(functions.Functions):
    """JMESPath's own functions plus the two a ranking needs: every element tied at the top or bottom
    (``max_by`` keeps one, and 'which district had the most' may have two right answers), a little
    arithmetic, and ``today()``: a filter sees only its element, so a name like ``today`` is out of reach."""

    def __init__(self, today: str = "") -> None:
        super().__init__()
        self.today = today

    @functions.signature()
    def _func_today(self) -> str:
        return self.today

    @functions.signature({"types": ["array"]}, {"types": ["expref"]})
    def _func_all_max_by(self, array: list[Any], expref: Any) -> list[Any]:
        keys = [expref.visit(expref.expression, item) for item in array]
        return [
            item
            for item, key in zip(array, keys, strict=True)
            if key is not None and key == max(k for k in keys if k is not None)
        ]

    @functions.signature({"types": ["array"]}, {"types": ["expref"]})
    def _func_all_min_by(self, array: list[Any], expref: Any) -> list[Any]:
        keys = [expref.visit(expref.expression, item) for item in array]
        return [
            item
            for item, key in zip(array, keys, strict=True)
            if key is not None and key == min(k for k in keys if k is not None)
        ]

    @functions.signature({"types": ["number"]}, {"types": ["number"]})
    def _func_minus(self, a: float, b: float) -> float:
        return a - b

    @functions.signature({"types": ["number"]}, {"types": ["number"]})
    def _func_divide(self, a: float, b: float) -> float | None:
        return a / b if b else None

    @functions.signature({"types": ["array"]})
    def _func_distinct(self, array: list[Any]) -> list[Any]:
        keys = dict.fromkeys(json.dumps(v, sort_keys=True, ensure_ascii=False) for v in array)
        return [json.loads(key) for key in keys]

    @functions.signature({"types": ["string"]})
    def _func_month_day(self, timestamp: str) -> str:
        """'2026-12-05T18:02:00+08:00' → '12月5日', as answers write a date."""
        day = datetime.fromisoformat(timestamp).astimezone(CHINA)
        return f"{day.month}月{day.day}日"


@dataclass(frozen=True)
class Period:
    api: str  # what /v1/cases/stats and /v1/evaluation take
    spellings: tuple[str, ...]  # how an answer may name it


def _day_spellings(day: date) -> tuple[str, ...]:
    return (f"{day:%Y-%m-%d}", f"{day.month}月{day.day}日", f"{day.month}月{day.day}号", f"{day.month}-{day.day:02d}",
            f"{day.month:02d}-{day.day:02d}", f"{day.month}/{day.day}")  # fmt: skip


def _span(first: date, last: date, *words: str) -> Period:
    return Period(f"{first:%Y-%m-%d}..{last:%Y-%m-%d}", (*words, *_day_spellings(first)))


def period(token: str, today: date) -> Period:
    """``@this_month`` … as the API's period and its accepted spellings; anything else is passed as written."""
    monday = today - timedelta(days=today.weekday())
    month_start = today.replace(day=1)
    last_month = (month_start - timedelta(days=1)).replace(day=1)
    if match := re.fullmatch(r"@last(\d{1,3})d", token):
        n = int(match.group(1))
        return Period(
            f"last{n}d",
            (f"近{n}天", f"最近{n}天", f"过去{n}天", f"{n}天", f"{n * 24}小时" if n <= 3 else f"近{n}日"),
        )
    if match := re.fullmatch(r"@days(\d{1,3})(_before)?", token):  # calendar days, today the last of them
        n = int(match.group(1))
        last = today - timedelta(days=n) if match.group(2) else today
        words = (f"前{n}天", "再往前", "之前", "上一个") if match.group(2) else (f"近{n}天", f"最近{n}天", f"过去{n}天", f"{n}天")
        return _span(last - timedelta(days=n - 1), last, *words)
    fixed: dict[str, Callable[[], Period]] = {
        "@today": lambda: Period(f"{today:%Y-%m-%d}", ("今天", "今日", "当天", *_day_spellings(today))),
        "@yesterday": lambda: Period(f"{today - timedelta(days=1):%Y-%m-%d}", ("昨天", "昨日", *_day_spellings(today - timedelta(days=1)))),
        "@day_before_yesterday": lambda: Period(f"{today - timedelta(days=2):%Y-%m-%d}", ("前天", *_day_spellings(today - timedelta(days=2)))),
        "@week_before_last": lambda: _span(monday - timedelta(days=14), monday - timedelta(days=8), "上上周"),
        "@this_week": lambda: _span(monday, today, "本周", "这周", "这一周", "本星期"),
        "@last_week": lambda: _span(monday - timedelta(days=7), monday - timedelta(days=1), "上周", "上一周", "上星期"),
        "@this_month": lambda: Period(f"{today:%Y-%m}", ("本月", "这个月", "当月", f"{today.month}月", f"{today:%Y-%m}")),
        "@last_month": lambda: Period(f"{last_month:%Y-%m}", ("上月", "上个月", f"{last_month.month}月", f"{last_month:%Y-%m}")),
        "@this_year": lambda: Period(f"{today:%Y}", ("今年", "本年", f"{today.year}年")),
    }  # fmt: skip
    if token in fixed:
        return fixed[token]()
    if match := re.fullmatch(r"(\d{4})-(\d{2})", token):
        return Period(token, (f"{int(match.group(2))}月", token))
    if token.startswith("@"):
        raise Unscorable(f"unknown period {token!r}")
    return Period(token, (token,))


@dataclass
class Facts:
    """The results of a recipe's calls, with the city's districts and departments, for its checks to read."""

    values: Json
    periods: list[Period] = field(default_factory=list)

    def search(self, expression: str) -> Any:
        try:
            options = jmespath.Options(custom_functions=_Functions(str(self.values.get("today", ""))))
            return jmespath.search(expression, self.values, options=options)
        except JMESPathError as exc:
            raise Unscorable(f"{expression!r}: {exc}") from exc


@dataclass
class City:
    """What every recipe may read besides its own calls: the districts and departments, by name."""

    districts: list[Json]
    departments: list[Json]
    today: date

    @classmethod
    def of(cls, client: ServicesClient, now: datetime | None = None) -> City:
        districts = [
            {"code": d["id"], "name": d["name"]}
            for d in client.search_entities("区", label="District", limit=100)
        ]
        departments: dict[str, Json] = {}
        for word in DEPARTMENT_WORDS:
            for d in client.search_entities(word, label="Department", limit=100):
                departments.setdefault(d["id"], {"id": d["id"], "name": d["name"]})
        today = (now or clock.now().astimezone(CHINA)).astimezone(CHINA).date()
        return cls(
            sorted(districts, key=lambda d: d["code"]),
            sorted(departments.values(), key=lambda d: d["id"]),
            today,
        )


def _fill(value: Any, today: date, item: Json | None, periods: list[Period]) -> Any:
    if isinstance(value, dict):
        return {k: _fill(v, today, item, periods) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, today, item, periods) for v in value]
    if isinstance(value, str):
        if value.startswith("@"):
            resolved = period(value, today)
            periods.append(resolved)
            return resolved.api
        if item is not None:
            return re.sub(r"\{(\w+)\}", lambda m: str(item.get(m.group(1), m.group(0))), value)
    return value


def _named(result: Any, city: City) -> Any:
    """Results with names beside ids (department_id → department_name…), so checks can ask for names."""
    names = {d["id"]: d["name"] for d in city.departments}
    districts = {d["code"]: d["name"] for d in city.districts}
    if isinstance(result, list):
        return [_named(r, city) for r in result]
    if isinstance(result, dict):
        named = {k: _named(v, city) for k, v in result.items()}
        if isinstance(result.get("department_id"), str):
            named.setdefault("department_name", names.get(result["department_id"]))
        if isinstance(result.get("district"), str):
            named.setdefault("district_name", districts.get(result["district"]))
        return named
    return result


def compute(recipe: Recipe, client: ServicesClient, city: City) -> Facts:
    """Run the recipe's calls against ``client``: gold from the data as it is now, never typed in."""
    values: Json = {
        "districts": city.districts,
        "departments": city.departments,
        "today": f"{city.today:%Y-%m-%d}",
    }
    periods: list[Period] = []
    for name, call in recipe.calls.items():
        method = getattr(client, call.op)
        if call.each:
            values[name] = [{**item, "result": _named(method(**_fill(call.args, city.today, item, periods)), city)}
                            for item in getattr(city, call.each)]  # fmt: skip
        else:
            values[name] = _named(method(**_fill(call.args, city.today, None, periods)), city)
    return Facts(values, periods)


def numbers(value: Any) -> list[float]:
    """A figure expression's value as numbers; no number at all is unscorable, not a pass."""
    flat = value if isinstance(value, list) else [value]
    found = [float(v) for v in _flatten(flat) if isinstance(v, int | float) and not isinstance(v, bool)]
    if not found:
        raise Unscorable(f"the gold figure is {value!r}, not a number")
    return found


def strings(value: Any) -> list[str]:
    found = [v for v in _flatten(value if isinstance(value, list) else [value]) if isinstance(v, str) and v]
    if not found:
        raise Unscorable(f"the gold name is {value!r}, not a string")
    return found


def _flatten(values: Iterable[Any]) -> Iterable[Any]:
    for v in values:
        if isinstance(v, list):
            yield from _flatten(v)
        else:
            yield v
