"""Hybrid retrieval: reciprocal-rank fusion of BM25 and dense, optionally with graph expansion.

Graph expansion adds the chunks that mention entities recognised in the question and the chunks of
policies that GOVERN the question's category, ordered by their dense similarity to the question, as
a third ranked list in the fusion.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from graph.ids import label_for_id
from graph.store import GraphStore
from retrievers.base import ChunkStore, Hit, Retriever, SearchFilters, check_query
from retrievers.dense import DenseRetriever
from retrievers.entities import EntityGazetteer
from retrievers.keyword import BM25Retriever

RRF_K = 60
DEPTH = 50
GRAPH_DEPTH = 30


def rrf(rankings: dict[str, list[int]], k: int = RRF_K) -> list[tuple[int, float, list[str]]]:
    """Reciprocal-rank fusion: score(d) = Σ 1/(k + rank). Returns (index, score, sources), best first."""
    scores: dict[int, float] = defaultdict(float)
    sources: dict[int, list[str]] = defaultdict(list)
    for name, ranked in rankings.items():
        for rank, index in enumerate(ranked, start=1):
            scores[index] += 1.0 / (k + rank)
            sources[index].append(name)
    ordered = sorted(scores, key=lambda i: (-scores[i], i))
    return [(i, scores[i], sources[i]) for i in ordered]


class GraphExpander:
    """Finds chunks through the graph: MENTIONS of recognised entities, GOVERNS of their categories."""

    def __init__(self, graph: GraphStore, gazetteer: EntityGazetteer, store: ChunkStore) -> None:
        self.graph, self.gazetteer, self.store = graph, gazetteer, store

    def candidates(self, query: str) -> dict[int, int]:
        """Chunk index → how many of the question's entities it is linked to (mention or governance)."""
        mentions = self.gazetteer.find(query)
        by_label: dict[str, set[str]] = defaultdict(set)
        for mention in mentions:
            by_label[mention.label].add(mention.entity_id)
        if not by_label:
            return {}
        hits: dict[str, int] = defaultdict(int)
        for label, ids in by_label.items():
            rows = self.graph.ro_query(
                f"MATCH (e:{label}) WHERE e.id IN $ids MATCH (c:Chunk)-[:MENTIONS]->(e) "
                "RETURN c.id AS id, count(DISTINCT e) AS n",
                {"ids": sorted(ids)},
            )
            for row in rows:
                hits[row["id"]] += row["n"]
            if label.endswith("Category"):
                rows = self.graph.ro_query(
                    f"MATCH (e:{label}) WHERE e.id IN $ids MATCH (p:Policy)-[:GOVERNS]->(e) "
                    "MATCH (p)-[:HAS_CHUNK]->(c:Chunk) RETURN c.id AS id",
                    {"ids": sorted(ids)},
                )
                for row in rows:
                    hits[row["id"]] += 1
        position = self.store.position
        return {position[cid]: n for cid, n in hits.items() if cid in position}


class HybridRetriever(Retriever):
    def __init__(self, bm25: BM25Retriever, dense: DenseRetriever, expander: GraphExpander | None = None) -> None:
        super().__init__(bm25.store)
        self.bm25, self.dense, self.expander = bm25, dense, expander
        self.name = "hybrid+graph" if expander else "hybrid"

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
            linked = {i: n for i, n in self.expander.candidates(query).items() if mask is None or mask[i]}
            if linked:
                rows = list(linked)
                similarity = self.dense.scores_for(vector, rows)
                order = sorted(range(len(rows)), key=lambda j: (-linked[rows[j]], -similarity[j]))
                rankings["graph"] = [rows[j] for j in order[:GRAPH_DEPTH]]
        return rrf(rankings)

    def get_search_results(self, query: str, k: int, mask: np.ndarray | None) -> list[tuple[int, float]]:
        return [(i, score) for i, score, _ in self.fuse(query, mask)[:k]]


def entity_ids_by_label(ids: list[str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for entity_id in ids:
        if label := label_for_id(entity_id):
            grouped[label].append(entity_id)
    return grouped
