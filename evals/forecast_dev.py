"""The development spread the default forecast is chosen on (issue 16), kept apart from ``yiwang eval
forecast``'s table: every third METR-LA detector not in the table, and ETTh1's columns cut 30, 90, 150 and 210
days before the end; three rolling daily origins each, 24 hours ahead. Each origin is scored as it is (calm) and
at an event's onset (a level shift of four standard deviations from two hours before the origin through the
horizon: a storm filling the drains), because a city forecasts to see a threshold crossed during an event.

Every component model is fitted once per origin and the candidates are means of components, so adding a
candidate costs no fit. ``python -m evals.forecast_dev`` prints each candidate's mean MASE calm and at onset,
by family too."""

from __future__ import annotations

import csv
import statistics
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

from analytics.engine import BatchEngine
from core import clock
from core.settings import get_settings
from evals.forecast import ETT_COLUMNS, TRAFFIC_EVERY
from evals.forecast_models import HORIZON, ORIGINS, SEASON, mase
from services.forecasting.forecast import FIT_WINDOW, load_series, onset, seasons

ETT_OFFSETS_DAYS = (30, 90, 150, 210)
ONSET_SIGMAS, ONSET_LEAD = 4.0, 2  # the injected event: its size in spreads, and how many hours before the origin
COMPONENTS = ("mstl_covered", "mstl_weekly", "walk", "theta", "naive")
CANDIDATES: dict[str, tuple[str, ...]] = {
    "default now: MSTL (seasons covered) + random walk": ("mstl_covered", "walk"),
    "MSTL (seasons covered) + random walk + Theta": ("mstl_covered", "walk", "theta"),
    "Theta + random walk": ("theta", "walk"),
    "MSTL (24 h and 168 h) + random walk": ("mstl_weekly", "walk"),
    "MSTL (24 h and 168 h) + random walk + Theta": ("mstl_weekly", "walk", "theta"),
    "MSTL (seasons covered)": ("mstl_covered",),
    "MSTL (24 h and 168 h)": ("mstl_weekly",),
    "AutoTheta": ("theta",),
    "seasonal naive": ("naive",),
}
# Candidates that look at the last hours first: where they broke from the day before by more than ``k`` spreads
# (an event's onset) the safe mean, else the one that wins calm series. name → (k, calm parts, onset parts).
SWITCHES: dict[str, tuple[float, tuple[str, ...], tuple[str, ...]]] = {
    f"switch k={k:g}: {calm_name}; at an onset MSTL (seasons covered) + random walk + Theta": (k, calm, ("mstl_covered", "walk", "theta"))
    for k in (2.0, 3.0, 4.0)
    for calm_name, calm in (("MSTL (24 h and 168 h) + random walk", ("mstl_weekly", "walk")),
                            ("MSTL (24 h and 168 h) + random walk + Theta", ("mstl_weekly", "walk", "theta")))
}  # fmt: skip


def dev_series(shared_dir: Path) -> list[tuple[str, np.ndarray]]:
    """(id, values) of the development spread: never a series or an origin of the held-out table."""
    with open(shared_dir / "data" / "series" / "los_speed.csv", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    table = set(header[::TRAFFIC_EVERY])
    now = clock.now()
    out = [(f"traffic:{d}", load_series(f"traffic:{d}", None, shared_dir, now).values)  # type: ignore[arg-type]
           for d in [d for d in header if d not in table][::3]]  # fmt: skip
    for column in ETT_COLUMNS:
        values = load_series(f"ett:{column}", None, shared_dir, now).values  # type: ignore[arg-type]
        out += [(f"ett:{column}@-{days}d", values[: len(values) - days * 24]) for days in ETT_OFFSETS_DAYS]
    return out


def _components(train: np.ndarray) -> dict[str, np.ndarray]:
    from statsforecast.models import ARIMA, MSTL, AutoTheta, SeasonalNaive

    forecast = {
        "mstl_covered": lambda: MSTL(season_length=seasons("hourly", len(train))),
        "mstl_weekly": lambda: MSTL(season_length=[SEASON, SEASON * 7]),
        "walk": lambda: ARIMA(order=(0, 1, 0), seasonal_order=(0, 1, 0), season_length=SEASON),
        "theta": lambda: AutoTheta(season_length=SEASON),
        "naive": lambda: SeasonalNaive(season_length=SEASON),
    }
    return {name: np.asarray(make().forecast(y=train, h=HORIZON)["mean"]) for name, make in forecast.items()}


def score_series(values: np.ndarray) -> dict[str, dict[str, list[float]]]:
    """Each candidate's MASE at each origin, calm and at onset."""
    scores: dict[str, dict[str, list[float]]] = {"calm": defaultdict(list), "onset": defaultdict(list)}
    for k in range(ORIGINS, 0, -1):
        cut = len(values) - k * HORIZON
        for mode in ("calm", "onset"):
            series = values.astype(float).copy()
            if mode == "onset":
                series[cut - ONSET_LEAD : cut + HORIZON] += ONSET_SIGMAS * float(np.std(values[:cut]))
            train, test = series[max(0, cut - FIT_WINDOW["hourly"]) : cut], series[cut : cut + HORIZON]
            fits = _components(train)
            for name, parts in CANDIDATES.items():
                predicted = np.mean([fits[p] for p in parts], axis=0)
                scores[mode][name].append(mase(test, predicted, train))
            for name, (k, calm, onset_parts) in SWITCHES.items():
                parts = onset_parts if onset(train, "hourly", k) else calm
                scores[mode][name].append(mase(test, np.mean([fits[p] for p in parts], axis=0), train))
    return {mode: dict(by) for mode, by in scores.items()}


def main() -> None:
    series = dev_series(get_settings().shared_dir)
    engine = BatchEngine(get_settings().ray_address, get_settings().ray_num_cpus, get_settings().ray_min_items)
    try:
        batch = engine.run(score_series, series, min_items=4)
    finally:
        engine.close()
    print(f"development spread: {len(series)} series × {ORIGINS} origins, {HORIZON} h ahead; engine {batch.engine}; "
          f"failed {len(batch.failures)}", file=sys.stderr)  # fmt: skip
    print("| candidate | calm | onset | calm METR-LA | calm ETTh1 |\n|---|---|---|---|---|")
    def mean(name: str, mode: str, family: str = "") -> float:
        return statistics.mean(v for key, r in batch.results.items() if key.startswith(family) for v in r[mode][name])

    for name in [*CANDIDATES, *SWITCHES]:
        print(f"| {name} | {mean(name, 'calm'):.3f} | {mean(name, 'onset'):.3f} | {mean(name, 'calm', 'traffic'):.3f} "
              f"| {mean(name, 'calm', 'ett'):.3f} |")


if __name__ == "__main__":
    main()
