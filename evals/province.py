"""How well the province's assistant reads a question across cities (issue 19): the measure, which end of
the ranking, and the period, scored on question sets by independent writers who never saw the code
(``evals/data/province_dev.jsonl`` to change the rules on, ``province_heldout.jsonl`` only to report)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from rich.table import Table

from assistant.across_cities import read

DATA = Path(__file__).parent / "data"
SETS = {"dev": DATA / "province_dev.jsonl", "heldout": DATA / "province_heldout.jsonl"}
FIELDS = ("measure", "order", "period")


@dataclass
class Score:
    name: str
    n: int = 0
    right: dict[str, int] = field(default_factory=lambda: dict.fromkeys((*FIELDS, "all"), 0))
    misses: list[str] = field(default_factory=list)


def evaluate(set_name: str) -> Score:
    score = Score(set_name)
    for line in SETS[set_name].read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        got = read(item["question"])
        said = {"measure": got.measure.name if got.measure else "none", "order": got.order, "period": got.period}
        if item["measure"] == "none":  # nothing to rank or date when the measure is not one the cities send
            said["order"], said["period"] = item["order"], item["period"]
        ok = {f: said[f] == item[f] for f in FIELDS}
        score.n += 1
        for f in FIELDS:
            score.right[f] += ok[f]
        score.right["all"] += all(ok.values())
        if not all(ok.values()):
            score.misses.append(f"{item['id']} {item['question']} → {said} (expected "
                                f"{ {f: item[f] for f in FIELDS} })")  # fmt: skip
    return score


def table(score: Score, show_misses: bool) -> Table:
    out = Table("figure", "value", title=f"省级问答理解 / reading questions across cities · {score.name} ({score.n})")
    for key in ("all", *FIELDS):
        out.add_row(key, f"{score.right[key] / score.n:.3f}" if score.n else "—")
    if show_misses:
        for miss in score.misses:
            out.add_row("miss", miss)
    return out
