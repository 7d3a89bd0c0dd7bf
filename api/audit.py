"""The audit trail at the edge: every write request (and every refused one) and every chat tool call that
touched case data is recorded with the caller, the request id and the client's address. Bodies are never
recorded: they hold citizens' words."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.access import ANONYMOUS, Identity
from services.access import audit

log = logging.getLogger("yiwang.audit")
# POSTs that compute and change nothing are not writes (a chat turn is audited by the case data it touched).
NOT_WRITES = ("/v1/chat", "/v1/chat/stream", "/v1/forecast", "/v1/triage", "/v1/triage/batch", "/v1/analytics/")
CASE_TOOLS = frozenset({"search_cases", "get_case", "find_case", "create_case", "transition_case", "triage_report"})


def _is_write(method: str, path: str) -> bool:
    return method not in ("GET", "HEAD", "OPTIONS") and path.startswith("/v1/") and not (
        path in NOT_WRITES or path.startswith("/v1/analytics/"))  # fmt: skip


class AuditTrail:
    """ASGI middleware: gives each request an id (``X-Request-ID``, or a new one, echoed back) and records
    writes after they are answered, and any request refused for its credentials (401/403)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")[:64]
        request_id = given if given.replace("-", "").isalnum() else uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        status = 500

        async def answer(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, answer)
        finally:
            method, path = scope["method"], scope["path"]
            if _is_write(method, path) or status in (401, 403):
                runtime = getattr(scope["app"].state, "runtime", None)
                if runtime is not None:
                    who: Identity = state.get("identity") or ANONYMOUS
                    try:
                        await run_in_threadpool(audit.record, runtime.sessions, who, f"{method} {_route(scope)}", path,
                                                status, request_id, _client(scope))  # fmt: skip
                    except Exception:  # noqa: BLE001 - the answer is sent: the loss is logged loudly, not raised
                        log.error("audit entry lost (database unavailable?): %s %s %s by %s, request %s",
                                  method, path, status, who.name, request_id, exc_info=True)  # fmt: skip


def tool_calls(request: Request, who: Identity, session_id: str, calls: Iterable[Any]) -> None:
    """Record the chat tool calls of a turn that read or changed cases."""
    runtime = request.app.state.runtime
    for call in calls:
        name, args, ok = (call["name"], call["args"], call["ok"]) if isinstance(call, dict) else (call.name, call.args, call.ok)
        if name in CASE_TOOLS:
            target = str(args.get("case_id") or f"chat:{session_id}")
            audit.record(runtime.sessions, who, f"chat:{name}", target, 200 if ok else 400,
                         getattr(request.state, "request_id", ""), _client(request.scope), {"session": session_id})  # fmt: skip


def _route(scope: Scope) -> str:
    route = scope.get("route")
    return getattr(route, "path", scope["path"])


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else ""
