"""The retrieval metrics, and that the real question set's gold chunks still hold their anchors."""

from __future__ import annotations

import pytest

from core.exceptions import InvalidInput
from core.settings import Settings
from evals import RETRIEVAL_SET
from evals.retrieval import EvalItem, read_items, resolve_gold, score
from graph.domain import DomainTables
from retrievers.index import corpus_chunks


def _item(*gold: str) -> EvalItem:
    return EvalItem(q="q", doc="d", anchor="a", gold=gold)


def test_recall_and_mrr() -> None:
    items = [_item("x"), _item("y"), _item("z", "w")]
    ranked = [["x", "a"], ["a", "b", "y"], ["a"] * 10 + ["z"]]  # ranks 1, 3 and past 10
    result = score(ranked, items)
    assert result.recall == {1: pytest.approx(1 / 3), 5: pytest.approx(2 / 3), 10: pytest.approx(2 / 3)}
    assert result.mrr == pytest.approx((1 + 1 / 3) / 3)


def test_real_question_set_is_large_varied_and_consistent(domain: DomainTables) -> None:
    items = read_items(RETRIEVAL_SET)
    assert len(items) >= 80
    chunks = corpus_chunks(Settings(), domain)
    for item in items:
        assert list(item.gold) == resolve_gold(item.doc, item.anchor, chunks), item.q
    traditional = [i for i in items if any(ch in i.q for ch in "蓋處據過與時發應還舊條")]
    assert len(traditional) >= 5


def test_ambiguous_anchor_is_refused(domain: DomainTables) -> None:
    chunks = corpus_chunks(Settings(), domain)
    with pytest.raises(InvalidInput, match="unique"):
        resolve_gold(chunks[0].doc_id, "的", chunks)
