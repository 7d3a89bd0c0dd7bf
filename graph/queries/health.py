"""Whether the graph answers: the round trip ``/healthz`` makes, the floor under every query's latency."""

from __future__ import annotations

from graph.store import GraphStore


def ping(store: GraphStore) -> None:
    """One trivial read; raises ``GraphUnavailable`` (a 503 at ``/healthz``) when the engine does not answer."""
    store.ro_query("RETURN 1 AS ok")
