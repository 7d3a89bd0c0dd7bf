"""The city's own hotline taxonomy (e.g. the real 3-level 12345 taxonomy), learned from its labelled
history: a linear classifier over character and word n-grams for the first level, then the second and
third levels by similarity to the taxonomy's class names within that first level."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rjieba
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from retrievers.text import normalize


@dataclass(frozen=True)
class Labelled:
    text: str
    level1: str


def message_text(subject: str, detail: str) -> str:
    # The subject line says what the message is about; it is counted twice on purpose.
    return normalize(f"{subject}。{subject}。{detail}")


def read_labelled(path: Path) -> list[Labelled]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Labelled(message_text(r.get("subject", ""), r.get("detail", "")), r["level1"]) for r in rows]


def _words(text: str) -> list[str]:
    return rjieba.cut(text)


def make_model(c: float = 1.0) -> Pipeline:
    features = FeatureUnion([
        ("chars", TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True)),
        ("words", TfidfVectorizer(tokenizer=_words, token_pattern=None, sublinear_tf=True)),
    ])  # fmt: skip
    return Pipeline([("features", features), ("svm", LinearSVC(C=c, class_weight="balanced"))])


class HotlineClassifier:
    def __init__(self, taxonomy: list[tuple[str, str, str]], model: Pipeline) -> None:
        self.taxonomy, self.model = taxonomy, model
        self.paths = [t for t in taxonomy]
        self.names = TfidfVectorizer(analyzer="char", ngram_range=(1, 2)).fit([f"{b} {c}" for _, b, c in taxonomy])
        self.name_vectors = self.names.transform([f"{b} {c}" for _, b, c in taxonomy])

    @classmethod
    def train(cls, taxonomy_csv: Path, labelled: list[Labelled]) -> HotlineClassifier:
        with taxonomy_csv.open(encoding="utf-8") as handle:
            taxonomy = [(r["一级分类"], r["二级分类"], r["三级分类"]) for r in csv.DictReader(handle)]
        model = make_model()
        model.fit([x.text for x in labelled], [x.level1 for x in labelled])
        return cls(taxonomy, model)

    def classify_many(self, texts: list[str]) -> list[tuple[list[str], float]]:
        """(path, confidence) per text: the first level from the classifier, the rest by name similarity."""
        normalized = [normalize(t) for t in texts]
        decision = np.atleast_2d(self.model.decision_function(normalized))
        classes = self.model.classes_
        similarity = (self.names.transform(normalized) @ self.name_vectors.T).toarray()
        out = []
        for row, sims in zip(decision, similarity, strict=True):
            weights = np.exp(2 * (row - row.max()))
            probs = weights / weights.sum()
            best = int(np.argmax(row))
            level1 = str(classes[best])
            candidates = [i for i, t in enumerate(self.paths) if t[0] == level1]
            path = [level1]
            if candidates and sims[candidates].max() > 0:
                _, level2, level3 = self.paths[max(candidates, key=lambda i: sims[i])]
                path += [level2, level3]
            out.append((path, round(float(probs[best]), 4)))
        return out
