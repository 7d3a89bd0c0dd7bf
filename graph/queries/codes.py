"""The city's code tables as a parent platform needs them to line figures up: districts by administrative
code, departments, and the event and component categories with their codes."""

from __future__ import annotations

from graph.store import GraphStore


def code_tables(store: GraphStore) -> dict[str, list[dict[str, str]]]:
    districts = store.ro_query("MATCH (d:District) RETURN d.id AS code, d.name AS name ORDER BY code")
    departments = store.ro_query("MATCH (d:Department) RETURN d.id AS id, d.name AS name ORDER BY id")
    categories = store.ro_query(
        "MATCH (c) WHERE c:EventCategory OR c:ComponentCategory RETURN c.id AS id, c.code AS code, c.name AS name "
        "ORDER BY id")  # fmt: skip
    return {"districts": districts, "departments": departments, "categories": categories}
