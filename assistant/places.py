"""A road, street, bridge or community named in a question that the city's graph does not have ("A3区紫金凤凰
大道上的井盖归谁管", "月亮湾街道有几个泵站"): said to be unknown, never answered for the district around it."""

from __future__ import annotations

import difflib
import re

from assistant.lexicon import CityLexicon

# What a place name ends with, longest first so 大道 is not read as 道.
_SUFFIX = re.compile(r"(?:大道|大街|街道|大桥|立交桥|立交|隧道|小区|社区|公园|广场|片区|园区|开发区|新区|商圈|花园|家园|路|街|桥)$")
# Endings that name a place wherever they stand in a run (not 路/街/桥, which begin words: 路灯, 街面, 桥梁).
_INSIDE = re.compile(r"大道|大街|大桥|立交桥|隧道|小区|公园|广场|街道|社区")
# Words that split a question into runs that can hold one name (的, 上, 有, 几, 现在…).
_BREAK = re.compile(r"[^\u4e00-\u9fa5]+|现在|目前|当前|今天|昨天|最近|[的在上里有是那这个几多少哪谁么吗呢了把给对从到向被让附近旁边周边沿线一带]")
# A verb before the ending makes it no name ("看不见路", "走不了路", "修路").
_VERBS = re.compile(r"[不看见走过修堵挡占去来回开停骑找绕]")
# What comes before the ending in words that end like a place but name none: 马路, 公路, 主干道路, 老旧小区…
_GENERIC = re.compile(r"(?:马|道|公|铁|水|线|电|网|思|出|进|歧|后|前|半|走|小|大|各|每|整|主干|次干|快速|城市|市政|背街|"
                      r"高速|乡村|农村|城区|老旧|周围|居民|全市|全区|本市|本区|市内|区内|所有|全部"
                      r"|我们|我家|咱们|你们|他们|这个|那个|这些|那些|附近|对面|隔壁|旁边)$")  # fmt: skip


def unknown_named_place(question: str, lexicon: CityLexicon) -> str | None:
    """The first place-like name in the question that is no place of the city's, or None."""
    text = question
    for mention, named in sorted(lexicon.find(question), key=lambda m: -len(m[0].surface)):
        if named.label not in ("ComponentCategory", "EventCategory"):
            # Known names are not candidates; a kind of facility is no name but may end one ("紫云山隧道").
            text = text.replace(mention.surface, "|")
    for district in lexicon.districts:
        text = text.replace(district.name, "|")
    for run in _BREAK.split(text):
        ending = _SUFFIX.search(run)
        before = run[: ending.start()] if ending else ""
        if ending and len(before) >= 2 and not _GENERIC.search(before) and not _VERBS.search(before):
            return run
        # A name whose run goes on ("紫荆湾隧道现在…": 在 splits 现 from 在): an unmistakable ending inside it.
        for inside in _INSIDE.finditer(run):
            before = run[: inside.start()]
            if len(before) >= 2 and not _GENERIC.search(before) and not _VERBS.search(before):
                return run[: inside.end()]
    return None


def nearest_place(name: str, lexicon: CityLexicon) -> str | None:
    """The city's place whose name is closest to ``name`` (a typo, a wrong ending), if one is close."""
    places = [n.name for n in lexicon.nodes.values() if n.label in ("Street", "Road", "Landmark")]
    close = difflib.get_close_matches(name, places, n=1, cutoff=0.6)
    return close[0] if close else None
