"""The policy corpus: Markdown documents with YAML front matter in ``data/policies/``.

Facts the graph also holds (SLA hours, department names, category names and codes, sensor
thresholds) are written as placeholders and rendered from the domain tables, so a document can never
disagree with the graph:

- ``{{sla:event-0401}}`` / ``{{urgent_sla:component-0101}}``: 处置时限 in hours (normal / urgent)
- ``{{name:event-0401}}`` → 路面塌陷, ``{{code:event-0401}}`` → 0401, ``{{cat:event-0401}}`` → 路面塌陷（事件 0401）
- ``{{filing:…}}``, ``{{closing:…}}``, ``{{basis:…}}``, ``{{supervisor:…}}``: 立案条件, 结案条件, 法律依据, 监管主体
- ``{{dept_of:component-0101}}`` → the department responsible for that category (各区… for district ones)
- ``{{dept:water}}`` → A市水务局 (a district template renders as 各区…, e.g. 各区城市管理和综合执法局;
  ``{{dept:district_chengguan@A5区}}`` names one district's: A5区城市管理和综合执法局)
- ``{{threshold:water_level.alarm}}`` → 40, ``{{unit:water_level}}`` → cm, ``{{direction:water_pressure}}`` → 低于
- ``{{table:sla}}``, ``{{table:duties}}``, ``{{table:thresholds}}``: whole tables generated from the data
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator

from graph.domain import ComponentCategory, DomainTables, EventCategory
from graph.exceptions import LoadError

_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+):([^{}\s]+)\s*\}\}")
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
KIND_ZH = {"event": "事件", "component": "部件"}


class PolicyMeta(BaseModel):
    """Front matter of one policy document."""

    id: str = Field(pattern=r"^policy-[a-z0-9_-]+$")
    title: str
    issuer: str
    doc_number: str = Field(description="文号, e.g. A政办发〔2023〕12号")
    date: date
    level: Literal["national", "provincial", "municipal", "district"]
    district: str | None = Field(None, description="A1区…A7区 for district-level documents")
    valid_from: date | None = None
    valid_to: date | None = None
    topics: list[str]
    departments: list[str] = Field(default_factory=list, description="department keys of data/domain")
    governs: list[str] = Field(default_factory=list, description="category ids, e.g. event-0401")
    source_note: str | None = Field(None, description="for national documents: what the facts rest on")

    @field_validator("governs")
    @classmethod
    def _category_ids(cls, values: list[str]) -> list[str]:
        bad = [v for v in values if not re.fullmatch(r"(event|component)-\d{4}", v)]
        if bad:
            raise ValueError(f"governs entries must look like event-0401 or component-0101: {bad}")
        return values


class PolicyDoc(BaseModel):
    meta: PolicyMeta
    text: str  # rendered Markdown body
    path: str


class _Facts:
    """Answers placeholders from the domain tables."""

    def __init__(self, domain: DomainTables) -> None:
        self.domain = domain
        self.categories: dict[str, ComponentCategory | EventCategory] = {
            c.id: c for c in domain.categories
        }

    def dept_name(self, key: str) -> str:
        key, _, district = key.partition("@")
        dept = self.domain.department_by_key.get(key)
        if dept is None:
            raise KeyError(f"unknown department key {key!r}")
        if dept.level != "district":
            return dept.name
        return dept.name.replace("{district}", district or "各区")

    def render(self, kind: str, arg: str) -> str:
        if kind == "dept":
            return self.dept_name(arg)
        if kind in ("threshold", "unit", "direction"):
            sensor_kind, _, level = arg.partition(".")
            sensor = self.domain.sensor_kind_by_name[sensor_kind]
            if kind == "unit":
                return sensor.unit
            if kind == "direction":
                return "低于" if sensor.direction == "below" else "高于"
            value = getattr(sensor, level)
            if value is None:
                raise KeyError(f"sensor kind {sensor_kind} has no {level} threshold")
            return f"{value:g}"
        if kind == "table":
            return {"sla": self.sla_table, "duties": self.duties_table, "thresholds": self.thresholds_table}[arg]()
        category = self.categories[arg]
        values = {
            "sla": str(category.sla_hours), "urgent_sla": str(category.urgent_sla_hours),
            "name": category.name, "code": category.code, "cat": f"{category.name}（{KIND_ZH[category.kind]} {category.code}）",
            "filing": category.filing_condition, "closing": category.closing_condition,
            "basis": category.legal_basis, "supervisor": category.supervisor,
            "dept_of": self.dept_name(category.dept_key),
        }  # fmt: skip
        return values[kind]

    def sla_table(self) -> str:
        rows = ["| 类别 | 编码 | 名称 | 责任部门 | 处置时限(小时) | 紧急时限(小时) |", "|---|---|---|---|---|---|"]
        for c in self.domain.categories:
            rows.append(f"| {KIND_ZH[c.kind]} | {c.code} | {c.name} | {self.dept_name(c.dept_key)} | "
                        f"{c.sla_hours} | {c.urgent_sla_hours} |")  # fmt: skip
        return "\n".join(rows)

    def duties_table(self) -> str:
        rows = ["| 部门 | 主要职责 |", "|---|---|"]
        rows += [f"| {self.dept_name(d.key)} | {d.duties} |" for d in self.domain.departments]
        return "\n".join(rows)

    def thresholds_table(self) -> str:
        rows = ["| 监测项 | 单位 | 关注 | 预警 | 报警 |", "|---|---|---|---|---|"]
        for s in self.domain.sensor_kinds:
            cells = ["—" if v is None else f"{v:g}" for v in (s.watch, s.warning, s.alarm)]
            rows.append(f"| {s.name} | {s.unit} | {' | '.join(cells)} |")
        return "\n".join(rows)


def render_text(text: str, domain: DomainTables, where: str = "") -> str:
    """Replace every placeholder; an unknown one raises ``LoadError`` naming the file."""
    facts = _Facts(domain)

    def substitute(match: re.Match[str]) -> str:
        try:
            return facts.render(match.group(1), match.group(2))
        except (KeyError, AttributeError) as exc:
            raise LoadError(f"{where}: 无法解析占位符 {match.group(0)} ({exc})") from exc

    return _PLACEHOLDER.sub(substitute, text)


def load_policy(path: Path, domain: DomainTables) -> PolicyDoc:
    raw = path.read_text(encoding="utf-8")
    match = _FRONT_MATTER.match(raw)
    if not match:
        raise LoadError(f"{path}: 缺少 YAML front matter (--- … ---)")
    try:
        meta = PolicyMeta.model_validate(yaml.safe_load(match.group(1)))
    except (yaml.YAMLError, ValidationError) as exc:
        raise LoadError(f"{path}: front matter 无效: {exc}") from exc
    unknown = [k for k in meta.departments if k not in domain.department_by_key]
    known_categories = {c.id for c in domain.categories}
    unknown += [g for g in meta.governs if g not in known_categories]
    if unknown:
        raise LoadError(f"{path}: front matter names unknown departments or categories: {unknown}")
    body = render_text(raw[match.end():], domain, where=str(path))
    return PolicyDoc(meta=meta, text=body, path=str(path))


def load_corpus(policies_dir: Path, domain: DomainTables) -> list[PolicyDoc]:
    """Every ``*.md`` in ``policies_dir``, rendered; document ids must be unique."""
    docs = [load_policy(path, domain) for path in sorted(policies_dir.glob("*.md"))]
    seen: dict[str, str] = {}
    for doc in docs:
        if doc.meta.id in seen:
            raise LoadError(f"{doc.path}: document id {doc.meta.id} already used by {seen[doc.meta.id]}")
        seen[doc.meta.id] = doc.path
    return docs
