"""Structure-aware chunking of Chinese policy text.

A chunk is one article (第X条), one headed section of a plan or notice, or a slice of a table (its
header row repeated), never more than ``max_chars``. Each chunk keeps the heading path it sits under
(title › 第二章 … › …) in front of its text, so a passage read alone still says where it comes from.
Ids are ``<doc_id>#<n>`` in document order: stable while the document is unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from retrievers.corpus import PolicyDoc

_HEADING = re.compile(r"^(#{1,4})\s+(.*\S)\s*$")
_ARTICLE = re.compile(r"^第[一二三四五六七八九十百零〇两]+条")
_SENTENCE_END = re.compile(r"(?<=[。；！？!?;])")
TABLE_ROWS = 12


@dataclass
class Chunk:
    id: str
    doc_id: str
    n: int
    heading_path: list[str]
    body: str
    article: str | None = None
    meta: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        """What is indexed and shown: the heading path, then the passage."""
        return " › ".join(self.heading_path) + "\n" + self.body


def _blocks(text: str) -> list[tuple[list[str], str, str]]:
    """Split Markdown into (heading path, kind, block) with kind in heading/article/table/para."""
    path: list[str] = []
    out: list[tuple[list[str], str, str]] = []
    current: list[str] = []
    kind = "para"

    def flush() -> None:
        nonlocal current
        block = "\n".join(current).strip()
        if block:
            out.append((list(path), kind, block))
        current = []

    for line in text.splitlines():
        heading = _HEADING.match(line)
        if heading:
            flush()
            level = len(heading.group(1))
            path[:] = path[: level - 1] + [heading.group(2)]
            kind = "para"
            continue
        stripped = line.strip()
        if _ARTICLE.match(stripped):
            flush()
            kind = "article"
        elif stripped.startswith("|") and kind != "table":
            flush()
            kind = "table"
        elif kind == "table" and not stripped.startswith("|"):
            flush()
            kind = "para"
        elif not stripped and kind == "para":
            flush()
            continue
        current.append(line)
    flush()
    return out


def _split_long(body: str, max_chars: int) -> list[str]:
    if len(body) <= max_chars:
        return [body]
    pieces, current = [], ""
    for sentence in _SENTENCE_END.split(body):
        if current and len(current) + len(sentence) > max_chars:
            pieces.append(current)
            current = ""
        current += sentence
    if current:
        pieces.append(current)
    return pieces


def _table_slices(block: str) -> list[str]:
    rows = block.splitlines()
    header, rule, data = rows[0], rows[1] if len(rows) > 1 else "", rows[2:]
    return ["\n".join([header, rule, *data[i : i + TABLE_ROWS]]) for i in range(0, max(len(data), 1), TABLE_ROWS)]


def chunk_document(doc: PolicyDoc, max_chars: int = 600, min_chars: int = 60) -> list[Chunk]:
    """Chunks of one rendered document; short paragraphs under one heading are merged."""
    meta = doc.meta.model_dump(mode="json")
    pieces: list[tuple[list[str], str | None, str]] = []
    for path, kind, block in _blocks(doc.text):
        if kind == "table":
            pieces += [(path, None, piece) for piece in _table_slices(block)]
            continue
        article = _ARTICLE.match(block).group(0) if kind == "article" else None
        if (kind == "para" and pieces and pieces[-1][0] == path and pieces[-1][1] is None
                and not pieces[-1][2].startswith("|") and len(pieces[-1][2]) + len(block) < min_chars * 4):  # fmt: skip
            # Keep a short lead-in paragraph and the list after it together.
            pieces[-1] = (path, None, pieces[-1][2] + "\n" + block)
            continue
        split = _split_long(block, max_chars)
        for index, piece in enumerate(split):
            marker = article if index == 0 else (f"{article}（续）" if article else None)
            pieces.append((path, marker, piece if index == 0 or not article else f"{article}（续）{piece}"))
    title = doc.meta.title
    chunks = []
    for n, (path, article, body) in enumerate(pieces, start=1):
        heading_path = path if path and path[0] == title else [title, *path]
        chunks.append(Chunk(id=f"{doc.meta.id}#{n}", doc_id=doc.meta.id, n=n, heading_path=heading_path,
                            body=body, article=article, meta=meta))  # fmt: skip
    return chunks
