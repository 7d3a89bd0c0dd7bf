"""One eval run: each section's figures and items, and the result file's header (issue 14). The CLI opens
what a section talks to — this process's runtime or a server at a URL — and hands it in here."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from evals import chat, forecast, memos, tasks
from tools.client import ServicesClient

Json = dict[str, Any]
Advance = Callable[[], None]
SECTIONS = ("chat", "tasks", "memo", "triage", "retrieval", "forecast")


def chat_section(set_name: str, target: chat.ChatTarget, services: ServicesClient, only: list[str] | None = None,
                 progress: Advance | None = None) -> Json:  # fmt: skip
    items = chat.read_set(set_name)
    if only:
        items = [i for i in items if i[0].id in set(only) or i[0].intent in set(only)]
    return {"set": set_name} | chat.summarize(chat.run_set(items, target, services, progress))


def tasks_section(talk: tasks.Conversation, services: ServicesClient, k: int, progress: Advance | None = None,
                  only: list[str] | None = None) -> Json:  # fmt: skip
    chosen = [t for t in tasks.read_tasks() if not only or t.id in set(only)]
    results = tasks.run_tasks(chosen, talk, services, k, progress)
    scored = [r for r in results if r.error is None]
    figures: Json = {"tasks": len(results), "unscorable": len(results) - len(scored)}
    if results:
        figures["pass^1"] = round(sum(r.pass_hat(1) for r in scored) / len(results), 3)
        figures[f"pass^{k}"] = round(sum(r.pass_hat(k) for r in scored) / len(results), 3)
        no_write = [r for r, t in zip(results, chosen, strict=True) if t.expect.no_write and r.error is None]
        figures["no_write_kept"] = (
            round(sum(r.pass_hat(1) for r in no_write) / len(no_write), 3) if no_write else None
        )
    return {"k": k, "figures": figures, "items": [r.as_json() for r in results]}


def memo_section(
    write: Callable[[Json], Json], services: ServicesClient, progress: Advance | None = None
) -> Json:
    return memos.summarize(memos.run_memos(memos.read_memos(), write, services, progress))


def forecast_section(ids: list[str], services: ServicesClient, progress: Advance | None = None) -> Json:
    return forecast.run_forecasts(ids, services, progress)


def commit() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True,
                              timeout=5).stdout.strip() or None  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None


def result(sections: Json, target: str) -> Json:
    return {"created": datetime.now(UTC).isoformat(timespec="seconds"), "target": target, "commit": commit(),
            "sections": sections}  # fmt: skip
