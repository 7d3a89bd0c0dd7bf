"""What case dispatch checks in the graph before it registers a case: the category and the department; the
default urgency of each event category; each category's major class."""

from __future__ import annotations

import time
from weakref import WeakKeyDictionary

from graph.ids import CATEGORY_LABELS, label_for_id
from graph.models import Entity
from graph.store import GraphStore


def find_category(store: GraphStore, category_id: str) -> Entity | None:
    """An event or component category (with its SLA and default urgency), or ``None`` when the graph has
    none by that id or the id is not shaped like one."""
    label = label_for_id(category_id)
    if label not in CATEGORY_LABELS:
        return None
    rows = store.ro_query(f"MATCH (c:{label} {{id: $id}}) RETURN properties(c) AS c", {"id": category_id})
    return Entity.from_row([label], rows[0]["c"]) if rows else None


def department_exists(store: GraphStore, department_id: str) -> bool:
    if label_for_id(department_id) != "Department":
        return False
    return bool(store.ro_query("MATCH (d:Department {id: $id}) RETURN d.id AS id", {"id": department_id}))


def event_default_urgencies(store: GraphStore) -> dict[str, str | None]:
    """Event category id → the urgency a case of it gets unless told otherwise (``None`` when unset)."""
    rows = store.ro_query("MATCH (c:EventCategory) RETURN c.id AS id, c.default_urgency AS u")
    return {row["id"]: row["u"] for row in rows}


MAJORS_KEPT_S = 300.0  # the classes change with the domain tables, not with cases: read again after this long
_majors: WeakKeyDictionary[GraphStore, tuple[float, dict[str, str]]] = WeakKeyDictionary()


def category_majors(store: GraphStore) -> dict[str, str]:
    """Category id → the name of its major class (大类): ``event-0102`` → 市容环境. Classes are one by name:
    the event and the component tables each have a 市容环境, and an official means both. Kept for a few
    minutes per store: every case count asks for them (13 ms a read, eight reads for a count per district)."""
    read_at, majors = _majors.get(store, (0.0, {}))
    if time.monotonic() - read_at < MAJORS_KEPT_S:
        return majors
    majors = {}
    for label in CATEGORY_LABELS:
        for row in store.ro_query(f"MATCH (c:{label}) RETURN c.id AS id, c.major_name AS major"):
            if row["major"]:
                majors[row["id"]] = row["major"]
    _majors[store] = (time.monotonic(), majors)
    return majors
