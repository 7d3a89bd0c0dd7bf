"""``yiwang triage``: triage one report, or a JSONL file of them (batch, progress bar, JSONL out)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from cli.common import clean_errors, console, err_console, opened, progress_bar
from core.exceptions import InvalidInput

BATCH = 200


@clean_errors
def triage(
    text: Annotated[str | None, typer.Argument(help="诉求原文 / the report")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="JSONL: 每行 {\"text\": …} (或 subject/detail)")] = None,
    out: Annotated[Path | None, typer.Option(help="结果 JSONL (默认标准输出)")] = None,
) -> None:
    """Category, place, department, urgency and duplicates of a citizen report (writes nothing)."""
    from triage.service import TriageRequest

    if (text is None) == (file is None):
        raise InvalidInput("请给出一条诉求文本, 或用 --file 指定 JSONL 文件 (二选一)")
    requests: list[TriageRequest] = []
    try:
        if text is not None:
            requests = [TriageRequest(text=text)]
        else:
            assert file is not None
            if not file.exists():
                raise InvalidInput(f"文件不存在: {file}")
            for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InvalidInput(f"{file}:{number}: 不是 JSON ({exc.msg})") from exc
                body = row.get("text") or f"{row.get('subject', '')}。{row.get('detail', '')}".strip("。")
                requests.append(TriageRequest(text=body, address=row.get("address")))
    except ValidationError as exc:
        raise InvalidInput(f"诉求无效: {exc.errors()[0]['msg']}") from exc
    with opened("triage") as runtime:
        service = runtime.triage
        sink = out.open("w", encoding="utf-8") if out else sys.stdout
        with progress_bar("分拨 / triage", total=len(requests)) if file else _nothing() as advance:
            for start in range(0, len(requests), BATCH):
                for result in service.triage_many(requests[start : start + BATCH]):
                    if file:
                        sink.write(json.dumps(result.model_dump(mode="json"), ensure_ascii=False) + "\n")
                    else:
                        _show(result)
                advance(len(requests[start : start + BATCH]))
        if out:
            sink.close()
            err_console.print(f"已写入 {len(requests)} 条结果 → {out}")


class _nothing:
    def __enter__(self):  # type: ignore[no-untyped-def]
        return lambda n: None

    def __exit__(self, *exc: object) -> None:
        return None


def _show(result) -> None:  # type: ignore[no-untyped-def]
    c = result.category
    console.print(f"类别 category: {c.name} ({c.kind} {c.code}, {c.major}) 置信度 {result.confidence:.2f}", markup=False)
    console.print(f"备选 alternatives: {'、'.join(f'{a.name}({a.score:.2f})' for a in result.alternatives)}", markup=False)
    console.print(f"位置 place: 网格 {result.grid_id or '—'} · 区 {result.district or '—'}", markup=False)
    console.print(f"部门 department: {result.department.name if result.department else '—'}", markup=False)
    console.print(f"紧急程度 urgency: {result.urgency} · 疑似重复 duplicates: {', '.join(result.duplicates) or '无'}", markup=False)
    if result.hotline_category:
        console.print(f"热线分类 hotline: {' / '.join(result.hotline_category.path)} ({result.hotline_category.confidence:.2f})",
                      markup=False)  # fmt: skip
    console.print(f"脱敏文本 redacted: {result.redacted_text}", markup=False)
    console.print(f"说明 explanation: {result.explanation}", markup=False)
    console.print("引用 citations: " + "; ".join(f"[{c.kind}] {c.id}" for c in result.citations), markup=False)
