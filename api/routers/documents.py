"""``/v1/documents``: search the policy corpus (hybrid + graph by default)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import DocumentIndexDep
from retrievers.base import MAX_K, MAX_QUERY_CHARS, Hit, SearchFilters
from retrievers.index import DEFAULT_MODE

router = APIRouter(prefix="/v1/documents", tags=["documents"])


class HitList(BaseModel):
    items: list[Hit]
    mode: str


@router.get("/search", response_model=HitList)
def search(
    index: DocumentIndexDep,
    q: Annotated[str, Query(description="问题或关键词", max_length=MAX_QUERY_CHARS)],
    k: Annotated[int, Query(ge=1, le=MAX_K)] = 10,
    mode: Literal["bm25", "dense", "hybrid", "hybrid+graph"] = DEFAULT_MODE,
    level: str | None = None,
    issuer: str | None = None,
    district: str | None = None,
    department: str | None = None,
    topic: str | None = None,
    valid_on: date | None = None,
) -> HitList:
    """The passages that best answer ``q``, each with its document, article and heading path."""
    filters = SearchFilters(level=level, issuer=issuer, district=district, department=department, topic=topic,
                            valid_on=valid_on)  # fmt: skip
    retriever = index.retriever(mode)
    return HitList(items=retriever.search(q, k, filters), mode=retriever.name)
