"""Ray benchmark (issue 16): the same batch of forecasts serial in this process and on a local Ray, in one run.

Run: ``.venv/bin/python bench/ray_bench.py [--series 1035] [--cpus N]`` on a quiet machine (needs only
``../shared/data/series/los_speed.csv``: no demo city, no database). Prints, each beside its in-process
baseline measured in the same run:

1. Ray's start-up cost (seconds and the resident memory it adds: its own processes);
2. **≥ 1,000 series**: hourly windows of the 207 real METR-LA detectors (five 5-day windows each, 12 hours apart), one
   seasonal model (AutoTheta, season 24) per series — speed-up on this machine's cores (target ≥ 1.8× on
   2 cores; the physical limit is the number of cores);
3. the crossover: batches of 4…128 of the default backtested forecast (``POST /v1/forecast``'s), in process
   against on an already started Ray — below it ``ray_min_items`` keeps a batch in process;
4. the real job that was slow: the default backtested forecast of all 207 detectors.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from analytics.engine import BatchEngine
from core.settings import get_settings
from services.forecasting.forecast import ForecastRequest, Series, forecast_series

WINDOW = 120  # hourly points per window: the file holds one week (168 hours)
WINDOWS = 5  # windows per detector, 12 hours apart


def detectors(shared: Path) -> tuple[list[str], np.ndarray]:
    path = shared / "data" / "series" / "los_speed.csv"
    rows = path.read_text(encoding="utf-8").splitlines()
    header = rows[0].split(",")
    data = np.array([[float(v) for v in r.split(",")] for r in rows[1:]])
    hourly = data[: len(data) // 12 * 12].reshape(-1, 12, data.shape[1]).mean(axis=1)  # 5-minute → hourly
    return header, hourly


def theta_peak(values: np.ndarray) -> float:
    from statsforecast.models import AutoTheta

    return float(AutoTheta(season_length=24).forecast(y=values, h=24)["mean"].max())


def default_forecast(series: Series) -> float:
    return forecast_series(ForecastRequest(series_id="traffic", horizon=24), series).points[0].mean


def rss_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def ray_memory_mb() -> float:
    """Resident memory of Ray's own processes (raylet, GCS, workers), in MB (Linux: read from /proc)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            line = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if "ray" in line and ("raylet" in line or "gcs_server" in line or "default_worker" in line or "ray::" in line):
                total += rss_mb(entry.name)
        except OSError:
            continue
    return total


def timed(engine: BatchEngine, fn, items, how: str) -> tuple[float, dict]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = engine.run(fn, items, how)  # type: ignore[arg-type]
    assert not result.failures, result.failures
    return time.perf_counter() - started, result.results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--series", type=int, default=WINDOWS * 207, help="series in the big batch (≥ 1000)")
    parser.add_argument("--cpus", type=int, default=os.cpu_count() or 1)
    options = parser.parse_args()
    header, hourly = detectors(get_settings().shared_dir)
    engine = BatchEngine(num_cpus=options.cpus, min_items=1)
    print(f"machine: {os.cpu_count()} cores; Ray gets {options.cpus}")

    base = rss_mb()
    started = time.perf_counter()
    engine.connect()
    startup = time.perf_counter() - started
    warm = [(f"w{i}", hourly[:WINDOW, i]) for i in range(options.cpus * 2)]
    engine.run(theta_peak, warm, "ray")  # each worker compiles statsforecast's numba code once
    print(f"\n1. Ray start-up: {startup:.2f} s, its processes {ray_memory_mb():.0f} MB (this process {base:.0f} MB)")

    windows = [(f"{header[d]}@{w}", hourly[12 * w : 12 * w + WINDOW, d])
               for w in range(WINDOWS) for d in range(len(header))][: options.series]  # fmt: skip
    theta_peak(windows[0][1])  # the serial path compiles once too, outside the clock
    serial, here = timed(engine, theta_peak, windows, "in-process")
    parallel, there = timed(engine, theta_peak, windows, "ray")
    assert here == there  # the same numbers, whichever ran them
    print(f"\n2. {len(windows)} series (METR-LA windows), AutoTheta each:")
    print(f"   in process (baseline) {serial:8.2f} s   {len(windows) / serial:7.1f} series/s")
    print(f"   Ray ×{options.cpus:<18} {parallel:8.2f} s   {len(windows) / parallel:7.1f} series/s   "
          f"speed-up {serial / parallel:.2f}×")  # fmt: skip

    last = datetime(2012, 3, 7, 23, tzinfo=UTC)
    full = [(header[d], Series(hourly[:, d], last, "hourly")) for d in range(len(header))]
    print("\n3. crossover, the default backtested forecast (Ray already started):")
    print("   items   in process      Ray    faster")
    crossover = None
    for size in (4, 8, 16, 32, 64, 128):
        batch = full[:size]
        here_s, _ = timed(engine, default_forecast, batch, "in-process")
        there_s, _ = timed(engine, default_forecast, batch, "ray")
        if crossover is None and there_s < here_s:
            crossover = size
        print(f"   {size:5d} {here_s:10.2f} s {there_s:8.2f} s    {'Ray' if there_s < here_s else 'in process'}")
    print(f"   crossover ≈ {crossover} items on a started Ray; counting the start-up ({startup:.1f} s) as well, "
          f"a batch must save that much: settings.ray_min_items = {get_settings().ray_min_items}")

    serial, here = timed(engine, default_forecast, full, "in-process")
    parallel, there = timed(engine, default_forecast, full, "ray")
    assert here == there
    print(f"\n4. the real job: the default backtested forecast of all {len(full)} METR-LA detectors (the week, hourly):")
    print(f"   in process (baseline) {serial:8.2f} s")
    print(f"   Ray ×{options.cpus:<18} {parallel:8.2f} s   speed-up {serial / parallel:.2f}×")
    engine.close()


if __name__ == "__main__":
    main()
