"""The anomaly detector's measurement: real series, injected anomalies, episode precision/recall/F1 on a
development and a held-out split; the default is no worse than the plain robust z on the held-out one."""

from __future__ import annotations

import numpy as np

from analytics.anomalies import DEFAULT_CUT, DEFAULT_METHOD, METHODS
from core.settings import get_settings
from evals.anomalies import CUTS, WINDOW, cases, evaluate, real_series, score, table


def test_a_small_sample_is_scored_and_the_default_beats_the_plain_baseline_held_out() -> None:
    series = real_series(get_settings().shared_dir, quick=True)
    result = evaluate(series, per_column=12)
    assert set(result["candidates"]) == {f"{m}@{c}" for m in METHODS for c in CUTS}
    assert result["default"] == f"{DEFAULT_METHOD}@{DEFAULT_CUT}" and result["baseline"].startswith("raw@")
    assert not set(result["series"]["dev"]) & set(result["series"]["held_out"])  # nothing tuned on is scored
    default, baseline = (result["candidates"][result[k]]["held_out"] for k in ("default", "baseline"))
    assert default["injected"] > 10 and default["f1"] >= baseline["f1"]
    assert f"* {result['default']}" in table(result) and result["seconds"] < 30


def test_a_hit_must_overlap_the_injected_hours_and_a_clean_segment_only_costs_precision() -> None:
    rng = np.random.default_rng(3)
    hours = np.arange(24 * 8)
    calm = 10 + 3 * np.sin(2 * np.pi * hours / 24) + rng.normal(0, 0.2, len(hours))
    spiked = calm.copy()
    spiked[-5] += 10
    odd = calm.copy()
    odd[-20] -= 10  # an unlabelled dip: a detection there is a false alarm
    figures = score([(spiked, (len(hours) - 5, len(hours) - 5)), (odd, None), (calm, None)])
    default = figures[f"{DEFAULT_METHOD}@{DEFAULT_CUT}"]
    assert (default["injected"], default["recall"], default["precision"], default["detected"]) == (1, 1.0, 0.5, 2)
    made = cases([("ett:x", np.tile(calm, 20))], per_column=40)
    injected = [truth for _, truth in made if truth]
    assert 0 < len(injected) < len(made) and all(first >= 24 * 8 - WINDOW for first, _ in injected)
