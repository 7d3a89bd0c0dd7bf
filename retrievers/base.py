"""The one contract every retriever serves: ``search(query, k, filters) -> list[Hit]``.

The base class validates the call and shapes results; a retriever implements only
``get_search_results`` (ranked chunk indices with scores), in the manner of neo4j-graphrag.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import defaultdict
from datetime import date

import numpy as np
from pydantic import BaseModel, Field

from core.exceptions import InvalidInput
from core.text import normalize
from retrievers.chunking import Chunk

MAX_QUERY_CHARS = 500
MAX_K = 100


class SearchFilters(BaseModel):
    """Metadata filters; every retriever, hybrid included, honours all of them."""

    level: str | None = Field(None, description="national | provincial | municipal | district")
    issuer: str | None = Field(None, description="发文机关 (substring)")
    district: str | None = Field(None, description="A1区…A7区: that district's documents plus city-wide ones")
    department: str | None = Field(None, description="department key, e.g. water")
    topic: str | None = None
    valid_on: date | None = Field(None, description="only documents in force on this date")

    def is_empty(self) -> bool:
        return not any(self.model_dump().values())


class Hit(BaseModel):
    chunk_id: str
    doc_id: str
    title: str
    text: str
    score: float
    retrievers: list[str] = Field(description="which retrievers found it: bm25, dense, graph")
    heading_path: list[str] = Field(default_factory=list)
    article: str | None = None
    doc_number: str | None = None
    issuer: str | None = None
    date: str | None = Field(None, description="发布日期 of the document")


def check_query(query: str, k: int) -> str:
    query = normalize(query or "")
    if not query:
        raise InvalidInput("查询为空 / the query is empty; ask a question such as 井盖缺失的处置时限是多久")
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidInput(f"查询过长 ({len(query)} 字), 最多 {MAX_QUERY_CHARS} 字 / query too long")
    if not 1 <= k <= MAX_K:
        raise InvalidInput(f"k 应在 1–{MAX_K} 之间 / k must be between 1 and {MAX_K}")
    return query


class ChunkStore:
    """The chunks of an index with their metadata, and fast filter masks over them."""

    def __init__(self, chunks: list[Chunk]) -> None:
        self.chunks = chunks
        self.position = {chunk.id: i for i, chunk in enumerate(chunks)}
        # Column arrays and inverted lists, so a filter is a few vector operations even at 100k chunks.
        self._level = np.array([c.meta.get("level") or "" for c in chunks], dtype=object)
        self._issuer = np.array([c.meta.get("issuer") or "" for c in chunks], dtype=object)
        self._district = np.array([c.meta.get("district") or "" for c in chunks], dtype=object)
        self._valid_from = np.array([_ordinal(c.meta.get("valid_from") or c.meta.get("date")) for c in chunks], dtype=np.int64)
        self._valid_to = np.array([_ordinal(c.meta.get("valid_to"), default=10**7) for c in chunks], dtype=np.int64)
        self._by_department: dict[str, list[int]] = defaultdict(list)
        self._by_topic: dict[str, list[int]] = defaultdict(list)
        for i, chunk in enumerate(chunks):
            for key in chunk.meta.get("departments", []):
                self._by_department[key].append(i)
            for topic in chunk.meta.get("topics", []):
                self._by_topic[topic].append(i)

    def mask(self, filters: SearchFilters | None) -> np.ndarray | None:
        """Boolean mask of chunks passing ``filters`` (``None`` when nothing is filtered)."""
        if filters is None or filters.is_empty():
            return None
        keep = np.ones(len(self.chunks), dtype=bool)
        if filters.level:
            keep &= self._level == filters.level
        if filters.issuer:
            issuers = [i for i in set(self._issuer) if filters.issuer in i]
            keep &= np.isin(self._issuer, issuers)
        if filters.district:
            keep &= (self._district == filters.district) | (self._district == "")
        for value, inverted in ((filters.department, self._by_department), (filters.topic, self._by_topic)):
            if value:
                members = np.zeros(len(self.chunks), dtype=bool)
                members[inverted.get(value, [])] = True
                keep &= members
        if filters.valid_on:
            day = filters.valid_on.toordinal()
            keep &= (self._valid_from <= day) & (self._valid_to >= day)
        return keep

    def hit(self, index: int, score: float, retrievers: list[str]) -> Hit:
        chunk = self.chunks[index]
        meta = chunk.meta
        return Hit(chunk_id=chunk.id, doc_id=chunk.doc_id, title=meta.get("title", ""), text=chunk.text,
                   score=round(float(score), 6), retrievers=retrievers, heading_path=chunk.heading_path,
                   article=chunk.article, doc_number=meta.get("doc_number"), issuer=meta.get("issuer"),
                   date=str(meta["date"]) if meta.get("date") else None)  # fmt: skip


def _ordinal(value: str | None, default: int = 0) -> int:
    return date.fromisoformat(value).toordinal() if value else default


class Retriever(ABC):
    """Base of every retriever: validates, filters and shapes; subclasses rank."""

    name: str

    def __init__(self, store: ChunkStore) -> None:
        self.store = store

    def search(self, query: str, k: int = 10, filters: SearchFilters | None = None) -> list[Hit]:
        """The ``k`` best chunks for ``query`` among those passing ``filters``."""
        query = check_query(query, k)
        ranked = self.get_search_results(query, k, self.store.mask(filters))
        return [self.store.hit(i, score, [self.name]) for i, score in ranked[:k]]

    @abstractmethod
    def get_search_results(self, query: str, k: int, mask: np.ndarray | None) -> list[tuple[int, float]]:
        """Ranked ``(chunk index, score)`` pairs, best first, only indices where ``mask`` is true."""
