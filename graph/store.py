"""The one small contract every graph backend implements (``graph.backends.open_graph`` picks one).

Queries are written once in OpenCypher; they return scalars, lists and maps (``labels(n)``,
``properties(n)``) so that both engines hand back the same plain rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

Row = dict[str, Any]


@runtime_checkable
class GraphStore(Protocol):
    """What the rest of Yiwang may ask of a graph engine."""

    backend: str
    """Name reported by ``/healthz``: ``falkordb-embedded``, ``falkordb`` or ``neo4j``."""

    def query(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        """Run a read-write query and return its rows as dicts keyed by column name."""

    def ro_query(
        self, cypher: str, params: Mapping[str, Any] | None = None, *, timeout_ms: int | None = None
    ) -> list[Row]:
        """Run a query the engine itself guarantees to be read-only (raises ``ReadOnlyViolation``)."""

    def ensure_schema(self, unique: list[tuple[str, str]], indexes: list[tuple[str, str]]) -> None:
        """Create unique constraints on ``(label, property)`` and range indexes, idempotently."""

    def save(self) -> None:
        """Make what was written durable now (a snapshot for FalkorDB; a no-op where commits are durable)."""

    def clear(self) -> None:
        """Delete the whole graph (used before a fresh load and by tests)."""

    def close(self) -> None:
        """Release connections (and stop an embedded engine this process started)."""
