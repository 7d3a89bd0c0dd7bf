"""Deterministic scores of one answer or one run (issue 14): pure functions, no model, no network.

Numbers are compared after Chinese numerals become digits (``cn2an``: 三百二十 → 320, 百分之九十五点三 →
95.3%), full-width forms are folded and thousands separators dropped, so "一千二百七十九件" and "1,279 件"
are the same figure. What cannot be scored is an error, never a pass: a reply that does not parse, a
check with nothing to check.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import cn2an

from core.text import normalize

# Words whose 一 is not the number one (cn2an would turn 一共 into 1共 and invent a figure).
_NOT_NUMBERS = ("一共", "一直", "一下", "一些", "一起", "一样", "一般", "一旦", "统一", "唯一", "一律", "一并", "一致",
                "一定", "一切", "一边", "一点儿", "一向", "一再", "一段", "每一", "一步", "逐一", "之一", "第一时间",
                "进一步", "一方面", "一体", "一线", "一遍", "万一")  # fmt: skip
# A figure, not the digit of a name or code: A3区, C2026… are not numbers of the answer.
# A unit may follow directly ("8.54cm", "0.31MPa"); letters followed by a digit make it a code ("3A2").
_NUMBER = re.compile(r"(?<![A-Za-z\d.\-])-?\d+(?:\.\d+)?(?!\d|[A-Za-z_]+\d)")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


class Unscorable(ValueError):
    """The answer or the check cannot be scored; counted as a failure, never as a pass."""


def digits(text: str) -> str:
    """``text`` with Chinese numerals as digits, full-width folded, thousands separators gone."""
    text = normalize(text)
    for i, word in enumerate(_NOT_NUMBERS):
        text = text.replace(word, f"\x00{i}\x00")
    with contextlib.suppress(ValueError, KeyError), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # cn2an warns of each fragment it leaves as written ("万")
        text = cn2an.transform(text, "cn2an")
    for i, word in enumerate(_NOT_NUMBERS):
        text = text.replace(f"\x00{i}\x00", word)
    return _THOUSANDS.sub("", text)


def numbers_in(text: str) -> list[float]:
    return [float(n) for n in _NUMBER.findall(digits(text))]


@dataclass(frozen=True)
class Figure:
    """A figure the answer must state: its value, how far off it may be, and optionally its unit."""

    value: float
    tolerance: float = 0.0
    unit: str = ""


def states_figure(answer: str, figure: Figure) -> bool:
    """Whether the answer states ``figure`` (within tolerance; followed by its unit when one is given)."""
    text = digits(answer)
    for match in _NUMBER.finditer(text):
        if abs(float(match.group()) - figure.value) <= figure.tolerance + 1e-9:
            following = text[match.end() : match.end() + len(figure.unit) + 1].lstrip()
            if not figure.unit or following.startswith(figure.unit) or _same_counter(figure.unit, following):
                return True
    return False


# Measure words of a count of things: "21 盏路灯" and "21 个路灯" state the same figure (a classifier is no
# unit). 件 is not among them: cases are counted in 件, and "320 处" is not a count of cases.
COUNTERS = frozenset("个盏座台处根组家辆块段棵")


def _same_counter(unit: str, following: str) -> bool:
    return len(unit) == 1 and unit in COUNTERS and following[:1] in COUNTERS


def names_period(answer: str, spellings: Iterable[str]) -> bool:
    """Whether the answer names the period it answers for, in any accepted spelling (11月, 2026-11…)."""
    # Spaces are typography: "过去 24 小时" names the period spelled "24小时".
    spellings = [re.sub(r"\s+", "", digits(s)) for s in spellings]
    if not spellings:
        raise Unscorable("no spelling of the period to look for")
    text = re.sub(r"\s+", "", digits(answer))
    return any(s in text for s in spellings)


def ungrounded_numbers(answer: str, tool_results: Sequence[Any]) -> list[float]:
    """Numbers in the answer that no tool result of the turn holds (as stated, or rounded as stated)."""
    held = [float(n) for n in _NUMBER.findall(digits(json.dumps(list(tool_results), ensure_ascii=False)))]
    missing = []
    for stated in _NUMBER.findall(digits(answer)):
        value = float(stated)
        places = len(stated.split(".")[1]) if "." in stated else 0
        if not any(
            math.isclose(round(h, places), value) or math.isclose(round(h * 100, places), value) for h in held
        ):
            missing.append(value)  # a rate held as 0.953 may be stated as 95.3(%)
    return missing


def precision_recall(predicted: Iterable[str], gold: Iterable[str]) -> tuple[float, float]:
    """Of what was predicted, how much is gold; of the gold, how much was predicted (citations by id)."""
    predicted, gold = set(predicted), set(gold)
    if not gold:
        raise Unscorable("no gold ids: an empty criterion is an error, not a pass")
    hits = len(predicted & gold)
    return (hits / len(predicted) if predicted else 0.0), hits / len(gold)


@dataclass(frozen=True)
class Call:
    name: str
    args: Mapping[str, Any]


def calls_match(made: Sequence[Call], expected: Sequence[Call]) -> bool:
    """Every expected call was made: the same tool, with at least the expected arguments (structurally
    equal, so {"district": "990103"} matches whatever else the call also said)."""
    if not expected:
        raise Unscorable("no expected calls: say what the turn should call, or score it as a refusal")
    return all(
        any(m.name == e.name and all(m.args.get(k) == v for k, v in e.args.items()) for m in made)
        for e in expected
    )


def pass_hat_k(successes: Sequence[bool], k: int) -> float:
    """tau-bench's pass^k for one task run n times with c successes: C(c, k) / C(n, k), the chance that k
    runs drawn from the n all succeed."""
    n, c = len(successes), sum(successes)
    if not 1 <= k <= n:
        raise Unscorable(f"pass^{k} needs at least {k} runs, got {n}")
    return math.comb(c, k) / math.comb(n, k)


def abstention_scores(declined: Sequence[bool], should_decline: Sequence[bool]) -> tuple[float, float]:
    """Precision (of the declines, how many were right to) and recall (of the questions to decline, how
    many were declined)."""
    if len(declined) != len(should_decline) or not any(should_decline):
        raise Unscorable("abstention needs one verdict per question and at least one question to decline")
    both = sum(d and s for d, s in zip(declined, should_decline, strict=True))
    return (both / sum(declined) if any(declined) else 0.0), both / sum(should_decline)


def parse_reply(raw: str | bytes) -> dict[str, Any]:
    """A chat reply as the contract shapes it; anything else is unscorable (a failure, never "no call")."""
    try:
        reply = json.loads(raw)
    except (ValueError, TypeError) as exc:
        raise Unscorable(f"the reply is not JSON: {exc}") from exc
    if (
        not isinstance(reply, dict)
        or not isinstance(reply.get("answer"), str)
        or not isinstance(reply.get("tool_calls"), list)
    ):
        raise Unscorable("the reply lacks the contract's answer and tool_calls")
    return reply
