"""``Idempotency-Key`` on writes: the same key and body apply once and return the first result.

The key row is written in the same transaction as the change, so two concurrent requests with one key
cannot both apply: the second fails on the key's primary key and replays the first's result.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime

import psycopg
from pydantic import BaseModel
from sqlalchemy import DateTime, Integer, String, Text, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from core.exceptions import Conflict, YiwangError
from services.db import Base
from services.pg_round_trips import execute_and_commit


class IdempotencyRow(Base):
    """The first result of a write sent with an ``Idempotency-Key``, replayed for repeats."""

    __tablename__ = "idempotency_keys"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    scope: Mapped[str] = mapped_column(String(200), primary_key=True)
    body_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# Built once, executed on the connection (not through the ORM layer): it runs with every keyed write.
_REMEMBER = IdempotencyRow.__table__.insert()
_REMEMBER_POSTGRESQL = ("INSERT INTO idempotency_keys (key, scope, body_hash, status_code, response, created_at) "
                        "VALUES (%(key)s, %(scope)s, %(body_hash)s, %(status_code)s, %(response)s, %(created_at)s)")


def body_hash(body: BaseModel) -> str:
    return hashlib.sha256(body.model_dump_json().encode()).hexdigest()


def _stored(session: Session, key: str, scope: str, digest: str) -> dict | None:
    row = session.execute(select(IdempotencyRow.body_hash, IdempotencyRow.response)
                          .where(IdempotencyRow.key == key, IdempotencyRow.scope == scope)).one_or_none()  # fmt: skip
    if row is None:
        return None
    if row.body_hash != digest:
        raise Conflict(f"Idempotency-Key {key!r} 已用于另一个请求体; 请为新的请求使用新的键")
    return json.loads(row.response)


def _remember_and_commit(session: Session, row: dict) -> None:
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(_REMEMBER, row)
        session.commit()
        return
    # The key row's INSERT and the COMMIT go to PostgreSQL as one message. A duplicate key fails the
    # INSERT and the COMMIT is then not run; the error is raised here as an IntegrityError like any
    # other. The session's commit that follows finds no transaction left and sends nothing.
    session.flush()  # whatever the write left pending belongs to the same transaction
    try:
        execute_and_commit(connection.connection.dbapi_connection, _REMEMBER_POSTGRESQL, row)
    except psycopg.IntegrityError as error:
        raise IntegrityError(_REMEMBER_POSTGRESQL, row, error) from error
    session.commit()


def run_once(sessions: sessionmaker[Session], key: str | None, scope: str, body: BaseModel,
             write: Callable[[Session], BaseModel], look_first: bool = False) -> dict:  # fmt: skip
    """Run ``write`` in its own transaction (once per key and body) and return its JSON result.

    The key is not looked up first: a repeat is rare, and costs a round trip on every write. The write
    runs and the key row is inserted in its transaction; a repeat then fails, either in the write
    (e.g. a transition no longer allowed, a 409) or on the key's primary key, is rolled back, and the
    first result is replayed. ``look_first``: a write that costs seconds (a memo) looks the key up before
    it runs."""
    digest = body_hash(body) if key else ""
    with sessions() as session:
        if key and look_first and (stored := _stored(session, key, scope, digest)) is not None:
            return stored
        try:
            result = write(session).model_dump(mode="json")
            if key:
                row = {"key": key, "scope": scope, "body_hash": digest, "status_code": 200,
                       "response": json.dumps(result, ensure_ascii=False), "created_at": datetime.now(UTC)}  # fmt: skip
                _remember_and_commit(session, row)
            else:
                session.commit()
            return result
        except (IntegrityError, YiwangError):
            session.rollback()
            if key and (stored := _stored(session, key, scope, digest)) is not None:
                return stored
            raise
