"""The batch engine on a real local Ray: the same results as in process, one failure reported beside the
others, and the engine chosen by the batch's size."""

from __future__ import annotations

import math
import sys

from ray import cloudpickle

from analytics.engine import BatchEngine
from core.exceptions import InvalidInput

# Workers cannot import a test module: its function travels by value (product functions go by reference).
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def seasonal_peak(n: int) -> float:
    if n == 13:
        raise InvalidInput("序列太短")  # one bad item among many
    if n == 17:
        raise ZeroDivisionError("an unexpected bug in one item")
    return max(math.sin(n * k / 10) for k in range(200))


def test_ray_gives_what_the_process_gives_and_reports_each_failure(ray_engine: BatchEngine) -> None:
    items = [(f"s{n}", n) for n in range(40)]
    here = ray_engine.run(seasonal_peak, items, "in-process")
    there = ray_engine.run(seasonal_peak, items, "ray")
    assert (here.engine, there.engine) == ("in-process", "ray") and there.workers == 2
    assert there.results == here.results and len(here.results) == 38
    assert there.failures == here.failures and there.failures["s13"] == "序列太短"
    assert there.failures["s17"].startswith("ZeroDivisionError")


def test_small_batches_stay_in_process_and_progress_counts_every_item(ray_engine: BatchEngine) -> None:
    assert ray_engine.choose(3) == "in-process" and ray_engine.choose(8) == "ray"
    assert BatchEngine(num_cpus=1, min_items=8).choose(1000) == "in-process"  # one core: nothing to spread over
    done: list[int] = []
    ray_engine.run(seasonal_peak, [(f"s{n}", n) for n in range(20)], "ray", progress=done.append)
    assert sum(done) == 20
