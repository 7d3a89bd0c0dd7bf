"""Triage of one report or a batch: category, place, department, urgency, duplicates, the city's own
hotline class, redacted text, explanation and citations. Reads only; a person confirms before
``POST /v1/cases`` writes anything."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, Field, field_validator
from sqlalchemy.orm import Session, sessionmaker

from core import clock
from core.citations import Citation
from core.exceptions import NotFound, YiwangError
from core.llm import make_chat_model
from core.redact import redact
from core.settings import Settings
from core.text import normalize
from core.times import CHINA
from core.untrusted import strip_instructions
from graph.domain import DomainTables, load_city_domain
from graph.queries.responsibility import all_rules, hotline_category_ids
from graph.store import GraphStore
from retrievers.index import DocumentIndex
from services.dispatch.models import Location as LonLat
from triage.classify import CategoryClassifier, CategoryGuess, further_matter
from triage.duplicates import find_duplicates
from triage.hotline import trained_classifier
from triage.locate import Gazetteer
from triage.rerank import rerank
from triage.urgency import NAMES, assess, load_rules

MAX_TEXT = 20_000
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
MAX_BATCH = 1_000
LOW_CONFIDENCE = 0.35
LEARNED_NOTE = 0.25  # evidence from the example model worth naming beside keywords (a 1-character keyword)


class TriageRequest(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_TEXT, description="市民诉求原文")
    address: str | None = Field(None, max_length=500)
    location: LonLat | None = None
    channel: Literal["12345", "app", "patrol", "sensor"] = "12345"
    reported_at: datetime | None = Field(None, description="when the citizen called (default now): duplicates are "
                                         "looked for in the days before it")

    @field_validator("reported_at")
    @classmethod
    def _sane_time(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        when = value if value.tzinfo else value.replace(tzinfo=CHINA)
        if not EARLIEST <= when <= clock.now() + timedelta(days=1):
            raise ValueError("reported_at 须在 2000 年之后且不晚于明天 / must be after 2000 and not in the future")
        return when


class TriageBatch(BaseModel):
    items: list[TriageRequest] = Field(min_length=1, max_length=MAX_BATCH)


class CategoryOut(BaseModel):
    code: str
    name: str
    kind: Literal["event", "component"]
    major: str
    id: str
    score: float


class Department(BaseModel):
    id: str
    name: str


class HotlineCategory(BaseModel):
    path: list[str]
    confidence: float


class TriageResult(BaseModel):
    category: CategoryOut
    alternatives: list[CategoryOut]
    grid_id: str | None
    district: str | None
    street_id: str | None = None
    location: LonLat | None = Field(None, description="the point the place was resolved to (send it with the case)")
    department: Department | None
    department_kind: str | None = Field(
        None, description="not placed in a district: the kind of district bureau that handles it (所在区城市管理和综合执法局)")
    urgency: Literal["low", "normal", "high", "critical"]
    sla_hours: int | None = Field(None, description="the category's time limit in working hours")
    urgent_sla_hours: int | None = Field(None, description="its time limit when urgent, in clock hours")
    confidence: float
    duplicates: list[str]
    redacted_text: str
    explanation: str
    citations: list[Citation]
    hotline_category: HotlineCategory | None
    hotline_department: Department | None = Field(
        None, description="who handles the 12345 class (of its first two levels) there, or in every district alike")


class TriageResults(BaseModel):
    items: list[TriageResult]


@dataclass(frozen=True)
class RuleRow:
    rule_id: str
    department_id: str
    department_name: str
    district_name: str
    sla_hours: int | None


def load_rules_table(graph: GraphStore) -> dict[tuple[str, str], RuleRow]:
    """Every responsibility rule, (category id, district) → rule: ~1,700 rows, read in one query."""
    return {(r.category_id, r.district): RuleRow(r.rule_id, r.department_id, r.department_name,
                                                 r.district_name, r.sla_hours)
            for r in all_rules(graph)}  # fmt: skip


def _category_out(guess: CategoryGuess) -> CategoryOut:
    return CategoryOut(code=guess.code, name=guess.name, kind=guess.kind, major=guess.major, id=guess.id,  # type: ignore[arg-type]
                       score=guess.score)  # fmt: skip


class Triage:
    """Everything triage needs, loaded once per process (about a second)."""

    def __init__(self, graph: GraphStore, domain: DomainTables, sessions: sessionmaker[Session] | None,
                 documents: DocumentIndex | None, urgency_csv: Path, taxonomy_csv: Path,
                 labelled_jsonl: Path | None, model: BaseChatModel | None = None) -> None:  # fmt: skip
        self.graph, self.sessions, self.documents, self.model = graph, sessions, documents, model
        self.gazetteer = Gazetteer.from_graph(graph)
        self.classifier = CategoryClassifier.from_domain(domain)
        self.default_urgency = {c.id: getattr(c, "default_urgency", "normal") for c in domain.categories}
        self.time_limits = {c.id: (c.sla_hours, c.urgent_sla_hours) for c in domain.categories}
        self.rules = load_rules(urgency_csv)
        self.hotline = trained_classifier(taxonomy_csv, labelled_jsonl) if labelled_jsonl and labelled_jsonl.exists() else None
        self.grid_centre = {g.id: ((g.box[0] + g.box[2]) / 2, (g.box[1] + g.box[3]) / 2) for g in self.gazetteer.grids}
        self._clauses: dict[str, Citation | None] = {}
        self.rules_table = load_rules_table(graph)
        self.hotline_ids = hotline_category_ids(graph)

    @classmethod
    def from_settings(cls, settings: Settings, graph: GraphStore, sessions: sessionmaker[Session] | None,
                      documents: DocumentIndex | None, domain: DomainTables | None = None) -> Triage:  # fmt: skip
        """Triage as the settings configure it (the runtime opens it this way; benches and tests too)."""
        return cls(graph, domain or load_city_domain(settings), sessions, documents, settings.urgency_rules_csv,
                   settings.taxonomy_csv, settings.labelled_hotline, make_chat_model(settings))  # fmt: skip

    def triage(self, request: TriageRequest) -> TriageResult:
        return self.triage_many([request])[0]

    def triage_many(self, requests: list[TriageRequest]) -> list[TriageResult]:
        redacted = [redact(r.text) for r in requests]
        # Sentences that address the system ("忽略以上指令…") are data, not part of the problem described.
        texts = [f"{r.address or ''} {strip_instructions(text)[0]}".strip() for r, (text, _) in zip(requests, redacted, strict=True)]
        # Place names are found once: blanked for the category, resolved for the location.
        places = [self.gazetteer.mentions(normalize(t)) for t in texts]
        unplaced = [without_caller(_without_place_names(normalize(t), spans)) for t, spans in zip(texts, places, strict=True)]
        guesses = self.classifier.classify_many(unplaced)
        # A second matter ("另外，…") is named so the operator can register it too; it does not decide the first.
        further = [further_matter(t) for t in unplaced]
        asked = [f for f in further if f]
        further_guesses = iter(self.classifier.classify_many(asked)) if asked else iter(())
        also = [next(further_guesses)[0] if f else None for f in further]
        hotline = self.hotline.classify_many(texts) if self.hotline else [None] * len(requests)
        # Wages owed are the labour bureau's (劳动保障监察) however the rest of the report reads (工地, 楼盘).
        hotline = [(list(WAGES_PATH), max(h[1] if h else 0.0, WAGES_SURE)) if WAGES.search(t) else h
                   for t, h in zip(texts, hotline, strict=True)]  # fmt: skip
        out = []
        for request, (clean, found), text, spans, ranked, hl, extra in zip(requests, redacted, texts, places, guesses,
                                                                           hotline, also, strict=True):  # fmt: skip
            note = None
            if self.model is not None:
                ranked, note = rerank(self.model, clean, ranked)
            ranked = marked_cover_first(ranked, text)
            result = self._one(request, clean, found, text, spans, ranked, hl, note)
            if extra is not None and extra.keywords and extra.id != result.category.id:
                result.explanation += f"诉求含两个问题：另外还反映了「{extra.name}」（{extra.code}），请另行登记。"
            out.append(result)
        return out

    def _one(self, request: TriageRequest, clean: str, found: list[str], text: str, spans: list[tuple[int, int, list]],
             ranked: list[CategoryGuess], hl: tuple[list[str], float] | None,
             rerank_note: str | None = None) -> TriageResult:  # fmt: skip
        best = ranked[0]
        notes: list[str] = []
        citations: list[Citation] = [Citation(id=best.id, kind="graph", title=f"{best.name}（{best.kind} {best.code}）",
                                              snippet="分类定义: " + "、".join(best.keywords or ("相似度",)))]  # fmt: skip
        confidence = best.score
        notes.append(_category_note(best))
        if rerank_note:
            notes.append(rerank_note)
        if confidence < LOW_CONFIDENCE:
            notes.append(f"置信度低（{confidence:.2f}）：可能是 {'、'.join(g.name for g in ranked[1:])}")
        lon = request.location.lon if request.location else None
        lat = request.location.lat if request.location else None
        location, how = self.gazetteer.locate(text, lon, lat, found=spans)
        notes.append(f"位置：{how}")
        department, department_kind = None, None
        if best.id and (location.grid_id or location.district):
            try:
                rule = self._responsible(best.id, location.district)  # type: ignore[arg-type]
                department = Department(id=rule.department_id, name=rule.department_name)
                citations.append(Citation(id=rule.department_id, kind="graph", title=rule.department_name,
                                          snippet=f"责任规则 {rule.rule_id}：{best.name} 在 {rule.district_name} 由 "
                                                  f"{rule.department_name} 处置，时限 {rule.sla_hours} 小时"))  # fmt: skip
                notes.append(f"责任部门：{rule.department_name}（规则 {rule.rule_id}）")
            except YiwangError as exc:
                notes.append(f"责任部门未确定：{exc.message}")
        elif best.id and (rule := self._citywide(best.id)) is not None:
            # Not placed, but every district sends this category to the same department (水务局, 交警支队).
            department = Department(id=rule.department_id, name=rule.department_name)
            citations.append(Citation(id=rule.department_id, kind="graph", title=rule.department_name,
                                      snippet=f"责任规则：{best.name} 在各区均由 {rule.department_name} 处置，"
                                              f"时限 {rule.sla_hours} 小时"))  # fmt: skip
            notes.append(f"责任部门：{rule.department_name}（各区同一责任部门；未定位到区）")
        elif best.id and (kind := self._district_kind(best.id)):
            # Each district sends it to its own bureau of one kind: which kind is known, which bureau is not.
            department_kind = f"所在区{kind}"
            notes.append(f"责任部门：{department_kind}（未定位到区，补充地址后确定具体单位）")
        else:
            notes.append("责任部门未确定：不知道在哪个区")
        at = request.reported_at or clock.now()
        duplicates: list[str] = []
        if self.sessions is not None:
            with self.sessions() as session:
                dupes = find_duplicates(session, [g.id for g in ranked], clean, at=at, district=location.district, grid_id=location.grid_id,
                                        lon=location.lon, lat=location.lat, grid_centre=self.grid_centre)  # fmt: skip
            duplicates = [d[0] for d in dupes]
            if dupes:
                notes.append("疑似重复：" + "、".join(f"{c}（相距 {d:.0f} 米，文本相似度 {s:.2f}）" for c, d, s in dupes))
        urgency, reasons = assess(text, self.default_urgency.get(best.id, "normal"), self.rules, repeated=len(duplicates))
        notes.append(f"紧急程度「{NAMES[urgency]}」：" + "；".join(reasons))
        if found:
            notes.append(f"已隐去个人信息 {len(found)} 处")
        if (clause := self._clause(best)) is not None:
            citations.append(clause)
        for node_id in location.cited:
            citations.append(Citation(id=node_id, kind="graph", title=node_id, snippet="位置依据"))
        hotline = HotlineCategory(path=hl[0], confidence=hl[1]) if hl else None
        hotline_department = self._hotline_department(hl[0], location.district) if hl else None
        return TriageResult(
            category=_category_out(best), alternatives=[_category_out(g) for g in ranked[1:]],
            grid_id=location.grid_id, district=location.district, street_id=location.street_id, department=department,
            department_kind=department_kind, sla_hours=self.time_limits.get(best.id, (None, None))[0],
            urgent_sla_hours=self.time_limits.get(best.id, (None, None))[1],
            location=LonLat(lon=location.lon, lat=location.lat) if location.lon is not None else None,
            urgency=urgency, confidence=round(confidence, 4), duplicates=duplicates, redacted_text=clean,  # type: ignore[arg-type]
            explanation="。".join(notes) + "。", citations=citations, hotline_category=hotline,
            hotline_department=hotline_department,
        )  # fmt: skip

    def _hotline_department(self, path: list[str], district: str | None) -> Department | None:
        """Who handles the 12345 class: its second level's rule, else its first's; in the district, or the one
        department every district sends it to."""
        for level in (path[:2], path[:1]):
            if (node := self.hotline_ids.get(tuple(level))) is None:
                continue
            rule = self.rules_table.get((node, district)) if district else self._citywide(node)
            if rule is not None:
                return Department(id=rule.department_id, name=rule.department_name)
        return None

    def _responsible(self, category: str, district: str) -> RuleRow:
        """The responsibility rule for a category in a district (read once from the graph at start-up)."""
        rule = self.rules_table.get((category, district))
        if rule is None:
            raise NotFound(f"没有 {category} 在 {district} 的责任规则; 请检查类别和区划编号")
        return rule

    def _citywide(self, category: str) -> RuleRow | None:
        """The rule of a category every district gives to one department, or None where districts differ."""
        rules = [rule for (cat, _), rule in self.rules_table.items() if cat == category]
        return rules[0] if rules and len({r.department_id for r in rules}) == 1 else None

    def _district_kind(self, category: str) -> str | None:
        """"城市管理和综合执法局" when every district gives the category to its own bureau of that name."""
        rules = [rule for (cat, _), rule in self.rules_table.items() if cat == category]
        kinds = {r.department_name.removeprefix(r.district_name) for r in rules
                 if r.department_name.startswith(r.district_name)}  # fmt: skip
        return kinds.pop() if rules and len(kinds) == 1 and all(
            r.department_name.startswith(r.district_name) for r in rules) else None

    def _clause(self, guess: CategoryGuess) -> Citation | None:
        """The policy clause on this category's handling (BM25: fast, and the category name is exact)."""
        if guess.id not in self._clauses:
            hit = None
            if self.documents is not None:
                hits = self.documents.retriever("bm25").search(f"{guess.name} 处置时限 立案条件", 1)
                hit = hits[0] if hits else None
            self._clauses[guess.id] = (Citation(id=hit.chunk_id, kind="document", title=hit.title, snippet=hit.text[:200])
                                       if hit else None)  # fmt: skip
        return self._clauses[guess.id]


