"""Hot topics of the real hotline messages (issue 16; Teddy Cup 2020 problem C task 2, 热点问题挖掘): messages
about the same concrete problem at the same place grouped into topics, each with its place, period, volume,
likes and a heat index, ranked, and every member citable by its message id.

Messages are split into blocks by the district they are about (A1区…A9市, named or known from a place they
name; those about no district form the city's block, A市). Each block is featurised (TF-IDF) and clustered
(average-linkage agglomerative clustering, cut at a cosine distance) on its own: a topic never spans two
districts, the blocks run on Ray or in process (``analytics.engine``), and a block that fails is reported
while the others answer. The features and the cut were chosen on labelled message pairs
(``evals/hot_topics.py``: precision, recall and F1 on development and held-out pairs).
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, Field

from analytics.engine import BatchEngine, Engine
from core.exceptions import InvalidInput
from core.settings import REPO_ROOT
from core.text import normalize
from core.times import CHINA, china_if_naive, period_bounds

CITY = "A市"
GAZETTEER_CSV = REPO_ROOT / "data" / "gazetteer" / "a_city_places.csv"
# The whole file (ten district blocks) clusters in ≈1.2 s in process (2.7 s cold) and ≈0.7 s on a started
# two-CPU Ray, whose start costs ≈5 s: "auto" keeps a file of this size in process; an archive of many more
# blocks, or a cluster already up (engine="ray"), is where Ray pays.
CROSSOVER = 40
SAMPLES = 3

_DISTRICT = re.compile(r"A[1-9]\d?[区县市]")
_TIME = re.compile(r"(\d{4})[/-](\d{1,2})[/-](\d{1,2})(?:\s+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?")
# A place right after a district ("A2区丽发新城…", "A市A5区汇金路…"): the way citizens name where it is.
_SUFFIXES = ("小区|花园|新城|家园|公寓|广场|公园|大厦|中学|小学|学校|幼儿园|医院|市场|社区|街道|大道|"
             "小镇|路|街|村|镇|乡|苑|府|城|湾|园")  # fmt: skip
_SUFFIX_AT_END = re.compile(rf"(?:{_SUFFIXES})$")
_AFTER_DISTRICT = re.compile(rf"(?:A[1-9]?\d?[区县市])+([\u4e00-\u9fa5A-Za-z0-9]{{2,9}}?(?:{_SUFFIXES}))")
# Characters that show a match ran into a sentence rather than a name.
_NOT_IN_NAME = set("的了在和是有我你他她们请要没不把被对从到为及等这那与或也就都还市区县省局委厅政府")
_NOT_NAME_START = ("加快", "建设", "推进", "关于", "投诉", "反映", "举报", "建议", "希望", "请求", "咨询", "全市", "全县",
                   "各区", "有关", "整个", "国家", "打造", "创建", "开展", "实施", "发展")  # fmt: skip
# Names every district has, or words that end like a place: they identify no place.
_GENERIC = {"实验小学", "实验中学", "人民医院", "中心医院", "第一中学", "中学", "小学", "医院", "农贸市场", "菜市场",
            "中心小学", "公交线路", "主城", "城区", "农村", "乡村", "城乡", "县城", "小区", "社区", "街道", "学校",
            "幼儿园", "广场", "公园", "市场", "文明城", "中心城", "快速路", "工业园", "房地产市场", "实验学校",
            "城际铁路", "外国语学校", "普惠性幼儿园", "中小学校", "步行街", "大学城", "动物园", "周边小区", "居民小区",
            "老旧小区", "安置小区", "高速公路", "主干道", "公路", "马路", "道路"}  # fmt: skip
_STOP = frozenset("您好 你好 领导 尊敬 请问 我们 你们 他们 自己 问题 反映 投诉 咨询 建议 关于 希望 要求 情况 相关 部门 "
                  "政府 市民 本人 现在 目前 已经 没有 什么 怎么 如何 为什么 是否 能否 可以 一个 这个 那个 这些 "
                  "非常 严重 多次 一直 谢谢 感谢 有关 进行 存在 以及 但是 因为 所以 如果 还是 就是 不是".split())  # fmt: skip
_WORD_OK = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")


class HotTopicRequest(BaseModel):
    period: str | None = Field(None, max_length=32, description="only messages of this period (China time): "
                               "2019, 2019-07, 2019-07-01..2019-07-31 (both days included), last30d (before the "
                               "newest message); empty: every message")  # fmt: skip
    district: str | None = Field(None, pattern=r"^A[1-9]\d?[区县市]$", description="only messages about this "
                                 "district (named, or a place in it named), e.g. A3区; empty: the whole city")  # fmt: skip
    keywords: list[str] = Field(default_factory=list, max_length=10, description="only messages whose subject "
                                "holds one of these words (噪音, 学校收费…); empty: every message")  # fmt: skip
    top: int = Field(10, strict=True, ge=1, le=200, description="topics listed, the hottest first")
    engine: Literal["auto", "ray", "in-process"] = "auto"


class HotTopic(BaseModel):
    rank: int
    topic_id: str = Field(description="stable: derived from the member message ids")
    title: str = Field(description="the subject of the member most similar to the others")
    keywords: list[str] = Field(description="words in the subjects of the most members")
    district: str = Field(description="the district the members are about (A市: none named)")
    place: str = Field(description="district, and the finer place (road, 小区, 街道…) named by the most members "
                       "where at least two name one")  # fmt: skip
    fine_place: str | None
    first: str = Field(description="the first member's time, ISO 8601 China time")
    last: str
    span_days: float
    volume: int = Field(description="messages")
    users: int = Field(description="distinct citizens who wrote them")
    likes: int
    dislikes: int
    heat: float = Field(description="2·ln(1+volume) + 2·ln(1+users) + ln(1+likes) + 0.5·ln(1+span_days)")
    message_ids: list[str] = Field(
        description="every member, the most central first: cite the messages by them"
    )
    sample_subjects: list[str]


class HotTopicRun(BaseModel):
    run_id: str = Field(description="cite the run by it: period, district, method and the messages it saw")
    period: str | None
    district: str | None
    method: str
    messages: int = Field(description="messages considered (after the period and district filters)")
    blocks: int = Field(description="district blocks clustered (each a batch item)")
    grouped: int = Field(description="messages in a topic of two or more")
    topics: list[HotTopic] = Field(description="the hottest first, ``top`` of them")
    failures: dict[str, str] = Field(
        description="blocks that failed, by district: their messages are missing"
    )
    engine: Engine
    workers: int
    seconds: float


@dataclass(frozen=True)
class Message:
    id: str
    user: str
    subject: str
    detail: str
    time: datetime  # China time, naive as written
    likes: int
    dislikes: int
    district: str
    places: tuple[str, ...]


@dataclass(frozen=True)
class Method:
    """How a block is featurised and where its clustering stops."""

    name: str
    features: Literal["char", "word"]
    cut: float  # average cosine distance beyond which two groups stay apart
    subject_weight: float = 2.0  # the subject states the problem; the detail adds place and circumstance
    detail_chars: int = 300  # the start of a detail says what and where; its end is mostly pleading


# Chosen on the development pairs of evals/data/hot_topic_pairs.jsonl by the rule of evals.hot_topics.choose:
# jieba words, cut at 0.7 (dev F1 0.857; the best, 0.863, came at looser cuts that group two thirds of the file).
DEFAULT_METHOD = Method("word", "word", 0.7)


@dataclass(frozen=True)
class Group:
    ids: tuple[str, ...]  # the most central member first


# ---- messages ---------------------------------------------------------------------------------------------


def messages_path(shared_dir: Path) -> Path:
    return shared_dir / "data" / "hotline" / "messages.jsonl"


@dataclass(frozen=True)
class Corpus:
    messages: tuple[Message, ...]
    places: dict[str, str]  # a finer place as counted → its district (A市 where only the city is known)


def load_messages(path: Path) -> tuple[Message, ...]:
    """The messages with their district and finer places, read once per file version."""
    return load_corpus(path).messages


def load_corpus(path: Path) -> Corpus:
    if not path.exists():
        raise InvalidInput(f"找不到热线留言文件 {path} (no hotline messages file; set YIWANG_SHARED_DIR)")
    return _load(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=2)
def _load(path: Path, _version: int) -> Corpus:
    with open(path, encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    texts = [normalize(f"{row['subject']} {row['detail']}") for row in rows]
    written = _place_names(texts)
    spellings = _spellings(written)
    places = {counted: written[name] for name, counted in spellings.items() if name in written}
    finder = _Finder(spellings)
    out = []
    for row, text in zip(rows, texts, strict=True):
        named = tuple(dict.fromkeys(finder.findall(text)))
        subject = normalize(row["subject"])
        out.append(Message(
            id=str(row["id"]), user=str(row.get("user", "")), subject=subject, detail=normalize(row.get("detail", "")),
            time=_parse_time(row["time"]), likes=int(row.get("likes") or 0), dislikes=int(row.get("dislikes") or 0),
            district=_district(subject, text, named, places), places=named,
        ))  # fmt: skip
    return Corpus(tuple(out), places)


def _parse_time(text: str) -> datetime:
    """``2019/2/28 11:25:05`` and ``2019-08-19 11:34:04`` both occur in the file."""
    match = _TIME.search(text)
    if not match:
        raise InvalidInput(f"留言时间 {text!r} 无法识别 (unreadable message time)")
    return datetime(*(int(part or 0) for part in match.groups()))  # type: ignore[misc]


def _place_names(texts: Sequence[str]) -> dict[str, str]:
    """Finer place → its district: the gazetteer's names, and names written right after a district in these
    messages (a name seen with several districts is kept with the one it is seen with most)."""
    seen: dict[str, Counter[str]] = {}
    for text in texts:
        for match in _AFTER_DISTRICT.finditer(text):
            name, after = match.group(1), text[match.end() : match.end() + 1]
            district = _DISTRICT.findall(match.group(0)[: match.start(1) - match.start(0)])
            if _is_name(name, mined=True) and not (name.endswith("城") and after == "市"):  # 国家中心城市
                seen.setdefault(name, Counter())[district[-1] if district else CITY] += 1
    # Named once, a match is as often a sentence fragment ("A市加快国家中心城") as a place.
    places = {
        name: districts.most_common(1)[0][0] for name, districts in seen.items() if districts.total() >= 2
    }
    if GAZETTEER_CSV.exists():
        with open(GAZETTEER_CSV, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if _is_name(row["name"]):
                    places[row["name"]] = row["district"]
    return places


def _spellings(places: dict[str, str]) -> dict[str, str]:
    """Each name as written → as counted: 绿地海外滩小区 is also written 绿地海外滩, and both count as the latter."""
    out = {}
    for name in places:
        stem = name.removesuffix("小区")
        out[name] = stem if len(stem) >= 3 and stem not in _GENERIC else name
        if out[name] == stem:
            out.setdefault(stem, stem)
    return out


def _is_name(name: str, mined: bool = False) -> bool:
    """A mined name's stem must read as a name (a sentence fragment holds function words)."""
    if len(name) < 3 or any(g.endswith(name) for g in _GENERIC):  # 城际铁路 cut short is 际铁路
        return False
    stem = _SUFFIX_AT_END.sub("", name)
    return not mined or not (_NOT_IN_NAME & set(stem) or stem.startswith(_NOT_NAME_START))


