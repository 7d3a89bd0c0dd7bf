"""GET /v1/documents/search per the contract, with filters and clear errors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.settings import Settings
from graph.store import GraphStore
from retrievers.index import DocumentIndex


@pytest.fixture
def client(doc_settings: Settings, doc_graph: GraphStore, doc_index: DocumentIndex) -> Iterator[TestClient]:
    with TestClient(create_app(doc_settings, store=doc_graph, document_index=doc_index)) as test_client:
        yield test_client


def test_search_returns_contract_items(client: TestClient) -> None:
    body = client.get("/v1/documents/search", params={"q": "井盖缺失后多少小时内要完成补装", "k": 3}).json()
    assert body["mode"] == "dense" and len(body["items"]) == 3  # the best measured retriever answers by default
    top = body["items"][0]
    assert {"chunk_id", "doc_id", "title", "text", "score"} <= top.keys()
    assert top["doc_id"] == "policy-t-manhole" and top["article"] == "第三条"


def test_filters_and_modes(client: TestClient) -> None:
    body = client.get("/v1/documents/search", params={"q": "路灯", "mode": "bm25", "level": "district"}).json()
    assert body["mode"] == "bm25" and {i["doc_id"] for i in body["items"]} == {"policy-t-a3-lights"}


@pytest.mark.parametrize(
    ("params", "status"),
    [({"q": ""}, 422), ({"q": "井" * 501}, 422), ({"q": "井盖", "k": 0}, 422), ({"q": "井盖", "mode": "magic"}, 422),
     ({"q": "井盖", "valid_on": "yesterday"}, 422), ({}, 422)],
)  # fmt: skip
def test_bad_requests(client: TestClient, params: dict, status: int) -> None:
    response = client.get("/v1/documents/search", params=params)
    assert response.status_code == status and response.json()["error"]["code"] == "invalid_input"


def test_no_index_yet_is_a_503_that_says_what_to_run(doc_settings: Settings, doc_graph: GraphStore, tmp_path) -> None:
    settings = doc_settings.model_copy(update={"data_dir": tmp_path})
    with TestClient(create_app(settings, store=doc_graph)) as client:
        response = client.get("/v1/documents/search", params={"q": "井盖"})
    assert response.status_code == 503 and "yiwang index build" in response.json()["error"]["message"]


def test_a_district_is_named_or_given_by_its_code_and_an_unknown_one_is_said(client: TestClient, doc_graph: GraphStore) -> None:
    from graph.queries.gazetteer import district_names

    code = next(c for c, name in district_names(doc_graph).items() if name == "A3区")
    by_name = client.get("/v1/documents/search", params={"q": "路灯", "mode": "bm25", "district": "A3区"}).json()
    by_code = client.get("/v1/documents/search", params={"q": "路灯", "mode": "bm25", "district": code}).json()
    assert "policy-t-a3-lights" in {i["doc_id"] for i in by_name["items"]} and by_code == by_name
    unknown = client.get("/v1/documents/search", params={"q": "路灯", "district": "A9区"})
    assert unknown.status_code == 422 and "没有这个区" in unknown.json()["error"]["message"]
