"""Services benchmark: reading ingestion, alarm latency, dispatch transitions under 50 clients with a
lost-update check, and forecast latency and accuracy — on SQLite and PostgreSQL.

Run: ``.venv/bin/python bench/services_bench.py [--readings 200000] [--pg postgresql+psycopg://…]``.
Baselines measured in the same run: a raw ``executemany`` insert of the same rows (no validation, no
alarms), and seasonal naive for forecasts. Targets (issue 4): ≥ 100k readings/s direct, an alarm
visible ≤ 1 s after its reading, ≥ 1,000 transitions/s on PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from sqlalchemy import select

from core.settings import get_settings
from services.db import make_engine, migrate, session_factory
from services.forecasting import ForecastRequest, forecast
from services.models import CaseEventRow, CaseRow, ReadingRow, SensorRow
from services.monitoring import ReadingIn, Registry, ingest
from services.workflow import State

KINDS = [("water_pressure", "below", 0.22, 0.18, 0.12, 0, 1.6), ("water_level", "above", 10, 20, 40, 0, 300)]


def seed_sensors(sessions, n: int) -> list[str]:
    with sessions() as session:
        ids = []
        for i in range(n):
            kind, direction, watch, warning, alarm, lo, hi = KINDS[i % 2]
            sid = f"S{9901010101000000 + i:016d}-01"
            ids.append(sid)
            session.add(SensorRow(id=sid, kind=kind, name=sid, unit="", asset_id=sid[1:17], grid_id="990101001001001",
                                  district="990101", direction=direction, watch=watch, warning=warning, alarm=alarm,
                                  range_min=lo, range_max=hi))  # fmt: skip
        session.commit()
    return ids


def bench_ingest(url: str, n: int) -> list[str]:
    engine = make_engine(url)
    migrate(engine)
    sessions = session_factory(engine)
    sensors = seed_sensors(sessions, 5000)
    registry = Registry()
    with sessions() as session:
        registry.load(session)
    start_ts = datetime(2026, 11, 1, tzinfo=UTC)
    rows = [{"sensor_id": sensors[i % len(sensors)], "ts": (start_ts + timedelta(seconds=60 * (i // len(sensors)))).isoformat(),
             "value": 0.3 if i % 2 == 0 else 3.0} for i in range(n)]  # fmt: skip
    out = []
    t = time.perf_counter()
    with engine.begin() as connection:
        connection.execute(ReadingRow.__table__.insert(), [{"sensor_id": r["sensor_id"], "ts": datetime.fromisoformat(r["ts"]) - timedelta(days=400),
                                                            "value": r["value"]} for r in rows])  # fmt: skip
    out.append(f"baseline raw executemany          {n / (time.perf_counter() - t):>10,.0f} rows/s")
    t = time.perf_counter()
    for start in range(0, n, 10_000):
        batch = [ReadingIn(**r) for r in rows[start : start + 10_000]]
        with sessions() as session:
            ingest(session, registry, batch)
            session.commit()
    out.append(f"ingest direct (validate+alarms)   {n / (time.perf_counter() - t):>10,.0f} readings/s")
    # Alarm latency: one reading over the alarm threshold, then how long until the alarm is readable.
    sensor = sensors[1]
    latencies = []
    for k in range(20):
        ts = datetime.now(UTC) - timedelta(seconds=k)
        t = time.perf_counter()
        with sessions() as session:
            ingest(session, registry, [ReadingIn(sensor_id=sensor, ts=ts, value=50.0 if k % 2 == 0 else 1.0)])
            session.commit()
        with sessions() as session:
            session.execute(select(SensorRow.last_value).where(SensorRow.id == sensor)).all()
        latencies.append((time.perf_counter() - t) * 1000)
    out.append(f"reading → alarm readable          p50 {statistics.median(latencies):.1f} ms, max {max(latencies):.1f} ms")
    engine.dispose()
    return out


def bench_dispatch(url: str, clients: int = 50, per_client: int = 40) -> list[str]:
    engine = make_engine(url)
    migrate(engine)
    sessions = session_factory(engine)
    now = datetime.now(UTC)
    with sessions() as session:
        ids = []
        for _ in range(clients):
            cid = f"B{uuid.uuid4().hex[:12]}"
            ids.append(cid)
            session.add(CaseRow(id=cid, state=State.HANDLING.value, category_code="event-0401", category_name="路面塌陷",
                                department_id="dept-x", grid_id="990101001001001", district="990101", urgency="normal",
                                text="bench", source="12345", created_at=now, updated_at=now, deadline=now + timedelta(days=1),
                                version=1, rework_count=0, extension_count=0))  # fmt: skip
        session.commit()
    from graph.store import GraphStore  # noqa: F401  (transitions below need no graph: no dispatch action)
    from services.case_models import TransitionRequest
    from services.cases import transition

    conflicts = 0
    lock = threading.Lock()

    def worker(n: int) -> int:
        nonlocal conflicts
        done = 0
        # Each client cycles one case 处置 → 核查 → 处置 (report / verify_fail); half share a case to contend.
        case_id = ids[n % (clients // 2)] if n % 2 else ids[n]
        while done < per_client:
            with sessions() as session:
                version = session.scalar(select(CaseRow.version).where(CaseRow.id == case_id))
                state = session.scalar(select(CaseRow.state).where(CaseRow.id == case_id))
                action = "report" if state == State.HANDLING.value else "verify_fail"
                try:
                    transition(session, None, case_id, TransitionRequest(action=action, actor=f"c{n}", expected_version=version))  # type: ignore[arg-type]
                    session.commit()
                    done += 1
                except Exception:
                    session.rollback()
                    with lock:
                        conflicts += 1
        return done

    t = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        total = sum(pool.map(worker, range(clients)))
    elapsed = time.perf_counter() - t
    with sessions() as session:
        consistent = all(
            session.scalar(select(CaseRow.version).where(CaseRow.id == cid))
            == 1 + len(session.scalars(select(CaseEventRow).where(CaseEventRow.case_id == cid)).all())
            for cid in ids
        )
        applied = sum(len(session.scalars(select(CaseEventRow).where(CaseEventRow.case_id == cid)).all()) for cid in ids)
    engine.dispose()
    return [f"{clients} clients, {total} transitions     {total / elapsed:>10,.0f} transitions/s ({conflicts} version conflicts retried)",
            f"lost-update check                 {'OK' if consistent and applied == total else 'FAILED'}: every case's version = 1 + its history rows; {applied} rows for {total} successes"]  # fmt: skip


def bench_forecast() -> list[str]:
    shared = get_settings().shared_dir
    out = []
    for series in ("ett:OT", "ett:HUFL", "traffic:773869", "traffic:717447"):
        t = time.perf_counter()
        result = forecast(None, ForecastRequest(series_id=series, horizon=24), shared)  # type: ignore[arg-type]
        out.append(f"{series:<16} {result.model:<10} {(time.perf_counter() - t) * 1000:7.0f} ms   MASE {result.backtest.mase:.3f} "
                   f"(seasonal naive {result.backtest.baseline_mase:.3f})")  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readings", type=int, default=200_000)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres", help="admin URL of a PostgreSQL server")
    args = parser.parse_args()
    print(f"services bench · {os.cpu_count()} cores · {args.readings:,} readings")
    with tempfile.TemporaryDirectory() as tmp:
        targets = [("SQLite (WAL)", f"sqlite:///{Path(tmp) / 'bench.db'}")]
        name = f"yiwang_bench_{uuid.uuid4().hex[:8]}"
        try:
            with psycopg.connect(args.pg, autocommit=True, connect_timeout=3) as admin:
                admin.execute(f'CREATE DATABASE "{name}"')
            targets.append(("PostgreSQL", args.pg.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"))
        except psycopg.OperationalError as exc:
            print(f"(PostgreSQL skipped: {exc})")
        try:
            for label, url in targets:
                print(f"\n== {label}")
                for line in bench_ingest(url, args.readings) + bench_dispatch(url):
                    print("  " + line)
        finally:
            if len(targets) > 1:
                with psycopg.connect(args.pg, autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print("\n== forecasting (AutoETS vs seasonal naive, horizon 24, 3 rolling origins)")
    for line in bench_forecast():
        print("  " + line)


if __name__ == "__main__":
    main()
