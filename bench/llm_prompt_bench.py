"""LLM mode's prompt budget: tokens of system prompt + tool schemas a model reads per round, counted by a real
OpenAI-compatible server's own tokenizer, for the tools offered per question (issue 15) against the baseline of
every tool offered, in the same run.

Run (a local model, see ../shared/llm/README.md):
    ../shared/llm/start-server.sh 1.5b 8089
    YIWANG_DATA_DIR=… .venv/bin/python bench/llm_prompt_bench.py --url http://127.0.0.1:8089/v1 [--questions 20]
Needs the demo city loaded (``make run`` does it). Target: ≤ 1,500 tokens per round for system and tools.
Each count is one request with ``max_tokens=1``: the server processes the prompt once (≈ 87 tokens/s for the
1.5B model on 2 cores, so the baseline's prompts take half a minute each).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import UTC, datetime
from typing import Any

import httpx
from langchain_core.utils.function_calling import convert_to_openai_tool

from assistant.agent import _turn
from assistant.intents import IntentRecognizer
from assistant.lexicon import CityLexicon
from assistant.llm_context import system_prompt, tools_for
from core.settings import get_settings
from evals import DATA
from graph.backends import open_graph
from tools.runner import langchain_tools


def prompt_tokens(http: httpx.Client, model: str, system: str, tools: list[dict[str, Any]]) -> tuple[int, float]:
    started = time.perf_counter()
    body = {"model": model, "max_tokens": 1, "tools": tools,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": "<question>\n?\n</question>"}]}  # fmt: skip
    response = http.post("/chat/completions", json=body)
    if response.status_code == 400 and "n_prompt_tokens" in response.text:
        # Past the server's context (4,096 here): llama.cpp counts the prompt and refuses it.
        return response.json()["error"]["n_prompt_tokens"], time.perf_counter() - started
    return response.raise_for_status().json()["usage"]["prompt_tokens"], time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8089/v1")
    parser.add_argument("--model", default="qwen2.5-coder-1.5b-instruct")
    parser.add_argument("--questions", type=int, default=20, help="development questions whose tool choice is counted")
    args = parser.parse_args()
    settings = get_settings()
    graph = open_graph(settings)
    lexicon = CityLexicon.from_graph(graph)
    recognizer = IntentRecognizer()
    schemas = {tool.name: convert_to_openai_tool(tool) for tool in langchain_tools()}
    now = datetime.now(UTC)
    system = system_prompt(now, lexicon)
    http = httpx.Client(base_url=args.url, timeout=600)
    # Development questions: a bench prints what it asks, and held-out questions are not for reading.
    questions = [json.loads(line)["turns"][-1] for line in (DATA / "chat_dev_src.jsonl").open(encoding="utf-8")]
    step = max(1, len(questions) // args.questions)
    chosen = questions[::step][: args.questions]

    every, seconds = prompt_tokens(http, args.model, system, list(schemas.values()))
    print(f"baseline, every tool offered ({len(schemas)} tools): {every} tokens, {seconds:.1f} s to process")
    counts: list[int] = []
    cache: dict[tuple[str, ...], int] = {}
    for question in chosen:
        state = {"question": question, "now": now.isoformat(), "memory": {}, "records": []}
        names = tuple(n for n in tools_for(_turn(state, _Deps(lexicon, recognizer)).intents) if n in schemas)  # type: ignore[arg-type]
        if names not in cache:
            cache[names] = prompt_tokens(http, args.model, system, [schemas[n] for n in names])[0]
        counts.append(cache[names])
        print(f"  {cache[names]:5d} tokens  {', '.join(names):60s} {question[:30]}")
    print(f"per question ({len(counts)} development questions): median {statistics.median(counts):.0f}, "
          f"max {max(counts)} tokens (target ≤ 1500); baseline {every}: {every / statistics.median(counts):.1f}× more")


class _Deps:
    """What ``_turn`` reads of the agent's dependencies (no services are called to choose tools)."""

    def __init__(self, lexicon: CityLexicon, recognizer: IntentRecognizer) -> None:
        self.lexicon, self.recognizer = lexicon, recognizer


if __name__ == "__main__":
    main()
