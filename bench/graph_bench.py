"""Graph benchmark: demo-city build and load time, and query latency at default scale and at 1M assets.

Run: ``.venv/bin/python bench/graph_bench.py [--scales 1,20] [--repeat 2000]``. Prints a table; the
baseline row is a ``RETURN 1`` round trip through the same client in the same run (the floor any query
pays). Target (issue 2): responsibility query p50 ≤ 2 ms at 1M assets.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from core.settings import Settings
from graph.backends import open_graph
from graph.demo.city import build_city
from graph.demo.files import write_city
from graph.demo.places import PLACES_CSV
from graph.domain import load_city_domain
from graph.loader import load_city
from graph.queries.assets import asset_by_code, assets_within
from graph.queries.entities import search_entities
from graph.queries.health import ping
from graph.queries.responsibility import responsible_department
from graph.store import GraphStore


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def _time(fn: Callable[[int], object], repeat: int) -> tuple[float, float]:
    samples = []
    for i in range(repeat):
        start = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - start) * 1000)
    return _percentiles(samples)


def bench_scale(scale: float, repeat: int, workdir: Path) -> list[tuple[str, str]]:
    settings = Settings(data_dir=workdir / f"scale-{scale}")
    domain = load_city_domain(settings)
    start = time.perf_counter()
    city = build_city(domain, PLACES_CSV, seed=settings.demo_seed, scale=scale)
    manifest = write_city(city, settings.city_dir)
    build_s = time.perf_counter() - start
    rows = sum(f["rows"] for f in manifest["files"])
    assets, grids = city.nodes["Asset"], [g["id"] for g in city.nodes["Grid"]]
    rules = city.rels[("RESPONSIBLE_FOR", "Department", "EventCategory")]
    del city
    store: GraphStore = open_graph(settings)
    try:
        start = time.perf_counter()
        load_city(store, settings.city_dir, fresh=True)
        load_s = time.perf_counter() - start
        rng = random.Random(1)
        picks = [rng.choice(rules) for _ in range(repeat)]
        sample_assets = [rng.choice(assets) for _ in range(repeat)]
        sample_grids = [rng.choice(grids) for _ in range(repeat)]
        names = ["幸福路", "城管局", "井盖", "天顶街道", "丽发新城", "自来水公司"]
        measured = {
            "baseline RETURN 1": _time(lambda i: ping(store), repeat),
            "responsibility (category, district)": _time(
                lambda i: responsible_department(store, picks[i]["to"], district=picks[i]["props"]["district"]), repeat),
            "route (category, grid → dept + 属地)": _time(
                lambda i: responsible_department(store, picks[i]["to"], grid_id=sample_grids[i]), repeat),
            "asset by code": _time(lambda i: asset_by_code(store, sample_assets[i]["id"]), repeat),
            "assets within 300 m": _time(
                lambda i: assets_within(store, sample_assets[i]["lon"], sample_assets[i]["lat"], 300), repeat // 4),
            "entity search (fuzzy)": _time(lambda i: search_entities(store, names[i % len(names)]), repeat // 4),
        }  # fmt: skip
    finally:
        store.close()
        shutil.rmtree(settings.data_dir, ignore_errors=True)
    lines = [
        (f"assets {len(assets):,} · rows {rows:,}", ""),
        ("build + write city", f"{build_s:.1f} s"),
        ("load (validate + MERGE)", f"{load_s:.1f} s ({rows / load_s:,.0f} rows/s)"),
    ]
    lines += [(name, f"p50 {p50:.2f} ms · p95 {p95:.2f} ms") for name, (p50, p95) in measured.items()]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,20", help="comma-separated demo scales (20 ≈ 1M assets)")
    parser.add_argument("--repeat", type=int, default=2000, help="queries per measurement")
    args = parser.parse_args()
    print(f"graph bench · embedded FalkorDB · {os.cpu_count()} cores · {time.strftime('%Y-%m-%d %H:%M')}")
    with tempfile.TemporaryDirectory(prefix="yiwang-bench-") as tmp:
        for scale in (float(s) for s in args.scales.split(",")):
            print(f"\n== scale {scale:g}")
            for name, value in bench_scale(scale, args.repeat, Path(tmp)):
                print(f"  {name:<40} {value}")


if __name__ == "__main__":
    main()
