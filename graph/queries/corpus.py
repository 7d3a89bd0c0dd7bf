"""The policy corpus in the graph: Policy and Chunk nodes with HAS_CHUNK, GOVERNS and MENTIONS, written by
``yiwang index build`` and followed by the hybrid retriever's graph expansion."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from graph.ids import CATEGORY_LABELS, label_for_id
from graph.schema import NAMED_LABELS, named_label
from graph.store import GraphStore

CHUNK_BATCH = 1_000
MENTION_BATCH = 2_000
GOVERNED_LABELS = CATEGORY_LABELS  # a policy governs categories of events and components


def replace_corpus(store: GraphStore, policies: list[dict[str, Any]], chunks: list[dict[str, Any]],
                   governs: Iterable[tuple[str, str]], mentions: Iterable[tuple[str, str]],
                   corpus_hash: str) -> None:  # fmt: skip
    """Replace every Policy and Chunk node with ``policies`` and ``chunks`` (node properties, each with its
    ``id``; a chunk's ``doc_id`` names its policy), link (policy id, category id) pairs by GOVERNS and
    (chunk id, entity id) pairs by MENTIONS, and record ``corpus_hash`` on the City node."""
    # A rebuilt corpus replaces the old one: chunks of removed documents must not linger.
    store.query("MATCH (c:Chunk) DETACH DELETE c")
    store.query("MATCH (p:Policy) DETACH DELETE p")
    store.query("UNWIND $rows AS r MERGE (p:Policy {id: r.id}) SET p += r", {"rows": policies})
    for start in range(0, len(chunks), CHUNK_BATCH):
        store.query(
            "UNWIND $rows AS r MERGE (c:Chunk {id: r.id}) SET c += r "
            "WITH c, r MATCH (p:Policy {id: r.doc_id}) MERGE (p)-[:HAS_CHUNK]->(c)",
            {"rows": chunks[start : start + CHUNK_BATCH]},
        )
    # Labels come from the ids' shape and are checked against the schema; ids travel as parameters.
    governed = _by_label(governs, GOVERNED_LABELS)
    for label in GOVERNED_LABELS:
        store.query(f"UNWIND $rows AS r MATCH (p:Policy {{id: r.p}}) MATCH (c:{label} {{id: r.c}}) "
                    "MERGE (p)-[:GOVERNS]->(c)", {"rows": [{"p": p, "c": c} for p, c in governed.get(label, [])]})  # fmt: skip
    for label, pairs in _by_label(mentions, NAMED_LABELS).items():
        rows = [{"c": c, "e": e} for c, e in pairs]
        for start in range(0, len(rows), MENTION_BATCH):
            store.query(f"UNWIND $rows AS r MATCH (c:Chunk {{id: r.c}}) MATCH (e:{label} {{id: r.e}}) "
                        "MERGE (c)-[:MENTIONS]->(e)", {"rows": rows[start : start + MENTION_BATCH]})  # fmt: skip
    store.query("MATCH (c:City) SET c.corpus_hash = $hash", {"hash": corpus_hash})


def _by_label(pairs: Iterable[tuple[str, str]], labels: tuple[str, ...]) -> dict[str, list[tuple[str, str]]]:
    """Pairs grouped by the label of their second id, keeping only the labels in ``labels``."""
    grouped: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for source, target in pairs:
        if (label := label_for_id(target)) in labels:
            grouped[label].append((source, target))
    return grouped


def loaded_corpus_hash(store: GraphStore) -> str | None:
    """The hash of the corpus the graph holds, or ``None`` when none was loaded."""
    rows = store.ro_query("MATCH (c:City) RETURN c.corpus_hash AS hash")
    return rows[0]["hash"] if rows else None


def chunks_mentioning(store: GraphStore, label: str, entity_ids: list[str]) -> list[tuple[str, int]]:
    """(chunk id, how many of the entities it mentions) for chunks that mention any of ``entity_ids``."""
    rows = store.ro_query(
        f"MATCH (e:{named_label(label)}) WHERE e.id IN $ids MATCH (c:Chunk)-[:MENTIONS]->(e) "
        "RETURN c.id AS id, count(DISTINCT e) AS n", {"ids": entity_ids},
    )  # fmt: skip
    return [(row["id"], row["n"]) for row in rows]


def chunks_of_governing_policies(store: GraphStore, label: str,
                                 category_ids: list[str]) -> list[tuple[str, str]]:  # fmt: skip
    """(policy id, chunk id) for every chunk of the policies that GOVERN any of the categories."""
    rows = store.ro_query(
        f"MATCH (e:{named_label(label)}) WHERE e.id IN $ids MATCH (p:Policy)-[:GOVERNS]->(e) "
        "MATCH (p)-[:HAS_CHUNK]->(c:Chunk) RETURN p.id AS policy, c.id AS id", {"ids": category_ids},
    )  # fmt: skip
    return [(row["policy"], row["id"]) for row in rows]