class _Finder:
    """Longest place names first, left to right, non-overlapping (丽发新城, not a shorter name inside it); a
    scan by first character, since one regular expression of a thousand names takes seconds over the file."""

    def __init__(self, names: dict[str, str]) -> None:
        self._names = names  # as written → as counted
        self._lengths: dict[str, list[int]] = {}
        for name in self._names:
            self._lengths.setdefault(name[0], []).append(len(name))
        for lengths in self._lengths.values():
            lengths.sort(reverse=True)

    def findall(self, text: str) -> list[str]:
        found, i = [], 0
        while i < len(text):
            for length in self._lengths.get(text[i], ()):
                if (name := self._names.get(text[i : i + length])) is not None:
                    found.append(name)
                    i += length - 1
                    break
            i += 1
        return found


def _district(subject: str, text: str, named: tuple[str, ...], places: dict[str, str]) -> str:
    """The district the subject names, else the one the text names most, else that of a place it names."""
    if found := _DISTRICT.findall(subject):
        return found[0]
    if found := _DISTRICT.findall(text):
        return Counter(found).most_common(1)[0][0]
    for name in named:
        if places.get(name, CITY) != CITY:
            return places[name]
    return CITY


# ---- one block: featurise and cluster (the part that runs on Ray) ------------------------------------------


