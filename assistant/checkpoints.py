"""Conversation memory in the database the services use: LangGraph's SQLite or PostgreSQL checkpointer.

Keeping checkpoints there (not in process memory) is what lets several stateless API processes serve
one session in turn.
"""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url


class Checkpoints(AbstractContextManager["Checkpoints"]):
    """Opens the checkpointer for a SQLAlchemy database URL and closes its connections."""

    def __init__(self, db_url: str) -> None:
        url = make_url(db_url)
        self._close: list[Any] = []
        if url.get_backend_name() == "sqlite":
            path = url.database or ":memory:"
            if path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            # One connection shared by the server's threads; SqliteSaver serialises its own use with a lock.
            conn = sqlite3.connect(path, check_same_thread=False, timeout=30)
            conn.execute("PRAGMA busy_timeout=30000")
            from langgraph.checkpoint.sqlite import SqliteSaver

            self.saver: Any = SqliteSaver(conn)
            self.saver.setup()
            self._close.append(conn)
            self.backend = "sqlite"
        elif url.get_backend_name() == "postgresql":
            from langgraph.checkpoint.postgres import PostgresSaver
            from psycopg.rows import dict_row
            from psycopg_pool import ConnectionPool

            conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
            pool = ConnectionPool(conninfo, min_size=1, max_size=10, open=True,
                                  kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row})  # fmt: skip
            self.saver = PostgresSaver(pool)
            self.saver.setup()
            self._close.append(pool)
            self.backend = "postgresql"
        else:
            raise ValueError(f"no checkpointer for database {url.get_backend_name()!r}")

    def close(self) -> None:
        for resource in self._close:
            resource.close()
        self._close.clear()

    def __exit__(self, *exc: object) -> None:
        self.close()
