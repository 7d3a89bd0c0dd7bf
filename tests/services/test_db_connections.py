"""Pooled connections survive the database dropping them (restart, failover, idle timeout)."""

from __future__ import annotations

import time

import psycopg
import pytest
from sqlalchemy import text
from tests_support import PG_ADMIN_URL

from services import db


def test_a_connection_dropped_while_idle_is_replaced_at_checkout(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite connections are files: nothing to drop")
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.05)
    engine = db.make_engine(db_url)
    try:
        with engine.connect() as connection:
            backend = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:  # what a restart does to the pool
            admin.execute("SELECT pg_terminate_backend(%s)", (backend,))
        time.sleep(0.1)
        with engine.connect() as connection:  # the pooled one is dead: the ping finds it, a new one serves
            assert connection.execute(text("SELECT pg_backend_pid()")).scalar_one() != backend
    finally:
        engine.dispose()


def test_only_connections_that_sat_idle_are_pinged(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ping is a round trip: a connection just opened or used a moment ago goes straight to work."""
    if not db_url.startswith("postgresql"):
        pytest.skip("the ping is for server connections")
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.2)
    engine = db.make_engine(db_url)
    pings: list[int] = []
    real_ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda dbapi: pings.append(1) or real_ping(dbapi))
    try:
        for pause in (0, 0, 0.3, 0):
            time.sleep(pause)
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        assert len(pings) == 1  # only the checkout after the pause
    finally:
        engine.dispose()
