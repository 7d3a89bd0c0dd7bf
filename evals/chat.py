"""Chat answers scored against gold computed at run time (issue 14).

Each question of a set (``chat_dev_src.jsonl`` / ``chat_heldout_src.jsonl``) is asked turn by turn in one
session; the last turn's reply is scored by its recipe (``chat_*_gold.jsonl``, see ``evals.gold``). A
question passes when every check that applies holds. Groundedness, citations, tool calls and abstention are
reported beside it, never folded into it.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import httpx
from pydantic import ValidationError

from core.access import bearer
from core.exceptions import YiwangError
from evals import DATA, read_models
from evals.gold import City, Facts, Recipe, compute, numbers, period, strings
from evals.metrics import Figure, Unscorable, digits, names_period, numbers_in, parse_reply, states_figure
from tools.client import ServicesClient

Json = dict[str, Any]
# dev2…dev71: more development sets, written later by other independent writers (issue 15's weak intents).
SETS = {"dev": (DATA / "chat_dev_src.jsonl", DATA / "chat_dev_gold.jsonl"),
        "dev2": (DATA / "chat_dev2_src.jsonl", DATA / "chat_dev2_gold.jsonl"),
        "dev3": (DATA / "chat_dev3_src.jsonl", DATA / "chat_dev3_gold.jsonl"),
        "dev4": (DATA / "chat_dev4_src.jsonl", DATA / "chat_dev4_gold.jsonl"),
        "dev5": (DATA / "chat_dev5_src.jsonl", DATA / "chat_dev5_gold.jsonl"),
        "dev6": (DATA / "chat_dev6_src.jsonl", DATA / "chat_dev6_gold.jsonl"),
        "dev7": (DATA / "chat_dev7_src.jsonl", DATA / "chat_dev7_gold.jsonl"),
        "dev8": (DATA / "chat_dev8_src.jsonl", DATA / "chat_dev8_gold.jsonl"),
        "dev9": (DATA / "chat_dev9_src.jsonl", DATA / "chat_dev9_gold.jsonl"),
        "dev10": (DATA / "chat_dev10_src.jsonl", DATA / "chat_dev10_gold.jsonl"),
        "dev11": (DATA / "chat_dev11_src.jsonl", DATA / "chat_dev11_gold.jsonl"),
        "dev12": (DATA / "chat_dev12_src.jsonl", DATA / "chat_dev12_gold.jsonl"),
        "dev13": (DATA / "chat_dev13_src.jsonl", DATA / "chat_dev13_gold.jsonl"),
        "dev14": (DATA / "chat_dev14_src.jsonl", DATA / "chat_dev14_gold.jsonl"),
        "dev15": (DATA / "chat_dev15_src.jsonl", DATA / "chat_dev15_gold.jsonl"),
        "dev16": (DATA / "chat_dev16_src.jsonl", DATA / "chat_dev16_gold.jsonl"),
        "dev17": (DATA / "chat_dev17_src.jsonl", DATA / "chat_dev17_gold.jsonl"),
        "dev18": (DATA / "chat_dev18_src.jsonl", DATA / "chat_dev18_gold.jsonl"),
        "dev19": (DATA / "chat_dev19_src.jsonl", DATA / "chat_dev19_gold.jsonl"),
        "dev20": (DATA / "chat_dev20_src.jsonl", DATA / "chat_dev20_gold.jsonl"),
        "dev21": (DATA / "chat_dev21_src.jsonl", DATA / "chat_dev21_gold.jsonl"),
        "dev22": (DATA / "chat_dev22_src.jsonl", DATA / "chat_dev22_gold.jsonl"),
        "dev23": (DATA / "chat_dev23_src.jsonl", DATA / "chat_dev23_gold.jsonl"),
        "dev24": (DATA / "chat_dev24_src.jsonl", DATA / "chat_dev24_gold.jsonl"),
        "dev25": (DATA / "chat_dev25_src.jsonl", DATA / "chat_dev25_gold.jsonl"),
        "dev26": (DATA / "chat_dev26_src.jsonl", DATA / "chat_dev26_gold.jsonl"),
        "dev27": (DATA / "chat_dev27_src.jsonl", DATA / "chat_dev27_gold.jsonl"),
        "dev28": (DATA / "chat_dev28_src.jsonl", DATA / "chat_dev28_gold.jsonl"),
        "dev29": (DATA / "chat_dev29_src.jsonl", DATA / "chat_dev29_gold.jsonl"),
        "dev30": (DATA / "chat_dev30_src.jsonl", DATA / "chat_dev30_gold.jsonl"),
        "dev31": (DATA / "chat_dev31_src.jsonl", DATA / "chat_dev31_gold.jsonl"),
        "dev32": (DATA / "chat_dev32_src.jsonl", DATA / "chat_dev32_gold.jsonl"),
        "dev33": (DATA / "chat_dev33_src.jsonl", DATA / "chat_dev33_gold.jsonl"),
        "dev34": (DATA / "chat_dev34_src.jsonl", DATA / "chat_dev34_gold.jsonl"),
        "dev35": (DATA / "chat_dev35_src.jsonl", DATA / "chat_dev35_gold.jsonl"),
        "dev36": (DATA / "chat_dev36_src.jsonl", DATA / "chat_dev36_gold.jsonl"),
        "dev37": (DATA / "chat_dev37_src.jsonl", DATA / "chat_dev37_gold.jsonl"),
        "dev38": (DATA / "chat_dev38_src.jsonl", DATA / "chat_dev38_gold.jsonl"),
        "dev39": (DATA / "chat_dev39_src.jsonl", DATA / "chat_dev39_gold.jsonl"),
        "dev40": (DATA / "chat_dev40_src.jsonl", DATA / "chat_dev40_gold.jsonl"),
        "dev41": (DATA / "chat_dev41_src.jsonl", DATA / "chat_dev41_gold.jsonl"),
        "dev42": (DATA / "chat_dev42_src.jsonl", DATA / "chat_dev42_gold.jsonl"),
        "dev43": (DATA / "chat_dev43_src.jsonl", DATA / "chat_dev43_gold.jsonl"),
        "dev44": (DATA / "chat_dev44_src.jsonl", DATA / "chat_dev44_gold.jsonl"),
        "dev45": (DATA / "chat_dev45_src.jsonl", DATA / "chat_dev45_gold.jsonl"),
        "dev46": (DATA / "chat_dev46_src.jsonl", DATA / "chat_dev46_gold.jsonl"),
        "dev47": (DATA / "chat_dev47_src.jsonl", DATA / "chat_dev47_gold.jsonl"),
        "dev48": (DATA / "chat_dev48_src.jsonl", DATA / "chat_dev48_gold.jsonl"),
        "dev49": (DATA / "chat_dev49_src.jsonl", DATA / "chat_dev49_gold.jsonl"),
        "dev50": (DATA / "chat_dev50_src.jsonl", DATA / "chat_dev50_gold.jsonl"),
        "dev51": (DATA / "chat_dev51_src.jsonl", DATA / "chat_dev51_gold.jsonl"),
        "dev52": (DATA / "chat_dev52_src.jsonl", DATA / "chat_dev52_gold.jsonl"),
        "dev53": (DATA / "chat_dev53_src.jsonl", DATA / "chat_dev53_gold.jsonl"),
        "dev54": (DATA / "chat_dev54_src.jsonl", DATA / "chat_dev54_gold.jsonl"),
        "dev55": (DATA / "chat_dev55_src.jsonl", DATA / "chat_dev55_gold.jsonl"),
        "dev56": (DATA / "chat_dev56_src.jsonl", DATA / "chat_dev56_gold.jsonl"),
        "dev57": (DATA / "chat_dev57_src.jsonl", DATA / "chat_dev57_gold.jsonl"),
        "dev58": (DATA / "chat_dev58_src.jsonl", DATA / "chat_dev58_gold.jsonl"),
        "dev59": (DATA / "chat_dev59_src.jsonl", DATA / "chat_dev59_gold.jsonl"),
        "dev60": (DATA / "chat_dev60_src.jsonl", DATA / "chat_dev60_gold.jsonl"),
        "dev61": (DATA / "chat_dev61_src.jsonl", DATA / "chat_dev61_gold.jsonl"),
        "dev62": (DATA / "chat_dev62_src.jsonl", DATA / "chat_dev62_gold.jsonl"),
        "dev63": (DATA / "chat_dev63_src.jsonl", DATA / "chat_dev63_gold.jsonl"),
        "dev64": (DATA / "chat_dev64_src.jsonl", DATA / "chat_dev64_gold.jsonl"),
        "dev65": (DATA / "chat_dev65_src.jsonl", DATA / "chat_dev65_gold.jsonl"),
        "dev66": (DATA / "chat_dev66_src.jsonl", DATA / "chat_dev66_gold.jsonl"),
        "dev67": (DATA / "chat_dev67_src.jsonl", DATA / "chat_dev67_gold.jsonl"),
        "dev68": (DATA / "chat_dev68_src.jsonl", DATA / "chat_dev68_gold.jsonl"),
        "dev69": (DATA / "chat_dev69_src.jsonl", DATA / "chat_dev69_gold.jsonl"),
        "dev70": (DATA / "chat_dev70_src.jsonl", DATA / "chat_dev70_gold.jsonl"),
        "dev71": (DATA / "chat_dev71_src.jsonl", DATA / "chat_dev71_gold.jsonl"),
        "heldout": (DATA / "chat_heldout_src.jsonl", DATA / "chat_heldout_gold.jsonl")}  # fmt: skip

NOT_FIGURE_FLOOR = 10
# How an answer declines: says it cannot, has no such data, or that the thing does not exist.
_DECLINES = re.compile(r"无法|不能|不可以|没有.{0,16}(数据|信息|记录|权限|接入|覆盖|监测)|不在.{0,12}(范围|职责|系统)|暂不支持|不支持|"
                       r"查不到|未查到|查无|找不到|未找到|不存在|没有找到|抱歉|拒绝|不提供|无权|只覆盖|仅覆盖|请核对|"
                       r"没有(?:这个|该|叫)|并无|不包括|没有[A-Z]\d*[区市]")  # fmt: skip
# Numbers that are not figures: dates and clock times (list markers are taken off each line first).
# A house or station number ("582号", "3号泵站") is a name, not a figure.
# "12-05 13:30" (a month and day before a clock time, as readings are stamped) is a time too.
_NOT_FIGURES = re.compile(r"\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?|(?<![\d.\-])\d{1,2}-\d{1,2}(?=\s\d{1,2}:\d{2})|"
                          r"\d{1,2}:\d{2}(?::\d{2})?|"
                          r"\d{4}年|\d{1,2}月(?:[12]\d|3[01]|0?[1-9])(?:[日号]|(?![\d.%]))|\d{1,2}月|(?<![\d.])\d{1,2}日|(?<![\d.])\d+号")  # fmt: skip
_LIST_MARKER = re.compile(r"^\s*(?:[-*]\s*)?\d{1,2}[.、)）](?!\d)", re.MULTILINE)
# Citation markers [1], identifiers (rule-component-0103-990104, S9901…-03, cases:city:all), category codes
# (event 0405) and the hotline's number carry digits that are not figures either.
_MARKERS = re.compile(
    r"\[\d{1,3}\]|[A-Za-z][A-Za-z0-9_]*(?:[-:][A-Za-z0-9_]+)+|(?:event|component)[ -]?\d{4}|(?<!\d)12345(?!\d)"
)


class ChatTarget(Protocol):
    """Whatever answers ``POST /v1/chat``: this process's assistant or a server at a URL."""

    def ask(self, message: str, session_id: str | None, role: str) -> Json: ...


