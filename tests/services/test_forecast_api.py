"""POST /v1/forecast on real public series and on readings ingested through the API."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from graph.demo.city import CityData


def _check_intervals(body: dict, horizon: int) -> None:
    assert len(body["points"]) == horizon
    for p in body["points"]:
        assert p["lo95"] <= p["lo80"] <= p["mean"] <= p["hi80"] <= p["hi95"]
    assert body["backtest"]["baseline"] == "seasonal_naive" and body["backtest"]["mase"] > 0
    assert body["backtest"]["baseline_mase"] > 0


def test_real_transformer_series(client: TestClient) -> None:
    body = client.post("/v1/forecast", json={"series_id": "ett:OT", "horizon": 24}).json()
    _check_intervals(body, 24)
    # The answer names the model that ran: the calm mean, or the mean with Theta at an event's onset.
    assert body["model"] in ("MSTL+SeasonalRandomWalk", "MSTL+SeasonalRandomWalk+Theta")
    assert body["points"][0]["ts"] == "2018-06-26T20:00:00+08:00"
    candidates = body["backtest"]["candidates"]
    assert (candidates["default"], candidates["SeasonalNaive"]) == (body["backtest"]["mase"], body["backtest"]["baseline_mase"])


def test_sensor_readings_forecast(client: TestClient, small_city: CityData) -> None:
    sensor = next(s for s in small_city.nodes["Sensor"] if s["kind"] == "water_pressure")
    start = datetime(2026, 11, 1, tzinfo=UTC)
    readings = [{"sensor_id": sensor["id"], "ts": (start + timedelta(minutes=30 * i)).isoformat(),
                 "value": round(0.35 + 0.03 * math.sin(2 * math.pi * i / 48) + 0.004 * math.sin(i * 1.7), 4)}
                for i in range(48 * 5)]  # a daily cycle plus measurement noise  # fmt: skip
    assert client.post("/v1/monitoring/readings", json={"readings": readings}).json()["accepted"] == 240
    body = client.post("/v1/forecast", json={"series_id": f"sensor:{sensor['id']}", "horizon": 6}).json()
    _check_intervals(body, 6)
    assert body["points"][0]["ts"] == "2026-11-06T08:00:00+08:00"  # the hour after the last reading
    assert all(0.3 < p["mean"] < 0.4 for p in body["points"])  # follows the daily cycle's range
    # The history fitted is said: it ends the hour before the forecast starts, five days back (a short history
    # is told to the official as such).
    first = datetime.fromisoformat(body["points"][0]["ts"])
    assert datetime.fromisoformat(body["history_start"]) == first - timedelta(hours=body["history_points"])
    assert body["history_points"] == 5 * 24


@pytest.mark.parametrize(("body", "status", "message"), [
    ({"series_id": "nope:1", "horizon": 5}, 404, "未知序列"),
    ({"series_id": "ett:NOPE", "horizon": 5}, 404, "没有列"),
    ({"series_id": "sensor:S0000000000000000-01", "horizon": 5}, 404, "未找到传感器"),
    ({"series_id": "ett:OT", "horizon": 0}, 422, "horizon"),
    ({"series_id": "ett:OT", "horizon": 1000}, 422, "超出范围"),
    ({"series_id": "ett:OT", "horizon": 5, "level": [50]}, 422, "level"),
    ({"series_id": "cases:city:all", "horizon": 5}, 422, "没有数据"),
])  # fmt: skip
def test_bad_forecast_requests(client: TestClient, body: dict, status: int, message: str) -> None:
    response = client.post("/v1/forecast", json=body)
    assert response.status_code == status and message in response.json()["error"]["message"]


def test_a_season_is_used_only_where_the_data_covers_it_twice() -> None:
    from services.forecasting.forecast import seasons

    assert seasons("hourly", 24 * 13) == [24]  # under two weeks: no weekly cycle to learn
    assert seasons("hourly", 24 * 28) == [24, 168] and seasons("daily", 60) == [7]


def test_a_storm_starting_is_forecast_with_the_onset_mean_and_a_calm_day_without() -> None:
    import numpy as np

    from services.forecasting.forecast import CALM, ONSET, chosen

    hours = np.arange(24 * 10)
    calm = 20 + 5 * np.sin(2 * np.pi * hours / 24) + np.random.default_rng(1).normal(0, 0.3, len(hours))
    storm = calm.copy()
    storm[-2:] += 15  # the drains filling over the last two hours
    assert (chosen(calm, "hourly"), chosen(storm, "hourly")) == (CALM, ONSET)
    assert chosen(calm[:70], "daily") == ONSET  # daily counts keep the mean measured safe
