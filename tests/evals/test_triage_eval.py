"""The triage figures are computed right, and the labelled set agrees with the graph it was written from."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from core.settings import Settings
from evals import TRIAGE_SET
from evals.triage import TriageScores, evaluate_real, evaluate_set, read_set
from graph.domain import load_domain
from graph.queries.places import grid_at
from graph.queries.responsibility import responsible_department
from services.db import make_engine, migrate, session_factory
from triage.hotline import read_labelled, read_taxonomy
from triage.service import Triage

SET = TRIAGE_SET
DEV = SET.with_name("triage_dev.jsonl")
HOLDOUT = SET.with_name("triage_holdout.jsonl")


def test_the_labelled_set_is_large_varied_and_true_to_the_graph(graph) -> None:
    items = read_set(SET)
    assert len(items) >= 300
    assert {"typo", "traditional", "no_location", "two_issues", "injection", "long", "repeat"} <= {
        i["variant"] for i in items
    }
    for item in items[::7]:
        if item["grid_id"]:
            rule = responsible_department(graph, item["category"], grid_id=item["grid_id"])
            assert rule.department.id == item["department_id"], item["id"]
        else:
            assert item["department_id"] is None and item["district"] is None
    repeats = [i for i in items if i["duplicate_of"]]
    by_id = {i["id"]: i for i in items}
    assert repeats and all(by_id[r["duplicate_of"]]["grid_id"] == r["grid_id"] for r in repeats)


def test_the_held_out_set_has_add_on_sentences_of_its_own() -> None:
    """Details, typos, injections and complaints the generator adds: the held-out set's are not the shared
    ones, nor close to them or to the urgency rules' words (urgency_rules.csv once copied a shared one)."""
    from evals.make_triage_set import HOLDOUT_ADDONS, Addons

    shared, held = Addons(), Addons.read(HOLDOUT_ADDONS)

    def sentences(addons: Addons) -> list[str]:
        return [*addons.high_details, *addons.critical_details.values(), *addons.low_details, *addons.injections,
                addons.long_prefix, addons.long_suffix, addons.repeat_suffix]  # fmt: skip

    rules = [
        w
        for line in Settings().urgency_rules_csv.read_text(encoding="utf-8").splitlines()[1:]
        for w in line.split(",")[1].split("|")
    ]
    assert len(sentences(held)) >= 15 and set(held.typos) == set(shared.typos)
    assert not _too_close(sentences(held), sentences(shared) + rules)
    assert not set(held.typos.values()) & set(shared.typos.values())


def _bare(phrasing: str) -> str:
    return phrasing.lstrip("!").replace("{loc}", "")


def _too_close(ours: list[str], theirs: list[str], limit: float = 0.8) -> list[tuple[str, str]]:
    """Pairs at least ``limit`` similar (difflib ratio): "下完雨积水到膝盖了" / "下完雨积水快到膝盖了" is one
    wording, not two, though neither holds the other."""
    close = []
    for a in ours:
        for b in theirs:
            matcher = difflib.SequenceMatcher(None, a, b)
            if (
                matcher.real_quick_ratio() >= limit
                and matcher.quick_ratio() >= limit
                and matcher.ratio() >= limit
            ):
                close.append((a, b))
    return close