@dataclass
class RemoteChat:
    base_url: str
    timeout_s: float = 120.0
    api_key: str = ""

    def ask(self, message: str, session_id: str | None, role: str) -> Json:
        body = {"message": message, "role": role} | ({"session_id": session_id} if session_id else {})
        response = httpx.post(f"{self.base_url.rstrip('/')}/v1/chat", json=body, timeout=self.timeout_s,
                              headers=bearer(self.api_key))  # fmt: skip
        if response.status_code >= 400:
            raise Unscorable(f"HTTP {response.status_code}: {response.text[:300]}")
        return parse_reply(response.content)


@dataclass
class LocalChat:
    """The assistant of this process (``runtime.chat``), through the same request model as the API."""

    service: Any

    def ask(self, message: str, session_id: str | None, role: str) -> Json:
        from assistant.chat import ChatRequest  # the assistant only when the eval is local

        reply = self.service.ask(ChatRequest(message=message, session_id=session_id, role=role))
        return parse_reply(reply.model_dump_json())


@dataclass
class Question:
    id: str
    role: str
    turns: list[str]
    intent: str
    expects: str
    must_not: str
    answerable: bool


def read_set(name: str) -> list[tuple[Question, Recipe | None]]:
    """A set's questions with their recipes (``None`` where none is written yet: scored as an error)."""
    if name not in SETS:
        raise Unscorable(f"no chat set {name!r}; one of {sorted(SETS)}")
    source, gold = SETS[name]
    questions = [
        Question(**json.loads(line)) for line in source.read_text("utf-8").splitlines() if line.strip()
    ]
    recipes = {recipe.id: recipe for recipe in read_models(gold, Recipe)} if gold.exists() else {}
    return [(q, recipes.get(q.id)) for q in questions]