def _category_note(best: CategoryGuess) -> str:
    """What decided the category, in the order of what it weighed: keywords, then the example reports or
    the category's description, whichever added more."""
    head = f"类别「{best.name}」（{best.code}）："
    learned = f"与本类示例诉求的说法相近（学习模型 {best.learned:.2f}）"
    if best.keywords:
        found = f"命中关键词「{'、'.join(best.keywords[:3])}」"
        return head + found + (f"，{learned}" if best.learned_evidence >= LEARNED_NOTE else "")
    if best.learned_evidence >= best.similarity_evidence:
        return head + f"没有命中关键词，主要因为{learned}，请人工核对"
    return head + f"没有命中关键词，主要按与类别描述的相似度（{best.similarity:.2f}）判断，请人工核对"


WAGES = re.compile(r"欠薪|讨薪|工钱|拖欠.{0,6}(?:工资|薪)|(?:工资|薪水).{0,8}(?:没发|不发|没给|没拿到|拿不到|欠着|拖着)")
WAGES_PATH = ("劳动和社会保障", "工资福利", "工资发放")
WAGES_SURE = 0.9
# A clause that only says who is calling ("我姓王，电话[电话]，身份证号[身份证号]"): its phone number reads like a
# small advert's to the classifier (非法小广告), though it describes nothing.
CALLER_WORDS = re.compile(r"我姓.|我叫[^，,。；;]{1,4}|本人|来电人|联系人|(?:联系)?电话(?:号码)?|手机(?:号码?)?|身份证(?:号码?)?|联系方式"
                          r"|\[(?:电话|身份证号|邮箱|社交账号)\]|是|为|[:：\s]")


