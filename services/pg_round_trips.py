"""Fewer round trips to PostgreSQL on the hot write path (a case transition with an Idempotency-Key).

psycopg opens a transaction by sending ``BEGIN`` as a message of its own before the first statement,
and the session's commit sends ``COMMIT`` alone: two of the four round trips of a keyed transition
(BEGIN, the move, the key, COMMIT) would carry nothing else. Here ``BEGIN`` travels with the
transaction's first statement and ``COMMIT`` with its last, each pair as one simple query bound
client-side. Under 50 clients on this machine every round trip is a context switch on both sides of a
CPU-bound exchange, so they cost throughput, not only latency.

A simple query is planned each time it is sent; the transition's statement (an UPDATE, an INSERT and
a history read in one) costs more to plan than to run, so it is prepared once per connection and the
simple query says ``EXECUTE`` (measured on one connection: 0.87 ms of server CPU per transition
planned each time, 0.54 ms prepared, 0.59 ms for the driver's own extended protocol with ``BEGIN`` on
its own).

The connection is switched to autocommit while such a transaction is open (psycopg then sends no
``BEGIN`` of its own; the transaction is the one this module's ``BEGIN`` opened) and back when it ends:
at the ``COMMIT`` here, or at the pool's check-in after a rollback (:func:`restore_autocommit_off`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from weakref import WeakKeyDictionary

import psycopg
import psycopg.errors
from psycopg.pq import TransactionStatus
from psycopg.rows import RowFactory


@dataclass(frozen=True)
class PreparedStatement:
    """A statement written with ``%(name)s`` placeholders, prepared by name on each connection."""

    name: str
    sql: str

    @cached_property
    def _names(self) -> list[str]:
        return list(dict.fromkeys(re.findall(r"%\((\w+)\)s", self.sql)))

    @cached_property
    def prepare(self) -> str:
        numbered = re.sub(r"%\((\w+)\)s", lambda m: f"${self._names.index(m.group(1)) + 1}", self.sql)
        return f"PREPARE {self.name} AS {numbered}"

    @cached_property
    def execute(self) -> str:
        return f"EXECUTE {self.name}(" + ", ".join(f"%({name})s" for name in self._names) + ")"


# Prepared statements live as long as their server connection: a rollback does not drop them, but a
# DEALLOCATE ALL does, and psycopg sends one after rolling back once it has auto-prepared statements of
# its own. Engines therefore turn psycopg's auto-preparation off (``prepare_threshold=None`` in
# services/db.py), and a statement found missing anyway is prepared again.
_prepared: WeakKeyDictionary[psycopg.Connection, set[str]] = WeakKeyDictionary()


def fetch_opening_transaction(dbapi: psycopg.Connection, statement: PreparedStatement, params: dict[str, Any],
                              row_factory: RowFactory[Any]) -> list[Any]:  # fmt: skip
    """Run a prepared statement and return its rows; when no transaction is open yet, the ``BEGIN``
    that opens it goes in the same message."""
    opening = dbapi.info.transaction_status is TransactionStatus.IDLE
    if opening:
        dbapi.autocommit = True  # before anything is sent: psycopg must not open a transaction itself
    _prepare_once(dbapi, statement)
    try:
        return _fetch(dbapi, statement, params, row_factory, opening)
    except psycopg.errors.InvalidSqlStatementName:
        _prepared.get(dbapi, set()).discard(statement.name)
        if not opening:
            raise  # the caller's transaction is aborted: only the caller can start it again
        dbapi.execute("ROLLBACK")  # the BEGIN that went with it
        _prepare_once(dbapi, statement)
        return _fetch(dbapi, statement, params, row_factory, opening)


def _prepare_once(dbapi: psycopg.Connection, statement: PreparedStatement) -> None:
    known = _prepared.setdefault(dbapi, set())
    if statement.name not in known:
        dbapi.execute(statement.prepare)  # not transactional: it outlives a rollback
        known.add(statement.name)


def _fetch(dbapi: psycopg.Connection, statement: PreparedStatement, params: dict[str, Any],
           row_factory: RowFactory[Any], opening: bool) -> list[Any]:  # fmt: skip
    with psycopg.ClientCursor(dbapi, row_factory=row_factory) as cursor:
        if not opening:
            return cursor.execute(statement.execute, params).fetchall()
        cursor.execute("BEGIN; " + statement.execute, params)
        cursor.nextset()  # past BEGIN's empty result
        return cursor.fetchall()


def execute_and_commit(dbapi: psycopg.Connection, sql: str, params: dict[str, Any]) -> None:
    """Run one statement and commit the open transaction in the same message. If the statement fails
    the ``COMMIT`` is not run: the transaction is left for the caller to roll back."""
    psycopg.ClientCursor(dbapi).execute(sql + "; COMMIT", params)
    restore_autocommit_off(dbapi)


def restore_autocommit_off(dbapi: psycopg.Connection) -> None:
    """Put back the driver's own transaction handling once no transaction is open (a no-op when it was
    never switched off)."""
    if dbapi.autocommit and dbapi.info.transaction_status is TransactionStatus.IDLE:
        dbapi.autocommit = False