@dataclass
class CheckResult:
    kind: str
    ok: bool
    expected: str


@dataclass
class Scored:
    id: str
    intent: str
    role: str
    turns: list[str]
    expects: str
    answer: str = ""
    passed: bool = False
    checks: list[CheckResult] = field(default_factory=list)
    error: str | None = None
    should_decline: bool = False
    declined: bool = False
    ungrounded: list[float] = field(default_factory=list)
    citations: int = 0
    tools_expected: list[str] = field(default_factory=list)
    tools_called: list[str] = field(default_factory=list)
    latency_s: float = 0.0
    mode: str = ""

    @property
    def tools_ok(self) -> bool | None:
        return set(self.tools_expected) <= set(self.tools_called) if self.tools_expected else None

    def as_json(self) -> Json:
        return asdict(self) | {"tools_ok": self.tools_ok}


def declines(answer: str) -> bool:
    """Whether the answer leads with a refusal or a 'there is no such thing': its first sentence says so (a
    triage answer that says further on it cannot place the grid has not declined)."""
    opening = re.split(r"(?<=[。！？!?\n])", answer.strip())[0]
    return bool(_DECLINES.search(opening))


def figure_text(answer: str) -> str:
    """The answer with what is not a figure blanked out: list markers, citation markers, category codes,
    dates and clock times."""
    return _NOT_FIGURES.sub(" ", digits(_MARKERS.sub(" ", _LIST_MARKER.sub(" ", answer))))


