"""Request size limits: an oversized query string or body gets a 413 with the contract's error JSON."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_QUERY_STRING = 64 * 1024
MAX_BODY = 2 * 1024 * 1024
# Lets a huge request line reach this middleware (h11's default closes the connection without an answer).
H11_MAX_EVENT = 16 * 1024 * 1024


class SizeLimit:
    """Pure ASGI middleware, so the limit is checked before any body is read or parsed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            length = dict(scope.get("headers") or []).get(b"content-length", b"0")
            if len(scope.get("query_string", b"")) > MAX_QUERY_STRING:
                return await _refuse(send, f"查询参数过长, 最多 {MAX_QUERY_STRING // 1024} KB / query string too long")
            if length.isdigit() and int(length) > MAX_BODY:
                return await _refuse(send, f"请求体过大, 最多 {MAX_BODY // 2**20} MB / request body too large")
            if b"content-length" not in dict(scope.get("headers") or []) and scope["method"] not in ("GET", "HEAD"):
                # A chunked body says no length: it is read here, up to the limit and no further, then replayed.
                body, more = b"", True
                while more:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return
                    body += message.get("body", b"")
                    more = message.get("more_body", False)
                    if len(body) > MAX_BODY:
                        return await _refuse(send, f"请求体过大, 最多 {MAX_BODY // 2**20} MB / request body too large")
                receive = _replay(body, receive)
        await self.app(scope, receive, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


async def _refuse(send: Send, message: str) -> None:
    body = json.dumps({"error": {"code": "payload_too_large", "message": message}}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})  # fmt: skip
    await send({"type": "http.response.body", "body": body})
