"""Chat benchmark: time per turn of the assistant on the demo city.

Run: ``.venv/bin/python bench/chat_bench.py [--turns 200]``. Needs the demo city loaded and the policy
index built (``make run`` does both; or ``yiwang demo build && yiwang graph load && yiwang index build``).
Uses a fresh SQLite database with the city's sensors, simulated readings (with a rainstorm, so alarms are
open) and cases, so every intent has data.

Measured, in the same run:
- offline planner, p50/p95 per turn with 1 session and with 20 concurrent sessions (target p95 ≤ 200 ms);
- the same questions answered by calling their tools directly, without the agent (the baseline: what the
  tools themselves cost);
- the server's own overhead per turn with a fake LLM that answers instantly (tool call, then text):
  turn time minus the time of the tool it called (target ≤ 50 ms).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import AIMessage

from assistant.chat import ChatRequest, ChatService
from assistant.checkpoints import Checkpoints
from assistant.intents import IntentRecognizer
from assistant.lexicon import CityLexicon
from core.settings import Settings, get_settings
from graph.backends import open_graph
from graph.domain import load_city_domain
from graph.queries.places import grid_ids
from retrievers.embedders import make_embedder
from retrievers.index import open_index
from services.db import make_engine, migrate, session_factory
from services.dispatch.cases import create_case
from services.dispatch.models import CaseCreate
from services.monitoring.registry import Registry, sync_sensors
from services.simulation.runner import sensor_specs
from services.simulation.simulator import Simulator, parse_incident
from tools.client import LocalServices
from tools.runner import run_tool

QUESTIONS = [
    "哪些泵站的水位超过警戒线？谁负责？", "A3区现在有哪些告警？", "有没有燃气泄漏报警？", "A3区井盖没了归谁管？",
    "时代阳光大道的桥梁现在怎么样？", "井盖缺失的处置时限是多久？依据哪个文件？", "全市生命体征怎么样？",
    "A5区总体运行情况", "本月各部门按期处置率", "本周有多少案件？", "各区告警数对比", "A1区和A3区哪个案件多？",
    "路灯不亮找哪个部门？", "暴雨内涝应急预案怎么规定的？", "今天天气怎么样？", "超期的案件有多少？",
]  # fmt: skip


def p50_p95(samples: list[float]) -> str:
    ordered = sorted(samples)
    return f"p50 {statistics.median(ordered):7.1f} ms · p95 {ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]:7.1f} ms"


def seed(graph: Any, db_url: str, settings: Settings) -> Any:
    engine = make_engine(db_url)
    migrate(engine)
    sessions = session_factory(engine)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    with sessions() as session:
        sync_sensors(session, graph)
        session.commit()
        registry = Registry()
        registry.load(session)
    domain = load_city_domain(settings)
    simulator = Simulator(sensor_specs(graph, domain), 7, now - timedelta(hours=6), 600.0)
    simulator.add(parse_incident("rainstorm:990103@20", start_tick=0))
    from services.monitoring.readings import ReadingIn, ingest

    for tick in range(36):
        batch = [ReadingIn(sensor_id=r["sensor_id"], ts=r["ts"], value=r["value"]) for r in simulator.tick(tick)]
        with sessions() as session:
            ingest(session, registry, batch, now=now)
            session.commit()
    grids = grid_ids(graph)
    with sessions() as session:
        for i, category in enumerate(["event-0405", "component-0103", "event-0102", "component-0110"] * 25):
            create_case(session, graph, CaseCreate(text="基准测试案件", category_code=category, grid_id=grids[(i * 31) % len(grids)]))
        session.commit()
    return sessions


class InstantModel(FakeMessagesListChatModel):
    def bind_tools(self, tools: Any, **kwargs: Any) -> InstantModel:
        return self


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=160)
    options = parser.parse_args()
    settings = get_settings()
    graph = open_graph(settings)
    documents = open_index(settings, make_embedder(settings.embedding_model), graph)
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        t0 = time.perf_counter()
        sessions = seed(graph, db_url, settings)
        print(f"seeded database in {time.perf_counter() - t0:.1f} s")
        client = LocalServices(graph, sessions, settings.shared_dir, documents)
        lexicon = CityLexicon.from_graph(graph)
        recognizer = IntentRecognizer(documents.dense.embedder.embed_query)
        with Checkpoints(f"sqlite:///{Path(tmp) / 'checkpoints.db'}") as checkpoints:
            chat = ChatService(client, lexicon, recognizer, checkpoints.saver)
            for q in QUESTIONS:  # warm-up: caches, intent example vectors, first-query paths
                chat.ask(ChatRequest(message=q))

            def turn(i: int, session: str | None = None) -> tuple[float, list[tuple[str, dict]]]:
                start = time.perf_counter()
                reply = chat.ask(ChatRequest(message=QUESTIONS[i % len(QUESTIONS)], session_id=session))
                return (time.perf_counter() - start) * 1000, [(c.name, c.args) for c in reply.tool_calls]

            single = [turn(i, "bench-single") for i in range(options.turns)]
            print(f"offline planner, 1 session:     {p50_p95([t for t, _ in single])}  ({options.turns} turns)")

            # Baseline: the same tool calls made directly, without the agent.
            direct = []
            for _, calls in single:
                start = time.perf_counter()
                for name, args in calls:
                    run_tool(client, name, args)
                direct.append((time.perf_counter() - start) * 1000)
            print(f"baseline, tools called directly: {p50_p95(direct)}")
            overhead = [t - d for (t, _), d in zip(single, direct, strict=True)]
            print(f"agent overhead per turn (offline): {p50_p95(overhead)}")

            with ThreadPoolExecutor(20) as pool:
                start = time.perf_counter()
                concurrent = list(pool.map(lambda i: turn(i, f"bench-{i % 20}"), range(options.turns)))
                wall = time.perf_counter() - start
            print(f"offline planner, 20 sessions back to back: {p50_p95([t for t, _ in concurrent])}  "
                  f"({options.turns / wall:.1f} turns/s: the process's capacity on this machine)")  # fmt: skip

            # 20 officials each asking a question every 2 s (an operations centre, not a load test).
            def official(k: int) -> list[float]:
                time.sleep(k * 0.1)  # desks do not all press enter in the same millisecond
                times = []
                for j in range(max(1, options.turns // 20)):
                    begin = time.perf_counter()
                    times.append(turn(k * 7 + j, f"desk-{k}")[0])
                    time.sleep(max(0.0, 2.0 - (time.perf_counter() - begin)))
                return times

            with ThreadPoolExecutor(20) as pool:
                paced = [t for times in pool.map(official, range(20)) for t in times]
            print(f"offline planner, 20 sessions, one question per 2 s each: {p50_p95(paced)}  (target p95 ≤ 200 ms)")

            # A fake LLM that answers instantly: what remains is the server's own work per turn.
            responses = [AIMessage(content="", tool_calls=[{"id": "x", "name": "city_vitals", "args": {"district": "990103"}}]),
                         AIMessage(content="A3区城市生命体征已列出。")]  # fmt: skip
            # The "plan" role: the model's own tool call, then its text (in "write" the planner would call first).
            llm_chat = ChatService(client, lexicon, recognizer, checkpoints.saver, InstantModel(responses=responses),
                                   llm_role="plan")
            llm_turns, tool_only = [], []
            for i in range(options.turns):
                start = time.perf_counter()
                llm_chat.ask(ChatRequest(message="A3区生命体征", session_id=f"llm-{i % 10}"))
                llm_turns.append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                run_tool(client, "city_vitals", {"district": "990103"})
                tool_only.append((time.perf_counter() - start) * 1000)
            print(f"fake LLM turn:                  {p50_p95(llm_turns)}")
            print(f"  its tool alone (baseline):    {p50_p95(tool_only)}")
            print(f"  server overhead per turn:     {p50_p95([a - b for a, b in zip(llm_turns, tool_only, strict=True)])}"
                  "  (target ≤ 50 ms)")  # fmt: skip
    graph.close()


if __name__ == "__main__":
    main()