def figures_stated(answer: str, allowed: Iterable[str] = ()) -> list[float]:
    """The figures of an answer: its numbers less dates, clock times, list markers and numbers the
    question itself gave (a refusal may repeat 'A8区' or '990108')."""
    text = figure_text(answer)
    given = {n for t in allowed for n in numbers_in(t)}
    return [n for n in numbers_in(text) if n not in given]


# A one-character word is not found inside a longer word that means something else: 无 in 无法 is not "none".
_INSIDE_WORDS = {"无": re.compile(r"无(?:法|权|论|须|需|关|误|效|意)"), "有": re.compile(r"有(?:关|效|些|点|助)|所有|没有")}


def name_in(answer: str, name: str) -> bool:
    """``name`` in the answer, also without the city's prefix ('A市水务局' said as '市水务局' or '水务局'); spaces
    do not count ("0 件" says "0件")."""
    answer = re.sub(r"\s+", "", digits(answer))
    name = re.sub(r"\s+", "", digits(name))
    if inside := _INSIDE_WORDS.get(name):
        answer = inside.sub(" ", answer)
    forms = {name}
    if match := re.match(r"^[A-Z]\d?市(.+)$", name):
        forms |= {match.group(1), "市" + match.group(1)}
    return any(f in answer for f in forms)


def _figure_ok(answer: str, value: float, check_unit: str, tolerance: float | None, percent: bool) -> bool:
    if percent:
        points = Figure(value * 100, 0.1 if tolerance is None else tolerance, check_unit)
        return states_figure(answer, points) or states_figure(answer, Figure(value, 0.001))
    default = 0.0 if float(value).is_integer() else max(0.051, abs(value) * 0.005)
    return states_figure(answer, Figure(value, default if tolerance is None else tolerance, check_unit))


