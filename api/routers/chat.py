"""``/v1/chat``: questions to the assistant, answered with citations (JSON or Server-Sent Events)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from api.audit import tool_calls
from api.auth import Asker
from api.deps import ChatDep
from assistant.chat import ChatRequest, ChatResponse, ConfirmRequest
from core.access import Identity, chat_role
from core.exceptions import YiwangError

router = APIRouter(prefix="/v1/chat", tags=["chat"])


def _as_caller(body: ChatRequest, who: Identity) -> ChatRequest:
    """The assistant answers in the caller's role, whatever the body says (it may choose only where no one
    is authenticated: ``auth = off``)."""
    return body if who.via == "local" else body.model_copy(update={"role": chat_role(who.role)})


@router.post("", response_model=ChatResponse)
def chat(body: ChatRequest, service: ChatDep, who: Asker, request: Request) -> ChatResponse:
    """One turn. Send the returned ``session_id`` back to continue the conversation."""
    reply = service.ask(_as_caller(body, who))
    tool_calls(request, who, reply.session_id, reply.tool_calls)
    return reply


@router.post("/confirm", response_model=ChatResponse)
def confirm(body: ConfirmRequest, service: ChatDep, who: Asker, request: Request) -> ChatResponse:
    """Approve or refuse the write the assistant paused for (``pending`` in the last answer); only a role
    that may do the write can approve it, and is recorded as its actor."""
    reply = service.confirm(body, who)
    tool_calls(request, who, reply.session_id, reply.tool_calls)
    return reply


def _sse(event: str, data: object) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


@router.post("/stream")
def chat_stream(body: ChatRequest, service: ChatDep, who: Asker, request: Request) -> StreamingResponse:
    """The same turn as Server-Sent Events: ``tool`` per tool call, ``token`` pieces, a final ``done``."""
    events = service.stream(_as_caller(body, who))

    def generate() -> Iterator[str]:
        try:
            for event, data in events:
                if event == "done":
                    tool_calls(request, who, data["session_id"], data["tool_calls"])
                yield _sse(event, data)
        except YiwangError as exc:
            yield _sse("error", {"error": {"code": exc.code, "message": exc.message}})

    return StreamingResponse(generate(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