# The word cast on a manhole cover names its owner ("井盖上印着『电力』两个字"): the cover of that kind, said outright.
COVER_MARKING = re.compile(r"(?:井盖|盖子|盖板)(?:上面?)?(?:印着|写着|标着|印有|写有|标有|刻着|刻有|有)[^，,。；;]{0,3}?(电力|雨水|污水|燃气|煤气|上水|自来水|通信|电信)")
COVER_KINDS = {"煤气": "燃气", "自来水": "上水", "电信": "通信"}


def marked_cover_first(ranked: list[CategoryGuess], text: str) -> list[CategoryGuess]:
    """The cover of the kind its marking names first, when the classifier ranked it among the others."""
    if not (marking := COVER_MARKING.search(normalize(text))):
        return ranked
    kind = COVER_KINDS.get(marking.group(1), marking.group(1))
    marked = next((g for g in ranked if g.name == f"{kind}井盖"), None)
    if marked is None or marked is ranked[0]:
        return ranked
    first = dataclasses.replace(marked, score=ranked[0].score, keywords=(*marked.keywords, f"井盖标识「{kind}」"))
    return [first, *(g for g in ranked if g is not marked)]


def without_caller(text: str) -> str:
    """The text without the clauses that only identify the caller."""
    clauses = re.split(r"(?<=[，,。；;！!])", text)
    return "".join(c for c in clauses if not ("[" in c and not CALLER_WORDS.sub("", c).strip("，,。；;！! ")))


def _without_place_names(text: str, spans: list[tuple[int, int, list]]) -> str:
    """The (normalized) text with every road, landmark, community, street and district name found in it
    blanked out: a place name says where, not what ("一些红绿灯路", "月湖公园旁边" name no traffic light
    and no park)."""
    parts, last = [], 0
    for start, end, _ in spans:
        parts += [text[last:start], "，"]
        last = end
    return "".join(parts) + text[last:]
