"""The city's own tables — categories, departments, routing rules, sensor kinds, hotline taxonomy.

They are data a city replaces with its own (``data/domain/*.csv``); the graph, the policy corpus, SLA
rules and triage are all generated from them, so the facts agree everywhere.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from core.settings import Settings
from graph.exceptions import LoadError
from graph.ids import category_id

Urgency = Literal["low", "normal", "high", "critical"]


def _split_list(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(";") if part.strip()]
    return value


class _Category(BaseModel):
    code: str
    major_code: str
    major_name: str
    name: str
    description: str
    dept_key: str
    sla_hours: int
    urgent_sla_hours: int
    filing_condition: str
    closing_condition: str
    legal_basis: str
    supervisor: str
    keywords: list[str]

    _split = field_validator("keywords", mode="before")(_split_list)

    @property
    def id(self) -> str:
        """The category's graph id: ``component-0101``, ``event-0401``."""
        return category_id(self.kind, self.code)  # type: ignore[attr-defined]  # each kind declares it

    @model_validator(mode="after")
    def _consistent(self) -> _Category:
        if len(self.code) != 4 or not self.code.isdigit() or not self.code.startswith(self.major_code):
            raise ValueError(f"code {self.code!r} must be 4 digits starting with major_code {self.major_code!r}")
        if not 0 < self.urgent_sla_hours <= self.sla_hours:
            raise ValueError("need 0 < urgent_sla_hours <= sla_hours")
        return self


class ComponentCategory(_Category):
    """A 部件 (component) class, e.g. 0101 上水井盖."""

    kind: Literal["component"] = "component"
    sensor_kinds: list[str]
    weight: int

    _split_sensors = field_validator("sensor_kinds", mode="before")(_split_list)


class EventCategory(_Category):
    """An 事件 (event) class, e.g. 0401 路面塌陷."""

    kind: Literal["event"] = "event"
    default_urgency: Urgency


class DepartmentTemplate(BaseModel):
    """A department; ``level=district`` rows are templates with ``{district}`` in the name."""

    key: str
    name: str
    short_name: str
    level: Literal["city", "district", "enterprise"]
    duties: str
    aliases: list[str]

    _split = field_validator("aliases", mode="before")(_split_list)


class HotlineRoute(BaseModel):
    """Which department handles a hotline class (``level2='*'`` is the first-level default)."""

    level1: str
    level2: str
    dept_key: str


class CategoryExample(BaseModel):
    """A report in a caller's words and the category it is filed under: what triage learns wordings from."""

    category: str = Field(pattern=r"^(event|component)-\d{4}$")
    text: str = Field(min_length=2)


