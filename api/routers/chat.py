"""``/v1/chat``: questions to the assistant, answered with citations (JSON or Server-Sent Events)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from api.deps import ChatDep
from assistant.chat import ChatRequest, ChatResponse, ConfirmRequest
from core.exceptions import YiwangError

router = APIRouter(prefix="/v1/chat", tags=["chat"])


@router.post("", response_model=ChatResponse)
def chat(body: ChatRequest, service: ChatDep) -> ChatResponse:
    """One turn. Send the returned ``session_id`` back to continue the conversation."""
    return service.ask(body)


@router.post("/confirm", response_model=ChatResponse)
def confirm(body: ConfirmRequest, service: ChatDep) -> ChatResponse:
    """Approve or refuse the write the assistant paused for (``pending`` in the last answer)."""
    return service.confirm(body)


def _sse(event: str, data: object) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


@router.post("/stream")
def chat_stream(body: ChatRequest, service: ChatDep) -> StreamingResponse:
    """The same turn as Server-Sent Events: ``tool`` per tool call, ``token`` pieces, a final ``done``."""
    events = service.stream(body)

    def generate() -> Iterator[str]:
        try:
            for event, data in events:
                yield _sse(event, data)
        except YiwangError as exc:
            yield _sse("error", {"error": {"code": exc.code, "message": exc.message}})

    return StreamingResponse(generate(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
