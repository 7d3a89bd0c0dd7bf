"""What a chat model reads of the tools: compact schemas (issue 15's prompt budget) that still describe every
argument, while the arguments it sends are validated in full."""

from __future__ import annotations

import json

from langchain_core.utils.function_calling import convert_to_openai_tool

from tools.catalog import TOOLS
from tools.query_spec import FigureQuery
from tools.runner import compact_schema, langchain_tools


def test_optional_fields_read_as_their_type_without_titles_defaults_or_limits() -> None:
    full = FigureQuery.model_json_schema()
    compact = compact_schema(full)
    assert set(compact["properties"]) == set(full["properties"])  # every argument is still described
    period = compact["properties"]["period"]
    assert period["type"] == "string" and "anyOf" not in period and "maxLength" not in period
    assert compact["properties"]["sensor_kind"]["enum"][0] == "water_pressure"  # choices are kept
    text = json.dumps(compact, ensure_ascii=False)
    assert '"title"' not in text and '"default"' not in text
    assert len(text) < 0.8 * len(json.dumps(full, ensure_ascii=False))


def test_every_tool_is_offered_with_its_compact_schema_and_validated_in_full() -> None:
    offered = {tool["function"]["name"]: tool for tool in map(convert_to_openai_tool, langchain_tools())}
    assert set(offered) == set(TOOLS)
    assert "measure" in offered["query_figures"]["function"]["parameters"]["required"]
    # The compact schema drops the length limit; the tool's own model still refuses what breaks it.
    from tools.runner import run_tool

    class Nothing:  # the call never reaches the services: validation refuses it first
        pass

    record = run_tool(Nothing(), "query_figures", {"measure": "cases", "period": "x" * 40})  # type: ignore[arg-type]
    assert not record["ok"] and "period" in record["error"]
