"""Words of the city's figures typed by their sound ("返公率" for 返工率, "结按率" for 结案率), as operators typing
fast or dictating do: put back before the question is read, so every rule and the learned reading see the word.

Only terms of the domain long enough to be unambiguous are put back: a short everyday word may share its sound
with a domain word (时间 and 事件 both read shi jian) and must stay as written."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.lexicon import KIND_NAMES, CityLexicon
from assistant.slots import SOUNDS
from tools.query_spec import RATES

# Indicators and words officials ask by, beside the graph's names of categories (three characters or more).
TERMS = (*RATES, "平均处置时长", "超期处置", "按期处置", "生命体征", "城市体征", "上个月", "这个月", "下个月", *KIND_NAMES.values())
# Two-character terms no everyday word shares the sound of, and their slips of another tone ("体症" is 体征).
SHORT_TERMS = ("体征", "泵站")  # two characters, of a sound no other word of the city has (泵占 is 泵站)
SLIPS = {"体症": "体征", "饶度": "挠度", "绕度": "挠度", "扰度": "挠度",  # rao for nao: a southern slip
         "井钙": "井盖", "派谴": "派遣", "时线": "时限"}  # no word is written 井钙, 派谴 or 时线
# 路等 for 路灯 where lamps are meant ("A4区各街道的路等数量", "路等坏了"), not "马路等地方".
LAMP_SLIP = re.compile(r"(?<![马道公铁水线网])路等(?=数量|的?数|故障|坏|不亮|有多少|多少|一共|总数|呢|亮|$|[，,？?。！!])")
# English words officials and citizens mix in, read as the system's own terms ("A3区和A5区的vital signs对比一下",
# "地铁站B口那边share bike堆得满满的"); bounded by letters, digits or _ (pump_status), not \b, since a Chinese
# character is a word character ("的assets里" has no word boundary).
ENGLISH = ((re.compile(r"vital\s*signs?|vitals", re.IGNORECASE), "体征"),
           (re.compile(r"shared?\s*bikes?|bike\s*sharing", re.IGNORECASE), "共享单车"),
           # "give me a summary of A6区 assets，按 type 统计 count，再标出几个 status 不是完好的"
           (re.compile(r"(?<![A-Za-z0-9_])assets?(?![A-Za-z0-9_])", re.IGNORECASE), "部件"), (re.compile(r"按\s*type\b|\bby\s+type\b", re.IGNORECASE), "按类型"),
           (re.compile(r"(?<![A-Za-z0-9_])status(?![A-Za-z0-9_])", re.IGNORECASE), "状态"), (re.compile(r"street\s*lights?|street\s*lamps?", re.IGNORECASE), "路灯"),
           (re.compile(r"manhole\s*covers?|manholes?", re.IGNORECASE), "井盖"), (re.compile(r"(?<![A-Za-z0-9_])sensors?(?![A-Za-z0-9_])", re.IGNORECASE), "传感器"), (re.compile(r"(?<![A-Za-z0-9_])counts?(?![A-Za-z0-9_])", re.IGNORECASE), "数量"),
           # "哪个部门延期最多？this month", "A6区这个month的open cases有多少？其中overdue的呢", "case volume"
           *((re.compile(rf"(?<![A-Za-z0-9_-])(?:{english})(?![A-Za-z0-9_-])", re.IGNORECASE), word) for english, word in (
               (r"this\s+month", "本月"), (r"last\s+month", "上个月"), (r"this\s+week", "本周"), (r"last\s+week", "上周"),
               (r"(?<=[这上本个])months?", "月"), (r"(?<=[这上本个])weeks?", "周"), (r"open\s+cases?", "未结案件"),
               (r"overdue", "超期"), (r"cases?\s+volume|cases?", "案件量"),
               # "今天新开的alarm里level最高的是哪条？value多少，超出threshold多少"
               (r"garbage|trash|rubbish", "垃圾"), (r"illegal", "非法"),
               (r"water\s*levels?", "水位"), (r"alarms?|alerts?", "告警"), (r"levels?", "级别"), (r"values?|readings?", "数值"), (r"thresholds?", "阈值"))))
HOURS = re.compile(r"(?<![A-Za-z0-9])(\d{1,3})\s*h(?:ours?|rs?)?(?![A-Za-z])", re.IGNORECASE)  # "过去24h"
# A district typed short or in lower case ("a3去", "A3城管局", "A3呢"): its letter and number, 区 (or a slip of it) or not.
# Only where a district is meant: "地铁A2出口", "A3栋", "A1座" stay as written.
DISTRICT_SHORT = re.compile(r"(?<![A-Za-z0-9_\-])([aA])\s?([1-9])(?:区|去|曲|趋|(?=城管|城市管理|住建|体征|呢|的|[，,。？?！!\s]|$))")

DISTRICT_NUMERAL = re.compile(r"(?<![A-Za-z0-9_\-])[aA]([一二三四五六七八九])区")


@lru_cache(maxsize=4)
def _vocabulary(lexicon_id: int, names: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    words = sorted({w for w in (*TERMS, *names) if (len(w) >= 3 or w in SHORT_TERMS) and "/" not in w}, key=len, reverse=True)
    return tuple((w, tuple(SOUNDS.syllables(w))) for w in words)


def respelled(question: str, lexicon: CityLexicon) -> str:
    """The question with every term written by its sound put back in its own characters, and districts typed short
    written in full."""
    districts = {d.name for d in lexicon.districts}
    for slip, word in SLIPS.items():
        question = question.replace(slip, word)
    question = LAMP_SLIP.sub("路灯", question)
    question = HOURS.sub(r"\1小时", question)
    for english, word in ENGLISH:
        # The spaces around an English word go with it: "A6区 assets，按 type 统计" reads as "A6区部件，按类型统计".
        question = re.sub(rf"\s*(?:{english.pattern})\s*", word, question, flags=english.flags)
    question = DISTRICT_SHORT.sub(lambda m: f"A{m.group(2)}区" if f"A{m.group(2)}区" in districts else m.group(0), question)
    question = DISTRICT_NUMERAL.sub(lambda m: f"A{'一二三四五六七八九'.index(m.group(1)) + 1}区", question)  # "A七区"
    names = tuple(n.name for n in lexicon.nodes.values() if n.label in ("EventCategory", "ComponentCategory"))
    question = shared_heads_written(question, frozenset(names))
    heard = SOUNDS.syllables(question)
    text = list(question)
    for word, sound in _vocabulary(id(lexicon), names):
        size = len(word)
        for start in range(len(heard) - size + 1):
            if tuple(heard[start:start + size]) == sound and "".join(text[start:start + size]) != word:
                written = question[start:start + size]
                if sum(a != b for a, b in zip(written, word, strict=True)) <= size // 2:  # a slip, not another word
                    text[start:start + size] = list(word)
    return "".join(text)


# "上水、污水、雨水井盖各多少": the kinds listed before a category's last word share it.
LISTED_BEFORE = re.compile(r"([\u4e00-\u9fff]{1,3})[、/和跟与及]$")


def shared_heads_written(question: str, names: frozenset[str]) -> str:
    """Each kind listed before a category name that shares its last two characters, written in full ("上水、污水、雨水井盖"
    is 上水井盖、污水井盖、雨水井盖); only where the kind with that ending is itself a category."""
    for name in sorted((n for n in names if len(n) > 2 and n in question), key=len, reverse=True):
        head, end = name[-2:], question.index(name)
        while (listed := LISTED_BEFORE.search(question[:end])) and (kind := _kind_of(listed.group(1), head, names)):
            start = listed.start() + len(listed.group(1)) - len(kind)
            question = f"{question[:start]}{kind}{head}{question[start + len(kind):]}"
            end = start
    return question


def _kind_of(before: str, head: str, names: frozenset[str]) -> str | None:
    """The longest end of ``before`` that names a category with ``head`` after it ("污水" + 井盖)."""
    return next((before[i:] for i in range(len(before)) if before[i:] + head in names), None)
