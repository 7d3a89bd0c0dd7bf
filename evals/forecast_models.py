"""The default forecast beside statsforecast's models on the same rolling origins (issue 16).

For each real series (ETTh1's seven columns, a fixed spread of METR-LA detectors) and each of the last
``ORIGINS`` days: every model is fitted on the hours before the origin and scored on the next ``HORIZON``
hours by MASE (scaled by the training data's seasonal naive error) and sMAPE. The default is what
``POST /v1/forecast`` does — it chooses its model by its own backtests on the training hours only — so its
figure is out of sample like the others'. Fits run through the analytics engine (on Ray when it pays).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from analytics.engine import BatchEngine
from core import clock
from evals.forecast import ETT_COLUMNS, TRAFFIC_EVERY
from services.forecasting.forecast import FIT_WINDOW, ForecastRequest, Series, forecast_series, load_series

Json = dict[str, Any]
ORIGINS = 3
HORIZON = 24
SEASON = 24
MODELS = ("default", "SeasonalNaive", "AutoETS", "AutoTheta", "MSTL")


def smape(actual: np.ndarray, predicted: np.ndarray) -> float:
    denominator = np.abs(actual) + np.abs(predicted)
    terms = np.where(denominator == 0, 0.0, 2 * np.abs(actual - predicted) / np.where(denominator == 0, 1, denominator))
    return float(np.mean(terms) * 100)


def mase(actual: np.ndarray, predicted: np.ndarray, train: np.ndarray) -> float:
    scale = np.mean(np.abs(train[SEASON:] - train[:-SEASON])) or 1e-9
    return float(np.mean(np.abs(actual - predicted)) / scale)


def _predict(model: str, train: np.ndarray) -> np.ndarray:
    from statsforecast.models import MSTL, AutoETS, AutoTheta, SeasonalNaive

    if model == "default":
        series = Series(train, datetime(2000, 1, 1, tzinfo=UTC), "hourly")
        answer = forecast_series(ForecastRequest(series_id="eval", horizon=HORIZON), series)
        return np.array([p.mean for p in answer.points])
    fitted = {"SeasonalNaive": lambda: SeasonalNaive(season_length=SEASON),
              "AutoETS": lambda: AutoETS(season_length=SEASON),
              "AutoTheta": lambda: AutoTheta(season_length=SEASON),
              "MSTL": lambda: MSTL(season_length=[SEASON, SEASON * 7])}[model]()  # fmt: skip
    return np.asarray(fitted.forecast(y=train, h=HORIZON)["mean"])


def score_series(values: np.ndarray) -> dict[str, list[tuple[float, float]]]:
    """(MASE, sMAPE) of every model at each origin, oldest first."""
    scores: dict[str, list[tuple[float, float]]] = {m: [] for m in MODELS}
    for k in range(ORIGINS, 0, -1):
        cut = len(values) - k * HORIZON
        train, test = values[max(0, cut - FIT_WINDOW["hourly"]) : cut], values[cut : cut + HORIZON]
        for model in MODELS:
            predicted = _predict(model, train)
            scores[model].append((mase(test, predicted, train), smape(test, predicted)))
    return scores


def real_series(shared_dir: Path, quick: bool = False) -> list[tuple[str, np.ndarray]]:
    import csv

    with open(shared_dir / "data" / "series" / "los_speed.csv", encoding="utf-8") as handle:
        detectors = next(csv.reader(handle))[::TRAFFIC_EVERY]
    ids = [f"ett:{c}" for c in ETT_COLUMNS] + [f"traffic:{d}" for d in detectors]
    ids = ids[:1] + ids[-1:] if quick else ids
    now = clock.now()
    return [(i, load_series(i, None, shared_dir, now).values) for i in ids]  # type: ignore[arg-type]


def compare_models(series: list[tuple[str, np.ndarray]], engine: BatchEngine,
                   progress: Callable[[int], None] | None = None) -> Json:  # fmt: skip
    batch = engine.run(score_series, series, progress=progress, min_items=4)
    figures: Json = {"series": len(series), "origins": ORIGINS, "horizon_h": HORIZON, "failed": len(batch.failures),
                     "engine": batch.engine}  # fmt: skip
    for model in MODELS:
        pairs = [pair for scores in batch.results.values() for pair in scores[model]]
        if pairs:
            figures[f"{model}_mase"] = round(statistics.mean(p[0] for p in pairs), 3)
            figures[f"{model}_smape"] = round(statistics.mean(p[1] for p in pairs), 2)
    for family in ("ett", "traffic"):  # long series (weeks of hours) and one week of hours behave apart
        for model in MODELS:
            pairs = [p for key, scores in batch.results.items() if key.startswith(family) for p in scores[model]]
            if pairs:
                figures[f"{model}_mase_{family}"] = round(statistics.mean(p[0] for p in pairs), 3)
    others = [figures[f"{m}_mase"] for m in MODELS[1:] if f"{m}_mase" in figures]
    if "default_mase" in figures and others:
        figures["default_at_or_below_best"] = figures["default_mase"] <= min(others)
    items = [{"id": key, **{m: [round(p[0], 3) for p in scores[m]] for m in MODELS}} for key, scores in batch.results.items()]
    items += [{"id": key, "error": error} for key, error in batch.failures.items()]
    return {"figures": figures, "items": items}
