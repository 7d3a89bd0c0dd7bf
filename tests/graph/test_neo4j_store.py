"""Neo4j backend: unit tests against the real driver classes, plus opt-in tests against a live server."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any
from unittest.mock import MagicMock

import neo4j
import pytest
from neo4j._codec.hydration.bolt.v1.hydration_handler import _GraphHydrator
from neo4j.exceptions import Neo4jError, ServiceUnavailable
from neo4j.spatial import CartesianPoint, WGS84Point
from neo4j.time import Date, DateTime, Duration

from core.settings import Settings
from graph.backends import open_graph
from graph.exceptions import GraphError, GraphUnavailable, QueryTimeout, ReadOnlyViolation
from graph.neo4j_store import Neo4jStore, forbidden_operations, plain, range_index_ddl, unique_constraint_ddl
from graph.store import GraphStore


def _server_error(code: str, message: str = "server said no") -> Neo4jError:
    # The driver's own factory for a pre-GQL FAILURE reply picks the exception subclass from the code.
    return Neo4jError._hydrate_neo4j(code=code, message=message)


def _fake(query_type: str | None = "r", plan: dict[str, Any] | None = None, rows: list[dict] | None = None):
    summary = MagicMock(spec=neo4j.ResultSummary)
    summary.query_type = query_type
    summary.plan = plan if plan is not None else {"operatorType": "ProduceResults@neo4j", "args": {}, "children": []}
    explained = MagicMock(spec=neo4j.Result)
    explained.consume.return_value = summary
    session = MagicMock(spec=neo4j.Session)
    session.__enter__.return_value = session
    session.run.return_value = explained
    tx = MagicMock(spec=neo4j.ManagedTransaction)
    tx.run.return_value = [neo4j.Record(row) for row in rows or []]
    session.execute_read.side_effect = lambda work, *args: work(tx, *args)
    driver = MagicMock(spec=neo4j.Driver)
    driver.session.return_value = session
    return Neo4jStore(driver, "yiwang"), driver, session, tx


# --- DDL ---------------------------------------------------------------------------------------------


def test_ddl_builders_name_objects_deterministically() -> None:
    assert unique_constraint_ddl("District", "id") == (
        "CREATE CONSTRAINT yiwang_uniq_district_id IF NOT EXISTS FOR (n:District) REQUIRE n.id IS UNIQUE"
    )
    assert range_index_ddl("Event", "day") == "CREATE INDEX yiwang_idx_event_day IF NOT EXISTS FOR (n:Event) ON (n.day)"


@pytest.mark.parametrize("label, prop", [("Bad Label", "id"), ("X", "id) DETACH DELETE n //"), ("", "id")])
def test_ddl_builders_refuse_non_identifiers(label: str, prop: str) -> None:
    with pytest.raises(ValueError):
        unique_constraint_ddl(label, prop)
    with pytest.raises(ValueError):
        range_index_ddl(label, prop)


def test_ensure_schema_creates_constraints_first_and_skips_indexes_they_cover() -> None:
    store, driver, session, _ = _fake()
    store.ensure_schema([("District", "id")], [("District", "id"), ("Event", "day"), ("Event", "day")])
    sent = [call.args[0] for call in session.run.call_args_list]
    assert sent == [unique_constraint_ddl("District", "id"), range_index_ddl("Event", "day")]
    assert driver.session.call_args.kwargs["default_access_mode"] == neo4j.WRITE_ACCESS


# --- conversion --------------------------------------------------------------------------------------


def test_plain_converts_hydrated_nodes_relationships_and_paths() -> None:
    hydrator = _GraphHydrator()  # the same code that turns Bolt structures into graph objects
    a = hydrator.hydrate_node(1, ["Street", "District"], {"id": "d1", "at": Date(2024, 5, 1)}, "4:x:1")
    b = hydrator.hydrate_node(2, ["Street"], {"id": "s2"}, "4:x:2")
    rel = hydrator.hydrate_relationship(7, 1, 2, "CONTAINS", {"since": 2020}, "5:x:7", "4:x:1", "4:x:2")
    path = hydrator.hydrate_path([a, b], [rel], [1, 1])
    assert isinstance(a, neo4j.graph.Node) and isinstance(path, neo4j.graph.Path)
    assert plain(a) == {"labels": ["District", "Street"], "properties": {"id": "d1", "at": "2024-05-01"}}
    assert plain(rel) == {"type": "CONTAINS", "properties": {"since": 2020}}
    assert plain({"p": [path]}) == {
        "p": [
            {
                "nodes": [plain(a), {"labels": ["Street"], "properties": {"id": "s2"}}],
                "edges": [{"type": "CONTAINS", "properties": {"since": 2020}}],
            }
        ]
    }


def test_plain_converts_temporal_and_spatial_values() -> None:
    assert plain(DateTime(2024, 1, 2, 3, 4, 5)).startswith("2024-01-02T03:04:05")
    assert plain(Duration(days=2, hours=3)) == "P2DT3H"
    assert plain(WGS84Point((121.47, 31.23))) == {"longitude": 121.47, "latitude": 31.23}
    assert plain(CartesianPoint((1.0, 2.0, 3.0))) == {"x": 1.0, "y": 2.0, "z": 3.0}
    assert plain([(1, 2), {"k": None}]) == [[1, 2], {"k": None}]


# --- read-only guard ---------------------------------------------------------------------------------


@pytest.mark.parametrize("query_type", ["rw", "w", "s", None])
def test_ro_query_refuses_when_explain_is_not_read_only(query_type: str | None) -> None:
    store, _, session, _ = _fake(query_type=query_type)
    with pytest.raises(ReadOnlyViolation):
        store.ro_query("MATCH (n) SET n.x = 1")
    assert session.run.call_args.args[0] == "EXPLAIN MATCH (n) SET n.x = 1"
    session.execute_read.assert_not_called()


def test_ro_query_runs_a_read_in_a_read_session_with_timeout() -> None:
    store, driver, session, tx = _fake(rows=[{"n": 3, "when": Date(2024, 1, 1)}])
    rows = store.ro_query("MATCH (n) RETURN count(n) AS n", {"a": 1}, timeout_ms=250)
    assert rows == [{"n": 3, "when": "2024-01-01"}]
    assert driver.session.call_args.kwargs == {"database": "yiwang", "default_access_mode": neo4j.READ_ACCESS}
    assert session.run.call_args.args == ("EXPLAIN MATCH (n) RETURN count(n) AS n", {"a": 1})
    work = session.execute_read.call_args.args[0]
    assert work.timeout == 0.25  # what Session._run_transaction reads to set the server-side timeout
    tx.run.assert_called_once_with("MATCH (n) RETURN count(n) AS n", {"a": 1})


def test_ro_query_without_timeout_leaves_server_default() -> None:
    store, _, session, _ = _fake()
    store.ro_query("RETURN 1 AS one")
    assert getattr(session.execute_read.call_args.args[0], "timeout", None) is None


@pytest.mark.parametrize(
    "cypher, plan",
    [
        ("CALL dbms.setConfigValue('db.logs.query.enabled', 'OFF')", None),
        ("CALL apoc.load.json('file:///etc/passwd')", None),
        ("LOAD CSV FROM 'file:///x.csv' AS row RETURN row", None),
        ("MATCH (n) RETURN n", {"operatorType": "ProcedureCall@neo4j", "args": {"Details": "dbms.killQuery($id)"}}),
        ("MATCH (n) RETURN n", {"operatorType": "ProcedureCall@neo4j", "args": {}}),
        ("MATCH (n) RETURN n", {"operatorType": "ProduceResults", "children": [{"operatorType": "LoadCSV"}]}),
    ],
)
def test_ro_query_refuses_procedures_and_file_loads_planned_as_reads(cypher: str, plan: dict | None) -> None:
    # DBMS-mode procedures and LOAD CSV come back from EXPLAIN as query type "r".
    store, _, session, _ = _fake(query_type="r", plan=plan)
    with pytest.raises(ReadOnlyViolation):
        store.ro_query(cypher)
    session.execute_read.assert_not_called()


def test_read_only_procedures_stay_allowed() -> None:
    plan = {"operatorType": "ProcedureCall@neo4j", "args": {"Details": "db.labels() :: (label :: STRING)"}}
    assert forbidden_operations(plan, "CALL db.labels() YIELD label RETURN label") == []
    assert forbidden_operations(None, "MATCH (n) WHERE n.note = 'call me maybe' CALL { RETURN 1 AS x } RETURN x") == []


@pytest.mark.parametrize(
    "code, expected",
    [
        ("Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration", QueryTimeout),
        ("Neo.ClientError.Transaction.TransactionTimedOut", QueryTimeout),
        ("Neo.TransientError.Transaction.Terminated", QueryTimeout),
        ("Neo.ClientError.Statement.AccessMode", ReadOnlyViolation),
        ("Neo.ClientError.Security.Forbidden", ReadOnlyViolation),
        ("Neo.ClientError.Statement.SyntaxError", GraphError),
        ("Neo.ClientError.Database.DatabaseNotFound", GraphUnavailable),
    ],
)
def test_ro_query_maps_server_errors(code: str, expected: type[Exception]) -> None:
    store, _, session, _ = _fake()
    session.execute_read.side_effect = _server_error(code)
    with pytest.raises(expected) as info:
        store.ro_query("MATCH (n) RETURN n")
    assert type(info.value) is expected
    if expected is GraphError:
        assert "MATCH (n) RETURN n" in str(info.value)


def test_lost_connection_maps_to_graph_unavailable() -> None:
    store, _, session, _ = _fake()
    session.run.side_effect = ServiceUnavailable("connection reset")
    with pytest.raises(GraphUnavailable):
        store.ro_query("RETURN 1")
    with pytest.raises(GraphUnavailable):
        store.query("RETURN 1")


def test_query_and_clear_use_auto_commit_write_sessions() -> None:
    store, driver, session, _ = _fake()
    session.run.return_value = [neo4j.Record({"x": 1})]
    assert store.query("CREATE (n:X) RETURN 1 AS x") == [{"x": 1}]
    store.clear()
    assert "IN TRANSACTIONS" in session.run.call_args.args[0]
    assert {c.kwargs["default_access_mode"] for c in driver.session.call_args_list} == {neo4j.WRITE_ACCESS}
    store.save()
    store.close()
    driver.close.assert_called_once()
    assert isinstance(store, GraphStore)


# --- connecting --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "error, hint",
    [
        (ServiceUnavailable("Couldn't connect to 127.0.0.1:7687"), "YIWANG_GRAPH_URL"),
        (_server_error("Neo.ClientError.Security.Unauthorized", "bad credentials"), "YIWANG_GRAPH_PASSWORD"),
        (OSError("network unreachable"), "YIWANG_GRAPH_URL"),
    ],
)
def test_connect_failure_is_graph_unavailable(monkeypatch: pytest.MonkeyPatch, error: Exception, hint: str) -> None:
    driver = MagicMock(spec=neo4j.Driver)
    driver.verify_connectivity.side_effect = error
    monkeypatch.setattr(neo4j.GraphDatabase, "driver", MagicMock(return_value=driver))
    with pytest.raises(GraphUnavailable, match=hint):
        Neo4jStore.connect(Settings(graph_url="bolt://db.example:7687", graph_password="x"))
    driver.close.assert_called_once()


def test_open_graph_fails_fast_when_nothing_listens() -> None:
    started = time.monotonic()
    with pytest.raises(GraphUnavailable):
        open_graph(Settings(graph_url="bolt://127.0.0.1:1"))
    assert time.monotonic() - started < 10


# --- live server (opt-in) ----------------------------------------------------------------------------

needs_neo4j = pytest.mark.skipif(
    not os.environ.get("YIWANG_TEST_NEO4J_URL"),
    reason="set YIWANG_TEST_NEO4J_URL=bolt://… (and YIWANG_TEST_NEO4J_USER/PASSWORD) to run against a real "
    "Neo4j server",
)


@pytest.fixture
def live_store() -> Iterator[Neo4jStore]:
    settings = Settings(
        graph_url=os.environ["YIWANG_TEST_NEO4J_URL"],
        graph_user=os.environ.get("YIWANG_TEST_NEO4J_USER", "neo4j"),
        graph_password=os.environ.get("YIWANG_TEST_NEO4J_PASSWORD", ""),
        # Community edition has only the "neo4j" database.
        graph_name=os.environ.get("YIWANG_TEST_NEO4J_DATABASE", "neo4j"),
    )
    store = Neo4jStore.connect(settings)
    store.clear()
    yield store
    store.clear()
    store.close()


@pytest.mark.neo4j
@needs_neo4j
def test_live_write_read_round_trip(live_store: Neo4jStore) -> None:
    live_store.query(
        "CREATE (:YwTest {id: $a, on: date('2024-05-01')})-[:LINKS {w: 2}]->(:YwTest:Extra {id: $b})",
        {"a": "a", "b": "b"},
    )
    rows = live_store.ro_query(
        "MATCH p = (x:YwTest {id: 'a'})-[r:LINKS]->(y) RETURN x, r, y.id AS y, p", timeout_ms=5000
    )
    assert rows[0]["x"] == {"labels": ["YwTest"], "properties": {"id": "a", "on": "2024-05-01"}}
    assert rows[0]["r"] == {"type": "LINKS", "properties": {"w": 2}}
    assert rows[0]["y"] == "b"
    assert [n["labels"] for n in rows[0]["p"]["nodes"]] == [["YwTest"], ["Extra", "YwTest"]]


@pytest.mark.neo4j
@needs_neo4j
def test_live_ensure_schema_is_idempotent(live_store: Neo4jStore) -> None:
    try:
        for _ in range(2):
            live_store.ensure_schema([("YwTest", "id")], [("YwTest", "id"), ("YwTest", "day")])
        names = {r["name"] for r in live_store.query("SHOW INDEXES YIELD name RETURN name")}
        names |= {r["name"] for r in live_store.query("SHOW CONSTRAINTS YIELD name RETURN name")}
        assert {"yiwang_uniq_ywtest_id", "yiwang_idx_ywtest_day"} <= names
    finally:
        live_store.query("DROP CONSTRAINT yiwang_uniq_ywtest_id IF EXISTS")
        live_store.query("DROP INDEX yiwang_idx_ywtest_day IF EXISTS")


@pytest.mark.neo4j
@needs_neo4j
@pytest.mark.parametrize(
    "cypher",
    [
        "CREATE (n:YwTest)",
        "MATCH (n) DETACH DELETE n",
        "CALL db.createLabel('YwForbidden')",
        "CALL dbms.setConfigValue('db.logs.query.enabled', 'OFF')",
    ],
)
def test_live_ro_query_refuses_writes(live_store: Neo4jStore, cypher: str) -> None:
    live_store.query("CREATE (:YwTest {id: 'keep'})")
    with pytest.raises(ReadOnlyViolation):
        live_store.ro_query(cypher)
    assert live_store.ro_query("MATCH (n:YwTest) RETURN count(n) AS n") == [{"n": 1}]


@pytest.mark.neo4j
@needs_neo4j
def test_live_timeout_maps_to_query_timeout(live_store: Neo4jStore) -> None:
    with pytest.raises(QueryTimeout):
        live_store.ro_query(
            "UNWIND range(1, 1000000000) AS x WITH x WHERE x % 7 = 3 RETURN count(x) AS n", timeout_ms=100
        )
