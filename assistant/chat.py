"""Chat turns: the HTTP/CLI edge of the agent (request and response models, sessions, confirmation)."""

from __future__ import annotations

import threading
import uuid
import weakref
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, Field

from assistant import across_cities
from assistant.agent import AgentDeps, LlmRole, build_agent, new_turn_input
from assistant.intents import IntentRecognizer
from assistant.lexicon import CityLexicon
from core.access import ACTION_NAMES, ROLE_NAMES, Identity
from core.citations import Citation
from core.exceptions import Conflict, Forbidden, InvalidInput
from core.redact import redacted
from graph.store import GraphStore
from tools.client import ServicesClient

MAX_MESSAGE_CHARS = 4_000
# A turn is written to the checkpointer when it ends or pauses for confirmation, not after every step:
# a turn is short and is simply asked again if the process dies mid-way.
DURABILITY = "exit"
RECURSION_LIMIT = 40  # graph steps per turn; the planner's own round limits stop well before this


# The permission (core.access) a write tool needs from whoever confirms it.
WRITE_ACTIONS = {"create_case": "create_case", "transition_case": "transition"}


class ChatRequest(BaseModel):
    message: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)
    session_id: str | None = Field(None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    role: Literal["official", "hotline", "analyst"] = "official"


class ConfirmRequest(BaseModel):
    session_id: str = Field(min_length=1, max_length=64)
    approved: bool = Field(strict=True)  # "false" as a string is no answer: only true or false


class ToolCallInfo(BaseModel):
    id: str
    name: str
    args: dict[str, Any]
    ok: bool
    error: str | None = None


class PendingWrite(BaseModel):
    """A write the assistant wants to make; ``POST /v1/chat/confirm`` approves or refuses it."""

    calls: list[dict[str, Any]]


class ChatResponse(BaseModel):
    session_id: str
    answer: str
    citations: list[Citation]
    tool_calls: list[ToolCallInfo]
    mode: Literal["llm", "offline-planner"]
    pending: PendingWrite | None = None


class ChatService:
    """One compiled agent per process; sessions live in the checkpointer (the database)."""

    def __init__(self, client: ServicesClient, lexicon: CityLexicon, recognizer: IntentRecognizer,
                 checkpointer: Any, model: BaseChatModel | None = None, graph: GraphStore | None = None,
                 turn_budget_s: float = 120.0, level: str = "city", platform: str = "",
                 llm_role: LlmRole = "write") -> None:  # fmt: skip
        self.deps = AgentDeps(client=client, lexicon=lexicon, recognizer=recognizer, model=model, graph=graph,
                              turn_budget_s=turn_budget_s, llm_role=llm_role)  # fmt: skip
        self.agent = build_agent(self.deps, checkpointer)
        # A province or the nation answers across its cities, from the figures they sent up.
        self.level, self.platform = level, platform
        # Two requests of one session in one process run one after the other (LangGraph does not stop two
        # runs on one thread_id); different sessions run in parallel.
        self._locks: weakref.WeakValueDictionary[str, threading.Lock] = weakref.WeakValueDictionary()
        self._locks_guard = threading.Lock()

    def _session_lock(self, session_id: str) -> threading.Lock:
        with self._locks_guard:
            lock = self._locks.get(session_id)
            if lock is None:
                lock = threading.Lock()
                self._locks[session_id] = lock
            return lock

    @property
    def mode(self) -> str:
        return "llm" if self.deps.model is not None else "offline-planner"

    def _config(self, session_id: str) -> dict[str, Any]:
        return {"configurable": {"thread_id": session_id}, "recursion_limit": RECURSION_LIMIT}

    def _response(self, session_id: str, values: dict[str, Any] | None = None) -> ChatResponse:
        """The turn's result, from the values a run returned (or, after streaming, the checkpoint)."""
        if values is None:
            snapshot = self.agent.get_state(self._config(session_id))
            values = {**snapshot.values, "__interrupt__": list(snapshot.interrupts)}
        pending = None
        for item in values.get("__interrupt__") or []:
            pending = PendingWrite(calls=item.value.get("calls", []))
        records = values.get("records", [])
        answer = values.get("answer", "")
        if pending:
            answer = "以下写操作需要您确认后才会执行：" + "；".join(
                f"{c['name']}({', '.join(f'{k}={v}' for k, v in c['args'].items())})" for c in pending.calls)  # fmt: skip
        return ChatResponse(
            session_id=session_id, answer=answer, citations=[Citation(**c) for c in values.get("citations", [])],
            tool_calls=[ToolCallInfo(id=r["id"], name=r["name"], args=r["args"], ok=r["ok"], error=r["error"]) for r in records],
            mode=values.get("mode") or self.mode, pending=pending,
        )  # fmt: skip

    def _paused(self, session_id: str) -> bool:
        return bool(self.agent.get_state(self._config(session_id)).next)

    def ask(self, request: ChatRequest, now: datetime | None = None) -> ChatResponse:
        session_id = request.session_id or uuid.uuid4().hex
        with self._session_lock(session_id):
            return self._ask(session_id, request, now)

    def _ask(self, session_id: str, request: ChatRequest, now: datetime | None) -> ChatResponse:
        # Personal data out before the message enters the turn: tool arguments, citations, streamed events
        # and the checkpoints all hold what the agent saw.
        if self.level != "city":
            return self._across_cities(session_id, request, now)
        if request.session_id and self._paused(session_id):
            raise Conflict("该会话有待确认的写操作; 请先用 /v1/chat/confirm 确认或取消")
        values = self.agent.invoke(new_turn_input(redacted(request.message), request.role, now), self._config(session_id),
                                   durability=DURABILITY)  # fmt: skip
        return self._response(session_id, values)

    def confirm(self, request: ConfirmRequest, who: Identity | None = None) -> ChatResponse:
        """Approve or refuse the paused writes; ``who`` (the caller) must be allowed to do each of them, and
        is recorded as their actor."""
        with self._session_lock(request.session_id):
            return self._confirm(request, who)

    def _confirm(self, request: ConfirmRequest, who: Identity | None) -> ChatResponse:
        from langgraph.types import Command

        if not self._paused(request.session_id):
            raise InvalidInput("该会话没有待确认的操作 / nothing to confirm in this session")
        if who is not None and request.approved:
            calls = self._response(request.session_id).pending
            for call in calls.calls if calls else []:
                action = WRITE_ACTIONS.get(call["name"])
                if action and not who.may(action):
                    raise Forbidden(f"角色「{ROLE_NAMES[who.role]}」无权确认{ACTION_NAMES[action]}（{call['name']}）; 操作仍待有权限的人确认")
        resume = {"approved": request.approved, "actor": who.name if who is not None and who.via != "local" else None}
        values = self.agent.invoke(Command(resume=resume), self._config(request.session_id), durability=DURABILITY)
        return self._response(request.session_id, values)

    def stream(self, request: ChatRequest, now: datetime | None = None) -> Iterator[tuple[str, Any]]:
        """Events for SSE: ``tool`` per finished tool call, ``token`` pieces of the answer, then ``done``."""
        session_id = request.session_id or uuid.uuid4().hex
        with self._session_lock(session_id):
            yield from self._stream(session_id, request, now)

    def _across_cities(self, session_id: str, request: ChatRequest, now: datetime | None) -> ChatResponse:
        reply = across_cities.answer(redacted(request.message), self.deps.client, self.platform, now,
                                     lower="省" if self.level == "nation" else "市")  # fmt: skip
        return ChatResponse(session_id=session_id, answer=reply.answer, citations=reply.citations,
                            tool_calls=[ToolCallInfo(**call) for call in reply.tool_calls], mode="offline-planner")  # fmt: skip

    def _stream(self, session_id: str, request: ChatRequest, now: datetime | None) -> Iterator[tuple[str, Any]]:
        if self.level != "city":
            response = self._across_cities(session_id, request, now)
            for call in response.tool_calls:
                yield "tool", call.model_dump(include={"id", "name", "args", "ok"})
            for piece in _pieces(response.answer):
                yield "token", {"text": piece}
            yield "done", response.model_dump(mode="json")
            return
        if request.session_id and self._paused(session_id):
            raise Conflict("该会话有待确认的写操作; 请先用 /v1/chat/confirm 确认或取消")
        config = self._config(session_id)
        for update in self.agent.stream(new_turn_input(redacted(request.message), request.role, now), config, stream_mode="updates",
                                        durability=DURABILITY):  # fmt: skip
            for node, change in update.items():
                if node == "tools" and isinstance(change, dict):
                    for record in change.get("records", []):
                        yield "tool", {"id": record["id"], "name": record["name"], "args": record["args"], "ok": record["ok"]}
        response = self._response(session_id)
        for piece in _pieces(response.answer):
            yield "token", {"text": piece}
        yield "done", response.model_dump(mode="json")


def _pieces(text: str, size: int = 16) -> Iterator[str]:
    for i in range(0, len(text), size):
        yield text[i : i + size]
