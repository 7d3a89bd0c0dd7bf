"""Free-form Cypher written by a model (the assistant's text-to-Cypher fallback): the part of the schema it
may be shown, and the guarded way such a query runs. The guard works in layers, because keyword
blocklists alone are bypassed (full-width letters, zero-width characters, comments):

1. the query text is canonicalised (NFKC, format characters and comments removed) and refused if it
   writes, loads files or calls a procedure outside the read allow-list;
2. it runs through ``GraphStore.ro_query``: the engine itself refuses writes (FalkorDB ``GRAPH.RO_QUERY``;
   Neo4j READ access mode plus ``EXPLAIN`` with ``query_type == 'r'`` and a procedure check on the plan);
3. with a time limit, and only the first ``ROW_CAP`` rows are returned.

``yiwang graph query`` passes the user's own Cypher to ``ro_query`` directly (layer 2 guards it).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from graph.exceptions import ReadOnlyViolation
from graph.store import GraphStore, Row

ROW_CAP = 50
TIMEOUT_MS = 2_000

# Labels with the properties worth querying, and the relationships between them (docs/graph-schema.md).
SCHEMA: dict[str, str] = {
    "District": "id, name", "Street": "id, name, district", "Community": "id, name, street, district",
    "Grid": "id, name, street, district, street_name, district_name",
    "Road": "id, name, district, district_name, length_m", "Landmark": "id, name, kind, district, grid, address",
    "Asset": "id, name, category, category_name, major, grid, district, district_name, address, status, maintainer",
    "Sensor": "id, kind, kind_name, name, unit, asset, grid, district, threshold_alarm, status",
    "Department": "id, name, short_name, level, duties, district",
    "EventCategory": "id, code, name, major_name, sla_hours, urgent_sla_hours, legal_basis",
    "ComponentCategory": "id, code, name, major_name, sla_hours, urgent_sla_hours, legal_basis",
}  # fmt: skip
RELATIONSHIPS: list[tuple[str, str, str]] = [
    ("Grid", "IN", "Community"), ("Community", "IN", "Street"), ("Street", "IN", "District"), ("Road", "IN", "District"),
    ("Road", "PASSES", "Grid"), ("Landmark", "IN_GRID", "Grid"), ("Asset", "IN_GRID", "Grid"),
    ("Asset", "OF_TYPE", "ComponentCategory"), ("Sensor", "MONITORS", "Asset"), ("Department", "MAINTAINS", "Asset"),
    ("Department", "COVERS", "Street"), ("Department", "RESPONSIBLE_FOR", "EventCategory"),
    ("Department", "RESPONSIBLE_FOR", "ComponentCategory"),
]  # fmt: skip

SAFE_PROCEDURES = ("db.labels", "db.relationshiptypes", "db.propertykeys")
_COMMENTS = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)
_STRINGS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_WRITES = re.compile(r"\b(CREATE|MERGE|DELETE|DETACH|SET|REMOVE|DROP|FOREACH|LOAD\s+CSV|IN\s+TRANSACTIONS)\b", re.IGNORECASE)
_CALLS = re.compile(r"\bCALL\s+([A-Za-z_][\w.]*)", re.IGNORECASE)


@dataclass
class GuardedResult:
    cypher: str  # the canonical query that ran
    rows: list[Row]  # at most ROW_CAP; columns are whatever the query returned


def schema_text(labels: Iterable[str]) -> str:
    """The schema to show for ``labels`` and their neighbours (the whole schema when none is known)."""
    shown = {label for label in labels if label in SCHEMA} or set(SCHEMA)
    related = [r for r in RELATIONSHIPS if r[0] in shown or r[2] in shown]
    shown |= {r[0] for r in related} | {r[2] for r in related}
    lines = [f"(:{label} {{{SCHEMA[label]}}})" for label in sorted(shown)]
    lines += [f"(:{a})-[:{rel}]->(:{b})" for a, rel, b in related]
    return "\n".join(lines)


def canonical(cypher: str) -> str:
    """What the engine will parse, as far as a guard must see it: NFKC, no format characters, no comments."""
    text = "".join(ch for ch in unicodedata.normalize("NFKC", cypher) if unicodedata.category(ch) != "Cf")
    return _COMMENTS.sub(" ", text).strip().rstrip(";")


def check_read_only(cypher: str) -> str:
    """The canonical query, or ``ReadOnlyViolation`` saying what was refused."""
    text = canonical(cypher)
    if not text:
        raise ReadOnlyViolation("没有查询语句 / no query")
    if ";" in _STRINGS.sub("''", text):
        raise ReadOnlyViolation("只允许一条查询语句 / one statement only")
    code = _STRINGS.sub("''", text)  # a keyword inside a string literal is data, not a clause
    if match := _WRITES.search(code):
        raise ReadOnlyViolation(f"只读查询中不允许 {match.group(1).upper()} / not allowed in a read query")
    for name in _CALLS.findall(code):
        if not name.lower().startswith(SAFE_PROCEDURES):
            raise ReadOnlyViolation(f"不允许调用过程 {name} / procedure not on the read allow-list")
    if not re.search(r"\bRETURN\b", code, re.IGNORECASE):
        raise ReadOnlyViolation("查询必须以 RETURN 返回结果 / the query must RETURN something")
    return text


def run_guarded(store: GraphStore, cypher: str) -> GuardedResult:
    """Check, then run read-only with the time limit; the first ``ROW_CAP`` rows. Raises ``YiwangError``
    (``ReadOnlyViolation``, ``QueryTimeout``, ``GraphError``…) with a message the model can be shown."""
    checked = check_read_only(cypher)
    return GuardedResult(checked, store.ro_query(checked, timeout_ms=TIMEOUT_MS)[:ROW_CAP])
