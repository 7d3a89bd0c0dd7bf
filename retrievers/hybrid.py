"""Hybrid retrieval: reciprocal-rank fusion of BM25 and dense, optionally with graph expansion.

Graph expansion adds the chunks that mention entities recognised in the question and the chunks of
policies that GOVERN the question's category, ordered by their dense similarity to the question, as
a third ranked list in the fusion.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import numpy as np

from graph.queries.corpus import chunks_mentioning, chunks_of_governing_policies
from graph.store import GraphStore
from retrievers.base import ChunkStore, Hit, Retriever, SearchFilters, check_query
from retrievers.dense import DenseRetriever
from retrievers.entities import EntityGazetteer
from retrievers.keyword import BM25Retriever

SimilarityFn = Callable[[np.ndarray, list[int]], np.ndarray]
RRF_K = 60
DEPTH = 50
GRAPH_DEPTH = 30
GOVERNING_CHUNKS = 2
# Plain RRF: weights 0.25/0.5/1.0 for the graph list measured alike on the even-numbered half of the
# question set (docs/retrieval.md); the parameter stays so a city can lower it.
GRAPH_WEIGHT = 1.0


def rrf(rankings: dict[str, list[int]], k: int = RRF_K,
        weights: dict[str, float] | None = None) -> list[tuple[int, float, list[str]]]:  # fmt: skip
    """Weighted reciprocal-rank fusion: score(d) = Σ w_list / (k + rank). Returns (index, score, sources)."""
    scores: dict[int, float] = defaultdict(float)
    sources: dict[int, list[str]] = defaultdict(list)
    for name, ranked in rankings.items():
        weight = (weights or {}).get(name, 1.0)
        for rank, index in enumerate(ranked, start=1):
            scores[index] += weight / (k + rank)
            sources[index].append(name)
    ordered = sorted(scores, key=lambda i: (-scores[i], i))
    return [(i, scores[i], sources[i]) for i in ordered]


class GraphExpander:
    """Finds chunks through the graph: MENTIONS of recognised entities, GOVERNS of their categories."""

    def __init__(self, graph: GraphStore, gazetteer: EntityGazetteer, store: ChunkStore) -> None:
        self.graph, self.gazetteer, self.store = graph, gazetteer, store

    def candidates(self, query: str, vector: np.ndarray, similarity: SimilarityFn) -> dict[int, int]:
        """Chunk index → how many of the question's entities it is linked to.

        MENTIONS link a chunk directly. GOVERNS links a whole policy, and one policy (the SLA table)
        may govern every category, so only each governing policy's ``GOVERNING_CHUNKS`` chunks most
        similar to the question are taken from it."""
        by_label: dict[str, set[str]] = defaultdict(set)
        for mention in self.gazetteer.find(query):
            by_label[mention.label].add(mention.entity_id)
        if not by_label:
            return {}
        linked: dict[int, int] = defaultdict(int)
        position = self.store.position
        for label, ids in by_label.items():
            for chunk_id, n in chunks_mentioning(self.graph, label, sorted(ids)):
                if chunk_id in position:
                    linked[position[chunk_id]] += n
            if not label.endswith("Category"):
                continue
            by_policy: dict[str, list[int]] = defaultdict(list)
            for policy_id, chunk_id in chunks_of_governing_policies(self.graph, label, sorted(ids)):
                if chunk_id in position:
                    by_policy[policy_id].append(position[chunk_id])
            for rows in by_policy.values():
                scores = similarity(vector, rows)
                for j in np.argsort(-scores)[:GOVERNING_CHUNKS]:
                    linked[rows[int(j)]] += 1
        return dict(linked)


class HybridRetriever(Retriever):
    def __init__(self, bm25: BM25Retriever, dense: DenseRetriever, expander: GraphExpander | None = None) -> None:
        super().__init__(bm25.store)
        self.bm25, self.dense, self.expander = bm25, dense, expander
        self.name = "hybrid+graph" if expander else "hybrid"
        self.graph_weight = GRAPH_WEIGHT

    def search(self, query: str, k: int = 10, filters: SearchFilters | None = None) -> list[Hit]:
        query = check_query(query, k)
        mask = self.store.mask(filters)
        fused = self.fuse(query, mask)
        return [self.store.hit(i, score, sources) for i, score, sources in fused[:k]]

    def fuse(self, query: str, mask: np.ndarray | None) -> list[tuple[int, float, list[str]]]:
        vector = self.dense.embedder.embed_query(query)
        rankings = {
            "bm25": [i for i, _ in self.bm25.get_search_results(query, DEPTH, mask)],
            "dense": [i for i, _ in self.dense.search_vector(vector, DEPTH, mask)],
        }
        if self.expander:
            found = self.expander.candidates(query, vector, self.dense.scores_for)
            linked = {i: n for i, n in found.items() if mask is None or mask[i]}
            if linked:
                rows = list(linked)
                similarity = self.dense.scores_for(vector, rows)
                order = sorted(range(len(rows)), key=lambda j: (-linked[rows[j]], -similarity[j]))
                rankings["graph"] = [rows[j] for j in order[:GRAPH_DEPTH]]
        return rrf(rankings, weights={"graph": self.graph_weight})

    def get_search_results(self, query: str, k: int, mask: np.ndarray | None) -> list[tuple[int, float]]:
        return [(i, score) for i, score, _ in self.fuse(query, mask)[:k]]

