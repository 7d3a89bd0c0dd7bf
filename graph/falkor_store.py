"""FalkorDB backend: the embedded child process (default) or a FalkorDB server by URL."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping
from typing import Any

import redis
from falkordb import FalkorDB
from falkordb.edge import Edge
from falkordb.node import Node
from falkordb.path import Path as FalkorPath

from core.exceptions import InvalidInput
from core.settings import Settings
from graph.exceptions import GraphError, GraphUnavailable, QueryTimeout, ReadOnlyViolation
from graph.falkor_embedded import EmbeddedFalkor
from graph.store import Row

log = logging.getLogger("yiwang.graph")


def _plain(value: Any) -> Any:
    """Turn engine objects into plain data, the same shapes the Neo4j backend returns."""
    if isinstance(value, Node):
        return {"labels": list(value.labels or []), "properties": dict(value.properties)}
    if isinstance(value, Edge):
        return {"type": value.relation, "properties": dict(value.properties)}
    if isinstance(value, FalkorPath):
        return {"nodes": [_plain(n) for n in value.nodes()], "edges": [_plain(e) for e in value.edges()]}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_nul(v) for v in value)
    return False


def _translate(exc: Exception, cypher: str) -> Exception:
    text = str(exc)
    lowered = text.lower()
    if "read-only" in lowered or "read only" in lowered:
        return ReadOnlyViolation(f"只读查询中不允许写操作: {text}")
    if "timed out" in lowered or "timeout" in lowered:
        return QueryTimeout(f"图查询超时: {text}")
    if isinstance(exc, (redis.ConnectionError, ConnectionError, OSError)):
        # The driver's text names the engine's socket file: logged for the operator, not sent to callers.
        log.warning("FalkorDB unreachable: %s", text)
        return GraphUnavailable("无法连接图数据库 FalkorDB, 请检查图引擎是否在运行 / cannot reach the graph database")
    return GraphError(f"图查询失败: {text} (query: {cypher[:200]})")


class FalkorStore:
    """GraphStore over FalkorDB."""

    def __init__(self, client: FalkorDB, graph_name: str, backend: str, server: EmbeddedFalkor | None) -> None:
        self._client = client
        self._graph = client.select_graph(graph_name)
        self._server = server
        self.backend = backend

    @classmethod
    def connect(cls, settings: Settings) -> FalkorStore:
        """Start or reuse the embedded server (``graph_url=embedded``) or connect to ``redis://``/``unix://``."""
        server: EmbeddedFalkor | None = None
        try:
            if settings.graph_url == "embedded":
                server = EmbeddedFalkor(settings.graph_dir)
                client = FalkorDB(unix_socket_path=server.ensure_running())
                backend = "falkordb-embedded"
            elif settings.graph_url.startswith("unix://"):
                client = FalkorDB(unix_socket_path=settings.graph_url.removeprefix("unix://"))
                backend = "falkordb"
            else:
                client = FalkorDB.from_url(settings.graph_url)
                backend = "falkordb"
            client.connection.ping()
        except (redis.RedisError, OSError) as exc:
            raise GraphUnavailable(f"无法连接 FalkorDB ({settings.graph_url}): {exc}") from exc
        return cls(client, settings.graph_name, backend, server)

    def _run(self, cypher: str, params: Mapping[str, Any] | None, *, read_only: bool, timeout_ms: int | None) -> list[Row]:
        if params and _has_nul(params):
            # FalkorDB sends parameters inside the query text, where a NUL ends it mid-way: refused here with
            # a sentence instead of a parse error quoting the query.
            raise InvalidInput("查询参数不能包含 NUL 控制字符 / parameters may not contain a NUL character")
        try:
            if read_only:
                result = self._graph.ro_query(cypher, dict(params or {}), timeout=timeout_ms)
            else:
                result = self._graph.query(cypher, dict(params or {}), timeout=timeout_ms)
        except redis.ResponseError as exc:
            if read_only and "empty key" in str(exc):
                return []  # the graph has not been created yet: nothing to read
            raise _translate(exc, cypher) from exc
        except (redis.RedisError, OSError) as exc:
            raise _translate(exc, cypher) from exc
        if not result.header:
            return []
        names = [column[1] for column in result.header]
        return [{name: _plain(value) for name, value in zip(names, row, strict=True)} for row in result.result_set]

    def query(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        return self._run(cypher, params, read_only=False, timeout_ms=None)

    def ro_query(
        self, cypher: str, params: Mapping[str, Any] | None = None, *, timeout_ms: int | None = None
    ) -> list[Row]:
        # GRAPH.RO_QUERY makes the engine itself refuse any write, whatever the query text says.
        return self._run(cypher, params, read_only=True, timeout_ms=timeout_ms)

    def ensure_schema(self, unique: list[tuple[str, str]], indexes: list[tuple[str, str]]) -> None:
        existing = self._existing_indexes()
        for label, prop in [*unique, *indexes]:
            if (label, prop) not in existing:
                self.query(f"CREATE INDEX FOR (n:{label}) ON (n.{prop})")
                existing.add((label, prop))
        constrained = {(c["label"], tuple(c["properties"])) for c in self._graph.list_constraints()}
        for label, prop in unique:
            if (label, (prop,)) not in constrained:
                self._graph.create_node_unique_constraint(label, prop)

    def _existing_indexes(self) -> set[tuple[str, str]]:
        rows = self.ro_query("CALL db.indexes() YIELD label, properties RETURN label, properties")
        return {(row["label"], prop) for row in rows for prop in row["properties"]}

    def clear(self) -> None:
        with contextlib.suppress(redis.ResponseError):
            self._graph.delete()  # an empty graph has no key to delete

    def save(self) -> None:
        """Write a snapshot now, so that a restart finds the graph without reloading it."""
        with contextlib.suppress(redis.ResponseError):
            self._client.connection.save()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._client.connection.close()
        if self._server is not None:
            self._server.stop()
