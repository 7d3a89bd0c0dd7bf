"""Runs tool calls: validates arguments, turns every failure into a result the planner or model can read,
and gives each call an id citations can point to. Also exposes the tools to LangChain chat models."""

from __future__ import annotations

import json
import uuid
from typing import Any

from langchain_core.tools import StructuredTool
from pydantic import ValidationError

from core.citations import Citation, ToolOutput
from core.exceptions import YiwangError
from tools.catalog import TOOLS, transition_case
from tools.client import ServicesClient

RESULT_CHARS = 6_000  # what a model sees of one result; the full result stays in the record


def new_call_id() -> str:
    return f"call-{uuid.uuid4().hex[:10]}"


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err.get("loc", ())) or "参数"
    return f"参数 {where} 无效: {err.get('msg')}"


def run_tool(client: ServicesClient, name: str, args: dict[str, Any], call_id: str | None = None,
             actor: str = "assistant") -> dict[str, Any]:  # fmt: skip
    """Execute one call. Returns a JSON-able record: id, name, args, ok, data, error, citations."""
    call_id = call_id or new_call_id()
    record: dict[str, Any] = {"id": call_id, "name": name, "args": args, "ok": False, "data": None, "error": None,
                              "citations": []}  # fmt: skip
    spec = TOOLS.get(name)
    if spec is None:
        record["error"] = f"没有名为 {name} 的工具; 可用: {', '.join(TOOLS)}"
        return record
    try:
        parsed = spec.args(**args)
        output: ToolOutput = (transition_case(client, parsed, actor=actor) if name == "transition_case"
                              else spec.run(client, parsed))  # fmt: skip
    except ValidationError as exc:
        record["error"] = _first_error(exc)
        return record
    except YiwangError as exc:
        record["error"] = exc.message
        return record
    except Exception as exc:  # noqa: BLE001 — a failing backend must reach the model as a message, not end the turn
        record["error"] = f"{type(exc).__name__}: {exc}"[:500]
        return record
    record |= {"ok": True, "data": output.data, "citations": [c.model_dump() for c in output.citations]}
    return record


def tool_citation(record: dict[str, Any]) -> Citation:
    args = ", ".join(f"{k}={v}" for k, v in record["args"].items())
    snippet = json.dumps(record["data"], ensure_ascii=False, default=str)[:300]
    return Citation(id=record["id"], kind="tool", title=f"{record['name']}({args})", snippet=snippet)


def result_for_model(record: dict[str, Any]) -> str:
    """A tool result as the model reads it: fenced, so text inside it is data and never instructions."""
    body = record["data"] if record["ok"] else {"error": record["error"]}
    text = json.dumps(body, ensure_ascii=False, default=str)
    if len(text) > RESULT_CHARS:
        text = text[:RESULT_CHARS] + "…(truncated)"
    return f"<tool_result id=\"{record['id']}\">\n{text}\n</tool_result>"


def langchain_tools() -> list[StructuredTool]:
    """The tools as LangChain sees them, for ``bind_tools``. Execution goes through ``run_tool``, so
    these functions are never called directly."""

    def unreachable(**_: Any) -> str:
        raise RuntimeError("tools run through tools.runner.run_tool")

    return [StructuredTool(func=unreachable, name=spec.name, description=spec.description,
                           args_schema=compact_schema(spec.args.model_json_schema())) for spec in TOOLS.values()]  # fmt: skip


# Keys a model does not need to fill the arguments well; the arguments are validated in full on the way in.
NOT_FOR_MODELS = {"title", "default", "maxLength", "minLength", "maxItems", "pattern"}


def compact_schema(schema: Any) -> Any:
    """A JSON schema as a small model reads it best and cheapest: an optional field is its type (not
    ``anyOf`` with null), without titles, defaults and length limits (a third of the tokens, measured in
    ``bench/llm_prompt_bench.py``)."""
    if isinstance(schema, list):
        return [compact_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    options = schema.get("anyOf")
    if options and len(options) == 2 and {"type": "null"} in options:
        kept = next(o for o in options if o != {"type": "null"})
        schema = {**{k: v for k, v in schema.items() if k != "anyOf"}, **kept}
    return {key: compact_schema(value) for key, value in schema.items() if key not in NOT_FOR_MODELS}
