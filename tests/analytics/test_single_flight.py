"""Concurrent requests for the same batch forecast run it once: the others wait and are answered from it."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import analytics.service as service
from analytics.sensor_forecasts import SensorForecastRequest


def test_the_same_batch_asked_at_once_runs_once(monkeypatch) -> None:
    calls = []

    def slow_batch(sessions, engine, request, progress=None):  # stands in for 192 forecasts (unit test)
        calls.append(threading.get_ident())
        time.sleep(0.3)
        return SimpleNamespace(run_id="sensor-forecasts:water_level:990103:24h:stamp", items=list(range(30)),
                               model_copy=lambda update: SimpleNamespace(items=update["items"]))  # fmt: skip

    monkeypatch.setattr(service, "forecast_sensors", slow_batch)
    monkeypatch.setattr(service, "scope_as_of", lambda sessions, request: None)
    monkeypatch.setattr(service, "kept", lambda sessions, key: None)
    monkeypatch.setattr(service, "keep", lambda *args: None)
    monkeypatch.setattr(service, "run_id", lambda request, as_of: "sensor-forecasts:water_level:990103:24h:stamp")
    analytics = service.Analytics(sessions=None, graph=None, shared_dir=None, engine=None)  # type: ignore[arg-type]
    request = SensorForecastRequest(kind="water_level", district="990103", top=5)
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: analytics.sensor_forecasts(request), range(8)))
    assert len(calls) == 1 and all(len(a.items) == 5 for a in answers)
