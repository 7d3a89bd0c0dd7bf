"""Slot filling for the offline planner: places, categories, departments, ids and times in a question."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from assistant.lexicon import LEVEL_WORDS, SENSOR_KIND_WORDS, CityLexicon, Named
from assistant.periods import find_period
from core.text import normalize
from core.times import CHINA
from triage.homophones import SoundIndex

CASE_ID = re.compile(r"C\d{8}-[0-9A-Fa-f]{8}")
SENSOR_ID = re.compile(r"S\d{16}-\d{2}")
ASSET_ID = re.compile(r"(?<![\dS])\d{16}(?!\d)")
GRID_ID = re.compile(r"(?<!\d)\d{15}(?!\d)")
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def _number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if text in _CN_DIGITS:
        return _CN_DIGITS[text]
    if len(text) == 2 and text[0] == "十" and text[1] in _CN_DIGITS:
        return 10 + _CN_DIGITS[text[1]]
    if len(text) == 2 and text[1] == "十" and text[0] in _CN_DIGITS:
        return 10 * _CN_DIGITS[text[0]]
    return None


@dataclass(frozen=True)
class Window:
    """A time window named in the question (China time), with the words that named it."""

    label: str
    since: datetime
    until: datetime
    rolling: bool = False  # "过去24小时", "近30天": ends now and counts back

    @property
    def hours(self) -> int:
        return max(1, round((self.until - self.since).total_seconds() / 3600))

    @property
    def days(self) -> int:
        return max(1, -(-self.hours // 24))


def parse_window(text: str, now: datetime) -> Window | None:
    """昨天, 今天, 本周, 上周, 本月, 上月, 过去/最近 N 小时/天/周."""
    local = now.astimezone(CHINA)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if m := re.search(r"(?:过去|最近|近)\s*([0-9一二两三四五六七八九十]{1,3})\s*(?:个)?(小时|天|日|周|星期)", text):
        n = _number(m.group(1)) or 1
        span = {"小时": timedelta(hours=n), "天": timedelta(days=n), "日": timedelta(days=n)}.get(m.group(2), timedelta(weeks=n))
        return Window(m.group(0), now - span, now, rolling=True)
    fixed = [("昨天", midnight - timedelta(days=1), midnight), ("昨日", midnight - timedelta(days=1), midnight),
             ("今天", midnight, local), ("今日", midnight, local),
             ("本周", midnight - timedelta(days=local.weekday()), local),
             ("上周", midnight - timedelta(days=local.weekday() + 7), midnight - timedelta(days=local.weekday())),
             ("本月", midnight.replace(day=1), local),
             ("上月", (midnight.replace(day=1) - timedelta(days=1)).replace(day=1), midnight.replace(day=1))]  # fmt: skip
    for word, since, until in fixed:
        if word in text:
            return Window(word, since, until)
    return None


def evaluation_period(text: str, now: datetime) -> str | None:
    """The evaluation service's period syntax for the question's time words (上周, 11月, 近7天…), as the figure
    questions read them."""
    found = find_period(text, now)
    return found.api if found else None


def horizon_hours(text: str) -> int | None:
    if m := re.search(r"(?:未来|接下来|今后)\s*([0-9一二两三四五六七八九十]{1,3})\s*(?:个)?(小时|天|日)", text):
        n = _number(m.group(1)) or 1
        return n if m.group(2) == "小时" else n * 24
    return None


@dataclass
class Slots:
    districts: list[Named] = field(default_factory=list)
    places: list[Named] = field(default_factory=list)  # streets, roads, landmarks
    categories: list[Named] = field(default_factory=list)
    departments: list[Named] = field(default_factory=list)
    case_ids: list[str] = field(default_factory=list)
    sensor_ids: list[str] = field(default_factory=list)
    asset_ids: list[str] = field(default_factory=list)
    grid_ids: list[str] = field(default_factory=list)
    sensor_kind: str | None = None
    level: str | None = None
    window: Window | None = None
    period: str | None = None
    horizon: int | None = None
    all_districts: bool = False

    @property
    def district(self) -> str | None:
        """The district asked about: named, or the one the named place lies in."""
        if self.districts:
            return self.districts[0].id
        return next((p.district for p in self.places if p.district), None)


SOUNDS = SoundIndex()


def says(word: str, question: str) -> bool:
    """The question names the word, or a slip of it that sounds the same (井钙 for 井盖, 路等 for 路灯) — not
    another word of that sound ("率低" is no 绿地: no character in common)."""
    if word in question:
        return True
    if len(word) < 2 or SOUNDS.sound(word) not in SOUNDS.sound(question):
        return False
    heard, sound = SOUNDS.syllables(question), SOUNDS.syllables(word)
    return any(heard[i:i + len(word)] == sound and sum(a != b for a, b in zip(question[i:i + len(word)], word, strict=True)) <= len(word) // 2
               for i in range(len(question) - len(word) + 1))  # fmt: skip


def sounding_like(text: str, lexicon: CityLexicon) -> list[Named]:
    """Facility categories whose name the text writes with other characters of the same sound, as officials
    typing fast do (路等 for 路灯, 井钙 for 井盖): the longest such name, or none."""
    heard = SOUNDS.sound(text)
    found = [n for n in lexicon.nodes.values() if n.label == "ComponentCategory" and len(n.name) >= 2
             and SOUNDS.sound(n.name) in heard and says(n.name, text)]  # fmt: skip
    longest = max((len(n.name) for n in found), default=0)
    return [n for n in found if len(n.name) == longest]


DISTRICT_CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


# 桥 alone as a bridge: after 的/座/这/那/条 and not part of 天桥/桥梁/立交桥 (a name ending in 桥 is a place).
BRIDGE_ALONE = re.compile(r"(?:的|座|这|那|条|个)桥(?![梁面洞下])")


def fill_slots(question: str, lexicon: CityLexicon, now: datetime) -> Slots:
    text = normalize(question)
    slots = Slots(case_ids=[c.upper() for c in CASE_ID.findall(text)], sensor_ids=SENSOR_ID.findall(text))
    # A case number's random hex is no word: "C20261205-E1105E82" must not read as 110, the police.
    text = CASE_ID.sub(" ", text)
    stripped = SENSOR_ID.sub(" ", text)
    slots.asset_ids = ASSET_ID.findall(stripped)
    slots.grid_ids = GRID_ID.findall(stripped)
    seen: set[str] = set()
    for _, named in lexicon.find(text):
        if named.id in seen:
            continue
        seen.add(named.id)
        bucket = {"District": slots.districts, "Department": slots.departments, "EventCategory": slots.categories,
                  "ComponentCategory": slots.categories}.get(named.label, slots.places)  # fmt: skip
        bucket.append(named)
    for code in DISTRICT_CODE.findall(stripped):
        # "990103那个区": the district by its code (a code the city lacks is said to be unknown elsewhere).
        if (node := lexicon.nodes.get(code)) and node.label == "District" and code not in seen:
            seen.add(code)
            slots.districts.append(node)
    if (bridge := lexicon.nodes.get("component-0204")) and BRIDGE_ALONE.search(text) and bridge not in slots.categories:
        # "A1区的桥出了裂缝": a bridge said in one character (too short a name for the gazetteer), before the
        # damage words that name other kinds (裂缝 is also a road's).
        slots.categories.insert(0, bridge)
    if not slots.categories:
        slots.categories = sounding_like(text, lexicon)
    lowered = text.lower()
    for kind, words in SENSOR_KIND_WORDS.items():
        if kind in lowered or any(w in lowered for w in words):  # "A1区的 pump_status": the kind by its own name
            slots.sensor_kind = kind
            break
    if "负载" in text:
        slots.sensor_kind = "power_load"  # "变电箱负载率…哪个区压力最大": the load, 压力 only a figure of speech
    if slots.sensor_kind is None and "泵站" in text and re.search(r"运行|运转|开机|停机|故障|正常吗|在转|开着", text):
        slots.sensor_kind = "pump_status"  # "A3区泵站现在运行正常吗": how they run, not their condition in the register
    if (slots.sensor_kind is None and any(c.id == "component-0110" for c in slots.categories)
            and re.search(r"故障|不亮|亮着|传感器|状态", text)):  # fmt: skip
        slots.sensor_kind = "light_status"  # "路等故障的有几盏？看传感器状态": the lamps' sensors, heard by sound
    for level, words in LEVEL_WORDS.items():
        if any(w in text for w in words):
            slots.level = level
            break
    slots.window = parse_window(text, now)
    slots.period = evaluation_period(text, now)
    slots.horizon = horizon_hours(text)
    slots.all_districts = any(w in text for w in ("各区", "每个区", "哪个区", "各个区", "分区"))
    return slots
