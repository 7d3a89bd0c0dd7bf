from __future__ import annotations

from collections.abc import Iterator

import pytest

from analytics.engine import BatchEngine


@pytest.fixture(scope="session")
def ray_engine() -> Iterator[BatchEngine]:
    """A real local Ray on two CPUs, started once for the session (4–5 s, most of a gigabyte)."""
    import ray

    engine = BatchEngine(num_cpus=2, min_items=8)
    engine.connect()
    yield engine
    ray.shutdown()