def cluster_block(job: tuple[Method, tuple[Message, ...]]) -> list[Group]:
    """Groups of two or more messages of one block, each with its most central member first."""
    method, messages = job
    return cut_tree(block_tree(method, messages), method.cut, messages)


@dataclass(frozen=True)
class Tree:
    merges: np.ndarray  # scipy's linkage matrix; empty for a block of one message
    similarity: np.ndarray  # cosine similarity of every two messages of the block


def block_tree(method: Method, messages: Sequence[Message]) -> Tree:
    """Average-linkage merges of a block (scipy): cut at any distance without clustering again."""
    from scipy.cluster.hierarchy import linkage
    from scipy.spatial.distance import squareform

    if len(messages) < 2:
        return Tree(np.zeros((0, 4)), np.ones((len(messages), len(messages))))
    vectors = featurise(method, messages)
    similarity = np.clip((vectors @ vectors.T).toarray(), 0.0, 1.0)
    distance = 1.0 - similarity
    np.fill_diagonal(distance, 0.0)
    return Tree(linkage(squareform(distance, checks=False), method="average"), similarity)


def cut_tree(tree: Tree, cut: float, messages: Sequence[Message]) -> list[Group]:
    """The groups whose members are on average within ``cut`` cosine distance, two members or more."""
    from scipy.cluster.hierarchy import fcluster

    if len(tree.merges) == 0:
        return []
    labels = fcluster(tree.merges, t=cut, criterion="distance")
    groups = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        if len(members) < 2:
            continue
        centrality = tree.similarity[np.ix_(members, members)].sum(axis=1)
        order = sorted(
            range(len(members)), key=lambda i: (-round(float(centrality[i]), 9), messages[members[i]].id)
        )
        groups.append(Group(tuple(messages[members[i]].id for i in order)))
    return sorted(groups, key=lambda g: g.ids[0])


