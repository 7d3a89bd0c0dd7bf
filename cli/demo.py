"""``yiwang demo``: build the demo city A市."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from cli.common import clean_errors, console, opened, progress_bar, settings
from core import clock
from core.exceptions import InvalidInput
from graph.demo.city import CITY_ID, build_city
from graph.demo.files import write_city
from graph.demo.places import PLACES_CSV, mine_places, write_places
from graph.demo.sibling import as_sibling
from graph.domain import load_city_domain
from graph.load_format import MANIFEST, read_manifest

app = typer.Typer(help="演示城市 A市 / the demo city.", no_args_is_help=True)


@app.command("build")
@clean_errors
def build(
    scale: Annotated[float, typer.Option(help="资产规模倍数: 1 ≈ 5万部件/5千传感器, 20 ≈ 100万部件")] = 1.0,
    seed: Annotated[int | None, typer.Option(help="随机种子 (默认 YIWANG_DEMO_SEED)")] = None,
    if_missing: Annotated[bool, typer.Option("--if-missing", help="已生成同样的城市则跳过")] = False,
    out: Annotated[Path | None, typer.Option(help="输出目录 (默认 <data_dir>/city)")] = None,
) -> None:
    """Generate A市 deterministically from a seed: districts, streets, communities, grids, roads,
    landmarks, departments, responsibility rules, assets and sensors."""
    cfg = settings()
    if not 0.001 <= scale <= 40:
        raise InvalidInput(f"--scale 应在 0.001 到 40 之间 (得到 {scale}); 20 ≈ 100 万部件")
    seed = cfg.demo_seed if seed is None else seed
    target = out or cfg.city_dir
    if if_missing and (target / MANIFEST).exists():
        manifest = read_manifest(target)
        if manifest.get("seed") == seed and manifest.get("scale") == scale and manifest.get("city") == cfg.platform_name:
            console.print(f"演示城市已存在 / already built: {target} (hash {manifest['hash'][:12]})")
            return
    domain = load_city_domain(cfg)
    with progress_bar(f"生成城市 / generating {cfg.platform_name}", total=None):
        city = build_city(domain, PLACES_CSV, seed=seed, scale=scale)
        if cfg.level == "city" and cfg.platform_code != CITY_ID:  # another city of the province (federation demo)
            city = as_sibling(city, cfg.platform_code, cfg.platform_name)
    rows = sum(map(len, city.nodes.values())) + sum(map(len, city.rels.values()))
    with progress_bar("写入文件 / writing files", total=rows) as advance:
        manifest = write_city(city, target, progress=advance)
    counts = ", ".join(f"{label} {len(rows)}" for label, rows in sorted(city.nodes.items()))
    console.print(f"[green]已生成[/green] {target}\n{counts}\nhash {manifest['hash'][:12]}")


@app.command("mine-places")
@clean_errors
def mine_places_cmd() -> None:
    """Re-mine real A市 place names from the unlabelled hotline messages into data/gazetteer/."""
    cfg = settings()
    places = mine_places(cfg.shared_dir)
    write_places(places, PLACES_CSV)
    console.print(f"{len(places)} places → {PLACES_CSV}")


@app.command("cases")
@clean_errors
def cases_cmd(
    days: Annotated[int, typer.Option(help="历史天数")] = 45,
    per_day: Annotated[int, typer.Option(help="平均每天案件数")] = 12,
    seed: Annotated[int | None, typer.Option(help="随机种子 (默认 YIWANG_DEMO_SEED)")] = None,
    if_empty: Annotated[bool, typer.Option("--if-empty", help="数据库已有案件则跳过")] = False,
) -> None:
    """Demo only: weeks of case history through the real workflow (evaluation, statistics, forecasts)."""
    from services.dispatch.demo_history import existing_cases, seed_case_history

    cfg = settings()
    if not (1 <= days <= 365 and 1 <= per_day <= 500):
        raise InvalidInput("--days 应在 1–365, --per-day 应在 1–500 之间")
    with opened("graph", "database") as runtime, runtime.sessions() as session:
        if if_empty and (count := existing_cases(session)):
            console.print(f"数据库已有 {count} 件案件, 跳过 / cases exist, skipped")
            return
        with progress_bar("生成案件历史 / case history", total=days + 1) as advance:
            stats = seed_case_history(session, runtime.graph, seed=cfg.demo_seed if seed is None else seed, days=days,
                                      per_day=per_day, progress=advance)  # fmt: skip
    console.print(f"[green]已生成[/green] {stats.created} 件案件, {stats.transitions} 次流转")


@app.command("readings")
@clean_errors
def readings_cmd(
    hours: Annotated[int, typer.Option(help="回填多少小时, 最后一步为现在")] = 24,
    step: Annotated[int, typer.Option(help="每步代表的秒数")] = 600,
    seed: Annotated[int, typer.Option(help="随机种子")] = 7,
    incident: Annotated[
        list[str] | None, typer.Option(help="注入事件; 默认 A3区暴雨、燃气泄漏、井盖、爆管各一")
    ] = None,
    history: Annotated[int, typer.Option(help="此前再回填多少小时的逐时读数 (无事件), 供预测使用")] = 168,
    if_empty: Annotated[bool, typer.Option("--if-empty", help="已有读数则跳过")] = False,
) -> None:
    """Demo only: the last hours of every sensor's readings, with incidents, through the real ingest (alarms
    open as they would live), so monitoring answers, vitals and evaluations have data before the simulator runs.
    Before them, ``history`` hours at one reading an hour (a week): a sensor's forecast and its backtests need
    four days and more of hourly values, and hourly steps give them at a sixth of the cost of ten-minute ones."""
    from services.simulation.runner import backfill, has_readings, sensor_specs
    from services.simulation.simulator import Simulator, parse_incident

    if not (1 <= hours <= 24 * 14 and 60 <= step <= 3600 and 0 <= history <= 24 * 60):
        raise InvalidInput("--hours 应在 1–336, --step 应在 60–3600 秒之间, --history 应在 0–1440 小时之间")
    # No MQTT listener and no live simulator for a one-off command.
    cfg = settings().model_copy(update={"mqtt_url": "", "simulate": False})
    with opened("graph", "database", "monitoring", cfg=cfg) as runtime:
        with runtime.sessions() as session:
            if if_empty and has_readings(session):
                console.print("数据库已有读数, 跳过 / readings exist, skipped")
                return
        specs = sensor_specs(runtime.graph, runtime.domain)
        if not specs:
            raise InvalidInput("图谱里没有传感器: 先运行 `yiwang graph load`")
        ticks = hours * 3600 // step
        start = clock.now().replace(microsecond=0) - timedelta(seconds=step * (ticks - 1))
        texts = incident if incident is not None else _default_incidents(specs, ticks)
        simulator = Simulator(specs, seed, start, step, [parse_incident(text) for text in texts])
        earlier = Simulator(specs, seed, start - timedelta(hours=history), 3600)
        with progress_bar(f"回填读数 / readings of {len(specs)} sensors", total=history + ticks) as advance:
            accepted, rejected = backfill(earlier, runtime.sessions, runtime.registry, history, advance)
            more, fewer = backfill(simulator, runtime.sessions, runtime.registry, ticks, advance)
        accepted, rejected = accepted + more, rejected + fewer
    console.print(
        f"[green]已回填[/green] {accepted} 条读数 (拒绝 {rejected}), 事件: {', '.join(texts) or '无'}"
    )


def _default_incidents(specs: list, ticks: int) -> list[str]:
    """One of each kind the operations centre watches, starting late enough to still be open now."""
    first = {}
    for spec in sorted(specs, key=lambda s: s.id):
        first.setdefault(spec.kind, spec)
    late = max(0, ticks - 12)
    wanted = [("rainstorm", "990103", "water_level"), ("gas_leak", None, "gas_concentration"),
              ("manhole", None, "manhole_tilt"), ("pipe_burst", None, "water_pressure")]  # fmt: skip
    return [f"{kind}:{target or first[sensor_kind].id}@{late}" for kind, target, sensor_kind in wanted
            if sensor_kind in first and (target is None or any(s.district == target for s in specs))]  # fmt: skip
