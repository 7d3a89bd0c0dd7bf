"""Decision memos scored against gold computed at run time (issue 14): the sections an analyst expects and
the figures each memo must state, from the recipe language of the chat set (``evals.gold``)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from core.exceptions import YiwangError
from evals import DATA, read_models
from evals.chat import CheckResult, Question, declines, score_answer
from evals.gold import Call, Check, City, Recipe, compute
from evals.metrics import Unscorable
from tools.client import ServicesClient

Json = dict[str, Any]
MEMO_SET = DATA / "memos.jsonl"
SECTIONS = ["背景", "现状", "研判", "建议", "依据"]


class MemoItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    request: Json
    sections: list[str] = Field(default_factory=lambda: list(SECTIONS))
    calls: dict[str, Call] = Field(default_factory=dict)
    checks: list[Check] = Field(default_factory=list)
    answerable: bool = True
    note: str = ""

    def recipe(self) -> Recipe:
        checks = self.checks or [Check(decline=not self.answerable)]
        return Recipe(id=self.id, calls=self.calls, checks=checks)


def read_memos(path: Path = MEMO_SET) -> list[MemoItem]:
    return read_models(path, MemoItem)


@dataclass
class MemoScored:
    id: str
    topic: str
    passed: bool = False
    answer: str = ""
    checks: list[CheckResult] = field(default_factory=list)
    error: str | None = None
    citations: int = 0

    def as_json(self) -> Json:
        return asdict(self) | {"turns": [self.topic]}


def has_section(markdown: str, name: str) -> bool:
    """A heading of that name: '## 背景', '## 一、背景', '【背景】'."""
    return bool(
        re.search(
            rf"^(?:#+\s*(?:[一二三四五六七八九十]+[、.]|\d+[.、])?\s*{re.escape(name)}|【{re.escape(name)}】)",
            markdown,
            re.MULTILINE,
        )
    )


def score_memo(item: MemoItem, memo: Json | None, refusal: str | None, facts_of: Callable[[Recipe], Any],
               today: Any) -> MemoScored:  # fmt: skip
    scored = MemoScored(item.id, json.dumps(item.request, ensure_ascii=False))
    if memo is None:  # refused by the API: right only where the topic is out of reach
        scored.answer = refusal or ""
        scored.checks = [
            CheckResult(
                "decline", not item.answerable, "拒绝并说明原因" if not item.answerable else "生成参考"
            )
        ]
    else:
        text = memo.get("markdown", "")
        scored.answer, scored.citations = text, len(memo.get("citations", []))
        recipe = item.recipe()
        question = Question(
            item.id, "analyst", [item.request.get("topic", "")], "memo", "", "", item.answerable
        )
        scored.checks = [
            CheckResult("section", has_section(text, s), f"含“{s}”一节")
            for s in (item.sections if item.answerable else [])
        ]
        scored.checks += score_answer(text, recipe, facts_of(recipe), question, today)
        if not item.answerable:
            scored.checks.append(CheckResult("decline", declines(text), "拒绝并说明原因"))
    scored.passed = all(c.ok for c in scored.checks)
    return scored


def run_memos(items: list[MemoItem], write: Callable[[Json], Json], services: ServicesClient,
              progress: Callable[[], None] | None = None) -> list[MemoScored]:  # fmt: skip
    """``write`` makes one memo from a request (the API's ``POST /v1/memos`` or this process's composer) and
    raises YiwangError when it refuses."""
    city = City.of(services)
    results = []
    for item in items:
        try:
            try:
                memo, refusal = write(item.request), None
            except YiwangError as exc:
                memo, refusal = None, exc.message
            results.append(score_memo(item, memo, refusal, lambda r: compute(r, services, city), city.today))
        except (Unscorable, YiwangError, KeyError, ValueError) as exc:
            results.append(
                MemoScored(
                    item.id,
                    json.dumps(item.request, ensure_ascii=False),
                    error=f"{type(exc).__name__}: {exc}",
                )
            )
        if progress:
            progress()
    return results


def summarize(results: list[MemoScored]) -> Json:
    n = len(results)
    return {"figures": {"memos": n, "accuracy": round(sum(r.passed for r in results) / n, 3) if n else None,
                        "checks_passed": round(sum(c.ok for r in results for c in r.checks) / max(1, sum(len(r.checks) for r in results)), 3),
                        "unscorable": sum(r.error is not None for r in results)},
            "items": [r.as_json() | {"passed": r.passed} for r in results]}  # fmt: skip
