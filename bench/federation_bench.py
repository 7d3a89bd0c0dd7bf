"""Federation: sync lag and throughput of N cities publishing to one province over HTTP, and the cost per city.

One real small city (the demo generator at scale 0.02, twelve days of cases through the real workflow) gives
the facts a city really publishes; N cities each get their own SQLite outbox holding those facts with their
own figures, and push concurrently to a province served by uvicorn on loopback (SQLite or PostgreSQL). Printed
for N = 1 (the baseline, measured in the same run) and each N asked: a first full sync (every fact), then a
steady round (each city's changed facts only), with per-city lag p50/p95, facts and requests per second, and
bytes and rows per city — and what 300 cities at one publication a minute would mean for a province.

    .venv/bin/python bench/federation_bench.py [--cities 1 10 50] [--db sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[1] / "tests")]

import httpx  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from core.settings import Settings  # noqa: E402
from graph.backends import open_graph  # noqa: E402
from graph.demo.city import build_city  # noqa: E402
from graph.demo.files import write_city  # noqa: E402
from graph.demo.places import PLACES_CSV  # noqa: E402
from graph.domain import load_city_domain  # noqa: E402
from graph.loader import load_city  # noqa: E402
from services.db import make_engine, migrate, session_factory  # noqa: E402
from services.dispatch.demo_history import seed_case_history  # noqa: E402
from services.federation.facts import publishable  # noqa: E402
from services.federation.models import Fact  # noqa: E402
from services.federation.outbox import enqueue_changes  # noqa: E402
from services.federation.push import send  # noqa: E402
from services.federation.tables import ReceivedRow  # noqa: E402


def real_facts(work: Path) -> list[Fact]:
    settings = Settings(data_dir=work / "city", mqtt_url="", auth="off")
    domain = load_city_domain(settings)
    city = build_city(domain, PLACES_CSV, seed=settings.demo_seed, scale=0.02)
    write_city(city, settings.city_dir)
    graph = open_graph(settings)
    load_city(graph, settings.city_dir, fresh=True)
    engine = make_engine(f"sqlite:///{work / 'real.db'}")
    migrate(engine)
    sessions = session_factory(engine)
    with sessions() as session:
        seed_case_history(session, graph, seed=7, days=12, per_day=7)
        facts = publishable(session, graph)
    graph.close()
    return facts


def city_facts(facts: list[Fact], n: int, round_: int) -> list[Fact]:
    """The real facts with this city's own figures: the case counts moved by the city's number and the round."""
    out = []
    for fact in facts:
        payload = json.loads(json.dumps(fact.payload))
        if fact.kind == "case_stats" and (round_ == 0 or fact.scope.count("-") == 2):  # a steady round: today's only
            payload["total"] += n + round_
        out.append(Fact(fact.kind, fact.scope, payload))
    return out


def run(cities: int, facts: list[Fact], province_url: str, keys: dict[str, str], work: Path) -> dict[str, float]:
    outboxes = []
    for n in range(cities):
        code = f"99{n + 1:02d}00" if n < 99 else f"98{n - 98:02d}00"
        engine = make_engine(f"sqlite:///{work / f'{cities}-{code}.db'}")
        migrate(engine)
        settings = Settings(data_dir=work, auth="off", mqtt_url="", platform_code=code, platform_name=f"城市{n + 1}",
                            parent_url=province_url, parent_key=keys[code])  # fmt: skip
        outboxes.append((settings, session_factory(engine)))
    figures: dict[str, float] = {"cities": cities}
    with httpx.Client(timeout=60, limits=httpx.Limits(max_connections=64)) as client:
        for round_, label in ((0, "full"), (1, "steady")):
            for n, (_, sessions) in enumerate(outboxes):
                with sessions() as session:
                    enqueue_changes(session, city_facts(facts, n, round_))
                    session.commit()
            lags: list[float] = []
            sent = 0

            def push(entry: tuple[Settings, object]) -> tuple[float, int]:
                settings, sessions = entry
                started = time.perf_counter()
                done = send(sessions, settings, client)
                return time.perf_counter() - started, done.sent

            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=min(cities, 16)) as pool:
                for lag, count in pool.map(push, outboxes):
                    lags.append(lag)
                    sent += count
            wall = time.perf_counter() - started
            lags.sort()
            figures[f"{label}_wall_s"] = wall
            figures[f"{label}_facts"] = sent
            figures[f"{label}_facts_per_s"] = sent / wall
            figures[f"{label}_lag_p50_s"] = statistics.median(lags)
            figures[f"{label}_lag_p95_s"] = lags[min(len(lags) - 1, int(0.95 * len(lags)))]
    figures["bytes_per_city_full"] = sum(len(json.dumps(f.payload, ensure_ascii=False).encode()) for f in facts)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    from federation_support import served_province
    from tests_support import PG_ADMIN_URL

    from services.access.keys import create_key

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        print("making a real city's facts (demo city at scale 0.02, twelve days of cases)…", flush=True)
        facts = real_facts(work)
        db_url = f"sqlite:///{work / 'province.db'}"
        if args.db == "postgresql":
            import psycopg

            name = f"yiwang_fed_bench_{int(time.time())}"
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{name}"')
            db_url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
        settings = Settings(data_dir=work / "province", mqtt_url="", auth="keys")
        graph = open_graph(settings)
        try:
            with served_province(settings, graph, db_url) as province:
                engine = make_engine(db_url)
                sessions = session_factory(engine)
                codes = [f"99{n + 1:02d}00" if n < 99 else f"98{n - 98:02d}00" for n in range(max(args.cities))]
                with sessions() as session:
                    keys = {**province.keys, **{c: create_key(session, c, "platform").key for c in codes if c not in province.keys}}
                print(f"province on {args.db}; one city publishes {len(facts)} facts, "
                      f"{sum(len(json.dumps(f.payload, ensure_ascii=False).encode()) for f in facts) / 1024:.1f} KiB in all\n")  # fmt: skip
                rows = []
                for cities in sorted(set(args.cities) | {1}):
                    before = _rows(sessions)
                    figures = run(cities, facts, province.url, keys, work)
                    figures["rows_per_city"] = (_rows(sessions) - before) / cities
                    rows.append(figures)
                _print(rows)
                engine.dispose()
        finally:
            graph.close()
            if args.db == "postgresql":
                with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _rows(sessions) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(ReceivedRow)) or 0


def _print(rows: list[dict[str, float]]) -> None:
    head = ("cities", "full: wall s", "lag p50/p95 s", "facts/s", "steady: wall s", "lag p50/p95 s", "facts/s", "rows/city")
    print(" | ".join(head))
    for r in rows:
        print(" | ".join([f"{int(r['cities'])}", f"{r['full_wall_s']:.2f}", f"{r['full_lag_p50_s']:.2f}/{r['full_lag_p95_s']:.2f}",
                          f"{r['full_facts_per_s']:.0f}", f"{r['steady_wall_s']:.2f}",
                          f"{r['steady_lag_p50_s']:.2f}/{r['steady_lag_p95_s']:.2f}", f"{r['steady_facts_per_s']:.0f}",
                          f"{r['rows_per_city']:.0f}"]))  # fmt: skip
    base, most = rows[0], rows[-1]
    steady = most["steady_facts"] / most["cities"]
    print(f"\nbaseline (1 city): full sync {base['full_wall_s']:.2f} s; {int(most['cities'])} cities at once: "
          f"{most['full_wall_s']:.2f} s ({most['full_wall_s'] / base['full_wall_s']:.1f}x the time for {int(most['cities'])}x the cities)")
    per_minute = 300 * steady / 60
    print(f"300 cities publishing every minute: ~{per_minute:.0f} changed facts/s arriving "
          f"(this machine takes {most['steady_facts_per_s']:.0f}/s steady), ~{300 * steady * 60 * 24:,.0f} rows a day "
          f"at the province before old batches are pruned; one city's full sync is {most['bytes_per_city_full'] / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
