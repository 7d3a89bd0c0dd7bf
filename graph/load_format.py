"""The load format ``yiwang graph load`` reads (docs/graph-schema.md): a directory holding
``manifest.json``, one JSONL file per label and one per relationship kind. Whoever writes a city (the
demo generator, a city's own export) and the loader share these definitions."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

FORMAT = 1
MANIFEST = "manifest.json"
NODES_DIR = "nodes"
RELS_DIR = "rels"


def node_file(label: str) -> str:
    """Path, relative to the city directory, of the rows of one label."""
    return f"{NODES_DIR}/{label}.jsonl"


def rel_file(rel_type: str, from_label: str, to_label: str) -> str:
    """Path, relative to the city directory, of the relationships of one type between two labels."""
    return f"{RELS_DIR}/{rel_type}.{from_label}.{to_label}.jsonl"


def city_hash(file_hashes: Iterable[str]) -> str:
    """The city's identity: SHA-256 of its files' hashes concatenated in manifest order."""
    return hashlib.sha256("".join(file_hashes).encode()).hexdigest()


def read_manifest(city_dir: Path) -> dict:
    return json.loads((city_dir / MANIFEST).read_text(encoding="utf-8"))
