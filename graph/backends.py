"""Opens the graph backend the settings name: FalkorDB (embedded or a server) or Neo4j."""

from __future__ import annotations

from core.settings import Settings
from graph.store import GraphStore


def open_graph(settings: Settings) -> GraphStore:
    """Open the graph backend named by ``settings.graph_url``.

    Example:
        >>> store = open_graph(Settings(graph_url="embedded"))  # doctest: +SKIP
        >>> store.ro_query("MATCH (d:District) RETURN count(d) AS n")  # doctest: +SKIP
    """
    if settings.graph_backend_kind == "neo4j":
        from graph.neo4j_store import Neo4jStore

        return Neo4jStore.connect(settings)
    from graph.falkor_store import FalkorStore

    return FalkorStore.connect(settings)
