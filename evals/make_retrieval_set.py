"""Writes evals/data/retrieval.jsonl from the question sources (retrieval_src_*.jsonl): each (doc, anchor)
is resolved to gold chunk ids with the current chunker. Run after editing questions or documents:
``.venv/bin/python -m evals.make_retrieval_set``."""

from __future__ import annotations

import json

from core.settings import get_settings
from evals import DATA
from evals.retrieval import build_items, write_items
from graph.domain import load_city_domain
from retrievers.index import corpus_chunks


def main() -> None:
    settings = get_settings()
    chunks = corpus_chunks(settings, load_city_domain(settings))
    sources = [json.loads(line) for path in sorted(DATA.glob("retrieval_src_*.jsonl"))
               for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]  # fmt: skip
    items = build_items(sources, chunks)
    write_items(items, DATA / "retrieval.jsonl")
    print(f"{len(items)} questions → {DATA / 'retrieval.jsonl'}")


if __name__ == "__main__":
    main()
