"""Urgency from rules a supervisor can read and change (``data/domain/urgency_rules.csv``): safety words,
vulnerable people, and repeated reports, on top of the category's default urgency."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

LEVELS = ("low", "normal", "high", "critical")
NAMES = {"low": "低", "normal": "一般", "high": "高", "critical": "紧急"}


# "上回隔壁楼着火那次消防车差点进不来": a danger the caller recalls, not one happening now.
# Not 之前/以前: "五分钟之前开始冒烟" is happening now.
PAST = re.compile(r"(?:上回|上次|去年|前几年|曾经|那年)[^，,。！!？?]{0,8}$")


def _told_of_the_past(text: str, start: int) -> bool:
    return PAST.search(text[max(0, start - 12):start]) is not None


@dataclass(frozen=True)
class UrgencyRule:
    level: str
    pattern: re.Pattern[str]
    reason: str


def load_rules(path: Path) -> list[UrgencyRule]:
    rules = []
    with path.open(encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            if row["level"] not in LEVELS:
                raise ValueError(f"{path}:{line}: level {row['level']!r} is not one of {', '.join(LEVELS)}")
            rules.append(UrgencyRule(row["level"], re.compile(row["words"]), row["reason"]))
    return rules


def assess(text: str, default: str, rules: list[UrgencyRule], repeated: int = 0) -> tuple[str, list[str]]:
    """The urgency and the reasons, in the words of the rules that fired."""
    level, reasons = default if default in LEVELS else "normal", [f"类别默认紧急程度「{NAMES.get(default, default)}」"]
    raised = False
    for rule in rules:
        if match := next((m for m in rule.pattern.finditer(text) if not _told_of_the_past(text, m.start())), None):
            if rule.level == "low":
                if not raised and level == "normal":
                    level = "low"
                    reasons.append(f"「{match.group(0)}」：{rule.reason}")
                continue
            if LEVELS.index(rule.level) > LEVELS.index(level) or rule.level == level:
                level = max(level, rule.level, key=LEVELS.index)
                raised = True
                reasons.append(f"「{match.group(0)}」：{rule.reason}")
    if repeated:
        bumped = LEVELS[min(LEVELS.index(level) + 1, len(LEVELS) - 1)]
        reasons.append(f"附近已有 {repeated} 件同类未结案件（重复反映），紧急程度上调一级")
        level = max(level, bumped, key=LEVELS.index)
    return level, reasons
