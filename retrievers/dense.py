"""Dense retrieval: an ``Embedder`` plus FAISS (exact inner product; HNSW above a size threshold).

Vectors are unit length, so inner product is cosine. Filtered searches score the filtered rows
exactly with numpy (a filter over ≤100k chunks is cheaper than over-fetching from an ANN index).
"""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

from retrievers.base import ChunkStore, Retriever
from retrievers.embedders import Embedder

HNSW_THRESHOLD = 20_000
HNSW_M, HNSW_EF_SEARCH, HNSW_EF_CONSTRUCTION = 32, 128, 80


def make_index(vectors: np.ndarray) -> faiss.Index:
    """Exact ``IndexFlatIP`` for small collections, ``IndexHNSWFlat`` (inner product) for large ones."""
    dim = vectors.shape[1]
    if len(vectors) >= HNSW_THRESHOLD:
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
    else:
        index = faiss.IndexFlatIP(dim)
    if len(vectors):
        index.add(vectors)
    return index


class DenseRetriever(Retriever):
    name = "dense"

    def __init__(self, store: ChunkStore, embedder: Embedder, vectors: np.ndarray, index: faiss.Index | None = None) -> None:
        super().__init__(store)
        if len(vectors) != len(store.chunks):
            raise ValueError(f"{len(vectors)} vectors for {len(store.chunks)} chunks")
        self.embedder = embedder
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.index = index if index is not None else make_index(self.vectors)

    def get_search_results(self, query: str, k: int, mask: np.ndarray | None) -> list[tuple[int, float]]:
        return self.search_vector(self.embedder.embed_query(query), k, mask)

    def search_vector(self, vector: np.ndarray, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Nearest chunks to an already-embedded query (the bench times embedding and search apart)."""
        if not len(self.vectors):
            return []
        if mask is not None:
            rows = np.flatnonzero(mask)
            if not len(rows):
                return []
            scores = self.vectors[rows] @ vector
            top = np.argsort(-scores)[:k]
            return [(int(rows[i]), float(scores[i])) for i in top]
        depth = min(k, len(self.vectors))
        scores, indices = self.index.search(vector.reshape(1, -1), depth)
        return [(int(i), float(s)) for i, s in zip(indices[0], scores[0], strict=True) if i >= 0]

    def scores_for(self, vector: np.ndarray, rows: list[int]) -> np.ndarray:
        """Cosine of the query with given chunks (used to order graph-expanded candidates)."""
        return self.vectors[rows] @ vector if rows else np.zeros(0, dtype=np.float32)

    def add(self, vectors: np.ndarray) -> None:
        """Incremental add: the store must already hold the new chunks, in the same order."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.vectors = np.vstack([self.vectors, vectors]) if len(self.vectors) else vectors
        self.index.add(vectors)

    def save(self, directory: Path) -> None:
        np.save(directory / "vectors.npy", self.vectors)
        faiss.write_index(self.index, str(directory / "faiss.index"))

    @classmethod
    def load(cls, store: ChunkStore, embedder: Embedder, directory: Path) -> DenseRetriever:
        vectors = np.load(directory / "vectors.npy")
        return cls(store, embedder, vectors, faiss.read_index(str(directory / "faiss.index")))
