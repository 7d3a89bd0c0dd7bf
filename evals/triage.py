"""Triage figures: on the labelled demo-city set (category, department, grid, urgency, duplicates) and on
the real hotline messages (first-level class, cross-validated)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, f1_score

from graph.store import GraphStore
from services.dispatch.cases import create_case
from services.dispatch.models import CaseCreate
from triage.hotline import Labelled, cross_validated_margins
from triage.service import Triage, TriageRequest


def read_set(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@dataclass
class TriageScores:
    n: int = 0
    top1: int = 0
    top3: int = 0
    department: list[bool] = field(default_factory=list)
    grid: list[bool] = field(default_factory=list)
    urgency: int = 0
    dup_tp: int = 0
    dup_fp: int = 0
    dup_fn: int = 0
    by_major: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))
    by_variant: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))
    confusions: Counter = field(default_factory=Counter)
    urgency_confusions: Counter = field(default_factory=Counter)

    @staticmethod
    def rate(values: list[bool]) -> float:
        return sum(values) / len(values) if values else float("nan")

    @property
    def dup_precision(self) -> float:
        return self.dup_tp / (self.dup_tp + self.dup_fp) if self.dup_tp + self.dup_fp else float("nan")

    @property
    def dup_recall(self) -> float:
        return self.dup_tp / (self.dup_tp + self.dup_fn) if self.dup_tp + self.dup_fn else float("nan")


def evaluate_set(
    triage: Triage, graph: GraphStore, items: list[dict], majors: dict[str, str]
) -> TriageScores:
    """Triage every report in order. After each report that is not a repeat, the case is registered with
    the gold labels and the resolved point (as the operator would confirm them), so later repeats can be
    found as duplicates."""
    scores = TriageScores()
    case_of: dict[str, str] = {}
    for item in items:
        result = triage.triage(TriageRequest(text=item["text"]))
        ranked = [result.category.id, *(a.id for a in result.alternatives)]
        ok = ranked[0] == item["category"]
        scores.n += 1
        scores.top1 += ok
        scores.top3 += item["category"] in ranked[:3]
        if not ok:
            scores.confusions[(item["category"], ranked[0])] += 1
        scores.by_major[majors.get(item["category"], "?")].append(ok)
        scores.by_variant[item["variant"]].append(ok)
        scores.grid.append(result.grid_id == item["grid_id"])
        if item["department_id"]:
            scores.department.append(
                bool(result.department) and result.department.id == item["department_id"]
            )  # type: ignore[union-attr]
        scores.urgency += result.urgency == item["urgency"]
        if result.urgency != item["urgency"]:
            scores.urgency_confusions[(item["urgency"], result.urgency)] += 1
        expected = {case_of[item["duplicate_of"]]} if item.get("duplicate_of") in case_of else set()
        found = set(result.duplicates)
        scores.dup_tp += len(found & expected)
        scores.dup_fp += len(found - expected)
        scores.dup_fn += len(expected - found)
        if item["grid_id"] and item["variant"] != "repeat" and triage.sessions is not None:
            with triage.sessions() as session:
                # As the operator's confirmation sends it: the gold labels, and the point triage resolved.
                case = create_case(session, graph, CaseCreate(text=result.redacted_text, category_code=item["category"],
                                                              grid_id=item["grid_id"], location=result.location))  # fmt: skip
                session.commit()
            case_of[item["id"]] = case.id
    return scores


@dataclass
class RealScores:
    n: int
    accuracy: float
    macro_f1: float
    per_class: dict[str, tuple[float, int]]
    baseline_accuracy: float
    baseline_macro_f1: float


def evaluate_real(labelled: list[Labelled], taxonomy: list[tuple[str, str, str]], folds: int = 5,
                  seed: int = 0) -> RealScores:  # fmt: skip
    """Stratified k-fold cross-validation of the first-level classifier, trained in each fold on that
    fold's messages and the taxonomy's names (pass no taxonomy to train on the messages alone); the
    baseline always answers the most frequent class. Macro-F1 is over the classes the messages have: a
    message put in any other class of the taxonomy counts against its own class's recall."""
    gold = np.array([x.level1 for x in labelled])
    margins, classes_answered = cross_validated_margins(labelled, taxonomy, folds, seed)
    predicted = classes_answered[margins.argmax(axis=1)]
    classes = sorted(set(gold))
    f1s = f1_score(gold, predicted, average=None, labels=classes)
    majority = Counter(gold).most_common(1)[0][0]
    baseline = np.array([majority] * len(gold))
    return RealScores(
        n=len(gold), accuracy=float(accuracy_score(gold, predicted)),
        macro_f1=float(np.mean(f1s)),
        per_class={c: (float(f), int((gold == c).sum())) for c, f in zip(classes, f1s, strict=True)},
        baseline_accuracy=float(accuracy_score(gold, baseline)),
        baseline_macro_f1=float(f1_score(gold, baseline, average="macro", labels=classes)),
    )  # fmt: skip
