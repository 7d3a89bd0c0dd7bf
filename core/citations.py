"""What the assistant's answers, triage and memos cite, and what a tool returns: shared by every layer."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class Citation(BaseModel):
    """What supports a fact: a graph node, a document chunk, or a tool call of the same response."""

    id: str
    kind: Literal["graph", "document", "tool"]
    title: str
    snippet: str = ""


class ToolOutput(BaseModel):
    data: Any
    citations: list[Citation] = Field(default_factory=list)
