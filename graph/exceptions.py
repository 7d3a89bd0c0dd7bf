"""Graph-layer errors; each carries a message an operator can act on."""

from __future__ import annotations

from core.exceptions import BackendUnavailable, InvalidInput, YiwangError


class GraphError(YiwangError):
    """A query the graph engine refused or could not run."""

    code = "graph_error"
    status = 400


class GraphUnavailable(BackendUnavailable):
    """The graph engine is down, cannot be started or cannot be reached."""


class ReadOnlyViolation(GraphError):
    """A query sent down the read-only path would write, call a forbidden procedure or load files."""

    code = "read_only_violation"
    status = 400


class QueryTimeout(GraphError):
    code = "query_timeout"
    status = 408


class LoadError(InvalidInput):
    """A malformed input row; the load stops before writing anything."""

    code = "load_error"
