"""The LLM path over real HTTP: langchain-openai against a small OpenAI-compatible server that replies
from a script (tool call, then an answer), and the fallback when an endpoint cannot be reached."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from fastapi import FastAPI, Request

from assistant.chat import ChatRequest, ChatService
from core.llm import make_chat_model
from core.settings import Settings
from graph.queries.responsibility import responsible_department


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scripted_openai(script: list[dict], seen: list[dict]) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def completions(request: Request) -> dict:
        body = await request.json()
        seen.append(body)
        message = script[min(len(seen) - 1, len(script) - 1)]
        return {"id": f"cmpl-{len(seen)}", "object": "chat.completion", "created": int(time.time()), "model": body["model"],
                "choices": [{"index": 0, "message": message,
                             "finish_reason": "tool_calls" if message.get("tool_calls") else "stop"}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}  # fmt: skip

    return app


@pytest.fixture
def endpoint(world) -> Iterator[tuple[str, list[dict]]]:
    expected = responsible_department(world.graph, "event-0405", district="990103").department.name
    script = [
        {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function", "function": {
            "name": "responsible_department", "arguments": json.dumps({"category": "event-0405", "district": "990103"})}}]},
        {"role": "assistant", "content": f"A3区道路积水由{expected}负责。"},
    ]  # fmt: skip
    seen: list[dict] = []
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(scripted_openai(script, seen), host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}/v1", seen
    server.should_exit = True
    thread.join(5)


def test_an_openai_compatible_endpoint_drives_the_loop(world, checkpoints, endpoint) -> None:
    base_url, seen = endpoint
    model = make_chat_model(Settings(llm_base_url=base_url, llm_model="qwen-test", llm_timeout_s=5))
    chat = ChatService(world.client, world.lexicon, world.recognizer, checkpoints.saver, model, world.graph, llm_role="plan")
    reply = chat.ask(ChatRequest(message="A3区道路积水归谁管？"))
    expected = responsible_department(world.graph, "event-0405", district="990103").department.name
    assert reply.mode == "llm" and expected in reply.answer
    assert [(c.id, c.name, c.ok) for c in reply.tool_calls] == [("call_1", "responsible_department", True)]
    first = seen[0]
    # Only the tools the question can need are offered (a small model reads fewer tokens and picks among fewer).
    assert first["model"] == "qwen-test" and {t["function"]["name"] for t in first["tools"]} == {"responsible_department", "search_entities"}
    assert "今天是" in first["messages"][0]["content"]  # the date: a model does not guess the year
    assert (first.get("max_tokens") or first.get("max_completion_tokens")) == 600  # a reply cannot run for minutes
    assert "<question>" in first["messages"][-1]["content"]
    tool_message = next(m for m in seen[1]["messages"] if m["role"] == "tool")
    assert tool_message["tool_call_id"] == "call_1" and tool_message["content"].startswith("<tool_result")


@pytest.mark.parametrize("provider", ["openai", "ollama"])
def test_an_unreachable_endpoint_falls_back_to_the_offline_planner(world, checkpoints, provider: str) -> None:
    model = make_chat_model(Settings(llm_base_url=f"http://127.0.0.1:{_free_port()}", llm_provider=provider,
                                     llm_model="m", llm_timeout_s=2))  # fmt: skip
    chat = ChatService(world.client, world.lexicon, world.recognizer, checkpoints.saver, model)
    reply = chat.ask(ChatRequest(message="A3区道路积水归谁管？"))
    expected = responsible_department(world.graph, "event-0405", district="990103").department.name
    assert reply.mode == "offline-planner" and "离线规划器" in reply.answer and expected in reply.answer


def test_a_model_slower_than_its_time_limit_hands_the_turn_to_the_offline_planner(world, checkpoints) -> None:
    """A real endpoint that answers after 30 s (a CPU-bound model under load): the turn does not wait for it."""
    import asyncio

    slow = FastAPI()

    @slow.post("/v1/chat/completions")
    async def completions() -> dict:
        await asyncio.sleep(30)
        return {}

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(slow, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    try:
        model = make_chat_model(Settings(llm_base_url=f"http://127.0.0.1:{port}/v1", llm_model="m", llm_timeout_s=1))
        chat = ChatService(world.client, world.lexicon, world.recognizer, checkpoints.saver, model)
        started = time.monotonic()
        reply = chat.ask(ChatRequest(message="A3区道路积水归谁管？"))
        expected = responsible_department(world.graph, "event-0405", district="990103").department.name
        assert reply.mode == "offline-planner" and "离线规划器" in reply.answer and expected in reply.answer
        assert time.monotonic() - started < 10  # the time limit, a retry at most, and the planner: not 30 s
    finally:
        server.should_exit = True
        thread.join(5)
