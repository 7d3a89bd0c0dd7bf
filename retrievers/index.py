"""``yiwang index build``: corpus → chunks → vectors + BM25 on disk, and Policy/Chunk nodes in the graph.

Vectors are cached by a hash of the chunk text, so a rebuild embeds only new or changed chunks
(incremental add). ``open_index`` loads everything back for search.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.exceptions import BackendUnavailable, InvalidInput
from core.settings import Settings
from graph.domain import DomainTables
from graph.queries.corpus import loaded_corpus_hash, replace_corpus
from graph.store import GraphStore
from retrievers.base import ChunkStore
from retrievers.chunking import Chunk, chunk_document
from retrievers.corpus import load_corpus
from retrievers.dense import DenseRetriever
from retrievers.embedders import Embedder
from retrievers.entities import EntityGazetteer
from retrievers.hybrid import GraphExpander, HybridRetriever
from retrievers.keyword import BM25Retriever
from retrievers.text import add_words

# The retriever answering when none is named: the best measured on the real question set (docs/retrieval.md:
# recall@5 dense 0.943, hybrid 0.914, hybrid+graph 0.907, BM25 0.821).
DEFAULT_MODE = "dense"

INDEX_FORMAT = 1
Progress = Callable[[int], None]

NO_INDEX = "文档索引尚未建立 / no document index yet: run `yiwang index build`"


def index_dir(settings: Settings) -> Path:
    return settings.data_dir / "index"


def _text_hash(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def corpus_chunks(settings: Settings, domain: DomainTables) -> list[Chunk]:
    return [chunk for doc in load_corpus(settings.policies_dir, domain) for chunk in chunk_document(doc)]


def _cached_vectors(directory: Path, embedder: Embedder) -> dict[str, np.ndarray]:
    manifest_path = directory / "manifest.json"
    if not manifest_path.exists():
        return {}
    manifest = json.loads(manifest_path.read_text())
    if manifest.get("embedder") != embedder.name or manifest.get("format") != INDEX_FORMAT:
        return {}
    vectors = np.load(directory / "vectors.npy")
    return dict(zip(manifest["text_hashes"], vectors, strict=True))


def build_index(settings: Settings, domain: DomainTables, embedder: Embedder, graph: GraphStore | None,
                progress: Progress | None = None, load_graph: bool = True) -> dict:  # fmt: skip
    """Build and persist the index (atomically); load policies and chunks into ``graph`` if given
    (``load_graph=False`` only reads the graph's names, e.g. for a side index of another embedder)."""
    chunks = corpus_chunks(settings, domain)
    target = index_dir(settings)
    cache = _cached_vectors(target, embedder)
    hashes = [_text_hash(chunk.text) for chunk in chunks]
    missing = [i for i, h in enumerate(hashes) if h not in cache]
    fresh = embedder.embed_passages([chunks[i].text for i in missing], progress=progress)
    cache.update({hashes[i]: fresh[j] for j, i in enumerate(missing)})
    if progress:
        progress(len(chunks) - len(missing))
    vectors = np.vstack([cache[h] for h in hashes]) if chunks else np.zeros((0, embedder.dim), np.float32)
    # Graph names keep BM25 tokens whole (幸福路, 城管局); the same list is applied again at search time.
    words = (
        sorted(EntityGazetteer.from_graph(graph, with_keywords=True).surfaces) if graph is not None else []
    )
    add_words(words)
    store = ChunkStore(chunks)
    staging = target.with_name("index.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "bm25").mkdir(parents=True)
    DenseRetriever(store, embedder, vectors).save(staging)
    BM25Retriever(store).save(staging / "bm25")
    (staging / "words.json").write_text(json.dumps(words, ensure_ascii=False))
    with open(staging / "chunks.jsonl", "w", encoding="utf-8") as handle:
        for chunk in chunks:
            handle.write(json.dumps(chunk.__dict__, ensure_ascii=False) + "\n")
    corpus_hash = hashlib.sha256("".join(hashes).encode()).hexdigest()
    manifest = {"format": INDEX_FORMAT, "embedder": embedder.name, "dim": embedder.dim, "chunks": len(chunks),
                "documents": len({c.doc_id for c in chunks}), "corpus_hash": corpus_hash, "text_hashes": hashes,
                "embedded": len(missing)}  # fmt: skip
    (staging / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False))
    if target.exists():
        shutil.rmtree(target)
    os.replace(staging, target)
    if graph is not None and load_graph:
        load_policies_into_graph(graph, chunks, corpus_hash)
    return manifest


def load_policies_into_graph(graph: GraphStore, chunks: list[Chunk], corpus_hash: str) -> None:
    """Policy and Chunk nodes with HAS_CHUNK, GOVERNS and MENTIONS (found by gazetteer matching)."""
    gazetteer = EntityGazetteer.from_graph(graph)
    docs: dict[str, dict] = {}
    for chunk in chunks:
        meta = chunk.meta
        docs.setdefault(chunk.doc_id, {
            "id": chunk.doc_id, "name": meta["title"], "title": meta["title"], "issuer": meta["issuer"],
            "doc_number": meta["doc_number"], "date": meta["date"], "level": meta["level"],
            "district": meta.get("district") or "", "topics": meta["topics"], "departments": meta["departments"],
            "governs": meta["governs"], "valid_from": meta.get("valid_from") or "", "valid_to": meta.get("valid_to") or "",
            "search_text": "|".join([meta["title"], meta["doc_number"]]),
        })  # fmt: skip
    rows = [{"id": c.id, "doc_id": c.doc_id, "n": c.n, "heading": " › ".join(c.heading_path),
             "article": c.article or "", "text": c.body, "name": f"{c.meta['title']} {c.article or c.n}"}
            for c in chunks]  # fmt: skip
    governs = [(d["id"], c) for d in docs.values() for c in d["governs"]]
    mentions = [
        (chunk.id, entity_id)
        for chunk in chunks
        for entity_id in {m.entity_id for m in gazetteer.find(chunk.text)}
    ]
    replace_corpus(graph, list(docs.values()), rows, governs, mentions, corpus_hash)
    graph.save()


@dataclass
class DocumentIndex:
    """Everything search needs, loaded from disk (and the graph, for expansion)."""

    store: ChunkStore
    bm25: BM25Retriever
    dense: DenseRetriever
    hybrid: HybridRetriever
    hybrid_graph: HybridRetriever | None
    manifest: dict

    def retriever(self, mode: str) -> BM25Retriever | DenseRetriever | HybridRetriever:
        modes = {
            "bm25": self.bm25,
            "dense": self.dense,
            "hybrid": self.hybrid,
            "hybrid+graph": self.hybrid_graph,
        }
        chosen = modes.get(mode)
        if chosen is None:
            raise InvalidInput(
                f"未知或不可用的检索模式 {mode!r}; 可选 / one of: {', '.join(k for k, v in modes.items() if v)}"
            )
        return chosen


def index_is_current(
    settings: Settings, domain: DomainTables, embedder_name: str, graph: GraphStore | None
) -> bool:
    """True when the built index matches the corpus and embedder, and the graph holds that corpus."""
    manifest_path = index_dir(settings) / "manifest.json"
    if not manifest_path.exists():
        return False
    manifest = json.loads(manifest_path.read_text())
    hashes = [_text_hash(c.text) for c in corpus_chunks(settings, domain)]
    current = hashlib.sha256("".join(hashes).encode()).hexdigest()
    if manifest.get("corpus_hash") != current or manifest.get("embedder") != embedder_name:
        return False
    if graph is None:
        return True
    return loaded_corpus_hash(graph) == current


def require_index(index: DocumentIndex | None) -> DocumentIndex:
    """The index the runtime opened, or a 503 that names the command to build it."""
    if index is None:
        raise BackendUnavailable(NO_INDEX)
    return index


def open_index(settings: Settings, embedder: Embedder, graph: GraphStore | None = None) -> DocumentIndex:
    """Load the persisted index; with a graph, hybrid+graph is available too."""
    directory = index_dir(settings)
    if not (directory / "manifest.json").exists():
        raise BackendUnavailable(NO_INDEX)
    try:
        manifest = json.loads((directory / "manifest.json").read_text())
        with open(directory / "chunks.jsonl", encoding="utf-8") as handle:
            chunks = [Chunk(**json.loads(line)) for line in handle]
        add_words(json.loads((directory / "words.json").read_text(encoding="utf-8")))
        store = ChunkStore(chunks)
        bm25 = BM25Retriever.load(store, directory / "bm25")
        dense = DenseRetriever.load(store, embedder, directory)
    except (OSError, ValueError, TypeError) as exc:  # a build interrupted or files removed by hand
        raise BackendUnavailable(f"文档索引无法读取 / the document index in {directory} is unreadable ({exc}); "
                                 "run `yiwang index build`") from exc  # fmt: skip
    expander = None
    if graph is not None:
        expander = GraphExpander(graph, EntityGazetteer.from_graph(graph, with_keywords=True), store)
    return DocumentIndex(
        store,
        bm25,
        dense,
        HybridRetriever(bm25, dense),
        HybridRetriever(bm25, dense, expander) if expander else None,
        manifest,
    )
