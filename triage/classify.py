"""The standard event (事件) or component (部件) category of a report, with alternatives and scores.

Two signals, both cheap enough for hundreds of reports a second on two cores:
- keyword rules: the category's colloquial keywords (``data/domain/*_categories.csv``, which a supervisor
  edits) found in the report, longer and more specific matches counting more;
- similarity: TF-IDF over character n-grams between the report and each category's profile (name,
  description and keywords), which catches wordings no keyword lists.
Scores are combined and normalised; the explanation names the keywords that decided.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from graph.domain import ComponentCategory, DomainTables, EventCategory
from retrievers.text import normalize

KEYWORD_WEIGHT = 1.0
SIMILARITY_WEIGHT = 0.6
TOP = 3


@dataclass(frozen=True)
class CategoryGuess:
    id: str  # event-0401 / component-0101
    code: str
    name: str
    kind: str  # event | component
    major: str
    score: float
    keywords: tuple[str, ...]


class CategoryClassifier:
    def __init__(self, categories: list[ComponentCategory | EventCategory]) -> None:
        self.categories = categories
        self.ids = [f"{c.kind}-{c.code}" for c in categories]
        self.keywords = [[normalize(k) for k in {c.name, *c.keywords} if len(k) >= 2] for c in categories]
        profiles = [normalize(f"{c.name} {c.name} {c.description} {' '.join(c.keywords)}") for c in categories]
        self.vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
        self.profiles = self.vectorizer.fit_transform(profiles)

    @classmethod
    def from_domain(cls, domain: DomainTables) -> CategoryClassifier:
        return cls(list(domain.categories))

    def keyword_scores(self, text: str) -> tuple[np.ndarray, list[tuple[str, ...]]]:
        scores = np.zeros(len(self.categories))
        hits: list[tuple[str, ...]] = []
        for i, words in enumerate(self.keywords):
            found = tuple(w for w in words if w in text)
            # A longer keyword is more specific ("雨水井盖" over "井盖"); several keywords agree.
            scores[i] = sum(len(w) for w in found) / 4 if found else 0.0
            hits.append(found)
        return scores, hits

    def classify(self, text: str) -> list[CategoryGuess]:
        """The top categories, best first, with scores in [0, 1] that sum to at most 1."""
        return self.classify_many([text])[0]

    def classify_many(self, texts: list[str]) -> list[list[CategoryGuess]]:
        normalized = [normalize(t) for t in texts]
        similarity = (self.vectorizer.transform(normalized) @ self.profiles.T).toarray()
        out = []
        for row, text in zip(similarity, normalized, strict=True):
            keyword, hits = self.keyword_scores(text)
            combined = KEYWORD_WEIGHT * keyword + SIMILARITY_WEIGHT * row * 4
            order = np.argsort(-combined)[:TOP]
            # A softmax over the combined evidence, so scores read as shares of confidence.
            weights = np.exp(3 * (combined - combined.max()))
            probs = weights / weights.sum()
            guesses = []
            for i in order:
                c = self.categories[i]
                guesses.append(CategoryGuess(self.ids[i], c.code, c.name, c.kind, c.major_name, round(float(probs[i]), 4),
                                             hits[i]))  # fmt: skip
            out.append(guesses)
        return out
