"""Relational storage: SQLite file by default (WAL), PostgreSQL via ``YIWANG_DB_URL``; Alembic migrations."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from core.settings import Settings
from services.pg_round_trips import restore_autocommit_off

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class Base(DeclarativeBase):
    """Every table of the services; one Alembic chain (services/migrations) migrates them all."""


def database_url(settings: Settings) -> str:
    return settings.db_url or f"sqlite:///{settings.data_dir / 'yiwang.db'}"


def make_engine(url: str) -> Engine:
    """An engine with the pragmas/pool a multi-writer service needs."""
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            # WAL: readers never block the writer; busy_timeout: writers queue instead of failing.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            # Ingest appends to every sensor's part of the readings key, so a batch dirties thousands
            # of pages: a 64 MiB page cache keeps them in memory, and checkpointing every 10,000 WAL
            # pages (not 1,000) writes a page rewritten by many batches to the database once.
            # Together about 1.5× ingest throughput; the cache is allocated only as it fills.
            cursor.execute("PRAGMA cache_size=-65536")
            cursor.execute("PRAGMA wal_autocheckpoint=10000")
            cursor.close()

        return engine
    # prepare_threshold=None: psycopg prepares nothing by itself, so it never sends the DEALLOCATE ALL
    # (after a rollback) that would also drop the statements services.pg_round_trips prepares.
    engine = create_engine(url, pool_size=20, max_overflow=40, pool_recycle=3600, connect_args={"prepare_threshold": None})
    _ping_connections_that_were_idle(engine)

    @event.listens_for(engine, "checkin")
    def _transactions_as_usual(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # A transaction that services.pg_round_trips opened and that ended in a rollback (the pool
        # has rolled it back by now) left the connection in autocommit.
        if dbapi_connection is not None:
            restore_autocommit_off(dbapi_connection)

    return engine


# A connection used this recently is known to have worked; pinging it too would cost a round trip per
# checkout (measured: 15 % of a case transition's time under 50 clients).
PING_AFTER_IDLE_S = 1.0


def _ping_connections_that_were_idle(engine: Engine) -> None:
    """Pessimistic disconnect handling for idle connections only.

    After a database restart or failover the first request on a connection that sat idle in the pool
    would fail in front of a user; a ping at checkout finds it dead and the pool opens a new one
    instead. A connection used within the last second skips the ping; if the database went away in that
    second, the request fails, SQLAlchemy invalidates the whole pool, and every later request starts on
    a fresh connection."""

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection, record) -> None:  # type: ignore[no-untyped-def]
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection, record, _proxy) -> None:  # type: ignore[no-untyped-def]
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_S:
            return  # just connected, or used a moment ago
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise DisconnectionError(f"connection found dead at checkout: {error}") from error
        if not alive:
            raise DisconnectionError("connection found dead at checkout")


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (idempotent)."""
    # Alembic is loaded here, not with the module: the tables import this module, and a command that only
    # reads the graph should not load the migration machinery.
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def backend_name(engine: Engine) -> str:
    return "postgresql" if engine.dialect.name == "postgresql" else engine.dialect.name
