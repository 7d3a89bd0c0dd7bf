"""A memo's Markdown as a Word document or a PDF, for analysts to file and print.

The Markdown is the memo's own simple shape (``#`` title, ``##`` sections, ``-`` and ``1.`` items,
paragraphs, ``![图题](chart-1)`` for a chart); both writers read it line by line and draw each chart where it is
named. Chinese text needs a font that has it: DOCX names 宋体 for East Asian text (Word substitutes a local
one); the PDF embeds (a subset of) the TrueType font named by ``YIWANG_MEMO_FONT`` or else the packaged
WenQuanYi Micro Hei, so its glyphs never depend on the reader's fonts."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer

from core.exceptions import BackendUnavailable
from memos.charts import Chart, cjk_font, render

NUMBERED = re.compile(r"^(\d+)\.\s+(.*)$")
CHART = re.compile(r"^!\[(.*)\]\((chart-\d+)\)$")
CHART_WIDTH_CM = 16


def _blocks(markdown: str) -> Iterator[tuple[str, str]]:
    """(kind, text): title, heading, bullet, numbered (text keeps its number), paragraph."""
    for line in markdown.splitlines():
        line = line.rstrip()
        if not line:
            continue
        if chart := CHART.match(line):
            yield "chart", chart.group(2)
        elif line.startswith("# "):
            yield "title", line[2:]
        elif line.startswith("## "):
            yield "heading", line[3:]
        elif line.startswith("- "):
            yield "bullet", line[2:]
        elif NUMBERED.match(line):
            yield "numbered", line
        else:
            yield "paragraph", line


def to_docx(markdown: str, charts: Sequence[Chart] = (), font_file: Path | None = None) -> bytes:
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = "SimSun"
    normal.font.size = Pt(11)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    by_id = {chart.id: chart for chart in charts}
    for kind, text in _blocks(markdown):
        if kind == "chart":
            if chart := by_id.get(text):
                document.add_picture(io.BytesIO(render(chart, font_file)), width=Cm(CHART_WIDTH_CM))
                document.add_paragraph(chart.title).alignment = 1
        elif kind == "title":
            document.add_heading(text, level=0)
        elif kind == "heading":
            document.add_heading(text, level=1)
        elif kind == "bullet":
            document.add_paragraph(text, style="List Bullet")
        else:  # numbered items keep their own numbers: a citation list must not renumber
            document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _pdf_font(font_file: Path | None) -> str:
    """The registered name of the font to write with (embedded): the given TrueType file, or the packaged one."""
    font_file = cjk_font(font_file)
    name = f"memo-{font_file.stem}"
    if name not in pdfmetrics.getRegisteredFontNames():
        try:
            pdfmetrics.registerFont(TTFont(name, str(font_file), subfontIndex=0))  # a .ttc's first face
        except Exception as exc:  # noqa: BLE001 — reportlab raises several kinds for a missing or bad file
            raise BackendUnavailable(f"备忘录字体无法读取 / memo font unreadable: {font_file} ({exc}); "
                                     "检查 YIWANG_MEMO_FONT 或留空") from exc  # fmt: skip
    return name


def to_pdf(markdown: str, title: str, font_file: Path | None = None, charts: Sequence[Chart] = ()) -> bytes:
    font = _pdf_font(font_file)
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK", spaceAfter=3)
    styles = {
        "title": ParagraphStyle("title", parent=body, fontSize=16, leading=22, alignment=1, spaceAfter=10),
        "heading": ParagraphStyle("heading", parent=body, fontSize=13, leading=20, spaceBefore=8, spaceAfter=4),
        "bullet": ParagraphStyle("bullet", parent=body, leftIndent=5 * mm, bulletIndent=1 * mm),
        "numbered": ParagraphStyle("numbered", parent=body, leftIndent=2 * mm),
        "paragraph": body,
    }
    story: list = []
    by_id = {chart.id: chart for chart in charts}
    for kind, text in _blocks(markdown):
        if kind == "chart":
            if chart := by_id.get(text):
                picture = Image(io.BytesIO(render(chart, font_file)), width=CHART_WIDTH_CM * 10 * mm,
                                kind="proportional", height=CHART_WIDTH_CM * 10 * mm)  # fmt: skip
                story.append(picture)
                story.append(Paragraph(escape(chart.title), ParagraphStyle("caption", parent=body, alignment=1, fontSize=9)))
            continue
        story.append(Paragraph(escape(text), styles[kind], bulletText="•" if kind == "bullet" else None))
    story.append(Spacer(1, 4 * mm))
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title=title, leftMargin=20 * mm, rightMargin=20 * mm,
                      topMargin=18 * mm, bottomMargin=18 * mm).build(story)  # fmt: skip
    return out.getvalue()