def featurise(method: Method, messages: Sequence[Message]) -> Any:
    """Unit-length TF-IDF rows (a scipy sparse matrix): the subject (weighted) plus the start of the detail, fitted on the block, so
    what every message of the block shares (its district, the salutations) weighs little."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize as unit

    if method.features == "char":
        vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True, min_df=1)
    else:
        vectorizer = TfidfVectorizer(analyzer=words, sublinear_tf=True, min_df=1)
    subjects = [_strip(m.subject) for m in messages]
    details = [_strip(m.detail[: method.detail_chars]) for m in messages]
    vectorizer.fit(subjects + details)
    return unit(method.subject_weight * vectorizer.transform(subjects) + vectorizer.transform(details))


@cache
def _tokenizer() -> Any:
    """A tokeniser of its own: the process-wide one learns the city's names when the document index opens
    (retrievers.text.add_words), which would make the topics depend on what else this process loaded."""
    import rjieba

    return rjieba.Jieba()


def words(text: str) -> list[str]:
    """jieba words of two characters or more, function words and complaint boilerplate dropped."""
    return [w for w in _tokenizer().cut(text) if len(w) >= 2 and w not in _STOP and _WORD_OK.search(w)]


def _strip(text: str) -> str:
    """Without the city and district names: within a block they say nothing about the problem."""
    return _DISTRICT.sub(" ", text.replace(CITY, " "))


# ---- the run ----------------------------------------------------------------------------------------------


def hot_topics(engine: BatchEngine, request: HotTopicRequest, shared_dir: Path, method: Method = DEFAULT_METHOD,
               progress: Callable[[int], None] | None = None) -> HotTopicRun:  # fmt: skip
    messages = load_messages(messages_path(shared_dir))
    chosen = select(messages, request)
    jobs = [(district, (method, members)) for district, members in blocks(chosen).items()]
    batch = engine.run(cluster_block, jobs, request.engine, progress, min_items=CROSSOVER)
    by_id = {m.id: m for m in chosen}
    topics = [topic(group, by_id) for district in sorted(batch.results) for group in batch.results[district]]
    topics.sort(key=lambda t: (-t.heat, -t.volume, t.topic_id))
    ranked = [t.model_copy(update={"rank": rank}) for rank, t in enumerate(topics[: request.top], 1)]
    return HotTopicRun(
        run_id=run_id(request, method, chosen), period=request.period, district=request.district, method=method.name,
        messages=len(chosen), blocks=len(jobs), grouped=sum(t.volume for t in topics), topics=ranked,
        failures=batch.failures, engine=batch.engine, workers=batch.workers, seconds=batch.seconds,
    )  # fmt: skip


def blocks(messages: Sequence[Message]) -> dict[str, tuple[Message, ...]]:
    """The messages by the district they are about, in district order: the items the engine runs."""
    out: dict[str, list[Message]] = {}
    for message in messages:
        out.setdefault(message.district, []).append(message)
    return {district: tuple(out[district]) for district in sorted(out)}


def select(messages: Sequence[Message], request: HotTopicRequest) -> list[Message]:
    """The messages of the request's period and district; none is an error that says what the file holds."""
    chosen = list(messages)
    if request.district:
        # A district's number is its identity: the messages write A7县 where a city may call it A7区.
        chosen = [m for m in chosen if m.district[:-1] == request.district[:-1]]
    if request.keywords:  # the subject says what a message is about; its text mentions much else in passing
        chosen = [m for m in chosen if any(word in m.subject for word in request.keywords)]
    if request.period:
        newest = max(m.time for m in messages).replace(tzinfo=CHINA)
        try:
            _, start, end = period_bounds(request.period, newest)
        except InvalidInput as exc:
            raise InvalidInput(
                f"{exc.message} (a period is 2019, 2019-07, 2019-07-01..2019-07-31 or last30d)"
            ) from exc
        chosen = [m for m in chosen if start <= china_if_naive(m.time) < end]
    if not chosen:
        first, last = min(m.time for m in messages), max(m.time for m in messages)
        scope = " ".join(part for part in (request.period, request.district, "、".join(request.keywords)) if part)
        raise InvalidInput(f"{scope} 没有市民留言; 留言时间范围为 {first:%Y-%m-%d} 至 {last:%Y-%m-%d} "
                           f"(no messages in {scope}; the messages run from {first:%Y-%m-%d} to {last:%Y-%m-%d})")  # fmt: skip
    return chosen