def test_the_three_sets_and_the_examples_share_no_wording(graph) -> None:
    """Keywords and rules are tuned on the development set, whose phrasings are also the example reports
    triage learns from; the test and held-out sets measure them only while no wording of one is close to
    one of another, or to a keyword the rules read."""
    from evals.make_triage_set import DEV_PHRASES, HOLDOUT_PHRASES, PHRASES

    dev_phrases = json.loads(DEV_PHRASES.read_text(encoding="utf-8"))
    holdout_phrases = json.loads(HOLDOUT_PHRASES.read_text(encoding="utf-8"))
    assert set(dev_phrases) == set(PHRASES) == set(holdout_phrases)
    test = [_bare(p) for ps in PHRASES.values() for p in ps]
    dev = [_bare(p) for ps in dev_phrases.values() for p in ps]
    holdout = [_bare(p) for ps in holdout_phrases.values() for p in ps]
    domain = load_domain(Settings().domain_dir, Settings().taxonomy_csv)
    examples = [e.text for e in domain.category_examples]
    keywords = [k for c in domain.categories for k in c.keywords]
    assert len(examples) >= 400 and len(holdout) >= 150 and len(keywords) >= 300
    assert not _too_close(test, dev + examples + keywords)
    assert not _too_close(holdout, test + dev + examples + keywords)
    reports = {name: read_set(path) for name, path in (("dev", DEV), ("test", SET), ("holdout", HOLDOUT))}
    texts = [{i["text"] for i in items} for items in reports.values()]
    assert all(len(items) >= 300 for items in reports.values()) and not (
        texts[0] & texts[1] or texts[1] & texts[2]
    )
    for item in reports["dev"][::7] + reports["holdout"][::7]:
        if item["grid_id"]:
            rule = responsible_department(graph, item["category"], grid_id=item["grid_id"])
            assert rule.department.id == item["department_id"], item["id"]


def test_scores_count_what_happened(graph, base_settings: Settings, tmp_path: Path) -> None:
    if graph.backend != "falkordb-embedded":
        pytest.skip("one graph engine is enough for the arithmetic")
    crossing = graph.ro_query("MATCH (a:Road)-[x:INTERSECTS]->(b:Road) RETURN a.name AS first, b.name AS second, "
                              "x.lon AS lon, x.lat AS lat ORDER BY first, second LIMIT 1")[0]  # fmt: skip
    grid = grid_at(graph, crossing["lon"], crossing["lat"])
    dept = responsible_department(graph, "component-0110", grid_id=grid.id).department.id
    place = f"{crossing['first']}和{crossing['second']}交叉口"
    base = {"category": "component-0110", "grid_id": grid.id, "district": grid.id[:6], "department_id": dept,
            "urgency": "normal", "place": "intersection"}  # fmt: skip
    items = [
        {**base, "id": "a", "text": f"{place}的路灯不亮了", "variant": "plain", "duplicate_of": None},
        {**base, "id": "b", "text": f"{place}路灯坏了好几天", "variant": "repeat", "duplicate_of": "a", "urgency": "high"},
        {**base, "id": "c", "text": "我家楼下的垃圾没人清", "variant": "no_location", "duplicate_of": None, "category": "event-0102",
         "grid_id": None, "district": None, "department_id": None},
    ]  # fmt: skip
    engine = make_engine(f"sqlite:///{tmp_path / 'e.db'}")
    migrate(engine)
    service = Triage.from_settings(base_settings, graph, session_factory(engine), None)
    scores = evaluate_set(service, graph, items, {"component-0110": "部件", "event-0102": "事件"})
    engine.dispose()
    assert isinstance(scores, TriageScores) and scores.n == 3 and scores.top1 == 3
    assert scores.grid == [True, True, True] and scores.department == [True, True]
    assert (scores.dup_tp, scores.dup_fp, scores.dup_fn) == (1, 0, 0) and scores.dup_recall == 1.0
    assert scores.urgency == 3  # the repeat is raised a level, as its label says


def test_real_messages_are_cross_validated_against_a_baseline() -> None:
    hotline = Settings().shared_dir / "data" / "hotline"
    labelled = read_labelled(hotline / "labelled.jsonl")
    scores = evaluate_real(labelled, read_taxonomy(hotline / "taxonomy.csv"), folds=3)
    alone = evaluate_real(labelled, [], folds=3)
    assert scores.n == len(labelled) == 308
    assert scores.macro_f1 > scores.baseline_macro_f1 + 0.3 and 0 < scores.accuracy <= 1
    assert scores.macro_f1 > alone.macro_f1  # the taxonomy's names teach what the messages do not
    assert sum(n for _, n in scores.per_class.values()) == 308 and len(scores.per_class) == 7
