"""What every memo shares: citations numbered in the order the memo first uses them, the data calls cited as
sources, the district asked for, and the 依据 section listing them."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from core.citations import Citation
from core.exceptions import NotFound, YiwangError
from tools.client import Json, ServicesClient


@dataclass
class Sources:
    """Citations numbered in the order the memo first uses them."""

    cited: list[Citation] = field(default_factory=list)

    def ref(self, citation: Citation) -> str:
        ids = [c.id for c in self.cited]
        if citation.id not in ids:
            self.cited.append(citation)
            ids.append(citation.id)
        return f"[{ids.index(citation.id) + 1}]"


def tool_citation(name: str, title: str, data: Json) -> Citation:
    return Citation(id=f"tool:{name}", kind="tool", title=title, snippet=json.dumps(data, ensure_ascii=False)[:300])


def pct(part: float, whole: float) -> str:
    return f"{part / whole:.1%}" if whole else "—"


def one_line(text: str, limit: int = 120) -> str:
    return " ".join(text.split())[:limit]


def find_district(client: ServicesClient, name: str | None) -> Json | None:
    if not name:
        return None
    for entity in client.search_entities(name, label="District", limit=10):
        if name in (entity["id"], entity["name"]):
            return entity
    known = "、".join(e["name"] for e in client.search_entities("区", label="District", limit=20))
    raise NotFound(f"未找到区 {name!r}; 可选: {known}")


def optional(call: Callable[[], Any]) -> Any:
    """A figure the memo can go without (no forecastable history yet, no document index): None."""
    try:
        return call()
    except YiwangError:
        return None


def references(sources: Sources) -> list[str]:
    """The 依据 section: every source, numbered as cited."""
    lines = []
    for number, citation in enumerate(sources.cited, 1):
        if citation.kind == "document":
            lines.append(f"- [{number}] 《{citation.title}》：{one_line(citation.snippet)}")
        elif citation.kind == "graph":
            lines.append(f"- [{number}] {citation.title}：{one_line(citation.snippet)}")
        else:
            lines.append(f"- [{number}] 数据：{citation.title}（{citation.id}）")
    return lines


def previous_month(period: str) -> str | None:
    if not re.fullmatch(r"\d{4}-\d{2}", period):
        return None
    first = datetime.strptime(period, "%Y-%m")
    return f"{(first - timedelta(days=1)):%Y-%m}"


def days_covered(stats: Json, now: datetime) -> float:
    """Days the statistics cover: a month still running counts up to now."""
    start, end = datetime.fromisoformat(stats["start"]), datetime.fromisoformat(stats["end"])
    return max((min(end, now) - start).total_seconds() / 86400, 1.0)


def previous_period(period: str) -> str | None:
    """The period before, to compare with: the month before a month, the N days before the last N days."""
    if rolling := re.fullmatch(r"last(\d{1,3})d", period):
        return f"prev{rolling.group(1)}d"
    return previous_month(period)


def period_words(stats: Json) -> str:
    """How a memo names a period: 2026年11月, 近30天，11-06至12-06, 此前30天，10-07至11-06, or its dates."""
    period, start, end = stats["period"], stats["start"][:10], stats["end"][:10]
    last = (datetime.fromisoformat(stats["end"]) - timedelta(seconds=1)).date().isoformat()
    if month := re.fullmatch(r"(\d{4})-(\d{2})", period):
        return f"{month.group(1)}年{int(month.group(2))}月"
    if rolling := re.fullmatch(r"(last|prev)(\d{1,3})d", period):
        word = "近" if rolling.group(1) == "last" else "此前"
        return f"{word}{rolling.group(2)}天，{start[5:]}至{end[5:]}"
    return f"{start}至{last}" if start != last else start


def partial(stats: Json) -> bool:
    """The period starts before the first case on record: its count covers only part of it."""
    since = stats.get("data_since")
    return bool(since and since[:10] > stats["start"][:10])
