"""Load bench (issue 17): clients mixing chat, triage, case transitions and sensor readings against a real
server (``yiwang serve --simulate``: the simulator streams readings meanwhile), each with its role's API key;
p50/p95/max per endpoint, the error count (target 0), and a consistency check afterwards: every reading
accepted is stored exactly once, every case's history is complete (one row per move, numbered without gaps)
and its times never run backwards.

Baseline in the same run: one client alone for the first part, then ``--clients`` at once.

Run: ``YIWANG_DATA_DIR=… .venv/bin/python bench/load_bench.py [--clients 50] [--seconds 60]`` on a built demo
city (``make run`` once); the server gets a copy of the city's database, so the demo data is not touched.
"""

from __future__ import annotations

import argparse
import itertools
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select, text

from core.settings import get_settings
from services.monitoring.tables import ReadingRow

QUESTIONS = ["A3区现在哪些积水点超过警戒线？", "本月各区案件数对比", "市水务局本月按期处置率是多少", "全市当前有多少未关闭的告警",
             "上周井盖问题最集中的网格", "未来24小时A3区水位会不会超过警戒线"]  # fmt: skip
REPORTS = ["幸福路和纬二路交叉口的井盖没了，晚上很危险", "望岳路积水很深，车过不去", "小区门口路灯不亮好几天了",
           "劳动东路有人占道经营，堵得厉害"]  # fmt: skip
START = (datetime.now(UTC) - timedelta(days=300)).replace(hour=0, minute=0, second=0, microsecond=0)
MIX = ["chat"] * 2 + ["triage"] * 2 + ["case"] * 3 + ["readings"] * 3


class Recorder:
    def __init__(self) -> None:
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.accepted: list[tuple[str, str]] = []  # (sensor, ts) the server said it stored
        self.cases: dict[str, int] = {}  # case id → moves applied (受理 included)
        self.lock = threading.Lock()

    def timed(self, name: str, client: httpx.Client, method: str, path: str, ok: tuple[int, ...] = (200, 201), **kw):
        start = time.perf_counter()
        try:
            response = client.request(method, path, **kw)
        except httpx.HTTPError as exc:
            with self.lock:
                self.errors.append(f"{name}: {exc!r}")
            return None
        with self.lock:
            self.times[name].append(time.perf_counter() - start)
            if response.status_code not in ok:
                self.errors.append(f"{name}: HTTP {response.status_code} {response.text[:160]}")
                return None
        return response


def worker(base: str, keys: dict[str, str], recorder: Recorder, until: float, seed: int, grids: list[str],
           sensors: list[str]) -> None:  # fmt: skip
    rng = random.Random(seed)
    # Idle connections are dropped before uvicorn's 5 s keep-alive closes them: a request sent on a connection
    # the server is closing at that moment gets no answer, a client-side race, not the server's error.
    limits = httpx.Limits(keepalive_expiry=2)
    clients = {role: httpx.Client(base_url=base, timeout=120, limits=limits, headers={"Authorization": f"Bearer {key}"})
               for role, key in keys.items()}  # fmt: skip
    stamp = itertools.count()
    while time.monotonic() < until:
        kind = rng.choice(MIX)
        if kind == "chat":
            recorder.timed("POST /v1/chat", clients["official"], "POST", "/v1/chat", json={"message": rng.choice(QUESTIONS)})
        elif kind == "triage":
            recorder.timed("POST /v1/triage", clients["hotline"], "POST", "/v1/triage", json={"text": rng.choice(REPORTS)})
        elif kind == "case":
            body = {"text": rng.choice(REPORTS), "category_code": "component-0101", "grid_id": rng.choice(grids)}
            made = recorder.timed("POST /v1/cases", clients["hotline"], "POST", "/v1/cases", json=body)
            if made is None:
                continue
            case_id, moves = made.json()["id"], 1
            for action in ("立案", "派遣"):
                moved = recorder.timed("POST /v1/cases/{id}/transition", clients["dispatcher"], "POST",
                                       f"/v1/cases/{case_id}/transition", json={"action": action})  # fmt: skip
                moves += moved is not None
            with recorder.lock:
                recorder.cases[case_id] = moves
        else:
            # A day of its own per client, 300 days back (within the three years readings may reach back): no two
            # clients send the same sensor and minute, so "stored exactly once" is checkable.
            base_ts = START + timedelta(days=seed, minutes=(next(stamp) % 72) * 20)
            batch = [{"sensor_id": rng.choice(sensors), "ts": (base_ts + timedelta(minutes=i)).isoformat(), "value": 1.0}
                     for i in range(20)]  # fmt: skip
            sent = recorder.timed("POST /v1/monitoring/readings", clients["device"], "POST", "/v1/monitoring/readings",
                                  json={"readings": batch})  # fmt: skip
            if sent is not None:
                rejected = {r["index"] for r in sent.json()["rejected"]}
                with recorder.lock:
                    recorder.accepted += [(r["sensor_id"], r["ts"]) for i, r in enumerate(batch) if i not in rejected]
    for client in clients.values():
        client.close()


