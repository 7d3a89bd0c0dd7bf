"""Where a batch of independent computations runs: in this process, or on Ray (issue 16).

A local Ray is started on first use with ``ray_num_cpus`` from settings; with ``YIWANG_RAY_ADDRESS`` the same
code runs on a cluster. Starting Ray costs seconds and most of a gigabyte, so a batch smaller than
``ray_min_items`` runs in process (the crossover ``bench/ray_bench.py`` measures); every result says which ran.
One item failing is reported beside the others, never in place of them.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from core.exceptions import YiwangError

Item = TypeVar("Item")
Out = TypeVar("Out")
Engine = Literal["ray", "in-process"]
CHUNKS_PER_CPU = 4  # tasks per CPU: enough to balance uneven items, few enough to amortise scheduling

log = logging.getLogger(__name__)
_ray_lock = threading.Lock()


@dataclass
class BatchResult(Generic[Out]):
    results: dict[str, Out]
    failures: dict[str, str]
    engine: Engine
    seconds: float
    workers: int = 1
    errors: list[str] = field(default_factory=list)


def _one(fn: Callable[[Any], Any], key: str, item: Any) -> tuple[str, bool, Any]:
    try:
        return key, True, fn(item)
    except YiwangError as exc:  # a series too short, a sensor without readings: said, not raised
        return key, False, exc.message
    except Exception as exc:  # noqa: BLE001 - one bad item must not lose the batch; the trace goes to the log
        log.warning("batch item %s failed: %s", key, traceback.format_exc(limit=3))
        return key, False, f"{type(exc).__name__}: {exc}"


def _chunk(fn: Callable[[Any], Any], items: list[tuple[str, Any]]) -> list[tuple[str, bool, Any]]:
    return [_one(fn, key, item) for key, item in items]


class BatchEngine:
    """Runs ``fn`` over keyed items; ``engine="auto"`` picks Ray for batches of at least ``min_items``."""

    def __init__(self, address: str = "", num_cpus: int = 0, min_items: int = 48) -> None:
        self.address = address
        self.num_cpus = num_cpus or os.cpu_count() or 1
        self.min_items = min_items
        self._remote: Any = None

    def choose(self, size: int, engine: Engine | Literal["auto"] = "auto", min_items: int | None = None) -> Engine:
        """``min_items``: a job's own crossover (a heavy item repays Ray's start-up sooner than a light one)."""
        if engine != "auto":
            return engine
        enough = size >= (min_items or self.min_items)
        return "ray" if enough and self.workers_available() > 1 else "in-process"

    def workers_available(self) -> int:
        """CPUs Ray would use: the local setting, or the cluster's once connected (assumed several before)."""
        if self._remote is not None:
            import ray

            return int(ray.cluster_resources().get("CPU", 1))
        return self.num_cpus if not self.address else 2

    def run(self, fn: Callable[[Item], Out], items: Sequence[tuple[str, Item]],
            engine: Engine | Literal["auto"] = "auto", progress: Callable[[int], None] | None = None,
            min_items: int | None = None) -> BatchResult[Out]:  # fmt: skip
        """``fn`` must be a module-level function (Ray ships it to workers by reference)."""
        chosen = self.choose(len(items), engine, min_items)
        started = time.perf_counter()
        outcomes = self._on_ray(fn, list(items), progress) if chosen == "ray" else self._here(fn, list(items), progress)
        results = {key: value for key, ok, value in outcomes if ok}
        failures = {key: value for key, ok, value in outcomes if not ok}
        workers = self.workers_available() if chosen == "ray" else 1
        return BatchResult(results, failures, chosen, round(time.perf_counter() - started, 3), workers)

    def _here(self, fn: Callable[[Any], Any], items: list[tuple[str, Any]],
              progress: Callable[[int], None] | None) -> list[tuple[str, bool, Any]]:  # fmt: skip
        outcomes = []
        for key, item in items:
            outcomes.append(_one(fn, key, item))
            if progress:
                progress(1)
        return outcomes

    def _on_ray(self, fn: Callable[[Any], Any], items: list[tuple[str, Any]],
                progress: Callable[[int], None] | None) -> list[tuple[str, bool, Any]]:  # fmt: skip
        import ray

        remote = self.connect()
        size = max(1, -(-len(items) // (self.workers_available() * CHUNKS_PER_CPU)))
        chunks = [items[i : i + size] for i in range(0, len(items), size)]
        function = ray.put(fn)
        pending = {remote.remote(function, chunk): len(chunk) for chunk in chunks}
        outcomes: list[tuple[str, bool, Any]] = []
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1)
            for ref in done:
                outcomes += ray.get(ref)
                if progress:
                    progress(pending[ref])
                del pending[ref]
        return outcomes

    def connect(self) -> Any:
        """Ray, started (or joined) once per process; the remote chunk runner."""
        with _ray_lock:
            if self._remote is None:
                import ray

                if not ray.is_initialized():
                    if self.address:
                        ray.init(address=self.address, log_to_driver=False, logging_level=logging.WARNING)
                    else:
                        ray.init(num_cpus=self.num_cpus, include_dashboard=False, log_to_driver=False,
                                 logging_level=logging.WARNING)  # fmt: skip
                self._remote = ray.remote(_chunk)
            return self._remote

    def close(self) -> None:
        """Stop the local Ray this process started (a cluster is left running for its other clients)."""
        if self._remote is not None and not self.address:
            import ray

            ray.shutdown()
        self._remote = None

    def startup_seconds(self) -> float:
        """How long starting (or joining) Ray takes from here: what a batch must save to be worth it."""
        started = time.perf_counter()
        self.connect()
        return round(time.perf_counter() - started, 3)
