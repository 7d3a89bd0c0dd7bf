"""Root exceptions. Each maps to one HTTP status and one CLI message in a single place."""

from __future__ import annotations


class YiwangError(Exception):
    """Base of every error a user can act on. ``code`` is the contract's snake_case error code."""

    code = "error"
    status = 400

    def __init__(self, message: str, *, errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or []


class NotFound(YiwangError):
    code = "not_found"
    status = 404


class InvalidInput(YiwangError):
    code = "invalid_input"
    status = 422


class Conflict(YiwangError):
    code = "conflict"
    status = 409


class BackendUnavailable(YiwangError):
    """A backing engine (graph, database) cannot be reached or started."""

    code = "backend_unavailable"
    status = 503


class Unauthorized(YiwangError):
    """No credentials, or credentials nobody issued (or revoked)."""

    code = "unauthorized"
    status = 401


class Forbidden(YiwangError):
    """Known caller, but the role may not do this."""

    code = "forbidden"
    status = 403


class TooManyRequests(YiwangError):
    """A caller over its request rate; ``retry_after`` seconds until it may call again."""

    code = "rate_limited"
    status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
