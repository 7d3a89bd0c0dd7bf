"""Triage benchmark: reports per second in batch, offline (no LLM), on the demo city.

Run: ``.venv/bin/python bench/triage_bench.py [--reports 3200]``. Needs the demo city in the graph and
the policy index (``make run``). Reports are the labelled set's texts (``evals/data/triage.jsonl``),
repeated; a fresh SQLite database holds two weeks of demo cases so duplicate search has work to do.
Baselines in the same run: each step alone (redaction, category, location, hotline class), so the cost
of the whole is seen against its parts. Target (issue 6): ≥ 500 reports/s on this machine.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from core.exceptions import BackendUnavailable
from core.redact import redact
from core.settings import get_settings
from evals import TRIAGE_SET
from evals.triage import read_set
from graph.backends import open_graph
from retrievers.embedders import make_embedder
from retrievers.index import open_index
from services.db import make_engine, migrate, session_factory
from services.dispatch.demo_history import seed_case_history
from triage.service import Triage, TriageRequest

BATCH = 200


def rate(label: str, n: int, seconds: float) -> None:
    print(f"{label:<44} {n / seconds:9.0f} reports/s   ({seconds * 1000 / n:.2f} ms each)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=3200)
    options = parser.parse_args()
    settings = get_settings()
    graph = open_graph(settings)
    try:
        documents = open_index(settings, make_embedder(settings.embedding_model), graph)
    except BackendUnavailable as error:  # the bench measures the demo city as `make run` sets it up
        graph.close()
        raise SystemExit(f"{error.message} (or `make run` once)") from None
    texts = [item["text"] for item in read_set(TRIAGE_SET)]
    texts = (texts * (options.reports // len(texts) + 1))[: options.reports]
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        migrate(engine)
        sessions = session_factory(engine)
        with sessions() as session:
            stats = seed_case_history(session, graph, seed=3, days=14, per_day=20)
        start = time.perf_counter()
        triage = Triage.from_settings(settings, graph, sessions, documents)
        print(f"start-up (gazetteer, classifiers, hotline model trained on the real messages): "
              f"{time.perf_counter() - start:.2f} s; {stats.created} cases in the database")  # fmt: skip
        requests = [TriageRequest(text=t) for t in texts]
        unique = requests[: len(read_set(TRIAGE_SET))]
        start = time.perf_counter()
        for i in range(0, len(unique), BATCH):
            triage.triage_many(unique[i : i + BATCH])
        rate("whole triage, first pass (nothing cached yet)", len(unique), time.perf_counter() - start)

        start = time.perf_counter()
        for i in range(0, len(requests), BATCH):
            triage.triage_many(requests[i : i + BATCH])
        rate(f"whole triage, batches of {BATCH} (target ≥ 500/s)", len(requests), time.perf_counter() - start)

        for label, step in (
            ("  redaction alone", lambda: [redact(t) for t in texts]),
            ("  category alone (rules, TF-IDF, examples)", lambda: triage.classifier.classify_many(texts)),
            ("  location alone (gazetteer)", lambda: [triage.gazetteer.locate(t) for t in texts]),
            ("  hotline class alone (SVM)", lambda: triage.hotline.classify_many(texts) if triage.hotline else None),
        ):
            start = time.perf_counter()
            step()
            rate(label, len(texts), time.perf_counter() - start)

        start = time.perf_counter()
        for request in requests[:400]:
            triage.triage(request)
        rate("one report at a time (as POST /v1/triage)", 400, time.perf_counter() - start)
        engine.dispose()
    graph.close()


if __name__ == "__main__":
    main()
