"""Writes a generated city as the load format (``graph.load_format``): one JSONL file per label and per
relationship kind, plus ``manifest.json`` listing every file with its row count and hash (documented in
docs/graph-schema.md; a city can produce the same files from its own systems)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from graph.demo.city import CityData
from graph.load_format import FORMAT, MANIFEST, NODES_DIR, RELS_DIR, city_hash, node_file, rel_file


def write_city(city: CityData, target: Path, progress: Callable[[int], None] | None = None) -> dict:
    """Write ``city`` into ``target`` atomically (a half-written city is never left behind)."""
    staging = target.with_name(target.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / NODES_DIR).mkdir(parents=True)
    (staging / RELS_DIR).mkdir()
    files = []
    for label in sorted(city.nodes):
        files.append(_write(staging, node_file(label), city.nodes[label]) | {"kind": "node", "label": label})
        if progress:
            progress(len(city.nodes[label]))
    for rel_type, from_label, to_label in sorted(city.rels):
        rows = city.rels[(rel_type, from_label, to_label)]
        entry = _write(staging, rel_file(rel_type, from_label, to_label), rows)
        files.append(entry | {"kind": "rel", "type": rel_type, "from": from_label, "to": to_label,
                              "merge_on": city.merge_on.get(rel_type, [])})  # fmt: skip
        if progress:
            progress(len(rows))
    digest = city_hash(f["sha256"] for f in files)
    manifest = {"format": FORMAT, "city": city.nodes["City"][0]["name"], "seed": city.seed, "scale": city.scale, "hash": digest, "files": files}
    (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    if target.exists():
        old = target.with_name(target.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(target, old)
        os.replace(staging, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging, target)
    return manifest


def _write(root: Path, relative: str, rows: list[dict]) -> dict:
    sha = hashlib.sha256()
    with open(root / relative, "w", encoding="utf-8") as handle:
        for row in rows:
            line = json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n"
            handle.write(line)
            sha.update(line.encode())
    return {"path": relative, "rows": len(rows), "sha256": sha.hexdigest()}
