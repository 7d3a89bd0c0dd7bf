"""The dispatch writes as clients send them: each applied once per ``Idempotency-Key``.

The HTTP routes and the in-process services client both call these, so a key used over HTTP and the
same key used in process name the same write (the scope is the route the write belongs to)."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from graph.store import GraphStore
from services.dispatch import cases
from services.dispatch.models import CaseCreate, TransitionRequest
from services.idempotency import run_once

RACE_RETRIES = 8


def create_case_once(sessions: sessionmaker[Session], graph: GraphStore, body: CaseCreate,
                     idempotency_key: str | None = None, actor: str = "system") -> dict:  # fmt: skip
    """Register a case (受理) and return it as JSON; a repeated key and body return the first result."""
    return run_once(sessions, idempotency_key, "POST /v1/cases", body,
                    lambda s: cases.create_case(s, graph, body, actor=actor))  # fmt: skip


def transition_once(sessions: sessionmaker[Session], graph: GraphStore, case_id: str, body: TransitionRequest,
                    idempotency_key: str | None = None) -> dict:  # fmt: skip
    """Apply a workflow action and return the case as JSON; a repeated key and body return the first result.
    The actor is not part of what a key stands for: it is who called, not what was asked. Without
    ``expected_version`` a race with another writer is retried on the case as it then is (the action may
    have become impossible: that 409 names the state), never answered "modified by someone" for a version
    nobody asked for."""
    for attempt in range(RACE_RETRIES):
        try:
            return run_once(sessions, idempotency_key, f"POST /v1/cases/{case_id}/transition",
                            body.model_copy(update={"actor": ""}), lambda s: cases.transition(s, graph, case_id, body))  # fmt: skip
        except cases.Raced:
            if body.expected_version is not None or attempt == RACE_RETRIES - 1:
                raise
    raise AssertionError("unreachable")
