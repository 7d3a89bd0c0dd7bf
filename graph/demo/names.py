"""Name vocabulary for the generated parts of A市 (real mined names come first, these fill the rest)."""

from __future__ import annotations

import random

STEMS = ["幸福", "建设", "望京", "人民", "解放", "和平", "友谊", "胜利", "文化", "光明", "振兴", "民主", "团结", "新华", "朝阳", "长青", "金桂", "银杏", "丹桂", "紫荆", "枫林", "松涛", "桃源", "杏林", "春晖", "明德", "育才", "兴业", "富民", "安居", "康乐", "锦绣", "金沙", "银湖", "翠微", "碧水", "青山", "白云", "东风", "西城", "南湖", "北辰", "星光", "晨曦", "晓园", "书院", "学府", "科技", "创业", "工业", "商贸", "航空", "滨江", "沿河", "湖滨", "芙蓉", "荷花", "桂花", "梅园", "兰亭", "竹园", "菊香", "榕树", "樟树", "柳堤", "桑园", "枣林", "梨园", "龙泉", "凤凰", "麒麟", "天鹅", "白鹭", "黄鹤", "鹿鸣", "金盘", "玉泉", "石门", "清溪", "泉塘", "湘龙", "安沙", "果园", "春华", "福临", "双江", "金井", "开元", "高岭", "新桥", "东山", "花桥", "星桥", "黄花", "榔梨", "螺丝", "干杉", "江背", "北山", "青竹"]
ROAD_SUFFIXES = ("路", "街", "大道", "东路", "西路", "南路", "北路", "中路")
STREET_SUFFIXES = ("街道", "街道", "街道", "镇")
ESTATE_SUFFIXES = ("小区", "花园", "家园", "苑", "新村", "公寓")
FACILITY_KINDS = ("小学", "中学", "医院", "公园", "广场", "菜市场", "地铁站", "大厦")

# Names the product's own examples and docs use; they must exist in A1区.
FIXED_A1 = {"road": ["幸福路", "建设街", "望京西路"], "landmark": ["幸福里小区"]}


class NamePool:
    """Hands out city-wide unique names: mined names first, then generated ones."""

    def __init__(self, rng: random.Random, reserved: set[str] | None = None) -> None:
        self._rng = rng
        self.used: set[str] = set()
        # Real names kept for the district they belong to: generated names never take them.
        self.reserved = reserved or set()

    def take(self, preferred: list[str], count: int, make: callable) -> list[str]:  # type: ignore[valid-type]
        names: list[str] = []
        for name in preferred:
            if len(names) == count:
                break
            if name not in self.used:
                self.used.add(name)
                names.append(name)
        attempts = 0
        while len(names) < count:
            name = make(self._rng)
            attempts += 1
            if name not in self.used and name not in self.reserved:
                self.used.add(name)
                names.append(name)
            elif attempts > 100_000:
                raise RuntimeError("name vocabulary exhausted")
        return names


def road_name(rng: random.Random) -> str:
    return rng.choice(STEMS) + rng.choice(ROAD_SUFFIXES)


def street_name(rng: random.Random) -> str:
    return rng.choice(STEMS) + rng.choice(STREET_SUFFIXES)


def community_name(rng: random.Random) -> str:
    return rng.choice(STEMS) + "社区"


def estate_name(rng: random.Random) -> str:
    return rng.choice(STEMS) + rng.choice(("里", "湾", "苑", "城", "庭", "")) + rng.choice(ESTATE_SUFFIXES)


def facility_name(rng: random.Random, kind: str) -> str:
    return rng.choice(STEMS) + kind
