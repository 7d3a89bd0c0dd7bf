"""``/v1/keys`` and ``/v1/audit``: API keys and the audit log, for admins only."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from api.auth import Auditor, Caller, require
from api.deps import SessionDep
from core.access import ALLOWED, ROLE_NAMES, Role
from services.access import audit, keys
from services.access.audit import AuditPage, ChainCheck
from services.access.keys import ApiKeyInfo, NewApiKey

router = APIRouter(tags=["access"])
KeyAdmin = Annotated[object, Depends(require("keys"))]


class KeyRequest(BaseModel):
    name: str = Field(min_length=1, max_length=64, description="who or what holds the key (a person, a gateway)")
    role: Role


class KeyList(BaseModel):
    items: list[ApiKeyInfo]


class Me(BaseModel):
    name: str
    role: str
    role_name: str
    via: str
    may: list[str] = Field(description="the actions this caller may take (core.access.ALLOWED), for a UI to offer")


@router.get("/v1/me", response_model=Me)
def me(who: Caller) -> Me:
    """Who the credentials sent are (a UI shows only what this role may do)."""
    return Me(name=who.name, role=who.role, role_name=ROLE_NAMES[who.role], via=who.via,
              may=[action for action in ALLOWED if who.may(action)])  # fmt: skip


@router.post("/v1/keys", response_model=NewApiKey, status_code=201)
def create_key(body: KeyRequest, session: SessionDep, _: KeyAdmin) -> NewApiKey:
    """A new key for a role; ``key`` is shown only in this answer (the server keeps its hash)."""
    return keys.create_key(session, body.name, body.role)


@router.get("/v1/keys", response_model=KeyList)
def list_keys(session: SessionDep, _: KeyAdmin) -> KeyList:
    return KeyList(items=keys.list_keys(session))


@router.post("/v1/keys/{key_id}/revoke", response_model=ApiKeyInfo)
def revoke_key(key_id: str, session: SessionDep, _: KeyAdmin) -> ApiKeyInfo:
    """The key stops working at once; it stays listed, so the audit log's actors stay explained."""
    return keys.revoke_key(session, key_id)


@router.get("/v1/audit", response_model=AuditPage)
def audit_log(session: SessionDep, _: Auditor, actor: str | None = None,
              action: str | None = Query(None, description="a prefix: 'POST /v1/cases', 'chat:'"),
              target: str | None = Query(None, description="a case id or a path"),
              since: datetime | None = None, until: datetime | None = None,
              before: int | None = Query(None, ge=1, description="the 'next' of the previous page"),
              limit: int = Query(100, ge=1, le=audit.MAX_PAGE)) -> AuditPage:  # fmt: skip
    """The audit log, newest first."""
    return audit.entries(session, actor=actor, action=action, target=target, since=since, until=until, before=before,
                         limit=limit)  # fmt: skip


@router.get("/v1/audit/verify", response_model=ChainCheck)
def verify(session: SessionDep, _: Auditor) -> ChainCheck:
    """Walk the hash chain: ``intact`` false names the first row changed or removed."""
    return audit.verify_chain(session)
