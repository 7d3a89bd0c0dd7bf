"""Layers point down (pyproject.toml's import-linter contract): core ← graph ← services/retrievers ← triage
← tools ← assistant/memos ← runtime ← api/evals ← cli. A lower layer importing a higher one breaks it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from core.settings import REPO_ROOT

# Run in a process of its own: under pytest, the test folders (tests/assistant/, tests/tools/…) join the
# packages' search paths and would be read as part of them.
CHECK = """
import json, sys
from copy import deepcopy
import grimp
from importlinter import api
from importlinter.contracts.layers import LayersContract

config = api.read_configuration("pyproject.toml")
[options] = config["contracts_options"]
contract = LayersContract(name=options["name"], session_options=config["session_options"], contract_options=options)
graph = grimp.build_graph(*config["session_options"]["root_packages"], cache_dir=None)
kept = {}
for added in json.loads(sys.argv[1]):
    probe = deepcopy(graph)
    for importer, imported in added:
        probe.add_import(importer=importer, imported=imported, line_number=1, line_contents="import " + imported)
    check = contract.check(probe, verbose=False)
    kept[json.dumps(added)] = [check.kept, str(check.metadata)[:2000]]

def circles(graph):
    # modules that import each other, directly or round a loop (Tarjan's strongly connected components)
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    def visit(module):
        index[module] = low[module] = len(index)
        stack.append(module); on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported); low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop(); on_stack.discard(member); component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))
    sys.setrecursionlimit(10_000)
    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found

print(json.dumps({"kept": kept, "circles": circles(graph)}))
"""

UPWARD = [
    ("graph.queries", "services.db"),           # the graph below the services
    ("core.settings", "graph.store"),           # core at the very bottom
    ("triage.service", "assistant.chat"),       # triage below the assistant whose tools call it
    ("services.dispatch.cases", "cli.common"),  # nothing imports the command line
    ("tools.client", "runtime"),                # the runtime assembles the tools, not the other way round
    ("services.monitoring.readings", "retrievers.index"),  # services and retrievers do not know each other
]


@pytest.fixture(scope="module")
def checked() -> dict:
    cases = [[]] + [[list(pair)] for pair in UPWARD]
    out = subprocess.run([sys.executable, "-c", CHECK, json.dumps(cases)], cwd=REPO_ROOT, capture_output=True,
                         text=True, timeout=300, check=True).stdout  # fmt: skip
    return json.loads(out)


@pytest.fixture(scope="module")
def kept(checked: dict) -> dict[str, list]:
    return checked["kept"]


def test_no_modules_import_each_other(checked: dict) -> None:
    assert checked["circles"] == []


def test_the_code_keeps_the_layers(kept: dict[str, list]) -> None:
    ok, detail = kept["[]"]
    assert ok, detail


@pytest.mark.parametrize("importer, imported", UPWARD)
def test_an_import_pointing_up_breaks_the_layers(kept: dict[str, list], importer: str, imported: str) -> None:
    assert kept[json.dumps([[importer, imported]])][0] is False
