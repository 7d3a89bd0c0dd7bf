"""``/v1/documents``: search the policy corpus (hybrid + graph by default)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import DocumentIndexDep, GraphDep
from core.exceptions import InvalidInput
from graph.queries.gazetteer import district_names
from graph.store import GraphStore
from retrievers.base import MAX_K, MAX_QUERY_CHARS, Hit, SearchFilters
from retrievers.index import DEFAULT_MODE

router = APIRouter(prefix="/v1/documents", tags=["documents"])


class HitList(BaseModel):
    items: list[Hit]
    mode: str


@router.get("/search", response_model=HitList)
def search(
    index: DocumentIndexDep,
    graph: GraphDep,
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
    filters = SearchFilters(level=level, issuer=issuer, district=_district_name(graph, district), department=department, topic=topic,
                            valid_on=valid_on)  # fmt: skip
    retriever = index.retriever(mode)
    return HitList(items=retriever.search(q, k, filters), mode=retriever.name)


def _district_name(graph: GraphStore, district: str | None) -> str | None:
    """Documents name their district (A5区); a district's code (990105) is taken for it, and a district the
    city lacks is an error rather than a filter that silently keeps only the city-wide documents."""
    if not district:
        return None
    names = district_names(graph)
    if district in names.values():
        return district
    if district in names:
        return names[district]
    raise InvalidInput(f"没有这个区：{district}。请写区名（如 {min(names.values(), default='A1区')}）或区划代码。")
