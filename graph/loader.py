"""``yiwang graph load``: validate a city's files completely, then write them with batched MERGE.

Nothing is written unless every row of every file is valid, so a malformed row never leaves a
half-loaded graph. MERGE on ids makes a second load of the same files change nothing.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.exceptions import LoadError
from graph.ids import label_for_id
from graph.load_format import MANIFEST, read_manifest
from graph.schema import INDEXES, NODE_LABELS, REL_TYPES, UNIQUE_KEYS
from graph.store import GraphStore

BATCH = 5_000
Progress = Callable[[int], None]


@dataclass
class LoadReport:
    hash: str
    skipped: bool = False
    nodes: dict[str, int] = field(default_factory=dict)
    rels: dict[str, int] = field(default_factory=dict)


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _property_problem(props: dict[str, Any]) -> str | None:
    # Both engines store only scalars and homogeneous lists of scalars as properties.
    for key, value in props.items():
        if _scalar(value):
            continue
        if isinstance(value, list) and all(_scalar(v) and v is not None for v in value):
            if len({type(v) for v in value}) <= 1:
                continue
            return f"property {key!r} mixes types in one list"
        return f"property {key!r} must be a scalar or a list of scalars, got {type(value).__name__}"
    return None


def _rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise LoadError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
            if not isinstance(row, dict):
                raise LoadError(f"{path}:{number}: each line must be a JSON object")
            yield number, row


def validate_city(city_dir: Path) -> dict:
    """Check the manifest and every row; return the manifest. Raises ``LoadError`` at the first bad row."""
    if not (city_dir / MANIFEST).exists():
        raise LoadError(f"{city_dir} 中没有 {MANIFEST}; run `yiwang demo build` first")
    manifest = read_manifest(city_dir)
    ids: dict[str, set[str]] = defaultdict(set)
    for entry in (f for f in manifest["files"] if f["kind"] == "node"):
        label, path = entry["label"], city_dir / entry["path"]
        if label not in NODE_LABELS:
            raise LoadError(f"{MANIFEST}: unknown label {label!r}; known labels: {', '.join(NODE_LABELS)}")
        count = 0
        for number, row in _rows(path):
            count += 1
            node_id = row.get("id")
            if not isinstance(node_id, str) or label_for_id(node_id) != label:
                raise LoadError(f"{path}:{number}: id {node_id!r} is not a valid {label} id")
            if node_id in ids[label]:
                raise LoadError(f"{path}:{number}: duplicate {label} id {node_id}")
            if problem := _property_problem(row):
                raise LoadError(f"{path}:{number}: {problem}")
            ids[label].add(node_id)
        _check_count(path, entry, count)
    for entry in (f for f in manifest["files"] if f["kind"] == "rel"):
        path = city_dir / entry["path"]
        if entry["type"] not in REL_TYPES:
            raise LoadError(f"{MANIFEST}: unknown relationship type {entry['type']!r}")
        count = 0
        for number, row in _rows(path):
            count += 1
            for end, label in (("from", entry["from"]), ("to", entry["to"])):
                if row.get(end) not in ids[label]:
                    raise LoadError(f"{path}:{number}: {end} {row.get(end)!r} is not a {label} in this city")
            props = row.get("props", {})
            if not isinstance(props, dict) or (problem := _property_problem(props)):
                raise LoadError(f"{path}:{number}: {problem or 'props must be an object'}")
            missing = [k for k in entry.get("merge_on", []) if props.get(k) is None]
            if missing:
                raise LoadError(f"{path}:{number}: relationship needs {', '.join(missing)}")
        _check_count(path, entry, count)
    return manifest


def _check_count(path: Path, entry: dict, count: int) -> None:
    if count != entry["rows"]:
        raise LoadError(f"{path}: has {count} rows, the manifest says {entry['rows']}")


def loaded_hash(store: GraphStore) -> str | None:
    rows = store.ro_query("MATCH (c:City) RETURN c.load_hash AS hash LIMIT 1")
    return rows[0]["hash"] if rows else None


def already_loaded(store: GraphStore, city_dir: Path) -> str | None:
    """The city's hash when the graph already holds exactly this city, else ``None``."""
    if not (city_dir / MANIFEST).exists():
        return None
    current = read_manifest(city_dir)["hash"]
    return current if loaded_hash(store) == current else None


def load_city(store: GraphStore, city_dir: Path, *, fresh: bool = False, if_changed: bool = False,
              progress: Progress | None = None) -> LoadReport:  # fmt: skip
    """Load the city in ``city_dir``. ``if_changed`` skips an already-loaded city and otherwise
    replaces the graph; ``fresh`` always replaces it; by default rows are merged into what is there."""
    if if_changed:
        if current := already_loaded(store, city_dir):
            return LoadReport(hash=current, skipped=True)
        fresh = True
    manifest = validate_city(city_dir)
    report = LoadReport(hash=manifest["hash"])
    if fresh:
        store.clear()
    store.ensure_schema(UNIQUE_KEYS, INDEXES)
    for entry in manifest["files"]:
        path = city_dir / entry["path"]
        cypher = _node_cypher(entry) if entry["kind"] == "node" else _rel_cypher(entry)
        batch: list[dict] = []
        for _number, row in _rows(path):
            batch.append(row)
            if len(batch) == BATCH:
                store.query(cypher, {"rows": batch})
                if progress:
                    progress(len(batch))
                batch = []
        if batch:
            store.query(cypher, {"rows": batch})
            if progress:
                progress(len(batch))
        key = entry.get("label") or f"{entry['type']}:{entry['from']}->{entry['to']}"
        (report.nodes if entry["kind"] == "node" else report.rels)[key] = entry["rows"]
    # Written last: a load interrupted half-way is never mistaken for a complete one.
    store.query("MATCH (c:City) SET c.load_hash = $hash", {"hash": manifest["hash"]})
    store.save()
    return report


def total_rows(city_dir: Path) -> int:
    return sum(f["rows"] for f in read_manifest(city_dir)["files"])


def _node_cypher(entry: dict) -> str:
    # Labels and types come from the schema whitelist checked in validate_city, never from row data.
    return f"UNWIND $rows AS r MERGE (n:{entry['label']} {{id: r.id}}) SET n += r"


def _rel_cypher(entry: dict) -> str:
    keys = ", ".join(f"{k}: r.props.{k}" for k in entry.get("merge_on", []))
    merge_props = f" {{{keys}}}" if keys else ""
    return (
        f"UNWIND $rows AS r MATCH (a:{entry['from']} {{id: r.from}}) MATCH (b:{entry['to']} {{id: r.to}}) "
        f"MERGE (a)-[e:{entry['type']}{merge_props}]->(b) SET e += coalesce(r.props, {{}})"
    )
