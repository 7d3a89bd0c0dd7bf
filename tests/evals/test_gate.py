"""The CI gate of issue 14: a fixed part of each evaluation runs offline in `make test` and fails when a
figure falls below its floor in evals/thresholds.json — a fall of triage top-1 to 0.6 no longer stays green."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.settings import Settings
from evals import DATA, RETRIEVAL_SET, TRIAGE_SET
from evals.retrieval import evaluate, read_items
from evals.triage import evaluate_real, evaluate_set, read_set
from graph.domain import DomainTables
from retrievers.index import build_index, open_index
from services.db import make_engine, migrate, session_factory
from triage.hotline import read_labelled, read_taxonomy
from triage.service import Triage

FLOORS = json.loads((Path(DATA).parent / "thresholds.json").read_text(encoding="utf-8"))


def _at_least(name: str, figures: dict[str, float]) -> None:
    floors = FLOORS[name]
    below = {k: f"{figures[k]:.3f} < {v}" for k, v in floors.items() if figures[k] < v}
    assert not below, f"{name} fell below its floor in evals/thresholds.json: {below}"


def test_the_floors_are_figures_and_cover_every_gated_evaluation() -> None:
    assert {"triage_test", "hotline_class_3fold", "retrieval", "tasks_offline", "chat_dev_offline"} <= set(
        FLOORS
    )
    assert all(0 <= v <= 1 for k, fs in FLOORS.items() if k != "_" for v in fs.values())


def test_triage_on_the_labelled_test_set(graph, base_settings: Settings, tmp_path: Path) -> None:
    if graph.backend != "falkordb-embedded":
        pytest.skip("one graph engine is enough for a figure")
    engine = make_engine(f"sqlite:///{tmp_path / 'gate.db'}")
    migrate(engine)
    service = Triage.from_settings(base_settings, graph, session_factory(engine), None)
    items = read_set(TRIAGE_SET)
    s = evaluate_set(service, graph, items, {i["category"]: "" for i in items})
    engine.dispose()
    _at_least(
        "triage_test",
        {"category_top1": s.top1 / s.n, "department": s.rate(s.department), "urgency": s.urgency / s.n},
    )


def test_hotline_class_on_the_real_messages() -> None:
    hotline = Settings().shared_dir / "data" / "hotline"
    scores = evaluate_real(
        read_labelled(hotline / "labelled.jsonl"), read_taxonomy(hotline / "taxonomy.csv"), folds=3
    )
    _at_least("hotline_class_3fold", {"accuracy": scores.accuracy, "macro_f1": scores.macro_f1})


def test_retrieval_on_the_real_policies(tmp_path: Path, domain: DomainTables, embedder) -> None:
    settings = Settings(data_dir=tmp_path)
    build_index(settings, domain, embedder, None)
    index = open_index(settings, embedder)
    items = read_items(RETRIEVAL_SET)
    _at_least("retrieval", {f"{mode}_recall@5": evaluate(index.retriever(mode).search, items).recall[5]
                            for mode in ("bm25", "dense", "hybrid")})  # fmt: skip
