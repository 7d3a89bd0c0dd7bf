"""The default forecast beside statsforecast's models: scored out of sample on the same origins."""

from __future__ import annotations

import numpy as np

from analytics.engine import BatchEngine
from evals.forecast_models import MODELS, ORIGINS, compare_models, mase, smape


def test_smape_and_mase_are_the_usual_ones() -> None:
    actual = np.array([10.0, 20.0, 30.0])
    assert smape(actual, actual) == 0.0 and smape(np.array([1.0]), np.array([0.0])) == 200.0
    train = np.tile(np.arange(24.0), 4) + np.repeat([0.0, 1.0, 2.0, 3.0], 24)  # seasonal naive is off by 1 each day
    assert mase(actual, actual + 1, train) == 1.0


def test_a_noisy_repeating_day_is_scored_for_every_model_out_of_sample() -> None:
    hours = np.arange(24 * 30)
    rng = np.random.default_rng(7)
    noisy = [(f"day{i}", 10 + 5 * np.sin(2 * np.pi * hours / 24) + rng.normal(0, 0.5, len(hours))) for i in range(2)]
    result = compare_models(noisy, BatchEngine(num_cpus=1), None)
    figures = result["figures"]
    assert figures["series"] == 2 and figures["failed"] == 0 and figures["engine"] == "in-process"
    assert all(f"{m}_mase" in figures and f"{m}_smape" in figures for m in MODELS)
    assert all(len(item["default"]) == ORIGINS for item in result["items"])
    # Seasonal naive carries yesterday's noise; a fitted model averages it away: no worse than naive here.
    assert 0.5 < figures["SeasonalNaive_mase"] < 1.5 and figures["default_mase"] <= figures["SeasonalNaive_mase"] + 0.05
