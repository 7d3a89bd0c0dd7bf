"""The evaluation harness's latest figures, section by section, where the operations screen reads them.

Each ``yiwang eval …`` run scores one or more sections (chat, triage, forecast…); the record keeps the
newest run of every section with when, on which commit and against what it ran, so the screen shows all
of them although they were run apart."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

Json = dict[str, Any]
RECORD = "latest.json"


def record(result: Json, directory: Path) -> Path:
    """Fold one run's sections into the record (a section run again replaces its older figures)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / RECORD
    kept: Json = json.loads(path.read_text("utf-8")) if path.exists() else {"sections": {}}
    for name, section in result["sections"].items():
        kept["sections"][name] = {**section, "created": result["created"], "commit": result.get("commit"),
                                  "target": result.get("target")}  # fmt: skip
    # Written whole then renamed: a screen reading while an eval finishes never sees half a file.
    handle, temporary = tempfile.mkstemp(dir=directory, suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(kept, out, ensure_ascii=False, indent=1)
    os.replace(temporary, path)
    return path


def latest(directory: Path) -> Json:
    """The record; before any run, no sections and the sentence that says how to make one."""
    path = directory / RECORD
    if not path.exists():
        return {"sections": {}, "hint": "还没有评测结果; 运行 yiwang eval all (或 yiwang eval chat 等单项) 后再看"}
    return json.loads(path.read_text("utf-8"))
