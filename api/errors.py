"""Maps every error to the contract's ``{"error": {"code", "message"}}`` body in one place."""

from __future__ import annotations

import logging
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.exceptions import TooManyRequests, YiwangError

log = logging.getLogger("yiwang.api")

_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed", 409: "conflict",
               413: "payload_too_large", 422: "invalid_input"}  # fmt: skip


class ErrorDetail(BaseModel):
    code: str = Field(description="snake_case: invalid_input, not_found, unauthorized, forbidden, conflict, rate_limited …")
    message: str = Field(description="one sentence saying what to change (Chinese, English after a slash)")


class ErrorBody(BaseModel):
    error: ErrorDetail


# Declared on every route, so a client sees from /openapi.json what it may be answered besides success.
ERROR_RESPONSES: dict[int | str, dict] = {
    status: {"model": ErrorBody, "description": text} for status, text in {
        400: "bad request (a graph query that failed, a value out of range)",
        401: "no or unknown credentials (Authorization: Bearer <API key or token>)",
        403: "the caller's role may not do this",
        404: "no such case, node, sensor, memo or series",
        409: "a conflict: the case moved on, or an Idempotency-Key reused with another body",
        413: "request body or query string too large",
        422: "invalid input, with the field and why",
        429: "too many requests from this caller (Retry-After)",
        503: "a backend (database, graph, document index) unavailable (Retry-After when worth retrying)",
    }.items()
}

MAX_MESSAGE = 400
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def error_body(code: str, message: str) -> dict:
    """The contract's error body. A message quotes at most a short prefix of whatever it echoes, without
    control characters: a 2 MB bad value is not sent back."""
    message = CONTROL.sub("�", message)
    if len(message) > MAX_MESSAGE:
        message = message[:MAX_MESSAGE] + f"…（已截断 / cut at {MAX_MESSAGE} characters）"
    return {"error": {"code": code, "message": message}}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(YiwangError)
    async def _domain(_: Request, exc: YiwangError) -> JSONResponse:
        headers = {"WWW-Authenticate": 'Bearer realm="yiwang"'} if exc.status == 401 else None
        if isinstance(exc, TooManyRequests):
            headers = {"Retry-After": str(exc.retry_after)}
        return JSONResponse(error_body(exc.code, exc.message), status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path"))
            parts.append(f"{where}: {error.get('msg')}" if where else str(error.get("msg")))
        message = "请求参数无效 / invalid request: " + "; ".join(parts)
        return JSONResponse(error_body("invalid_input", message), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if exc.status_code == 404 and message == "Not Found":
            message = "没有这个接口 / no such endpoint; see /docs for the API"
        return JSONResponse(error_body(code, message), status_code=exc.status_code)

    @app.exception_handler(DBAPIError)
    async def _database(_: Request, exc: DBAPIError) -> JSONResponse:
        if isinstance(exc, OperationalError) and not exc.connection_invalidated:
            # The database cannot be reached (down, restarting, the network cut) or is too busy: nothing was
            # written, and the same request later will do.
            log.warning("database unavailable: %s", exc.orig)
            message = "数据库暂时不可用, 未写入任何内容, 请稍后重试 / the database is unavailable; nothing was written, retry later"
            return JSONResponse(error_body("database_unavailable", message), status_code=503, headers={"Retry-After": "5"})
        if not exc.connection_invalidated:
            return _internal(exc)
        # The database went away under this request (a restart, a failover): the pool has been emptied and
        # the next request connects afresh. Nothing of this request was committed unless its COMMIT had
        # gone out, which a retry with the same Idempotency-Key settles either way.
        log.warning("database connection lost: %s", exc.orig)
        message = "数据库连接中断, 已重新连接, 请重试 (写操作请用同一个 Idempotency-Key) / database connection lost; retry"
        return JSONResponse(error_body("database_unavailable", message), status_code=503, headers={"Retry-After": "1"})

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        return _internal(exc)


def _internal(exc: Exception) -> JSONResponse:
    log.error("unhandled error", exc_info=exc)
    return JSONResponse(error_body("internal_error", "服务器内部错误, 已记录日志 / internal error, logged"), 500)
