"""The chat question sets (evals/data/chat_dev_src.jsonl, chat_heldout_src.jsonl): well formed, every intent
covered, and no question of one set a near-copy of another's (compared by similarity, not only equality:
a held-out question that re-words a development one by a character measures nothing new)."""

from __future__ import annotations

import json
from collections import Counter
from difflib import SequenceMatcher
from pathlib import Path

import pytest

from evals import DATA

SETS = {"dev": DATA / "chat_dev_src.jsonl", "heldout": DATA / "chat_heldout_src.jsonl"}
INTENTS = {"case_stats", "department_performance", "alarms", "sensor_readings", "vitals", "forecast", "responsibility",
           "assets", "policy", "case_lookup", "triage", "out_of_scope", "unknown_place", "injection"}  # fmt: skip
NEAR_COPY = 0.8


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("name", SETS)
def test_each_set_is_well_formed_and_covers_every_intent(name: str) -> None:
    rows = _read(SETS[name])
    assert len({r["id"] for r in rows}) == len(rows) >= 150
    for row in rows:
        assert row["role"] in {"official", "hotline", "analyst"}, row["id"]
        assert row["intent"] in INTENTS, row["id"]
        assert row["turns"] and all(isinstance(t, str) and t.strip() for t in row["turns"]), row["id"]
        assert row["expects"].strip(), row["id"]
        assert isinstance(row["answerable"], bool), row["id"]
    counts = Counter(r["intent"] for r in rows)
    assert set(counts) == INTENTS and min(counts.values()) >= 6, counts


def _similar(a: str, b: str) -> bool:
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return (
        matcher.real_quick_ratio() >= NEAR_COPY
        and matcher.quick_ratio() >= NEAR_COPY
        and matcher.ratio() >= NEAR_COPY
    )


@pytest.mark.parametrize(("name", "least"), [("dev2", 50), ("dev3", 60), ("dev4", 80), ("dev5", 45), ("dev6", 60), ("dev7", 55),
                                            ("dev8", 65), ("dev9", 55), ("dev10", 60), ("dev11", 55), ("dev12", 55),
                                            ("dev13", 55), ("dev14", 55), ("dev15", 55), ("dev16", 55), ("dev17", 55),
                                            ("dev18", 55), ("dev19", 55), ("dev20", 55), ("dev21", 50), ("dev22", 50), ("dev23", 50), ("dev24", 50),
                                            ("dev25", 55), ("dev26", 50), ("dev27", 55), ("dev28", 50), ("dev29", 55),
                                            ("dev30", 55), ("dev31", 50), ("dev32", 50), ("dev33", 50), ("dev34", 50),
                                            ("dev35", 50), ("dev36", 50), ("dev37", 50), ("dev38", 50), ("dev39", 35),
                                            ("dev40", 45), ("dev41", 45), ("dev42", 40), ("dev43", 40),
                                            ("dev44", 45), ("dev45", 40), ("dev46", 45), ("dev47", 45),
                                            ("dev48", 44), ("dev49", 45), ("dev50", 43), ("dev51", 43),
                                            ("dev52", 44), ("dev53", 44), ("dev54", 44), ("dev55", 42)])
def test_the_later_development_sets_are_well_formed(name: str, least: int) -> None:
    rows = _read(DATA / f"chat_{name}_src.jsonl")
    assert len({r["id"] for r in rows}) == len(rows) >= least
    assert all(r["intent"] in INTENTS and r["turns"] and r["expects"].strip() for r in rows)
    recipes = [json.loads(line)["id"] for line in (DATA / f"chat_{name}_gold.jsonl").read_text("utf-8").splitlines() if line]
    assert recipes == [r["id"] for r in rows]  # one recipe per question, in order


def test_no_held_out_question_is_a_near_copy_of_a_development_one() -> None:
    later = [DATA / f"chat_{name}_src.jsonl" for name in ("dev2", "dev3", "dev4", "dev5", "dev6", "dev7", "dev8", "dev9", "dev10", "dev11", "dev12",
                                                          "dev13", "dev14", "dev15", "dev16", "dev17", "dev18", "dev19", "dev20", "dev21", "dev22", "dev23", "dev24",
                                                          "dev25", "dev26", "dev27", "dev28", "dev29", "dev30", "dev31", "dev32",
                                                          "dev33", "dev34", "dev35", "dev36", "dev37", "dev38", "dev39",
                                                          "dev40", "dev41", "dev42", "dev43", "dev44", "dev45", "dev46", "dev47",
                                                          "dev48", "dev49", "dev50", "dev51", "dev52", "dev53", "dev54", "dev55")]
    dev = ["".join(r["turns"]) for path in (SETS["dev"], *later) for r in _read(path)]
    held = [(r["id"], "".join(r["turns"])) for r in _read(SETS["heldout"])]
    copies = [(hid, q, d) for hid, q in held for d in dev if _similar(q, d)]
    assert copies == []


def test_the_assistants_paraphrases_are_the_development_sets_and_nothing_held_out() -> None:
    from evals.paraphrases import PARAPHRASES, paraphrases

    committed = _read(PARAPHRASES)
    assert committed == paraphrases()  # run `python -m evals.paraphrases` after changing a development set
    held = {"".join(r["turns"]) for r in _read(SETS["heldout"])}
    assert not held & {row["text"] for row in committed} and len(committed) > 500


def test_the_analytics_sets_are_well_formed_and_kept_apart() -> None:
    """Issue 16's questions about the analytics (two independent writers; scored by a blind judge, see
    docs/evals.md): each question whole, none held out near a development one or among the paraphrases."""
    from evals.paraphrases import PARAPHRASES

    dev, held = (_read(DATA / f"chat_analytics_{name}.jsonl") for name in ("dev", "heldout"))
    assert (len(dev), len(held)) == (50, 40)
    for row in dev + held:
        assert row["turns"] and row["expects"] and row["intent"] and isinstance(row["answerable"], bool), row["id"]
    questions = ["".join(r["turns"]) for r in dev]
    assert [(r["id"]) for r in held if any(_similar("".join(r["turns"]), q) for q in questions)] == []
    assert not {"".join(r["turns"]) for r in held} & {row["text"] for row in _read(PARAPHRASES)}