def run_phase(base: str, keys: dict[str, str], clients: int, seconds: float, grids: list[str], sensors: list[str],
              first_seed: int) -> Recorder:  # fmt: skip
    recorder = Recorder()
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=worker, args=(base, keys, recorder, until, first_seed + n, grids, sensors))
               for n in range(clients)]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return recorder


def report(title: str, recorder: Recorder, seconds: float) -> None:
    print(f"\n{title}")
    print(f"{'endpoint':<34}{'calls':>7}{'per s':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for name, times in sorted(recorder.times.items()):
        ordered = sorted(times)
        p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
        print(f"{name:<34}{len(times):>7}{len(times) / seconds:>8.1f}{statistics.median(times) * 1000:>9.0f}"
              f"{p95 * 1000:>9.0f}{max(times) * 1000:>9.0f}")
    print(f"errors: {len(recorder.errors)}" + "".join(f"\n  {e}" for e in recorder.errors[:10]))


def consistency(db_url: str, recorders: list[Recorder]) -> list[str]:
    problems = []
    engine = create_engine(db_url)
    accepted = [pair for r in recorders for pair in r.accepted]
    cases = {case: moves for r in recorders for case, moves in r.cases.items()}
    with engine.connect() as connection:
        for sensor, ts in accepted:  # through the table's own column type, which stores times as the ORM does
            query = select(func.count()).select_from(ReadingRow).where(ReadingRow.sensor_id == sensor,
                                                                       ReadingRow.ts == datetime.fromisoformat(ts))  # fmt: skip
            stored = connection.execute(query).scalar()
            if stored != 1:
                problems.append(f"reading {sensor} {ts} stored {stored} times")
        for case, moves in cases.items():
            rows = connection.execute(text("SELECT seq, at FROM case_events WHERE case_id = :c ORDER BY seq"), {"c": case}).all()
            if [r.seq for r in rows] != list(range(1, moves + 1)):
                problems.append(f"case {case}: history {[r.seq for r in rows]} for {moves} moves")
            if [r.at for r in rows] != sorted(r.at for r in rows):
                problems.append(f"case {case}: history times run backwards")
    print(f"\nconsistency: {len(accepted):,} readings accepted, {len(cases):,} cases with their histories checked; "
          f"problems: {len(problems)}" + "".join(f"\n  {p}" for p in problems[:10]))  # fmt: skip
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--baseline-seconds", type=float, default=20)
    args = parser.parse_args()
    settings = get_settings()
    source = settings.data_dir / "yiwang.db"
    if not source.exists():
        sys.exit(f"没有演示数据库 {source}: 先运行 make run (或 yiwang demo build/cases/readings)")
    with tempfile.TemporaryDirectory(prefix="yiwang-load-") as tmp:
        db = Path(tmp) / "load.db"
        shutil.copy(source, db)
        db_url = f"sqlite:///{db}"
        env = {"YIWANG_DATA_DIR": str(settings.data_dir), "YIWANG_DB_URL": db_url, "YIWANG_MQTT_URL": "",
               "YIWANG_RATE_PER_MINUTE": "0", "PATH": "/usr/bin:/bin"}  # fmt: skip
        with create_engine(db_url).connect() as connection:
            grids = list(connection.execute(text("SELECT DISTINCT grid_id FROM cases WHERE grid_id IS NOT NULL LIMIT 50")).scalars())
            sensors = list(connection.execute(text("SELECT id FROM sensors ORDER BY id LIMIT 500")).scalars())
        yiwang = str(Path(sys.executable).parent / "yiwang")
        keys = {}
        for role in ("official", "hotline", "dispatcher", "device"):
            made = subprocess.run([yiwang, "keys", "create", f"load-{role}", "--role", role], env=env, capture_output=True,
                                  text=True, check=True)  # fmt: skip
            keys[role] = next(word for word in made.stdout.split() if word.startswith("yw_"))
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        log = open(Path(tmp) / "server.log", "w")  # noqa: SIM115 - open for the server's whole life
        server = subprocess.Popen([yiwang, "serve", "--simulate", "--port", str(port)], env=env, stdout=log, stderr=log)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(240):
                try:
                    if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.5)
            print(f"load bench · {base} · simulator streaming · {len(grids)} grids, {len(sensors)} sensors")
            alone = run_phase(base, keys, 1, args.baseline_seconds, grids, sensors, first_seed=1)
            report(f"baseline: 1 client, {args.baseline_seconds:.0f} s", alone, args.baseline_seconds)
            many = run_phase(base, keys, args.clients, args.seconds, grids, sensors, first_seed=100)
            report(f"{args.clients} clients, {args.seconds:.0f} s", many, args.seconds)
        finally:
            server.terminate()
            server.wait(timeout=60)
        log.close()
        if alone.errors or many.errors:
            lines = [line for line in (Path(tmp) / "server.log").read_text().splitlines() if '" 2' not in line]
            print("\nserver log, all but the answered requests:\n" + "\n".join(lines[-40:]))
        problems = consistency(db_url, [alone, many])
        errors = len(alone.errors) + len(many.errors)
        print(f"\nresult: {errors} errors, {len(problems)} consistency problems")
        sys.exit(1 if errors or problems else 0)


if __name__ == "__main__":
    main()
