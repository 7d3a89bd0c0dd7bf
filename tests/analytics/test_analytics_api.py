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


def test_every_run_can_be_looked_up_by_the_id_it_is_cited_by(api: TestClient) -> None:
    made = api.post("/v1/analytics/hotspots", json={"categories": ["component-0103"]}).json()
    topics = api.post("/v1/analytics/hot-topics", json={"district": "A3区", "top": 2}).json()
    for run in (made, topics):
        kept = api.get(f"/v1/analytics/runs/{run['run_id']}")
        assert kept.status_code == 200, kept.text
        assert kept.json()["result"] == run and kept.json()["run_id"] == run["run_id"]
    assert api.get(f"/v1/analytics/runs/{made['run_id']}").json()["analytic"] == "hotspots"
    missing = api.get("/v1/analytics/runs/hotspots:nothing")
    assert missing.status_code == 404 and "run_id" in missing.json()["error"]["message"]


def test_a_batch_forecast_is_not_made_again_after_a_restart(api: TestClient, monkeypatch) -> None:
    import analytics.service
    from analytics.engine import BatchEngine
    from analytics.sensor_forecasts import SensorForecastRequest
    from analytics.service import Analytics

    sensors = api.get("/v1/monitoring/sensors", params={"kind": "gas_concentration", "limit": 1}).json()["items"]
    first = api.post("/v1/analytics/sensor-forecasts", json={"kind": "gas_concentration",
                                                             "district": sensors[0]["district"]}).json()  # fmt: skip
    runtime = api.app.state.runtime
    restarted = Analytics(runtime.sessions, runtime.graph, runtime.settings.shared_dir, BatchEngine())

    def never(*_args, **_kwargs):
        raise AssertionError("forecast again although the readings are the same")

    monkeypatch.setattr(analytics.service, "forecast_sensors", never)
    again = restarted.sensor_forecasts(SensorForecastRequest(kind="gas_concentration", district=sensors[0]["district"]))
    assert again.run_id == first["run_id"] and again.failures == first["failures"]
