"""Forecast backtests on real series (issue 14): the chosen model's held-out MASE against seasonal naive's
on the same origins, for the ETTh1 transformer loads, a spread of the METR-LA traffic detectors and the
city's daily case counts — through ``POST /v1/forecast``, so any server that speaks the contract is scored."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from typing import Any

from core.exceptions import YiwangError
from tools.client import ServicesClient

Json = dict[str, Any]
ETT_COLUMNS = ["HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL", "OT"]
# Every 23rd of the 207 detectors: a fixed spread, not a pick of the easy ones.
TRAFFIC_EVERY = 23
HORIZON = 24


def series_ids(traffic_header: list[str], quick: bool = False) -> list[str]:
    ids = (
        [f"ett:{c}" for c in ETT_COLUMNS]
        + [f"traffic:{d}" for d in traffic_header[::TRAFFIC_EVERY]]
        + ["cases:city:all"]
    )
    return ids[:1] + ids[-1:] if quick else ids


def run_forecasts(
    ids: list[str], services: ServicesClient, progress: Callable[[], None] | None = None
) -> Json:
    items = []
    for series_id in ids:
        try:
            result = services.forecast(series_id, HORIZON)
            backtest = result["backtest"]
            items.append({"id": series_id, "model": result["model"], "mase": backtest["mase"],
                          "baseline_mase": backtest["baseline_mase"], "origins": backtest["origins"],
                          "passed": backtest["mase"] <= backtest["baseline_mase"]})  # fmt: skip
        except YiwangError as exc:
            items.append({"id": series_id, "error": exc.message, "passed": False})
        if progress:
            progress()
    scored = [i for i in items if "error" not in i]
    figures: Json = {"series": len(items), "failed": len(items) - len(scored)}
    if scored:
        figures |= {"mase": round(statistics.mean(i["mase"] for i in scored), 3),
                    "baseline_mase": round(statistics.mean(i["baseline_mase"] for i in scored), 3),
                    "beats_baseline": round(sum(i["passed"] for i in scored) / len(scored), 3)}  # fmt: skip
    return {"figures": figures, "items": items}
