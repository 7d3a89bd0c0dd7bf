"""``yiwang memo``: a decision memo on a topic, printed as Markdown or written as .md, .docx or .pdf."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from cli.common import clean_errors, console, err_console, opened, settings
from core.exceptions import InvalidInput

FORMATS = (".md", ".docx", ".pdf")


@clean_errors
def memo(
    topic: Annotated[str, typer.Argument(help="议题, 如 道路积水内涝")],
    district: Annotated[str | None, typer.Option(help="区名或区划代码 (默认全市)")] = None,
    period: Annotated[str | None, typer.Option(help="2026、2026-11、2026-11-24、2026-11-23..2026-11-29 或 last30d (默认本月)")] = None,
    out: Annotated[Path | None, typer.Option(help="写入文件: .md、.docx 或 .pdf (默认打印 Markdown)")] = None,
) -> None:
    """背景/现状/研判/建议/依据 with every figure cited, from the live services; kept like POST /v1/memos."""
    from memos.compose import compose_memo
    from memos.export import to_docx, to_pdf
    from memos.models import MemoRequest
    from memos.store import save_memo

    if out is not None and out.suffix.lower() not in FORMATS:
        raise InvalidInput(f"不支持的文件类型 {out.suffix or '(无扩展名)'}; 用 {'、'.join(FORMATS)}")
    try:
        body = MemoRequest(topic=topic, district=district, period=period)
    except ValidationError as exc:
        raise InvalidInput(f"请求无效: {exc.errors()[0]['msg']}") from exc
    with opened("services", "database") as runtime:
        result = compose_memo(runtime.services, body, level=runtime.settings.level, platform=runtime.settings.platform_name)
        with runtime.sessions() as session:
            save_memo(session, result)
            session.commit()
    if out is None:
        console.print(result.markdown, markup=False)
        return
    suffix = out.suffix.lower()
    font = settings().memo_font
    content = (result.markdown.encode() if suffix == ".md" else to_docx(result.markdown, result.charts, font)
               if suffix == ".docx" else to_pdf(result.markdown, result.title, font, result.charts))  # fmt: skip
    out.write_bytes(content)
    err_console.print(f"已写入决策参考 {result.id} → {out}")
