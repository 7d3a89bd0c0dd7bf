"""``POST /v1/analytics/sensor-forecasts`` on each database: bad input is a 422 with a sentence; sensors with
no readings yet are each reported, never a 500."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_bad_requests_are_refused_with_a_sentence(api: TestClient) -> None:
    unknown = api.post("/v1/analytics/sensor-forecasts", json={"kind": "rainfall"})
    assert unknown.status_code == 422 and "rainfall" in unknown.json()["error"]["message"]
    district = api.post("/v1/analytics/sensor-forecasts", json={"kind": "water_level", "district": "A3区"})
    assert district.status_code == 422 and "district" in district.json()["error"]["message"]
    horizon = api.post("/v1/analytics/sensor-forecasts", json={"kind": "water_level", "horizon": 10_000})
    assert horizon.status_code == 422


def test_sensors_without_readings_are_each_reported(api: TestClient) -> None:
    sensors = api.get("/v1/monitoring/sensors", params={"kind": "gas_concentration", "limit": 10_000}).json()["items"]
    district = sensors[0]["district"]
    run = api.post("/v1/analytics/sensor-forecasts",
                   json={"kind": "gas_concentration", "district": district, "engine": "in-process"})  # fmt: skip
    assert run.status_code == 200, run.text
    body = run.json()
    mine = [s for s in sensors if s["district"] == district]
    assert body["sensors"] == len(mine) and body["forecast"] == 0 and set(body["failures"]) == {s["id"] for s in mine}
    assert body["engine"] == "in-process" and body["run_id"].startswith("sensor-forecasts:gas_concentration:")


def test_an_anomaly_scan_refuses_bad_input_and_reports_sensors_without_history(api: TestClient) -> None:
    unknown = api.post("/v1/analytics/anomalies", json={"kind": "rainfall"})
    assert unknown.status_code == 422 and "rainfall" in unknown.json()["error"]["message"]
    assert api.post("/v1/analytics/anomalies", json={"kind": "water_level", "hours": 0}).status_code == 422
    sensors = api.get("/v1/monitoring/sensors", params={"kind": "gas_concentration", "limit": 10_000}).json()["items"]
    run = api.post("/v1/analytics/anomalies", json={"kind": "gas_concentration", "district": sensors[0]["district"]})
    assert run.status_code == 200, run.text
    body = run.json()
    assert body["scanned"] == 0 and len(body["failures"]) == body["sensors"] > 0 and body["run_id"].startswith("anomalies:")
