"""API keys: created with a role, shown once, kept as a SHA-256 hash, revoked but never deleted.

A key is 32 random bytes (``secrets``), so a plain SHA-256 is enough at rest: there is nothing to guess
by brute force, and a hash per request stays cheap (a password hash would cost ~100 ms a call).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.access import ROLES, Identity
from core.exceptions import InvalidInput, NotFound
from core.times import local_iso
from services.access.tables import ApiKeyRow

PREFIX = "yw_"


class ApiKeyInfo(BaseModel):
    id: str
    name: str
    role: str
    prefix: str
    created_at: str
    revoked_at: str | None


class NewApiKey(ApiKeyInfo):
    key: str  # shown once, never stored


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(session: Session, name: str, role: str) -> NewApiKey:
    if role not in ROLES:
        raise InvalidInput(f"未知角色 {role!r}; 可选: {', '.join(ROLES)}")
    name = name.strip()
    if not 1 <= len(name) <= 64:
        raise InvalidInput("密钥名称须为 1–64 个字符 / a key's name is 1–64 characters")
    key = PREFIX + secrets.token_urlsafe(32)
    row = ApiKeyRow(id=secrets.token_hex(8), name=name, role=role, key_hash=digest(key), prefix=key[:10],
                    created_at=datetime.now(UTC), revoked_at=None)  # fmt: skip
    session.add(row)
    session.commit()
    return NewApiKey(**_info(row).model_dump(), key=key)


def identify(session: Session, key: str) -> Identity | None:
    row = session.scalar(select(ApiKeyRow).where(ApiKeyRow.key_hash == digest(key)))
    if row is None or row.revoked_at is not None:
        return None
    return Identity(name=row.name, role=row.role, key_id=row.id, via="key")  # type: ignore[arg-type]


def list_keys(session: Session) -> list[ApiKeyInfo]:
    return [_info(row) for row in session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.created_at, ApiKeyRow.id))]


def revoke_key(session: Session, key_id: str) -> ApiKeyInfo:
    row = session.get(ApiKeyRow, key_id)
    if row is None:
        raise NotFound(f"没有密钥 {key_id}; 用 `yiwang keys list` 查看")
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
        session.commit()
    return _info(row)


def demo_keys(sessions: sessionmaker[Session], path: Path) -> dict[str, str]:
    """One key per role for the demo, made once and kept in ``path`` (readable by its owner only): the keys
    themselves are not in the database, so the file is the only place they can be read again."""
    if path.exists():
        lines = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if "\t" in line]
        return {role: key for role, key in lines}
    with sessions() as session:
        # A platform's key is made for one named lower platform (its code), not for a demo person.
        made = {role: create_key(session, f"demo-{role}", role).key for role in ROLES if role != "platform"}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text("".join(f"{role}\t{key}\n" for role, key in made.items()), encoding="utf-8")
    return made


def _info(row: ApiKeyRow) -> ApiKeyInfo:
    return ApiKeyInfo(id=row.id, name=row.name, role=row.role, prefix=row.prefix, created_at=local_iso(row.created_at),
                      revoked_at=local_iso(row.revoked_at) if row.revoked_at else None)  # type: ignore[arg-type]  # fmt: skip


def platform_keys(sessions: sessionmaker[Session], codes: list[str], path: Path) -> dict[str, str]:
    """A key of role ``platform`` for each lower platform's code, made once and kept in ``path`` like the demo keys
    (the federation demo hands them to the cities as ``YIWANG_PARENT_KEY``)."""
    kept: dict[str, str] = {}
    if path.exists():
        kept = dict(line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if "\t" in line)
    missing = [code for code in codes if code not in kept]
    if missing:
        with sessions() as session:
            kept |= {code: create_key(session, code, "platform").key for code in missing}
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text("".join(f"{code}\t{key}\n" for code, key in kept.items()), encoding="utf-8")
    return {code: kept[code] for code in codes}
