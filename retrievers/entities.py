"""Recognises graph entities in text by their names (a gazetteer built from the graph).

Used twice: at index time to link chunks to what they mention ``(:Chunk)-[:MENTIONS]->(entity)``, and
at query time to find the entities (and the event/component category) a question is about.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.text import normalize
from graph.queries.gazetteer import named_entities
from graph.store import GraphStore

# Labels a policy passage or a question names; grids, assets and sensors are found by code elsewhere.
_LABELS = ("District", "Street", "Road", "Landmark", "Department", "ComponentCategory", "EventCategory")
MIN_NAME = 2


@dataclass(frozen=True)
class Mention:
    entity_id: str
    label: str
    surface: str


class EntityGazetteer:
    """Longest-match lookup of entity names and aliases in Chinese text."""

    def __init__(self, names: dict[str, list[tuple[str, str]]]) -> None:
        self._names = names  # surface form -> [(entity id, label)]
        self._lengths = sorted({len(n) for n in names}, reverse=True)

    @classmethod
    def from_graph(cls, graph: GraphStore, with_keywords: bool = False) -> EntityGazetteer:
        """Names (and, for questions, categories' colloquial keywords) of the named labels."""
        names: dict[str, list[tuple[str, str]]] = {}
        for label in _LABELS:
            for entity in named_entities(graph, label):
                surfaces = [entity.name, entity.short_name]
                if label == "Department":
                    surfaces += entity.aliases
                if with_keywords and label.endswith("Category"):
                    surfaces += entity.keywords
                if label == "Department" and entity.level == "district" and entity.name:
                    # Documents name district-level departments as 各区… ; link that to each district's.
                    surfaces.append("各区" + entity.name.split("区", 1)[-1])
                for surface in {normalize(s) for s in surfaces if s and len(s) >= MIN_NAME}:
                    names.setdefault(surface, []).append((entity.id, label))
        return cls(names)

    @property
    def surfaces(self) -> list[str]:
        return list(self._names)

    def find(self, text: str) -> list[Mention]:
        """Non-overlapping longest matches, left to right."""
        text = normalize(text)
        found: list[Mention] = []
        i = 0
        while i < len(text):
            for length in self._lengths:
                surface = text[i : i + length]
                if len(surface) == length and surface in self._names:
                    found += [Mention(eid, label, surface) for eid, label in self._names[surface]]
                    i += length
                    break
            else:
                i += 1
        return found
