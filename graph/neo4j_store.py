"""Neo4j backend over the official ``neo4j`` driver (``bolt://`` and ``neo4j://`` URLs)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import neo4j
from neo4j import GraphDatabase, ManagedTransaction, ResultSummary, unit_of_work
from neo4j.exceptions import (
    AuthError,
    ConnectionPoolError,
    DatabaseUnavailable,
    DriverError,
    Forbidden,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)
from neo4j.graph import Node, Path, Relationship
from neo4j.spatial import Point, WGS84Point
from neo4j.time import Date, DateTime, Duration, Time

from core.settings import Settings
from graph.exceptions import GraphError, GraphUnavailable, QueryTimeout, ReadOnlyViolation
from graph.store import Row

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# DBMS-mode procedures and LOAD CSV are planned as query type "r", so the summary alone cannot catch them.
_SAFE_PROCEDURES = ("db.labels", "db.relationshiptypes", "db.propertykeys", "db.schema.", "db.indexes",
                    "db.constraints", "db.index.fulltext.query", "db.index.vector.query", "db.info", "db.ping")
_CALL_TEXT = re.compile(r"\bCALL\s+([A-Za-z_`][\w.`]*)", re.IGNORECASE)
_PROC_IN_PLAN = re.compile(r"([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)\s*\(")
_LOAD_CSV = re.compile(r"\bLOAD\s+CSV\b", re.IGNORECASE)


def _checked(label: str, prop: str) -> tuple[str, str]:
    # Names are spliced into DDL text (Cypher cannot parameterise them), so only plain identifiers pass.
    for name in (label, prop):
        if not _IDENTIFIER.match(name):
            raise ValueError(f"not a plain Cypher identifier: {name!r}")
    return label, prop


def unique_constraint_ddl(label: str, prop: str) -> str:
    """DDL for an idempotent uniqueness constraint named ``yiwang_uniq_<label>_<prop>``."""
    label, prop = _checked(label, prop)
    name = f"yiwang_uniq_{label}_{prop}".lower()
    return f"CREATE CONSTRAINT {name} IF NOT EXISTS FOR (n:{label}) REQUIRE n.{prop} IS UNIQUE"


def range_index_ddl(label: str, prop: str) -> str:
    """DDL for an idempotent range index named ``yiwang_idx_<label>_<prop>``."""
    label, prop = _checked(label, prop)
    name = f"yiwang_idx_{label}_{prop}".lower()
    return f"CREATE INDEX {name} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})"


def plain(value: Any) -> Any:
    """Turn driver objects into plain data, the same shapes ``falkor_store._plain`` returns."""
    if isinstance(value, Node):
        return {"labels": sorted(value.labels), "properties": {k: plain(v) for k, v in value.items()}}
    if isinstance(value, Relationship):
        return {"type": value.type, "properties": {k: plain(v) for k, v in value.items()}}
    if isinstance(value, Path):
        return {"nodes": [plain(n) for n in value.nodes], "edges": [plain(r) for r in value.relationships]}
    if isinstance(value, (Date, Time, DateTime, Duration)):
        return value.iso_format()
    if isinstance(value, Point):
        # FalkorDB hands points back as {"latitude", "longitude"}; keep those keys for WGS-84.
        keys = ("longitude", "latitude", "height") if isinstance(value, WGS84Point) else ("x", "y", "z")
        return dict(zip(keys, value, strict=False))
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def forbidden_operations(plan: Mapping[str, Any] | None, cypher: str) -> list[str]:
    """Procedures outside the read allow-list and file loads found in the query text or its plan."""
    # Only dotted names: a bare word after "call" in a string literal is not a procedure.
    found = [n for m in _CALL_TEXT.finditer(cypher) if "." in (n := m.group(1).replace("`", ""))]
    if _LOAD_CSV.search(cypher):
        found.append("LOAD CSV")
    stack = [plan] if plan else []
    while stack:
        operator = stack.pop()
        kind = str(operator.get("operatorType", ""))
        if kind.startswith("LoadCSV"):
            found.append("LOAD CSV")
        if kind.startswith("ProcedureCall"):
            # Fail closed: a procedure call whose name we cannot read is refused.
            found.extend(_PROC_IN_PLAN.findall(str(operator.get("args", {}))) or ["<unknown procedure>"])
        stack.extend(operator.get("children") or [])
    return sorted({n for n in found if n == "LOAD CSV" or not n.lower().startswith(_SAFE_PROCEDURES)})


def _translate(exc: Exception, cypher: str, *, read_only: bool) -> Exception:
    text = str(exc)
    code = (getattr(exc, "code", None) or "").lower()
    if isinstance(exc, AuthError):
        return GraphUnavailable(f"Neo4j 拒绝了登录，请检查 YIWANG_GRAPH_USER/PASSWORD / Neo4j rejected the login: {text}")
    if isinstance(exc, ServiceUnavailable | SessionExpired | ConnectionPoolError | DatabaseUnavailable | OSError):
        return GraphUnavailable(f"无法连接图数据库 Neo4j / cannot reach Neo4j: {text}")
    if "databasenotfound" in code:
        return GraphUnavailable(f"Neo4j 中没有这个数据库，请检查 YIWANG_GRAPH_NAME / no such database: {text}")
    if "timedout" in code or "timeout" in code or "terminated" in code or "lockclientstopped" in code:
        return QueryTimeout(f"图查询超时 / graph query timed out: {text}")
    if read_only and (isinstance(exc, Forbidden) or "accessmode" in code or "readonly" in code):
        return ReadOnlyViolation(f"只读查询中不允许写操作 / writes are not allowed here: {text}")
    return GraphError(f"图查询失败 / graph query failed: {text} (query: {cypher[:200]})")


def _collect(tx: ManagedTransaction, cypher: str, params: dict[str, Any]) -> list[Row]:
    return [{k: plain(v) for k, v in record.items()} for record in tx.run(cypher, params)]


class Neo4jStore:
    """GraphStore over a Neo4j server."""

    backend = "neo4j"

    def __init__(self, driver: neo4j.Driver, database: str) -> None:
        self._driver = driver
        self._database = database

    @classmethod
    def connect(cls, settings: Settings) -> Neo4jStore:
        """Connect to ``settings.graph_url`` and check the server answers before returning."""
        try:
            # Short timeouts: an unreachable server must fail fast, not after the driver's 30-60 s defaults.
            driver = GraphDatabase.driver(
                settings.graph_url,
                auth=(settings.graph_user, settings.graph_password),
                connection_timeout=5.0,
                connection_acquisition_timeout=10.0,
                max_transaction_retry_time=5.0,
            )
        except (DriverError, ValueError) as exc:
            raise GraphUnavailable(f"Neo4j 地址无效 / bad Neo4j URL {settings.graph_url!r}: {exc}") from exc
        try:
            driver.verify_connectivity()
        except AuthError as exc:
            driver.close()
            raise GraphUnavailable(
                f"Neo4j ({settings.graph_url}) 拒绝了用户 {settings.graph_user!r} 的登录，请检查 "
                f"YIWANG_GRAPH_USER / YIWANG_GRAPH_PASSWORD. Neo4j rejected the credentials: {exc}"
            ) from exc
        except (ServiceUnavailable, SessionExpired, ConnectionPoolError, OSError) as exc:
            driver.close()
            raise GraphUnavailable(
                f"无法连接 Neo4j ({settings.graph_url})，请确认服务已启动、地址和端口正确，或改用 "
                f"YIWANG_GRAPH_URL=embedded. Cannot reach Neo4j: {exc}"
            ) from exc
        return cls(driver, settings.graph_name)

    def _session(self, access_mode: str) -> neo4j.Session:
        return self._driver.session(database=self._database, default_access_mode=access_mode)

    def query(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        """Run a read-write query in an auto-commit transaction (so ``CALL … IN TRANSACTIONS`` works)."""
        try:
            with self._session(neo4j.WRITE_ACCESS) as session:
                result = session.run(cypher, dict(params or {}))
                return [{k: plain(v) for k, v in record.items()} for record in result]
        except (Neo4jError, DriverError, OSError) as exc:
            raise _translate(exc, cypher, read_only=False) from exc

    def ro_query(
        self, cypher: str, params: Mapping[str, Any] | None = None, *, timeout_ms: int | None = None
    ) -> list[Row]:
        """Run a query only after the server's own plan says it reads; writes raise ``ReadOnlyViolation``."""
        parameters = dict(params or {})
        # Checked before EXPLAIN too: an edition lacking the procedure would otherwise report a plain error.
        forbidden = forbidden_operations(None, cypher)
        if forbidden:
            raise ReadOnlyViolation(f"只读查询中不允许调用 / not allowed on the read-only path: {forbidden}")
        try:
            # Layer 1: a READ session, so a cluster routes to a reader and the server rejects writes.
            with self._session(neo4j.READ_ACCESS) as session:
                # Layer 2: the planner's verdict, obtained without executing anything.
                summary: ResultSummary = session.run(f"EXPLAIN {cypher}", parameters).consume()
                if summary.query_type != "r":
                    raise ReadOnlyViolation(
                        f"只读查询中不允许写操作 / query type {summary.query_type!r} is not read-only: {cypher[:200]}"
                    )
                forbidden = forbidden_operations(summary.plan, cypher)
                if forbidden:
                    raise ReadOnlyViolation(f"只读查询中不允许调用 / not allowed on the read-only path: {forbidden}")
                # Layer 3: a managed read transaction; the timeout travels with it (tx.run rejects Query objects).
                work: Callable[..., list[Row]] = _collect
                if timeout_ms is not None:
                    work = unit_of_work(timeout=max(timeout_ms, 1) / 1000)(_collect)
                return session.execute_read(work, cypher, parameters)
        except (Neo4jError, DriverError, OSError) as exc:
            raise _translate(exc, cypher, read_only=True) from exc

    def ensure_schema(self, unique: list[tuple[str, str]], indexes: list[tuple[str, str]]) -> None:
        """Create uniqueness constraints, then range indexes not already backed by a constraint."""
        # Constraints first: Neo4j refuses a constraint where a plain index on the same key already exists.
        statements = [unique_constraint_ddl(label, prop) for label, prop in dict.fromkeys(unique)]
        statements += [range_index_ddl(lb, p) for lb, p in dict.fromkeys(indexes) if (lb, p) not in set(unique)]
        for ddl in statements:
            self.query(ddl)

    def clear(self) -> None:
        """Delete every node and relationship in batches (constraints and indexes stay)."""
        # CALL … IN TRANSACTIONS only runs in an implicit transaction, which query() uses.
        self.query("MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")

    def save(self) -> None:
        """Nothing to do: Neo4j makes every transaction durable on commit."""

    def close(self) -> None:
        """Close the driver and its connection pool."""
        self._driver.close()
