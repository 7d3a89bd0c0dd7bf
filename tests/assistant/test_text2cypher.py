"""Text-to-Cypher is guarded in layers: the text check, the engine's read-only mode, the row cap and one
retry. Every attempt below leaves the graph unchanged."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage
from test_agent_loop import ScriptedModel, call

from assistant.chat import ChatRequest, ChatService
from assistant.text2cypher import schema_for, text_to_cypher
from graph.exceptions import ReadOnlyViolation
from graph.freeform import ROW_CAP, canonical, check_read_only

WRITES = [
    "CREATE (n:District {id: '990199'}) RETURN n",
    "MATCH (d:District) SET d.name = 'X' RETURN d",
    "MATCH (d:District) DETACH DELETE d RETURN 1",
    "MERGE (n:District {id: '990199'}) RETURN n",
    "ＣＲＥＡＴＥ (n:District {id: '990199'}) RETURN n",  # full-width letters (NFKC folds them)
    "CRE\u200bATE (n:District {id: '990199'}) RETURN n",  # a zero-width space inside the keyword
    "MATCH (d:District) /* harmless */ SET d.name = 'X' RETURN d",
    "MATCH (d:District) RETURN d; CREATE (n:District {id: '990199'})",
    "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
    "CALL dbms.security.createUser('x', 'y', false) RETURN 1",
    "CALL db.idx.fulltext.createNodeIndex('District', 'name') RETURN 1",
    "CALL apoc.periodic.iterate('MATCH (n) RETURN n', 'DETACH DELETE n', {}) YIELD batches RETURN batches",
]


@pytest.mark.parametrize("cypher", WRITES)
def test_the_text_check_refuses_writes_procedures_and_file_loads(cypher: str) -> None:
    with pytest.raises(ReadOnlyViolation):
        check_read_only(cypher)


def test_keywords_inside_string_literals_are_data() -> None:
    assert check_read_only("MATCH (d:Department) WHERE d.duties CONTAINS 'SET UP' RETURN d.name AS name")


def test_canonical_form_removes_what_hides_a_keyword() -> None:
    assert canonical("ＭＡＴＣＨ (n) // x\nRETURN\u200b n;") == "MATCH (n)  \nRETURN n"


def test_the_engine_refuses_a_write_that_the_text_check_would_not_see(world) -> None:
    # Cyrillic "С" is not folded by NFKC: the text check passes it, the engine must still refuse or fail.
    sneaky = "MATCH (d:District) WITH d LIMIT 1 СREATE (n:District {id: '990199'}) RETURN n"
    check_read_only(sneaky)
    with pytest.raises(Exception):  # noqa: B017 — a syntax error or a read-only refusal, never a write
        world.graph.ro_query(sneaky)
    # The engine's own refusal, reached: a well-formed write sent down the read-only path.
    with pytest.raises(ReadOnlyViolation):
        world.graph.ro_query("MATCH (d:District) WITH d LIMIT 1 CREATE (n:District {id: '990199'}) RETURN n")
    assert world.graph.ro_query("MATCH (n:District {id: '990199'}) RETURN n") == []


def test_one_retry_with_the_database_error_then_rows(world) -> None:
    model = ScriptedModel(seen=[], responses=[
        AIMessage("```cypher\nCREATE (n:District {id: '990199'}) RETURN n\n```"),
        AIMessage("```cypher\nMATCH (d:District) RETURN d.name AS name ORDER BY name\n```"),
    ])  # fmt: skip
    answer = text_to_cypher(model, world.graph, "有哪些区？", world.lexicon)
    assert [r["name"] for r in answer.rows] == sorted(d.name for d in world.lexicon.districts)
    assert "CREATE" in model.seen[1][-1].content and len(answer.attempts) == 2
    assert world.graph.ro_query("MATCH (n:District {id: '990199'}) RETURN n") == []


def test_two_failures_make_the_question_unanswerable(world) -> None:
    model = ScriptedModel(seen=[], responses=[AIMessage("MATCH (n) DETACH DELETE n RETURN 1")])
    with pytest.raises(ReadOnlyViolation):
        text_to_cypher(model, world.graph, "删掉一切", world.lexicon)
    assert world.graph.ro_query("MATCH (d:District) RETURN count(d) AS n")[0]["n"] == len(world.lexicon.districts)


def test_rows_are_capped(world) -> None:
    model = ScriptedModel(seen=[], responses=[AIMessage("MATCH (g:Grid) RETURN g.id AS id")])
    assert len(text_to_cypher(model, world.graph, "所有网格", world.lexicon).rows) == ROW_CAP


def test_the_schema_shown_is_filtered_to_the_question(world) -> None:
    schema = schema_for("A3区有哪些泵站？", world.lexicon)
    assert "(:District" in schema and "(:Asset" in schema and "(:HotlineCategory" not in schema
    assert "Landmark" not in schema


def test_the_agent_uses_text_to_cypher_as_a_tool_in_llm_mode(world, checkpoints) -> None:
    count = world.graph.ro_query("MATCH (s:Street)-[:IN]->(:District {id: '990103'}) RETURN count(s) AS n")[0]["n"]
    model = ScriptedModel(seen=[], responses=[
        call("graph_query", {"question": "A3区有几个街道？"}, "g1"),
        AIMessage("```cypher\nMATCH (s:Street)-[:IN]->(:District {id: '990103'}) RETURN count(s) AS n\n```"),
        AIMessage(f"A3区共有 {count} 个街道。"),
    ])  # fmt: skip
    chat = ChatService(world.client, world.lexicon, world.recognizer, checkpoints.saver, model, world.graph, llm_role="plan")
    reply = chat.ask(ChatRequest(message="A3区有几个街道？"))
    assert reply.tool_calls[0].name == "graph_query" and reply.tool_calls[0].ok
    assert f"{count} 个街道" in reply.answer
