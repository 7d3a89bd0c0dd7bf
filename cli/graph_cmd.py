"""``yiwang graph``: load, inspect and query the city knowledge graph."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli.common import clean_errors, console, opened, progress_bar, settings
from core.exceptions import InvalidInput
from core.health import backend_names
from graph.loader import already_loaded, load_city, total_rows, validate_city
from graph.queries.gazetteer import district_names
from graph.queries.stats import counts_by_type_and_district, district_totals

app = typer.Typer(help="城市知识图谱 / the city knowledge graph.", no_args_is_help=True)


@app.command("load")
@clean_errors
def load(
    city_dir: Annotated[Path | None, typer.Option("--dir", help="城市文件目录 (默认 <data_dir>/city)")] = None,
    fresh: Annotated[bool, typer.Option("--fresh", help="先清空图谱再加载")] = False,
    if_changed: Annotated[bool, typer.Option("--if-changed", help="已加载同一城市则跳过, 否则替换")] = False,
) -> None:
    """Validate every file and row, then load them with batched, idempotent MERGE."""
    cfg = settings()
    city_dir = city_dir or cfg.city_dir
    with opened("graph") as runtime:
        store = runtime.graph
        if if_changed and (current := already_loaded(store, city_dir)):
            console.print(f"图谱已是最新 / graph already holds this city (hash {current[:12]})")
            return
        validate_city(city_dir)  # a bad file fails before the progress bar starts
        with progress_bar(f"加载图谱 / loading into {store.backend}", total=total_rows(city_dir)) as advance:
            report = load_city(store, city_dir, fresh=fresh, if_changed=if_changed, progress=advance)
    if report.skipped:
        console.print(f"图谱已是最新 / graph already holds this city (hash {report.hash[:12]})")
    else:
        console.print(f"[green]已加载[/green] {sum(report.nodes.values())} 个节点, {sum(report.rels.values())} 条关系")


@app.command("stats")
@clean_errors
def stats() -> None:
    """Node counts per label, and assets and sensors per district."""
    cfg = settings()
    with opened("graph") as runtime:
        store = runtime.graph
        rows = counts_by_type_and_district(store)
        names = district_names(store)
    console.print("backends: " + ", ".join(f"{k}={v}" for k, v in backend_names(cfg, store.backend).items()))
    labels = Table("label", "count", title="节点 / nodes")
    for row in (r for r in rows if r.district is None):
        labels.add_row(row.label, str(row.count))
    console.print(labels)
    by_district = Table("district", "assets 部件", "sensors 传感器", title="按区 / per district")
    assets, sensors = district_totals(rows, "Asset"), district_totals(rows, "Sensor")
    for code in sorted(set(assets) | set(sensors)):
        by_district.add_row(f"{names.get(code, code)} ({code})", str(assets.get(code, 0)), str(sensors.get(code, 0)))
    console.print(by_district)


@app.command("query")
@clean_errors
def query(
    cypher: Annotated[str, typer.Argument(help="只读 Cypher 查询")],
    params: Annotated[str, typer.Option(help='JSON 参数, e.g. \'{"id": "990101"}\'')] = "{}",
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON 行")] = False,
) -> None:
    """Run one read-only Cypher query (the engine refuses writes) and print its rows."""
    try:
        parsed = json.loads(params)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"--params 不是有效的 JSON: {exc.msg}") from exc
    cfg = settings()
    with opened("graph") as runtime:
        store = runtime.graph
        rows = store.ro_query(cypher, parsed, timeout_ms=cfg.query_timeout_ms)
    if as_json:
        for row in rows:
            console.print_json(json.dumps(row, ensure_ascii=False, default=str))
        return
    table = Table(*(rows[0].keys() if rows else ["(no rows)"]))
    for row in rows:
        table.add_row(*(json.dumps(v, ensure_ascii=False, default=str) if not isinstance(v, str) else v for v in row.values()))
    console.print(table)
