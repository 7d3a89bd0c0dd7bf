"""Keyword retrieval: BM25 (``bm25s``, sparse matrices) over rjieba tokens.

Measured choice (docs/retrieval.md): bm25s scores a query through a sparse matrix instead of looping
over every document in Python like ``rank_bm25``; rjieba (Rust) segments ~12× faster than jieba.
"""

from __future__ import annotations

from pathlib import Path

import bm25s
import numpy as np

from retrievers.base import ChunkStore, Retriever
from retrievers.text import tokenize


class BM25Retriever(Retriever):
    name = "bm25"

    def __init__(self, store: ChunkStore, model: bm25s.BM25 | None = None) -> None:
        super().__init__(store)
        if model is None:
            model = bm25s.BM25()
            model.index([tokenize(chunk.text) or [""] for chunk in store.chunks], show_progress=False)
        self.model = model

    def get_search_results(self, query: str, k: int, mask: np.ndarray | None) -> list[tuple[int, float]]:
        tokens = tokenize(query)
        if not tokens or not self.store.chunks:
            return []
        depth = min(len(self.store.chunks), max(k, 50))
        weights = mask.astype(np.float32) if mask is not None else None
        indices, scores = self.model.retrieve([tokens], k=depth, show_progress=False, weight_mask=weights)
        return [(int(i), float(s)) for i, s in zip(indices[0], scores[0], strict=True) if s > 0]

    def save(self, directory: Path) -> None:
        self.model.save(str(directory))

    @classmethod
    def load(cls, store: ChunkStore, directory: Path) -> BM25Retriever:
        return cls(store, bm25s.BM25.load(str(directory)))
