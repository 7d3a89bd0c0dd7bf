"""Maps every error to the contract's ``{"error": {"code", "message"}}`` body in one place."""

from __future__ import annotations

import logging
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.exceptions import YiwangError

log = logging.getLogger("yiwang.api")

_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed", 409: "conflict",
               413: "payload_too_large", 422: "invalid_input"}  # fmt: skip


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
