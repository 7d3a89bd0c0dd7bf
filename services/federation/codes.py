"""Codes across levels: each lower platform's code tables (its ``metadata`` fact) against the parent's own
standard tables. A category is mapped by its code; one whose code the standard lacks cannot be mapped, one
whose name differs is mapped by code and said; a district whose code does not carry the platform's own prefix
(GB/T 30428 codes start with the county's administrative code) is said too. Nothing is dropped silently."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy.orm import Session

from graph.domain import DomainTables
from graph.ids import category_id
from services.federation.received import newest


class CodeIssue(BaseModel):
    code: str
    name: str
    problem: str


class SourceCodes(BaseModel):
    source: str
    source_name: str
    seq: int
    categories: int
    mapped: int
    unmapped: list[CodeIssue]
    renamed: list[CodeIssue]
    districts: int
    foreign_districts: list[CodeIssue]


def code_report(session: Session, domain: DomainTables) -> list[SourceCodes]:
    standard = {category_id(c.kind, c.code): c.name for c in domain.categories}
    out = []
    for held in newest(session, "metadata", "codes"):
        tables = held.payload
        unmapped, renamed = [], []
        for category in tables.get("categories", []):
            if category["id"] not in standard:
                unmapped.append(CodeIssue(code=category["id"], name=category["name"], problem="标准类别表中没有此编码, 无法对应"))
            elif standard[category["id"]] != category["name"]:
                renamed.append(CodeIssue(code=category["id"], name=category["name"],
                                         problem=f"按编码对应到「{standard[category['id']]}」(名称不同)"))  # fmt: skip
        prefix = held.source[:4]
        foreign = [CodeIssue(code=d["code"], name=d["name"], problem=f"区划代码不以本市代码 {prefix} 开头")
                   for d in tables.get("districts", []) if not d["code"].startswith(prefix)]  # fmt: skip
        categories = len(tables.get("categories", []))
        out.append(SourceCodes(source=held.source, source_name=held.source_name, seq=held.seq, categories=categories,
                               mapped=categories - len(unmapped), unmapped=unmapped, renamed=renamed,
                               districts=len(tables.get("districts", [])), foreign_districts=foreign))  # fmt: skip
    return out
