"""Real place names of A市, mined from the unlabelled real hotline messages.

Citizens write "A3区杜鹃文苑小区…" or "A2区丽发新城…": the place right after a district name belongs to
that district. Names seen with one district (≥ 80 % of mentions) become the demo city's streets,
roads, communities and landmarks, so that real reports resolve to the right district.
Only ``messages.jsonl`` and ``replies.jsonl`` are read: ``labelled.jsonl`` stays evaluation data.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

from core.settings import REPO_ROOT

PLACES_CSV = REPO_ROOT / "data" / "gazetteer" / "a_city_places.csv"
"""The mined places, kept in the repository so the demo city is the same on every machine."""

SUFFIX_KIND = {
    "街道": "street", "镇": "street", "乡": "street",
    "小镇": "landmark", "大道": "road", "路": "road", "街": "road",
    "社区": "community", "村": "community",
    "小区": "landmark", "花园": "landmark", "新城": "landmark", "广场": "landmark", "公园": "landmark",
    "学校": "landmark", "中学": "landmark", "小学": "landmark", "医院": "landmark", "市场": "landmark",
    "大厦": "landmark",
}  # fmt: skip
_SUFFIXES = "|".join(sorted(SUFFIX_KIND, key=len, reverse=True))
_MENTION = re.compile(rf"(A[1-9]区)([\u4e00-\u9fa5]{{2,8}}?(?:{_SUFFIXES}))")
# Words that show the match ran into a sentence rather than a name.
_NOT_IN_NAME = set("的了在和是有我你他她们请要没不把被对从到为及等这那与或也就都还")
# Names every district has one of: they identify no district.
_GENERIC = {"实验小学", "实验中学", "人民医院", "中心医院", "第一中学", "中学", "小学", "医院", "农贸市场", "菜市场", "人民路", "中心小学"}
_SHARE = 0.8
# A stem holding one of these is two names run together ("北路路", "城管局天顶街道").
_NOT_IN_STEM = ("路", "街", "镇", "乡", "区", "县", "局", "市", "省", "去", "原", "号")
# Sentence fragments that slip through as names ("楚府线几个小区", "提质提档改造小区").
_JUNK = ("几个", "一个", "这个", "改造", "提质", "保障", "中小", "实验", "严抓", "附近", "周边", "所有", "多个", "安置")
_MAX_STEM = {"street": 4, "road": 5, "community": 5, "landmark": 6}


def mine_places(shared_dir: Path) -> list[dict[str, str | int]]:
    """Return ``[{name, kind, district, mentions}]`` sorted by district, kind and name."""
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for file_name in ("messages.jsonl", "replies.jsonl"):
        with open(shared_dir / "data" / "hotline" / file_name, encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                text = f"{record.get('subject', '')} {record.get('detail', '')}"
                for district, name in _MENTION.findall(text):
                    seen[name][district] += 1
    places: list[dict[str, str | int]] = []
    for name, districts in seen.items():
        district, count = districts.most_common(1)[0]
        if name in _GENERIC or _NOT_IN_NAME & set(name) or count / sum(districts.values()) < _SHARE:
            continue
        suffix = next(s for s in sorted(SUFFIX_KIND, key=len, reverse=True) if name.endswith(s))
        stem, kind = name[: -len(suffix)], SUFFIX_KIND[suffix]
        if not 2 <= len(stem) <= _MAX_STEM[kind] or any(word in stem for word in _NOT_IN_STEM + _JUNK):
            continue
        places.append({"name": name, "kind": kind, "district": district, "mentions": count})
    places.sort(key=lambda p: (p["district"], p["kind"], -int(p["mentions"]), p["name"]))
    return places


def write_places(places: list[dict[str, str | int]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["name", "kind", "district", "mentions"])
        writer.writeheader()
        writer.writerows(places)


def read_places(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))
