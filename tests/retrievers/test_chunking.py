"""Chunking keeps articles whole, carries the heading path, splits tables with their header, ids are stable."""

from __future__ import annotations

import re

from tests_support import FIXTURE_POLICIES

from graph.domain import DomainTables
from retrievers.chunking import TABLE_ROWS, chunk_document
from retrievers.corpus import load_policy


def test_one_chunk_per_article_with_heading_path(domain: DomainTables) -> None:
    chunks = chunk_document(load_policy(FIXTURE_POLICIES / "policy-t-manhole.md", domain))
    articles = [c.article for c in chunks if c.article]
    assert articles == ["第一条", "第二条", "第三条", "第四条", "第五条"]
    third = next(c for c in chunks if c.article == "第三条")
    assert third.heading_path == ["A市窨井盖管理办法（测试）", "第二章 处置"]
    assert third.text.startswith("A市窨井盖管理办法（测试） › 第二章 处置\n第三条")
    assert [c.id for c in chunks] == [f"policy-t-manhole#{n}" for n in range(1, len(chunks) + 1)]


def test_same_document_same_ids(domain: DomainTables) -> None:
    doc = load_policy(FIXTURE_POLICIES / "policy-t-manhole.md", domain)
    assert [(c.id, c.body) for c in chunk_document(doc)] == [(c.id, c.body) for c in chunk_document(doc)]


def test_long_article_is_split_at_sentences_and_marked(domain: DomainTables) -> None:
    doc = load_policy(FIXTURE_POLICIES / "policy-t-manhole.md", domain)
    doc.text = doc.text.replace("第五条 本办法", "第五条 " + "井盖巡查应当记录位置和状态。" * 80 + "本办法")
    pieces = [c for c in chunk_document(doc, max_chars=300) if c.article and c.article.startswith("第五条")]
    assert len(pieces) > 2 and all(len(c.body) <= 300 + 20 for c in pieces)
    assert pieces[1].article == "第五条（续）" and pieces[1].body.startswith("第五条（续）")
    assert all(re.search(r"[。；]$", c.body) for c in pieces[:-1])


def test_tables_are_sliced_with_their_header(domain: DomainTables) -> None:
    doc = load_policy(FIXTURE_POLICIES / "policy-t-manhole.md", domain)
    rows = "\n".join(f"| 类别{i} | {i} |" for i in range(TABLE_ROWS * 2 + 3))
    doc.text += f"\n## 附表\n| 类别 | 时限 |\n|---|---|\n{rows}\n"
    tables = [c for c in chunk_document(doc) if c.body.startswith("| 类别 | 时限 |")]
    assert len(tables) == 3
    assert all(c.body.splitlines()[1] == "|---|---|" for c in tables)
    assert sum(len(c.body.splitlines()) - 2 for c in tables) == TABLE_ROWS * 2 + 3
