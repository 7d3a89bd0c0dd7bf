"""The grounding check every answer passes before it is returned.

Each number in the answer must occur in a tool result (or the arguments of a tool call) of the same
turn, possibly rounded or as a percentage of a rate; each named entity (district, road, department,
category…) must be a cited graph node or appear in a cited document or tool result. Sentences that fail
are removed, and what was removed is reported so the LLM path can regenerate once.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from assistant.lexicon import CityLexicon

# A number as a reader sees it: not part of a code such as "A3区", "S99…-01" or "event-0401".
ANSWER_NUMBER = re.compile(r"(?<![A-Za-z0-9_.\-])-?\d+(?:\.\d+)?(?![A-Za-z0-9_])")
# In a result's "2026-12-04" the 12 and the 04 are numbers, not -12 and -4: a minus follows no digit.
ANY_NUMBER = re.compile(r"(?<!\d)-?\d+(?:\.\d+)?")
# Dates and times are checked whole, as the tools write them (ISO 8601).
DAY = re.compile(r"(\d{1,2})月(\d{1,2})[日号]")  # as answers write a day: 11月29日
DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[+-]\d{2}:\d{2})?)?")
SENTENCE = re.compile(r"[^。！？；\n]+[。！？；]?|\n")
ORDINAL = re.compile(r"^\s*\d{1,2}\.\s")  # "4. …": a list's numbering, no claim
# The public service numbers advice gives ("拨打 119"): who to call, not a figure about the city.
# Only as a number to call: "共 120 件" is a figure like any other. ("119" is also a name of the bureau that runs it.)
SERVICE_CALL = re.compile(r"(?<=拨打|呼叫|致电)\s*(?:110|119|120|122|12345)(?!\d)|(?<=报|打)\s*(?:110|119|120|122)(?!\d)")


@dataclass
class Evidence:
    """Everything a turn's tool calls returned, flattened for look-ups."""

    numbers: set[float] = field(default_factory=set)
    text: str = ""
    cited_ids: set[str] = field(default_factory=set)

    @classmethod
    def collect(cls, results: list[Any], cited_ids: set[str]) -> Evidence:
        blob = json.dumps(results, ensure_ascii=False, default=str)
        numbers: set[float] = set()
        for token in ANY_NUMBER.findall(blob):
            try:
                numbers.add(abs(float(token)))  # a change of -5 is said "减少 5"
            except ValueError:
                continue
        return cls(numbers, blob, cited_ids)

    def supports_entity(self, node_id: str, name: str, surface: str) -> bool:
        """Cited, or returned by a tool by name or by id (a case's ``department_id``, an alarm's ``district``)."""
        return (node_id in self.cited_ids or surface in self.text or name in self.text
                or f'"{node_id}"' in self.text)  # fmt: skip

    def supports_number(self, token: str) -> bool:
        value = float(token)
        decimals = len(token.split(".", 1)[1]) if "." in token else 0
        value = abs(value)
        if value in self.numbers or value <= 1 and decimals == 0:
            return True  # 0 and 1 are counts of nothing/one; they carry no claim on their own
        for known in self.numbers:
            if round(known, decimals) == value or round(known * 100, decimals) == value:
                return True
        return False


@dataclass
class GroundingReport:
    answer: str
    unsupported_numbers: list[str]
    unsupported_entities: list[str]

    @property
    def ok(self) -> bool:
        return not (self.unsupported_numbers or self.unsupported_entities)


def check_grounding(answer: str, evidence: Evidence, lexicon: CityLexicon) -> GroundingReport:
    """Remove every sentence holding a number or a named entity the evidence does not support."""
    bad_numbers: list[str] = []
    bad_entities: list[str] = []
    kept: list[str] = []
    for sentence in SENTENCE.findall(answer):
        dates = [d for d in DATE.findall(sentence) if d.replace(" ", "T") not in evidence.text]  # 2026-11-29 07:06
        dates += [d.group(0) for d in DAY.finditer(sentence)
                  if d.group(0) not in evidence.text and not _day_supported(int(d.group(1)), int(d.group(2)), evidence)]
        plain = SERVICE_CALL.sub(" ", ORDINAL.sub(" ", DAY.sub(" ", DATE.sub(" ", sentence))))
        numbers = dates + [n for n in ANSWER_NUMBER.findall(plain) if not evidence.supports_number(n)]
        entities = [named.name for mention, named in lexicon.find(_mask(sentence, lexicon), names_only=True)
                    if not evidence.supports_entity(named.id, named.name, mention.surface)]
        if numbers or entities:
            bad_numbers += numbers
            bad_entities += entities
            continue
        kept.append(sentence)
    cleaned = re.sub(r"\n{3,}", "\n\n", "".join(kept)).strip()
    return GroundingReport(cleaned, bad_numbers, sorted(set(bad_entities)))


def _day_supported(month: int, day: int, evidence: Evidence) -> bool:
    """"11月29日" is a tool's date (as a document writes it, checked before), or the last day of a period the
    tool bounded by the next one (until 2026-11-30T00:00)."""
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return False
    try:
        when = date(2000, month, day)  # a leap year, so 2月29日 is a day
    except ValueError:
        return False
    after = when + timedelta(days=1)
    return f"-{month:02d}-{day:02d}" in evidence.text or f"-{after.month:02d}-{after.day:02d}" in evidence.text


def _mask(sentence: str, lexicon: CityLexicon) -> str:
    """Hide the planner's own vocabulary (sensor kind names such as 泵站运行状态) from entity matching:
    a kind name is not a claim about the category whose name it contains."""
    for word in lexicon.vocabulary:
        sentence = sentence.replace(word, "·")
    return SERVICE_CALL.sub("·", sentence)
