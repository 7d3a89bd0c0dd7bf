"""What the assistant's tests do with a chat service: ask it a turn, and read the calls the reply made."""

from __future__ import annotations

import uuid

from assistant.chat import ChatRequest, ChatResponse, ChatService


def ask(chat: ChatService, text: str, session: str | None = None, role: str = "official") -> ChatResponse:
    """One turn; a fresh conversation unless a session is named."""
    return chat.ask(ChatRequest(message=text, session_id=session or uuid.uuid4().hex, role=role))


def calls(reply: ChatResponse, name: str) -> list[dict]:
    """The arguments of every call of one tool the reply made."""
    return [c.args for c in reply.tool_calls if c.name == name]
