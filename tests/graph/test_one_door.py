"""One door to the graph: Cypher lives in ``graph/`` only, and nothing but the demo commands needs the
demo generator (``graph.demo``)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {"graph", "tests"}

# Clauses that make a string a Cypher query. Upper case as the project writes them, and shaped (a
# pattern's parenthesis, UNWIND … AS, an index FOR (…) / ON :Label) so that SQL and prose do not match.
CYPHER = re.compile(
    r"\b(?:OPTIONAL\s+)?MATCH\s*\("
    r"|\bMERGE\s*\("
    r"|\bCREATE\s*\("
    r"|\bUNWIND\s+\$?\w+\s+AS\b"
    r"|\bDETACH\s+DELETE\b"
    r"|\bCREATE\s+(?:\w+\s+)?(?:INDEX|CONSTRAINT)\b.*?(?:\bFOR\s*\(|\bON\s*:)"
    r"|\bCALL\s+db\."
    r"|^\s*RETURN\s+\S",
    re.DOTALL,
)

# Packages that must import with graph.demo gone; the demo commands (cli.demo, the demo case history)
# may use it.
NON_DEMO = ("api", "assistant", "core", "evals", "graph", "memos", "retrievers", "services", "tools", "triage")
DEMO_ONLY = ("graph.demo", "services.dispatch.demo_history", "services.migrations")


def _sources() -> list[Path]:
    return sorted(
        path for path in ROOT.rglob("*.py")
        if not (set(path.relative_to(ROOT).parts[:-1]) & SKIPPED_DIRS or any(p.startswith(".") for p in path.parts))
    )  # fmt: skip


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the docstring nodes: text about the graph, never run."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def cypher_literals(source: str) -> list[tuple[int, str]]:
    """(line, text) of every string literal (f-string parts included) that holds a Cypher query."""
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
            and CYPHER.search(node.value)]  # fmt: skip


@pytest.mark.parametrize("query", [
    "MATCH (d:District) RETURN d.id AS id",
    "RETURN 1 AS ok",
    "UNWIND $rows AS r MERGE (p:Policy {id: r.id}) SET p += r",
    "MATCH (c:Chunk) DETACH DELETE c",
    "CREATE INDEX FOR (n:Asset) ON (n.grid)",
])  # fmt: skip
def test_the_detector_sees_a_query_in_code_and_an_f_string(query: str) -> None:
    assert cypher_literals(f"rows = graph.ro_query({query!r})")
    assert cypher_literals(f'label = "Grid"\nrows = graph.ro_query(f"{query} // {{label}}")')


@pytest.mark.parametrize("text", [
    "UPDATE cases SET state = :state WHERE id = :id RETURNING id",  # SQL
    "CREATE TABLE readings_rebuilt (sensor_id text)",
    "CREATE INDEX ix_cases_state ON cases (state)",
    "只写 MATCH/OPTIONAL MATCH/WHERE/WITH/RETURN/ORDER BY/LIMIT",  # a prompt naming clauses
    "Validate every file and row, then load them with batched, idempotent MERGE.",
    "baseline RETURN 1",
])  # fmt: skip
def test_the_detector_leaves_sql_and_prose_alone(text: str) -> None:
    assert not cypher_literals(f"x = {text!r}")


def test_no_cypher_outside_graph() -> None:
    found = [f"{path.relative_to(ROOT)}:{line}: {text[:60]!r}"
             for path in _sources() for line, text in cypher_literals(path.read_text(encoding="utf-8"))]  # fmt: skip
    assert not found, "Cypher belongs in graph/ (graph.queries.*); call a named function instead:\n" + "\n".join(found)


def _modules() -> list[str]:
    names = []
    for package in NON_DEMO:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            if not name.startswith(DEMO_ONLY):
                names.append(name)
    return names


BLOCK_DEMO = """
import importlib, sys
from importlib.abc import MetaPathFinder

class NoDemo(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "graph.demo" or name.startswith("graph.demo."):
            raise ImportError(f"{name} is the demo generator; production code must not import it")
        return None

sys.meta_path.insert(0, NoDemo())
failed = []
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed.append(f"{name}: {type(exc).__name__}: {exc}")
print("\\n".join(failed))
sys.exit(1 if failed else 0)
"""


def test_every_non_demo_module_imports_without_the_demo_generator() -> None:
    result = subprocess.run([sys.executable, "-c", BLOCK_DEMO, *_modules()], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
