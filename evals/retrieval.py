"""Retrieval evaluation: recall@1/5/10 and MRR@10 of each retriever on Chinese questions with gold chunks.

``evals/data/retrieval.jsonl`` holds ``{"q", "doc", "anchor", "gold": [chunk ids], "note"}``. Gold ids are
resolved from (doc, anchor) against the current chunker by ``resolve_gold`` — the anchor is an exact
passage marker such as 第十二条 — so the labels follow the documents, not a hand-typed list.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.exceptions import InvalidInput
from retrievers.base import Hit
from retrievers.chunking import Chunk

CUTOFFS = (1, 5, 10)
MODES = ("bm25", "dense", "hybrid", "hybrid+graph")


@dataclass(frozen=True)
class EvalItem:
    q: str
    doc: str
    anchor: str
    gold: tuple[str, ...]
    note: str = ""


def resolve_gold(doc: str, anchor: str, chunks: list[Chunk]) -> list[str]:
    """Chunk ids of ``doc`` that hold ``anchor``: the article it names (with its continuations), else the
    single passage containing it, else every chunk of the section whose heading it is."""
    anchor = anchor.lstrip("#").strip()  # a heading may be quoted with its Markdown marker
    own = [c for c in chunks if c.doc_id == doc]
    if not own:
        raise InvalidInput(f"eval item names unknown document {doc}")
    by_article = [c.id for c in own if c.article and (c.article == anchor or c.article == f"{anchor}（续）")]
    if by_article:
        return by_article
    containing = [c.id for c in own if anchor in c.body]
    if len(containing) == 1:
        return containing
    section = [
        c.id for c in own if not containing and any(anchor in heading for heading in c.heading_path[1:])
    ]
    if section:
        return section
    raise InvalidInput(f"anchor {anchor!r} occurs in {len(containing)} passages of {doc}; make it unique")


def build_items(sources: list[dict], chunks: list[Chunk]) -> list[EvalItem]:
    return [EvalItem(q=s["q"], doc=s["doc"], anchor=s["anchor"], note=s.get("note", ""),
                     gold=tuple(resolve_gold(s["doc"], s["anchor"], chunks))) for s in sources]  # fmt: skip


def read_items(path: Path) -> list[EvalItem]:
    with open(path, encoding="utf-8") as handle:
        return [EvalItem(**{**row, "gold": tuple(row["gold"])}) for row in map(json.loads, handle)]


def write_items(items: list[EvalItem], path: Path) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for item in items:
            handle.write(json.dumps({**item.__dict__, "gold": list(item.gold)}, ensure_ascii=False) + "\n")


@dataclass
class Scores:
    recall: dict[int, float]
    mrr: float
    n: int


def score(ranked_ids: list[list[str]], items: list[EvalItem]) -> Scores:
    """recall@k: share of questions with a gold chunk in the top k; MRR@10: mean 1/rank of the first."""
    hits_at = {k: 0 for k in CUTOFFS}
    reciprocal = 0.0
    for ranked, item in zip(ranked_ids, items, strict=True):
        gold = set(item.gold)
        first = next((rank for rank, cid in enumerate(ranked[: max(CUTOFFS)], start=1) if cid in gold), None)
        if first is None:
            continue
        reciprocal += 1.0 / first
        for k in CUTOFFS:
            hits_at[k] += first <= k
    n = len(items)
    return Scores(recall={k: hits_at[k] / n for k in CUTOFFS} if n else {k: 0.0 for k in CUTOFFS},
                  mrr=reciprocal / n if n else 0.0, n=n)  # fmt: skip


def slice_of(item: EvalItem) -> str:
    """``lookup`` for questions by name, code, 文号 or article (note ``kind: …``), else ``paraphrase``."""
    return "lookup" if item.note.startswith("kind:") else "paraphrase"


def evaluate(search: Callable[[str, int], list[Hit]], items: list[EvalItem]) -> Scores:
    return score([[hit.chunk_id for hit in search(item.q, max(CUTOFFS))] for item in items], items)