def score_answer(
    answer: str, recipe: Recipe, facts: Facts, question: Question, today: Any
) -> list[CheckResult]:
    """Every applicable check of the recipe against one answer; a recipe none of whose checks applies is
    unscorable."""
    results = []
    figures = figure_text(answer)
    required: set[float] = set()
    for check in recipe.checks:
        if check.figure:
            required |= (
                set(numbers(facts.search(check.figure)))
                if not check.when or facts.search(check.when)
                else set()
            )
    for check in recipe.checks:
        if check.when and not facts.search(check.when):
            continue
        kind = check.kind
        if kind == "figure":
            values = numbers(facts.search(check.figure))
            # ``any``: one of the readings is right ("近7天" as calendar days or as 7 × 24 hours, where the
            # question does not say which).
            found = [_figure_ok(figures, v, check.unit, check.tolerance, check.percent) for v in values]
            ok = any(found) if check.any else all(found)
            expected = ("或" if check.any else "、").join(f"{v:g}{'×100%' if check.percent else ''}{check.unit}" for v in values)
        elif kind == "name":
            names = strings(facts.search(check.name))
            found = [name_in(answer, n) for n in names]
            ok = any(found) if check.any else all(found)
            expected = ("或" if check.any else "、").join(names)
        elif kind == "says":
            ok = any(name_in(answer, w) for w in check.says)
            expected = "或".join(check.says)
        elif kind == "not_figure":
            # Small counts (under 10) turn up in any answer for other reasons ("1 项", "上期 6 件"): only a
            # wrong figure that large is evidence of the wrong period or place.
            wrong = [
                v
                for v in numbers(facts.search(check.not_figure))
                if v not in required and abs(v) >= NOT_FIGURE_FLOOR
            ]
            ok = not any(_figure_ok(figures, v, "", 0.0, False) for v in wrong)
            expected = "不出现 " + "、".join(f"{v:g}" for v in wrong)
        elif kind == "period":
            spellings = period(check.period, today).spellings
            ok = names_period(answer, spellings)
            expected = "说明期间: " + " / ".join(spellings[:3])
        else:  # decline
            stated = figures_stated(answer, question.turns)
            ok = declines(answer) and not stated if check.decline else not declines(answer)
            expected = "拒答/说明缺什么, 不给数字" if check.decline else "作答, 不拒答"
        results.append(CheckResult(kind, ok, expected))
    if not results:
        raise Unscorable("no check of the recipe applies to today's data")
    return results


def grounding_text(reply: Json, services: ServicesClient | None = None) -> str:
    """What the turn's tools returned and what the reply cites: every number of the answer should be found
    here. The contract's reply names its tool calls but not their results, so the read-only ones are run
    again with the same arguments (moments later: live figures may have moved a little)."""
    parts = [f"{c.get('title', '')} {c.get('snippet', '')}" for c in reply.get("citations", [])]
    parts += [json.dumps(t.get("args", {}), ensure_ascii=False) for t in reply.get("tool_calls", [])]
    if services is not None:
        from tools.catalog import TOOLS

        for call in reply.get("tool_calls", []):
            spec = TOOLS.get(str(call.get("name")))
            if spec is None or spec.writes or not call.get("ok"):
                continue
            try:
                parts.append(
                    json.dumps(
                        spec.run(services, spec.args(**call.get("args", {}))).data,
                        ensure_ascii=False,
                        default=str,
                    )
                )
            except (YiwangError, ValidationError, TypeError, ValueError):
                continue  # a call that cannot be repeated grounds nothing
    return "\n".join(parts)


def ungrounded(
    answer: str, reply: Json, question: Question, services: ServicesClient | None = None
) -> list[float]:
    held = [abs(h) for h in numbers_in(grounding_text(reply, services))]  # a change of -5 is said "减少 5"
    missing = []
    for value in figures_stated(answer, question.turns):
        if not any(abs(h - value) < 1e-6 or abs(round(h * 100, 1) - value) < 0.051 or abs(round(h, 1) - value) < 1e-6
                   for h in held):  # fmt: skip
            missing.append(value)
    return missing


