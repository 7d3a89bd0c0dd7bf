"""Loading validates everything first, is idempotent, and skips a city already loaded."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from core.settings import Settings
from graph.backends import open_graph
from graph.exceptions import LoadError
from graph.load_format import read_manifest
from graph.loader import load_city, validate_city
from graph.store import GraphStore


def _count_all(store: GraphStore) -> tuple[dict, dict]:
    nodes = {r["l"]: r["n"] for r in store.ro_query("MATCH (n) RETURN labels(n)[0] AS l, count(*) AS n")}
    rels = {r["t"]: r["n"] for r in store.ro_query("MATCH ()-[e]->() RETURN type(e) AS t, count(*) AS n")}
    return nodes, rels


def test_loaded_graph_holds_every_row_of_the_manifest(graph: GraphStore, city_dir: Path) -> None:
    manifest = read_manifest(city_dir)
    nodes, rels = _count_all(graph)
    expected_nodes: dict[str, int] = {}
    expected_rels: dict[str, int] = {}
    for entry in manifest["files"]:
        bucket, key = (expected_nodes, entry["label"]) if entry["kind"] == "node" else (expected_rels, entry["type"])
        bucket[key] = bucket.get(key, 0) + entry["rows"]
    assert nodes == expected_nodes
    assert rels == expected_rels


@pytest.fixture
def scratch_store(tmp_path: Path):
    store = open_graph(Settings(data_dir=tmp_path / "data"))
    yield store
    store.close()


def test_second_load_changes_nothing_and_if_changed_skips(scratch_store: GraphStore, city_dir: Path) -> None:
    load_city(scratch_store, city_dir, fresh=True)
    before = _count_all(scratch_store)
    sample = scratch_store.ro_query("MATCH (a:Asset) RETURN properties(a) AS p ORDER BY p.id LIMIT 20")
    load_city(scratch_store, city_dir)
    assert _count_all(scratch_store) == before
    assert scratch_store.ro_query("MATCH (a:Asset) RETURN properties(a) AS p ORDER BY p.id LIMIT 20") == sample
    assert load_city(scratch_store, city_dir, if_changed=True).skipped


def _broken_copy(city_dir: Path, tmp_path: Path, relative: str, line: int, change) -> Path:
    target = tmp_path / "city"
    shutil.copytree(city_dir, target)
    path = target / relative
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[line - 1] = change(lines[line - 1])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


@pytest.mark.parametrize(
    ("relative", "change", "message"),
    [
        ("nodes/Grid.jsonl", lambda line: line[:-3], r"Grid\.jsonl:3: not valid JSON"),
        ("nodes/Road.jsonl", lambda line: line.replace('"id":"road-', '"id":"x-'), r"Road\.jsonl:3: id .* not a valid Road id"),
        ("nodes/Asset.jsonl", lambda line: line.replace('"status":"', '"status":{"x":1},"old":"'), r"Asset\.jsonl:3: property 'status'"),
        ("rels/IN.Grid.Community.jsonl", lambda line: json.dumps({"from": json.loads(line)["from"], "to": "990109999999"}),
         r"IN\.Grid\.Community\.jsonl:3: to '990109999999' is not a Community"),
    ],
)  # fmt: skip
def test_malformed_row_is_reported_and_nothing_is_written(
    city_dir: Path, tmp_path: Path, scratch_store: GraphStore, relative: str, change, message: str
) -> None:
    broken = _broken_copy(city_dir, tmp_path, relative, 3, change)
    with pytest.raises(LoadError, match=message):
        load_city(scratch_store, broken, fresh=True)
    assert scratch_store.ro_query("MATCH (n) RETURN count(n) AS n") in ([], [{"n": 0}])


def test_missing_city_says_how_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="yiwang demo build"):
        validate_city(tmp_path)