class SensorKind(BaseModel):
    kind: str
    name: str
    unit: str
    direction: Literal["above", "below"]
    normal: float
    noise: float
    watch: float | None
    warning: float | None
    alarm: float
    min: float
    max: float
    sampling_s: int
    lifeline: str

    @field_validator("watch", "warning", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if value == "" else value


class Theme(BaseModel):
    """A subject analysts write memos on (汛期排水防涝, 燃气安全…): the categories, sensor kinds and policies it
    spans. No categories means every category (12345热点诉求 is about whatever citizens raise)."""

    code: str = Field(pattern=r"^[a-z0-9_-]+$")
    name: str
    aliases: list[str]
    description: str
    categories: list[str]
    sensor_kinds: list[str]
    policies: list[str]
    hot_topics: bool = Field(description="the memo reads the hot topics of the citizens' messages")

    _split = field_validator("aliases", "categories", "sensor_kinds", "policies", mode="before")(_split_list)

    @property
    def id(self) -> str:
        return f"theme-{self.code}"


class HotlineClass(BaseModel):
    level1: str
    level2: str
    level3: str


M = TypeVar("M", bound=BaseModel)


def read_table(path: Path, model: type[M], columns: dict[str, str] | None = None,
               hint: str = "the domain tables live in data/domain/ (YIWANG_DOMAIN_DIR)") -> list[M]:  # fmt: skip
    """Read a CSV into models; a bad row raises ``LoadError`` naming the file and row."""
    if not path.exists():
        raise LoadError(f"缺少数据文件 / missing file {path}; {hint}")
    rows: list[M] = []
    # utf-8-sig: a table saved from a spreadsheet often starts with a byte-order mark.
    with open(path, encoding="utf-8-sig", newline="") as handle:
        try:
            for number, raw in enumerate(csv.DictReader(handle), start=2):
                if None in raw:  # more fields than the header: an unquoted comma in a text
                    raise LoadError(f"{path}:{number}: 字段比表头多 / more fields than the header; quote a text that holds a comma")
                record = {columns.get(k, k) if columns else k: v for k, v in raw.items()}
                try:
                    rows.append(model.model_validate(record))
                except ValidationError as exc:
                    problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
                    raise LoadError(f"{path}:{number}: {problems}") from exc
        except UnicodeDecodeError as exc:
            raise LoadError(f"{path}: 不是 UTF-8 编码 / not UTF-8 (byte {exc.start}); save it as UTF-8") from exc
    return rows


@dataclass(frozen=True)
class DomainTables:
    """All domain tables, cross-checked (every department key a rule names exists)."""

    components: list[ComponentCategory]
    events: list[EventCategory]
    departments: list[DepartmentTemplate]
    hotline_routes: list[HotlineRoute]
    sensor_kinds: list[SensorKind]
    hotline_taxonomy: list[HotlineClass]
    category_examples: list[CategoryExample] = field(default_factory=list)
    themes: list[Theme] = field(default_factory=list)

    @cached_property
    def department_by_key(self) -> dict[str, DepartmentTemplate]:
        return {d.key: d for d in self.departments}

    @cached_property
    def sensor_kind_by_name(self) -> dict[str, SensorKind]:
        return {s.kind: s for s in self.sensor_kinds}

    @property
    def categories(self) -> list[ComponentCategory | EventCategory]:
        return [*self.components, *self.events]


def load_city_domain(settings: Settings) -> DomainTables:
    """The domain tables and hotline taxonomy the settings point at."""
    return load_domain(settings.domain_dir, settings.taxonomy_csv)


def load_domain(domain_dir: Path, taxonomy_csv: Path) -> DomainTables:
    """Load and cross-check the tables in ``domain_dir`` plus the city's hotline taxonomy file."""
    tables = DomainTables(
        components=read_table(domain_dir / "component_categories.csv", ComponentCategory),
        events=read_table(domain_dir / "event_categories.csv", EventCategory),
        departments=read_table(domain_dir / "departments.csv", DepartmentTemplate),
        hotline_routes=read_table(domain_dir / "hotline_departments.csv", HotlineRoute),
        sensor_kinds=read_table(domain_dir / "sensor_kinds.csv", SensorKind),
        hotline_taxonomy=read_table(
            taxonomy_csv, HotlineClass, columns={"一级分类": "level1", "二级分类": "level2", "三级分类": "level3"},
            hint="set YIWANG_SHARED_DIR to the folder holding data/hotline/taxonomy.csv",
        ),
        # Optional: without examples, triage reads keywords and category descriptions only.
        category_examples=read_table(examples, CategoryExample) if (examples := domain_dir / "category_examples.csv").exists() else [],
        # Optional too: without themes, a memo's topic is one category.
        themes=read_table(themes, Theme) if (themes := domain_dir / "themes.csv").exists() else [],
    )
    _cross_check(tables)
    return tables


def _cross_check(tables: DomainTables) -> None:
    problems: list[str] = []
    keys = tables.department_by_key
    for category in tables.categories:
        if category.dept_key not in keys:
            problems.append(f"{category.kind} {category.code} {category.name}: unknown dept_key {category.dept_key!r}")
    for component in tables.components:
        problems += [
            f"component {component.code}: unknown sensor kind {kind!r}"
            for kind in component.sensor_kinds
            if kind not in tables.sensor_kind_by_name
        ]
    for route in tables.hotline_routes:
        if route.dept_key not in keys:
            problems.append(f"hotline route {route.level1}/{route.level2}: unknown dept_key {route.dept_key!r}")
    known = {category_id(c.kind, c.code) for c in tables.categories}
    problems += [f"category example {e.text[:20]!r}: unknown category {e.category!r}"
                 for e in tables.category_examples if e.category not in known]  # fmt: skip
    for theme in tables.themes:
        problems += [f"theme {theme.code}: unknown category {c!r}" for c in theme.categories if c not in known]
        problems += [f"theme {theme.code}: unknown sensor kind {k!r}" for k in theme.sensor_kinds
                     if k not in tables.sensor_kind_by_name]  # fmt: skip
    for kind, items in (("component", tables.components), ("event", tables.events)):
        codes = [c.code for c in items]
        problems += [f"duplicate {kind} code {code}" for code in sorted({c for c in codes if codes.count(c) > 1})]
    defaults = {r.level1 for r in tables.hotline_routes if r.level2 == "*"}
    problems += [
        f"hotline class {level1} has no default department (level2='*')"
        for level1 in sorted({c.level1 for c in tables.hotline_taxonomy} - defaults)
    ]
    if problems:
        raise LoadError("领域数据表不一致 / domain tables disagree: " + "; ".join(problems[:20]), errors=problems)