def run_question(question: Question, recipe: Recipe | None, target: ChatTarget, services: ServicesClient,
                 city: City) -> Scored:  # fmt: skip
    scored = Scored(question.id, question.intent, question.role, question.turns, question.expects,
                    should_decline=not question.answerable)  # fmt: skip
    try:
        if recipe is None:
            raise Unscorable("no gold recipe for this question")
        scored.tools_expected = list(recipe.tools)
        session_id = None
        for turn in question.turns:
            started = time.perf_counter()
            reply = target.ask(turn, session_id, question.role)
            scored.latency_s = time.perf_counter() - started
            session_id = reply.get("session_id") or session_id
        scored.answer = reply["answer"]
        scored.mode = str(reply.get("mode", ""))
        scored.citations = len(reply.get("citations", []))
        scored.tools_called = [str(t.get("name")) for t in reply.get("tool_calls", [])]
        scored.declined = declines(scored.answer)
        scored.ungrounded = ungrounded(scored.answer, reply, question, services)
        facts = compute(recipe, services, city)  # after the answer: the gold of the data it saw
        scored.checks = score_answer(scored.answer, recipe, facts, question, city.today)
        scored.passed = all(c.ok for c in scored.checks)
    except Unscorable as exc:
        scored.error = str(exc)
    except (YiwangError, httpx.HTTPError, KeyError, TypeError, ValueError) as exc:
        scored.error = f"{type(exc).__name__}: {exc}"
    return scored


def run_set(items: list[tuple[Question, Recipe | None]], target: ChatTarget, services: ServicesClient,
            progress: Callable[[], None] | None = None) -> list[Scored]:  # fmt: skip
    city = City.of(services)
    results = []
    for question, recipe in items:
        results.append(run_question(question, recipe, target, services, city))
        if progress:
            progress()
    return results


def check_recipes(items: list[tuple[Question, Recipe | None]], services: ServicesClient) -> list[Json]:
    """Each recipe computed on today's data, for its writer to see what gold it yields."""
    city = City.of(services)
    out = []
    for question, recipe in items:
        row: Json = {"id": question.id, "question": question.turns[-1]}
        if recipe is None:
            out.append(row | {"error": "no recipe"})
            continue
        try:
            facts = compute(recipe, services, city)
            shown = []
            for check in recipe.checks:
                applies = not check.when or bool(facts.search(check.when))
                value: Any = None
                if check.figure or check.not_figure:
                    value = numbers(facts.search(check.figure or check.not_figure)) if applies else None
                elif check.name:
                    value = strings(facts.search(check.name)) if applies else None
                elif check.period:
                    value = period(check.period, city.today).api
                shown.append({"kind": check.kind, "applies": applies, "value": value})
            row["checks"] = shown
        except Exception as exc:  # noqa: BLE001 - the writer sees every failure, whatever it is
            row["error"] = f"{type(exc).__name__}: {exc}"
        out.append(row)
    return out


def summarize(results: list[Scored]) -> Json:
    """The set's figures: accuracy overall, per intent and per role, and the scores reported beside it."""
    from evals.metrics import abstention_scores

    def share(flags: list[bool]) -> float | None:
        return round(sum(flags) / len(flags), 3) if flags else None

    answered = [r for r in results if r.error is None]
    figures: Json = {
        "questions": len(results),
        "accuracy": share([r.passed for r in results]),
        "checks_passed": share([c.ok for r in answered for c in r.checks]),
        "grounded": share([not r.ungrounded for r in answered if not r.should_decline]),
        "cited": share([r.citations > 0 for r in answered if not r.should_decline]),
        "tool_calls": share([bool(r.tools_ok) for r in answered if r.tools_ok is not None]),
        "unscorable": len(results) - len(answered),
        # Worse on duty than no answer: a figure given for a question it does not answer.
        "wrong_with_figures": share(
            [not r.passed and not r.declined and bool(figures_stated(r.answer, r.turns)) for r in results]
        ),
    }
    try:
        precision, recall = abstention_scores(
            [r.declined for r in answered], [r.should_decline for r in answered]
        )
        figures |= {"abstention_precision": round(precision, 3), "abstention_recall": round(recall, 3)}
    except Unscorable:
        pass
    latencies = sorted(r.latency_s for r in answered)
    if latencies:
        figures |= {"latency_p50_s": round(latencies[len(latencies) // 2], 3),
                    "latency_p95_s": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))], 3)}  # fmt: skip

    def groups(key: Callable[[Scored], str]) -> Json:
        out: Json = {}
        for r in results:
            out.setdefault(key(r), []).append(r.passed)
        return {k: {"n": len(v), "passed": sum(v), "accuracy": share(v)} for k, v in sorted(out.items())}

    return {"figures": figures, "by_intent": groups(lambda r: r.intent), "by_role": groups(lambda r: r.role),
            "latencies": latencies, "items": [r.as_json() for r in results]}  # fmt: skip
