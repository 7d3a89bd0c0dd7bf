"""The paraphrases the assistant learns what is asked from (issue 15): every single-turn question of the
development chat sets, with its intent — never a held-out question. ``data/chat/paraphrases.jsonl`` is this
module's output, committed so that the product does not read the evaluation's files; a test keeps the two in
step. Run ``python -m evals.paraphrases`` after adding a development set.
"""

from __future__ import annotations

import json
from pathlib import Path

from assistant.asked import PARAPHRASES
from evals.chat import SETS, read_set


def paraphrases() -> list[dict[str, str]]:
    rows = []
    for name in SETS:
        if not name.startswith("dev"):
            continue
        for question, _ in read_set(name):
            # A follow-up's last turn means what it means only after the turns before it.
            if len(question.turns) == 1:
                rows.append({"text": question.turns[0], "asked": question.intent, "source": question.id})
    return rows


def write(path: Path = PARAPHRASES) -> int:
    rows = paraphrases()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return len(rows)


if __name__ == "__main__":
    print(f"{write()} paraphrases → {PARAPHRASES}")
