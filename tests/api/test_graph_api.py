"""HTTP contract of /healthz and /v1/graph (shared/api.md), on a real graph engine."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.settings import Settings
from graph.demo.city import CityData
from graph.store import GraphStore


@pytest.fixture
def client(base_settings: Settings, graph: GraphStore) -> Iterator[TestClient]:
    with TestClient(create_app(base_settings, store=graph)) as test_client:
        yield test_client


def test_healthz_names_the_backends(client: TestClient, graph: GraphStore) -> None:
    body = client.get("/healthz").json()
    assert body == {"status": "ok", "graph": graph.backend, "db": "sqlite", "llm": "offline-planner", "level": "city",
                    "platform": "A市", "platform_code": "990100"}  # which platform of the three levels this is


def test_search_returns_contract_items(client: TestClient, small_city: CityData) -> None:
    road = small_city.nodes["Road"][0]
    response = client.get("/v1/graph/search", params={"q": road["name"], "label": "Road"})
    assert response.status_code == 200
    item = response.json()["items"][0]
    assert {"id", "label", "name", "properties"} <= item.keys()
    assert (item["id"], item["label"], item["name"]) == (road["id"], "Road", road["name"])


def test_node_with_neighbours(client: TestClient, small_city: CityData) -> None:
    district = small_city.nodes["District"][2]
    body = client.get(f"/v1/graph/nodes/{district['id']}", params={"limit": 500}).json()
    assert body["node"]["name"] == district["name"]
    streets = {s["id"] for s in small_city.nodes["Street"] if s["district"] == district["id"]}
    seen = {n["node"]["id"] for n in body["neighbors"] if n["rel"] == "IN" and n["direction"] == "in"}
    assert streets and streets <= seen  # the district's streets, each as an incoming IN
    assert all({"rel", "direction", "node"} <= n.keys() for n in body["neighbors"])


def test_responsibility_endpoint(client: TestClient, small_city: CityData) -> None:
    rule = small_city.rels[("RESPONSIBLE_FOR", "Department", "ComponentCategory")][0]
    body = client.get("/v1/graph/responsibility",
                      params={"category": rule["to"], "district": rule["props"]["district"]}).json()  # fmt: skip
    assert body["department"]["id"] == rule["from"] and body["rule"]["rule_id"] == rule["props"]["rule_id"]


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/v1/graph/nodes/990199999999999", 404, "not_found"),
        ("/v1/graph/nodes/whatever", 404, "not_found"),
        ("/v1/graph/search?q=", 422, "invalid_input"),
        ("/v1/graph/search?q=" + "路" * 500, 422, "invalid_input"),
        ("/v1/graph/search", 422, "invalid_input"),
        ("/v1/graph/search?q=x&label=Bogus", 422, "invalid_input"),
        ("/v1/graph/responsibility?category=event-0401", 422, "invalid_input"),
        ("/v1/nothing-here", 404, "not_found"),
    ],
)
def test_bad_requests_get_clear_errors(client: TestClient, path: str, status: int, code: str) -> None:
    response = client.get(path)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code and len(error["message"]) > 5


def test_web_ui_is_served(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200 and "一网" in response.text
