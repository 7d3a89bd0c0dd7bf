"""Who is calling: an API key (``Authorization: Bearer yw_…`` or ``X-API-Key``) or an OIDC bearer token from
the city's identity provider, resolved once per request; ``require(action)`` lets a route through only for
the roles of ``core.access.ALLOWED`` — anonymous gets a 401, a wrong role a 403, each with a sentence."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Annotated, Any

from fastapi import Depends, Request

from api.deps import RuntimeDep
from api.rate import RateLimiter
from core.access import ACTION_NAMES, ANONYMOUS, ROLE_NAMES, ROLES, Identity
from core.exceptions import Forbidden, Unauthorized
from core.settings import Settings
from services.access import keys

LOCAL = Identity(name="local", role="admin", via="local")


def caller(request: Request, runtime: RuntimeDep) -> Identity:
    """The request's identity (kept on ``request.state`` for the audit trail)."""
    known = getattr(request.state, "identity", None)
    if known is not None:
        return known
    who = _identify(request, runtime)
    request.state.identity = who
    if who.via != "local":
        client = request.client.host if request.client else "?"
        limiter: RateLimiter = request.app.state.rate_limiter
        limiter.take(who.key_id or (f"token:{who.name}" if who.via == "token" else f"ip:{client}"))
    return who


def _identify(request: Request, runtime: Any) -> Identity:
    settings = runtime.settings
    if settings.auth == "off":
        return LOCAL
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else request.headers.get("x-api-key", "").strip()
    if not token:
        return ANONYMOUS
    if token.count(".") == 2 and settings.oidc_jwks_url:
        return _from_token(token, settings)
    with runtime.sessions() as session:
        who = keys.identify(session, token)
    if who is None:
        raise Unauthorized("API 密钥无效或已被吊销 / the API key is unknown or revoked")
    return who


def _from_token(token: str, settings: Settings) -> Identity:
    import jwt

    try:
        signing_key = _jwks(settings.oidc_jwks_url).get_signing_key_from_jwt(token)
        claims = jwt.decode(token, signing_key.key, algorithms=["RS256", "ES256"],
                            audience=settings.oidc_audience or None, issuer=settings.oidc_issuer or None,
                            options={"verify_aud": bool(settings.oidc_audience), "require": ["exp", "sub"]})  # fmt: skip
    except jwt.PyJWTError as exc:
        raise Unauthorized(f"令牌无效 / the bearer token is not valid: {str(exc)[:80]}") from None
    roles = claims.get(settings.oidc_role_claim)
    roles = [roles] if isinstance(roles, str) else roles if isinstance(roles, list) else []
    role = next((r for r in roles if r in ROLES), None)
    if role is None:
        raise Forbidden(f"令牌的 {settings.oidc_role_claim!r} 声明中没有本系统的角色 ({', '.join(ROLES)})")
    name = str(claims.get(settings.oidc_name_claim) or claims["sub"])
    return Identity(name=name[:64], role=role, via="token")


@lru_cache(maxsize=4)
def _jwks(url: str) -> Any:
    import jwt

    return jwt.PyJWKClient(url, cache_keys=True, lifespan=600)


def require(action: str) -> Callable[..., Identity]:
    """A dependency letting through only the roles that may do ``action``."""

    def check(request: Request, who: Annotated[Identity, Depends(caller)], runtime: RuntimeDep) -> Identity:
        if who.via == "anonymous":
            if action == "read" and runtime.settings.open_reads:
                return who
            raise Unauthorized(f"{ACTION_NAMES[action]}需要身份认证: 请在请求头 Authorization: Bearer <API 密钥> 中提供密钥 "
                               f"/ {action} needs an API key or a bearer token")  # fmt: skip
        if not who.may(action):
            raise Forbidden(f"角色「{ROLE_NAMES[who.role]}」无权{ACTION_NAMES[action]} / role {who.role!r} may not {action}")
        return who

    check.__name__ = f"require_{action}"
    return check


def guard_reads(request: Request, runtime: RuntimeDep) -> None:
    """App-wide: a GET under /v1 is a read (a write route adds its own ``require``)."""
    if request.method in ("GET", "HEAD") and request.url.path.startswith("/v1/"):
        _check_read(request, caller(request, runtime), runtime)


_check_read = require("read")  # built once: guard_reads runs on every GET
Caller = Annotated[Identity, Depends(caller)]
Reader = Annotated[Identity, Depends(require("read"))]
Asker = Annotated[Identity, Depends(require("ask"))]
Triager = Annotated[Identity, Depends(require("triage"))]
CaseCreator = Annotated[Identity, Depends(require("create_case"))]
Dispatcher = Annotated[Identity, Depends(require("transition"))]
MemoWriter = Annotated[Identity, Depends(require("memo"))]
Analyst = Annotated[Identity, Depends(require("analytics"))]
Device = Annotated[Identity, Depends(require("readings"))]
Simulator = Annotated[Identity, Depends(require("simulate"))]
Auditor = Annotated[Identity, Depends(require("audit"))]
Platform = Annotated[Identity, Depends(require("sync"))]
Supervisor = Annotated[Identity, Depends(require("supervise"))]
