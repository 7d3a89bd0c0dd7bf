"""One turn of the offline planner: the question understood (intents, slots, a figure query), what the
conversation remembers, and the tool calls made so far — what planning and composing read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from assistant.figures import Understood
from assistant.intents import Intent
from assistant.lexicon import CityLexicon, Named
from assistant.slots import Slots


@dataclass
class Call:
    name: str
    args: dict[str, Any]


@dataclass
class Record:
    """One executed tool call of this turn."""

    id: str
    name: str
    args: dict[str, Any]
    ok: bool
    data: Any = None
    error: str | None = None


@dataclass
class Turn:
    question: str
    intents: list[Intent]
    slots: Slots
    memory: dict[str, Any]
    lexicon: CityLexicon
    now: datetime
    records: list[Record] = field(default_factory=list)
    follow_up: bool = False  # the question refers back ("它", "那里"): missing slots come from memory
    named: set[str] = field(default_factory=set)  # graph nodes the composed answer names (cited)
    understood: Understood = field(default_factory=Understood)  # a figure question as a typed query
    refused: str | None = None  # why the message is declined (found in it as sent, instructions included)

    def name(self, node_id: str | None) -> str:
        """A node's name for the answer; the node is then cited."""
        if node_id in self.lexicon.nodes:
            self.named.add(node_id)
        return self.lexicon.name(node_id)

    def recall(self, key: str) -> Any:
        return self.memory.get(key) if self.follow_up else None

    def done(self, name: str) -> list[Record]:
        return [r for r in self.records if r.name == name]

    def succeeded(self, name: str) -> list[Record]:
        """This turn's calls of one tool that returned data."""
        return [r for r in self.records if r.name == name and r.ok]

    # Slots, falling back on what the conversation was about (follow-ups: "那它归哪个部门管？").
    @property
    def district(self) -> str | None:
        if self.slots.district or self.slots.places or "全市" in self.question:
            return self.slots.district
        return self.recall("district")

    @property
    def category(self) -> Named | None:
        if self.slots.categories:
            return self.slots.categories[0]
        remembered = self.recall("category")
        return self.lexicon.nodes.get(remembered) if remembered else None

    @property
    def asset_id(self) -> str | None:
        return (self.slots.asset_ids or [None])[0] or self.recall("asset_id")
