"""A memo's Markdown as a Word document or a PDF, for analysts to file and print.

The Markdown is the memo's own simple shape (``#`` title, ``##`` sections, ``-`` and ``1.`` items,
paragraphs); both writers read it line by line. Chinese text needs a font that has it: DOCX names
宋体 for East Asian text (Word substitutes a local one), the PDF uses the Adobe CID font STSong-Light,
which PDF readers carry, so nothing is embedded or downloaded."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from xml.sax.saxutils import escape

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

NUMBERED = re.compile(r"^(\d+)\.\s+(.*)$")
PDF_FONT = "STSong-Light"


def _blocks(markdown: str) -> Iterator[tuple[str, str]]:
    """(kind, text): title, heading, bullet, numbered (text keeps its number), paragraph."""
    for line in markdown.splitlines():
        line = line.rstrip()
        if not line:
            continue
        if line.startswith("# "):
            yield "title", line[2:]
        elif line.startswith("## "):
            yield "heading", line[3:]
        elif line.startswith("- "):
            yield "bullet", line[2:]
        elif NUMBERED.match(line):
            yield "numbered", line
        else:
            yield "paragraph", line


def to_docx(markdown: str) -> bytes:
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = "SimSun"
    normal.font.size = Pt(11)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    for kind, text in _blocks(markdown):
        if kind == "title":
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


def to_pdf(markdown: str, title: str) -> bytes:
    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    body = ParagraphStyle("body", fontName=PDF_FONT, fontSize=10.5, leading=16, wordWrap="CJK", spaceAfter=3)
    styles = {
        "title": ParagraphStyle("title", parent=body, fontSize=16, leading=22, alignment=1, spaceAfter=10),
        "heading": ParagraphStyle("heading", parent=body, fontSize=13, leading=20, spaceBefore=8, spaceAfter=4),
        "bullet": ParagraphStyle("bullet", parent=body, leftIndent=5 * mm, bulletIndent=1 * mm),
        "numbered": ParagraphStyle("numbered", parent=body, leftIndent=2 * mm),
        "paragraph": body,
    }
    story = []
    for kind, text in _blocks(markdown):
        story.append(Paragraph(escape(text), styles[kind], bulletText="•" if kind == "bullet" else None))
    story.append(Spacer(1, 4 * mm))
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title=title, leftMargin=20 * mm, rightMargin=20 * mm,
                      topMargin=18 * mm, bottomMargin=18 * mm).build(story)  # fmt: skip
    return out.getvalue()