def topic(group: Group, by_id: dict[str, Message]) -> HotTopic:
    members = [by_id[i] for i in group.ids]
    district = Counter(m.district for m in members).most_common(1)[0][0]
    fine = _fine_place(members)
    times = sorted(m.time for m in members)
    span = round((times[-1] - times[0]).total_seconds() / 86400, 1)
    likes, dislikes = sum(m.likes for m in members), sum(m.dislikes for m in members)
    users = len({m.user for m in members})
    subjects = list(dict.fromkeys(m.subject for m in members))
    return HotTopic(
        rank=0, topic_id=topic_id(group.ids), title=members[0].subject, keywords=_keywords(members),
        district=district, place=district + (fine or ""), fine_place=fine,
        first=times[0].replace(tzinfo=CHINA).isoformat(), last=times[-1].replace(tzinfo=CHINA).isoformat(),
        span_days=span, volume=len(members), users=users, likes=likes, dislikes=dislikes,
        heat=heat(len(members), users, likes, span), message_ids=list(group.ids), sample_subjects=subjects[:SAMPLES],
    )  # fmt: skip


def heat(volume: int, users: int, likes: int, span_days: float) -> float:
    """2·ln(1+volume) + 2·ln(1+users) + ln(1+likes) + 0.5·ln(1+span_days), rising in each. Citizens writing count
    most (20 messages from 20 citizens ≈ 12.2), and a citizen repeating a message half as much as another citizen
    writing it; agreement shown by likes next (2,000 likes ≈ 7.6) without one viral message outweighing a
    street's many complaints; a problem raised again over weeks a little (90 days ≈ 2.3)."""
    return round(2 * math.log1p(volume) + 2 * math.log1p(users) + math.log1p(likes)
                 + 0.5 * math.log1p(max(span_days, 0.0)), 2)  # fmt: skip


def topic_id(ids: Sequence[str]) -> str:
    return "ht-" + hashlib.sha1(",".join(sorted(ids)).encode()).hexdigest()[:12]


def run_id(request: HotTopicRequest, method: Method, messages: Sequence[Message]) -> str:
    newest = max(m.time for m in messages)
    about = "+".join(request.keywords) or "all"
    return (f"hot-topics:{request.period or 'all'}:{request.district or 'city'}:{about}:{method.name}:{len(messages)}:"
            f"{newest:%Y%m%d%H%M}")


def _fine_place(members: Sequence[Message]) -> str | None:
    """The finer place named by the most members, if at least two name it (the longer name on a tie)."""
    counts = Counter(name for m in members for name in m.places)
    best = sorted(counts.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))
    return best[0][0] if best and best[0][1] >= 2 else None


def _keywords(members: Sequence[Message], most: int = 5) -> list[str]:
    """Words in the subjects of at least half the members (at least two), the most shared first."""
    counts = Counter(w for m in members for w in dict.fromkeys(words(_strip(m.subject))))
    need = max(2, math.ceil(len(members) / 2))
    return [w for w, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if n >= need][:most]
