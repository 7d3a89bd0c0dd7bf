"""Asset counts as officials ask them ("幸福路上有多少个井钙，有没有坏了的", "哪个区路灯最多", "A5区丢失的井盖
都是哪几类", "全市垃圾箱破损率"): the component categories, place, states and grouping of one asset query,
and the answer that names them."""

from __future__ import annotations

import re
from typing import Any

from assistant.lexicon import KIND_NAMES, CityLexicon
from assistant.slots import Slots, says
from tools.query_spec import FigureQuery

ASSET_COUNT = re.compile(r"多少|几[座个段台处盏条根]?|数量|有哪些|都在哪|统计|总数|一共|分别")
ASSET_STATES = [("破损", re.compile(r"破损|损坏|坏|破了|破的|破掉")), ("丢失", re.compile(r"丢失|丢了|丢的|缺失|没了")),
                ("完好", re.compile(r"完好|正常")), ("废弃", re.compile(r"废弃")), ("移除", re.compile(r"移除|拆除"))]  # fmt: skip
# Every state but 完好 ("状态不是完好的有几座", "有问题的"): counted state by state beside the total.
NOT_INTACT = re.compile(r"不是[‘'“\"「]?完好|非完好|不完好|不正常|有问题|异常的|不在完好")
NOT_INTACT_STATES = ["破损", "丢失", "废弃", "移除"]
# Assets named one by one ("A1区的桥梁有哪些", "列几个A2区的变电箱出来"): listed with their place and state.
LISTING = re.compile(r"有哪些|都有哪|是哪几|有哪几|列出|列几个|列一下|举几个|分别在哪|都在哪|具体位置|清单|名单|明细|在哪个网格|在哪几个网格|哪些网格"
                     r"|在哪些地方|在哪些位置|在什么地方|在什么位置|都在哪里"
                     r"|在什么位置|有的话在哪")
# Whether the assets listed are watched ("都装了监测没有", "装没装应变或者挠度传感器"): each one's sensor kinds.
MONITORED = re.compile(r"监测|传感器|探头|装没装|装了.{0,4}没有|接入")
WHICH_WATCHED = re.compile(r"(?:哪几[座个处台]?|哪些)(?:装了|装有|接入了|安装了)")
EACH_WATCHED = re.compile(r"都装|装没装|装了.{0,4}没有|有没有装")
GRID_ASKED = re.compile(r"网格")
# A count this small of one kind in one place is named asset by asset ("A1区有几个泵站": which ones).
FEW = 10
# Set beside the district asked before ("比A2多还是少", "两个区差几个").
COMPARED = re.compile(r"多还是少|高还是低|比.{0,4}(?:多|少)|两个区|俩区|两区|差几|差多少|相差|谁多|谁少|哪个区?多|哪个区?少|哪边多|哪边少|比一下|比一比|对比")
# A state said of the assets counted ("坏掉的路灯", "破损的井盖"): only those are counted.
STATE_ADJECTIVE = re.compile(r"(?:坏|坏掉|坏了|破损|损坏|丢失|丢了|缺失|废弃|移除|拆除)的")
# A share of one state ("破损率"): that state's count over all, said with both counts.
SHARE_ASKED = re.compile(r"占.{0,10}(?:百分之几|比例|多少|几成)|占比|比例|比重|百分比")
STATE_RATE = re.compile(r"(破损|丢失|完好|废弃|移除)率")
BY_CATEGORY = re.compile(r"按大类|各大类|分大类|分别(?!是谁|归谁|由谁|是哪|找谁)|各自|各有|各类|每种|每类|哪几类|哪些类|什么类|哪类|哪几种|哪些种|什么种类|按类|类型分|分开说|分类型|哪些类型|什么类型|啥类型|啥类|哪种类型"
                         r"|按.{0,2}类型|按.{0,2}种类|按[^，,。？?]{1,12}(?:这些|这几类|等)分|前\s*[0-9一二两三四五六七八九十]+\s*(?:[类种]|$)|各类部件|各种部件")
BY_DISTRICT = re.compile(r"各区|每个区|哪些区|哪个区|哪几个区|按区|分区|集中在哪")
# Counted per road, street or grid ("A4区哪条路上的设施最多", "各街道的井盖数"); a grid only when ranked: "在哪些网格"
# lists the assets.
BY_AREA = [("road", re.compile(r"哪条(?:道)?路|哪几条(?:道)?路|哪些(?:道)?路|哪条街|各条?道路|按道路|按路|每条路|(?:最多|最少)的(?:道路|路)")),
           ("street", re.compile(r"哪个街道|哪些街道|哪几个街道|哪几?条街道|各街道|按街道|每个街道|(?:最多|最少)的街道")),
           ("grid", re.compile(r"(?:哪个|哪些|哪几个|各|按|每个)(?:单元)?网格(?=.{0,8}(?:最多|最少|排|前))|按网格|网格.{0,4}排"
                               r"|(?:最多|最少)的(?:单元)?网格"))]
AREA_WORDS = {"road": "道路", "street": "街道", "grid": "网格"}
AREAS_SHOWN = 5  # the first areas of a ranking by road, street or grid (a district has dozens)
# Every kind of component at once: "A7区的部件", "部件有哪些", "丢失的部件有哪些" (a state before it), "部件丢失了".
GENERIC_ASSETS = re.compile(r"(?:全市|全区|各区|[A-Z]\d区)的?(?:各类|各种|所有|全部)?(?:城市)?(?:部件|资产)|(?:部件|资产)(?:总数|一共|按状态|各状态)|路上的(?:部件|资产)|(?:部件|资产).{0,4}有多少|多少个?(?:部件|资产)|几个(?:部件|资产)"
                            r"|(?:哪些|什么|哪几)(?:类型|种类|类)的?(?:城市)?(?:部件|资产)|(?:部件|资产).{0,4}(?:有哪些|都有哪|是哪几)|(?:丢失|破损|废弃|移除|损坏)(?:状态)?的?(?:部件|资产|设施)|(?:部件|资产)都?(?:已经|已)?(?:丢失|破损|废弃|移除|损坏)"
                            r"|(?:哪条路|哪几条路|哪些路|哪个街道|哪些街道|哪个(?:单元)?网格|各街道|各条?道路|每条路)[上里]?的?(?:城市)?(?:部件|资产|设施)")
# How officials shorten asset names ("A2区有多少座桥").
SHORT_ASSET_NAMES = {"桥": "桥梁", "厕所": "公共厕所", "红绿灯": "交通信号灯", "信号灯": "交通信号灯",
                     "消火栓": "消防栓", "垃圾桶": "垃圾箱", "电线杆": "电力杆"}  # fmt: skip
ASSET_UNITS = {"泵站": "座", "桥梁": "座", "水闸": "座", "天桥": "座", "地下通道": "座", "隧道": "座", "综合管廊": "段",
               "路灯": "盏", "景观灯": "盏", "信号灯": "组"}  # fmt: skip
PLACE_LABELS = ("Road", "Landmark")  # assets are named 类别(道路) and addressed by road: a place filters by name


def asset_categories(question: str, slots: Slots, lexicon: CityLexicon) -> list[str]:
    """Component categories a question counts: named ones (or names that sound alike), and every one a generic
    word covers (井盖: all seven kinds of cover)."""
    components = [n for n in lexicon.nodes.values() if n.label == "ComponentCategory"]
    named = [c.id for c in components if says(c.name, question)]
    for short, full in SHORT_ASSET_NAMES.items():
        # "桥" is 桥梁 unless a name holding it was said ("过街天桥").
        if short in question and not any(short in lexicon.nodes[i].name for i in named):
            named += [c.id for c in components if c.name == full]
    # "设施" alone is any facility ("哪条路上的设施最多"), not the kinds whose names end in it (健身设施, 公园设施…).
    for ending in {c.name[-2:] for c in components} - {"设施"}:
        sharing = [c.id for c in components if c.name.endswith(ending)]
        if len(sharing) > 1 and not named and says(ending, question):
            named += sharing
    named += [c.id for c in slots.categories if c.label == "ComponentCategory" and c.id not in named]
    return sorted(set(named))


def place_named(slots: Slots) -> str | None:
    """The road or landmark the assets are on ("劳动路上的部件"), by name."""
    return next((p.name for p in slots.places if p.label in PLACE_LABELS), None)


def counts_by_state(question: str) -> bool:
    """"按状态分一下", "状态不是完好的有几座": a count by state, not how one asset is doing."""
    return bool(NOT_INTACT.search(question) or re.search(r"按状态|各状态|状态分|分状态|各种状态|都正常|状态正常|是否完好|都完好|都好着|好着吗|都好吗|完好吗|完不完好"
                                                         # "破损或者丢失状态的有几个": those states counted
                                                         r"|(?:破损|丢失|损坏|完好|废弃|移除)[^，,。？?]{0,6}状态[^，,。？?]{0,4}(?:几|多少)", question))


def total_then_state(question: str) -> bool:
    """"A7区消防栓有多少个？破损的有几个": the count asked first, a state after it: the total and each state."""
    clauses = [c for c in re.split(r"[？?，,；;。!！\s]+", question) if c]
    first = next((i for i, c in enumerate(clauses) if ASSET_COUNT.search(c)), None)
    return (first is not None and not any(p.search(clauses[first]) for _, p in ASSET_STATES)
            and any(p.search(c) for c in clauses[first + 1:] for _, p in ASSET_STATES))  # fmt: skip


def state_listed(question: str) -> bool:
    """A state of the register named ("丢失状态的井盖") with the assets asked for one by one."""
    named = any(pattern.search(question) for state, pattern in ASSET_STATES if state != "完好")
    return bool(LISTING.search(question) and (named or re.search(r"状态(?:怎样|怎么样|如何)", question)))  # "有哪几个，状态怎样"


def asks_asset_count(question: str) -> bool:
    if re.search(r"列几个|列一下|举几个|列出|清单|名单|明细", question):
        return True  # a listing comes with its count
    if re.search(r"归谁|谁管|谁负责|派给谁|哪个部门", question) and not re.search(r"多少|(?<!好)几(?![天日周年]|个?(?:小时|月|星期))", question):
        return False  # "这两件事分别归谁", "电梯停了好几天了，归谁管": who handles them, not how many there are
    return bool(ASSET_COUNT.search(question) or NOT_INTACT.search(question) or STATE_RATE.search(question) or WHICH_WATCHED.search(question)
                # "有没有丢失的部件？都是啥类型", "有没有损坏或者丢失的？在哪些网格"
                or (re.search(r"有没有|有无", question) and (BY_CATEGORY.search(question) or LISTING.search(question)))
                or ((BY_DISTRICT.search(question) or any(p.search(question) for _, p in BY_AREA))
                    and re.search(r"最多|最少", question))
                # "哪个区部件破损比例最高": a state's share, ranked by district
                or (BY_DISTRICT.search(question) and (SHARE_ASKED.search(question) or STATE_RATE.search(question))
                    and re.search(r"最高|最低|最大|最小", question) is not None)
                or (BY_CATEGORY.search(question) and re.search(r"排", question)))  # "破损的设施按类别排个前三"  # fmt: skip


def asset_query(question: str, slots: Slots, categories: list[str], order: str | None,
                remembered: dict[str, Any] | None = None) -> FigureQuery:  # fmt: skip
    """The count asked; ``remembered`` is the asset query before, whose place and district a follow-up keeps
    when it names none."""
    remembered = remembered or {}
    states = [s for s, pattern in ASSET_STATES if pattern.search(question)]
    if "完好" in states and NOT_INTACT.search(question):
        states = NOT_INTACT_STATES  # "状态不是完好的…编号列出来": every state but 完好, never the intact ones
    if not states and remembered.get("asset_status") and (re.search(r"按类|按区|汇总|分类|分别|各区|各类", question)
                                                          or any(p.search(question) for _, p in BY_AREA)):
        states = list(remembered["asset_status"])  # "丢失的部件有哪些" then "按类别汇总一下数量": still the lost ones
    watched = bool(MONITORED.search(question))
    # "都装了监测没有": asked of each one, listed; "装了倾斜传感器的井盖有几个": those watched, counted.
    each = watched and bool(LISTING.search(question) or EACH_WATCHED.search(question))
    # "有哪几座装了应变或者挠度监测": those watched, listed (a 清单 of all marked each is asked otherwise).
    only = watched and bool(WHICH_WATCHED.search(question)) and not re.search(r"清单|列个|全部|所有|都装", question)
    base: dict[str, Any] = {"measure": "assets", "asset_categories": categories, "order": order,
                            "list_assets": bool(LISTING.search(question)) or each or only, "with_sensors": watched,
                            "watched_only": only}
    if watched and slots.sensor_kind:
        base["sensor_kind"] = slots.sensor_kind
    # "那最少的呢" after "哪个区的井盖最多": the districts again, in the order now asked.
    area = next((key for key, pattern in BY_AREA if pattern.search(question)), None)
    by_district = not area and (BY_DISTRICT.search(question) or len(slots.districts) > 1
                                or (remembered.get("group_by") == "district" and order is not None and not slots.districts))
    earlier = remembered.get("district")
    if len(slots.districts) > 1:
        base["districts"] = [d.id for d in slots.districts]  # "A2区跟A4区比": those two, side by side
    elif earlier and len(slots.districts) == 1 and slots.districts[0].id != earlier and COMPARED.search(question):
        base["districts"] = [earlier, slots.districts[0].id]  # "那A6区呢，比A2多还是少"
        by_district = True
    elif slots.districts:
        base["district"] = slots.districts[0].id
    elif remembered.get("district") and not by_district and "全市" not in question:
        base["district"] = remembered["district"]
    base["place"] = place_named(slots) or (None if slots.districts or "全市" in question else remembered.get("place"))
    if area:
        # "A4区哪条路上的设施最多": the roads counted, the first few ranked.
        base["group_by"], base["list_assets"] = area, False
        # A district's streets are few: every one when no ranking is asked ("按街道拆开").
        every = area == "street" and (base.get("district") or slots.districts) and not _top(question)
        base["order"], base["top"] = order or "desc", _top(question) or (None if every else AREAS_SHOWN)
        base["asset_status"] = NOT_INTACT_STATES if NOT_INTACT.search(question) else states
    elif by_district:
        base["group_by"] = "district"
        base["spread"] = bool(re.search(r"差多少|相差|差距|差几", question))
        # "不是完好状态的…集中在哪几个区": every state but 完好, counted per district.
        base["asset_status"] = NOT_INTACT_STATES if NOT_INTACT.search(question) else states
        if total_then_state(question):
            base["asset_status"] = []  # "总共有几座？各区几座；状态不是完好的单独列出": every one counted, those listed apart
    elif states and BY_CATEGORY.search(question) and not NOT_INTACT.search(question):
        base["group_by"], base["asset_status"] = "category", states  # "丢失的井盖都是哪几类"
        if top := _top(question):
            base["top"], base["order"] = top, base.get("order") or "desc"  # "破损状态的设施按类别排个前三"
    elif (states and (STATE_ADJECTIVE.search(question) or LISTING.search(question))
          and not re.search(r"一共|总共|总数|合计|全部|其中|按状态", question) and not total_then_state(question)):  # fmt: skip
        # "坏掉的路灯有多少盏", "有哪些部件丢失了": those, not every state beside the total
        base["asset_status"] = states
        if len(states) > 1:
            base["group_by"] = "status"  # "破损或丢失的有多少": each of them, and together
    elif (states or NOT_INTACT.search(question) or STATE_RATE.search(question) or counts_by_state(question)
          or re.search(r"什么状态|状态", question)):  # fmt: skip
        base["group_by"] = "status"  # "其中破损或丢失的有几个": every state beside the total
        if len(states) > 1 and (SHARE_ASKED.search(question) or (re.search(r"或者|或是|以及|和|及", question)
                                                                 and not re.search(r"其中|一共|总共|总数|合计", question))) and not NOT_INTACT.search(question) \
                and not total_then_state(question):  # "雨水井盖多少个？破损或者丢了的有几个": the total beside those
            base["asset_status"] = states  # "破损或者丢失的…占百分之几", "已经废弃或者移除了": those states together
    if states and LISTING.search(question) and base.get("group_by") == "status" and "完好" not in states:
        # "其中破损的呢？在哪几个网格": those of the state named, one by one (the total was said before).
        base["asset_status"], base["list_assets"] = states, True
        base.pop("group_by")
    if area:
        return FigureQuery.model_validate(base)
    if by_district and states and order and re.search(r"(?:比例|比率|率|占比)\S{0,2}?(?:最高|最低|最大|最小)", question):
        # "哪个区部件破损比例最高": districts ranked by their share of assets in that state, not by the count
        base |= {"share_of_all": True, "rank_by": "share", "asset_status": states}
    if 1 < len(categories) <= 3 and LISTING.search(question) and not base.get("group_by") and not watched:
        base["group_by"] = "category"  # "A7区有哪些水闸和排水口": each kind counted, and listed
    if len(categories) == 1 and (base.get("district") or base["place"]) and base.get("group_by") in (None, "status") and not watched:
        base["list_assets"] = True  # named too when they are few (the answer lists at most FEW unasked)
    shared = SHARE_ASKED.search(question) and not by_district
    if base.get("asset_status") and (shared or STATE_RATE.search(question)) and not NOT_INTACT.search(question):
        base["share_of_all"] = True  # …as a share of every asset of the kind ("丢失率多少，哪个区丢得最多": the city's too)
    elif categories and shared and not base.get("asset_status") and not base.get("group_by") and not watched:
        base["share_of_all"] = True  # "全市部件里井盖占比多少": the kinds as a share of every asset counted
    elif ((len(categories) > 1 or not categories) and BY_CATEGORY.search(question) and not by_district
          and not (base.get("group_by") == "status" and NOT_INTACT.search(question))):  # "不是完好的有几个，分别啥情况": by state
        base["group_by"] = "major" if "大类" in question else "category"  # "泵站和水闸分别有多少", "按资产类型统计一下A1区的部件"
        base["list_assets"] = False  # "都有哪些类型的资产": the kinds counted, not the assets one by one
        if top := _top(question):
            base["top"], base["order"] = top, base.get("order") or "desc"  # "前五类是啥"
    return FigureQuery.model_validate(base)


def _top(question: str) -> int | None:
    from assistant.slots import _number

    match = re.search(r"前\s*([0-9一二两三四五六七八九十]{1,2})\s*(?:类|种|名|个|位|$)", question)
    return _number(match.group(1)) if match else None


def _unit(kinds: str) -> str:
    return next((u for word, u in ASSET_UNITS.items() if word in kinds), "个")


NONE_ASKED = re.compile(r"一[个座件处台根盏]都没有|(?:哪个|哪些|哪几个)区(?:还|都)?没有|没有的区|为0|为零|是0的")


def compose_assets(data: dict[str, Any], query: FigureQuery, name: Any, question: str = "") -> str:
    kinds = "、".join(name(c) for c in query.asset_categories) or "部件"
    unit = _unit(kinds)
    states = "、".join(query.asset_status)
    scope = (name(query.district) if query.district else "全市") + (f"{query.place}上" if query.place else "")
    head = f"按部件台账（图谱）当前登记，{scope}{kinds}" + (f"（状态为{states}）" if states else "")
    rows, total = data["rows"], data["total"]["value"]
    items = data.get("items") or []
    if not LISTING.search(question) and not query.with_sensors and data["total"]["value"] > FEW:
        items = []  # listed unasked only when few
    listed_items = "".join(f"\n- {i['name']}（{i['key']}，{name(i['district'])}，{i.get('address') or '位置未登记'}"
                           + (f"，网格 {i['grid']}" if i.get("grid") and GRID_ASKED.search(question) else "")
                           + f"）：{i['status']}" + _watched(i) for i in items)  # fmt: skip
    if items and len(items) < data["total"]["value"]:
        # In words: a count no tool returned would be dropped by the grounding check with its sentence.
        listed_items = f"\n（{'已接入监测的，' if query.watched_only else ''}只列出按编码排在前面的一部分）" + listed_items
    share = (f"\n占全部 {data['all_total']:g} {unit}的 {data['share_pct']:.1f}%。"
             if data.get("share_pct") is not None and data.get("all_total") else "")  # fmt: skip
    watched = (f"\n其中已接入{KIND_NAMES.get(query.sensor_kind or '', '监测')}传感器的 {data['watched']} {unit}"
               + (f"，占 {data['shares']['watched']:g}%" if (data.get("shares") or {}).get("watched") is not None else "")
               + ("（全部已接入，均有监测）" if data.get("watched") and data["watched"] == total else "") + "。"
               + ("按区：" + "；".join(f"{name(d)} {n} {unit}" for d, n in data["watched_by"].items()) + "。"
                  if data.get("watched_by") else "")
               if data.get("watched") is not None else "")  # fmt: skip
    if share and not query.asset_status:
        share = f"\n占{scope}全部部件 {data['all_total']:g} 个的 {data['share_pct']:.1f}%。"  # the kinds among every asset
    if not rows:
        return (f"{head}共 {total:g} {unit}。" if total else f"{head}没有登记（0 {unit}）。") + watched + share + listed_items
    listed = "；".join(f"{name(r['key'])} {r['value']:g} {_unit(name(r['key'])) if query.group_by == 'category' else unit}"
                      for r in rows)  # fmt: skip
    if query.group_by in AREA_WORDS:
        # Only the first areas are shown: the total is of every one, said apart.
        first = f"{'最少' if query.order == 'asc' else '最多'}的几个" if query.top else "从多到少"
        lines = [f"{head}共 {total:g} {unit}；按{AREA_WORDS[query.group_by]}排，{first}：{listed}。"]
        return "\n".join(lines)
    by = {"status": "各状态", "category": "分别", "major": "各大类"}.get(query.group_by or "", "各区")
    if query.rank_by == "share" and all(r.get("share_pct") is not None for r in rows):
        # "哪个区部件破损比例最高": each district's share of its own assets, highest first, with the counts behind it.
        states = "、".join(query.asset_status)
        ranked = "；".join(f"{name(r['key'])} {r['share_pct']:g}%（{states} {r['value']:g} {unit}）" for r in rows)
        word = "最低" if query.order == "asc" else "最高"
        return (f"{head}占各自全部部件总数的比例（{'从低到高' if query.order == 'asc' else '从高到低'}）：{ranked}。\n"
                f"{states}比例{word}的是 {name(rows[0]['key'])}。")
    lines = [f"{head}{by}：{listed}；合计 {total:g} {unit}。"]
    if data.get("gap") and query.group_by != "status":
        higher, lower = (rows[0], rows[1]) if data["gap"] > 0 else (rows[1], rows[0])
        size = f"{abs(data['gap']):g} {unit}"
        # Said from both sides: "那A2区呢，跟A5比多还是少" asks it of A2区, whichever has more.
        lines.append(f"{name(higher['key'])}比{name(lower['key'])}多 {size}，{name(lower['key'])}比{name(higher['key'])}少 {size}。")
    elif len(rows) == 2 and rows[0]["value"] == rows[1]["value"]:
        lines.append(f"两者一样多，均为 {rows[0]['value']:g} {unit}。")
    if query.group_by == "status":
        counted = {r["key"] for r in rows}
        absent = [s for s, pattern in ASSET_STATES if pattern.search(question) and s not in counted]
        if absent:  # "其中破损的呢": none is an answer too
            lines.append("、".join(absent) + f"的没有（0 {unit}）。")
        lines += _state_shares(data, question)
    if share and query.asset_status:
        lines.append(f"{'、'.join(query.asset_status)}共 {total:g} {unit}，" + share.strip())
    if watched:
        lines.append(watched.strip())
    if data.get("not_intact") is not None:
        broken = data["not_intact"]
        shares = data.get("shares", {})
        share = f"，占全部的 {shares['非完好']:.1f}%" if broken and "非完好" in shares and SHARE_ASKED.search(question) else ""
        lines.append(f"非完好（破损、丢失、废弃、移除）共 {broken} {unit}{share}" + ("，没有非完好的。" if not broken else "。"))
    if (rate := STATE_RATE.search(question)) and (state := rate.group(1)) in data.get("shares", {}):
        count = next((r["value"] for r in rows if r["key"] == state), 0)
        lines.append(f"{state}率 {data['shares'][state]:.1f}%（{state} {count:g} {unit} / 共 {total:g} {unit}）。")
    if query.group_by == "district" and NONE_ASKED.search(question):
        # "哪个区一个都没有": the districts at 0 named, or that every one has some.
        empty = [name(r["key"]) for r in rows if not r["value"]]
        lines.append(f"一{unit}都没有的区：{'、'.join(empty)}。" if empty else f"各区都有{kinds}，没有一{unit}都没有的区。")
    if query.order:
        best = [r for r in rows if r["value"] == rows[0]["value"]]
        worst = [r for r in rows if r["value"] == rows[-1]["value"]]
        lines.append(f"{'最少' if query.order == 'asc' else '最多'}的是 " + "、".join(name(r["key"]) for r in best) + "。")
        if len(rows) > 1 and re.search(r"最少|最低|倒数", question) and re.search(r"最多|最高|(?<!倒数)第一", question):
            lines.append(f"{'最多' if query.order == 'asc' else '最少'}的是 " + "、".join(name(r["key"]) for r in worst) + "。")
        if data.get("spread") is not None and len(rows) > 1:  # "那最少的呢，差多少": from the other end
            lines.append(f"最多的{name(max(rows, key=lambda r: r['value'])['key'])}与最少的{name(min(rows, key=lambda r: r['value'])['key'])}"
                         f"相差 {data['spread']:g} {unit}。")
    return "\n".join(lines) + listed_items


def _watched(item: dict[str, Any]) -> str:
    if item.get("sensors") is None:
        return ""
    kinds = "、".join(KIND_NAMES.get(k, k) for k in item["sensors"])
    return f"；已接入监测：{kinds}" if kinds else "；未接入监测传感器"


def _state_shares(data: dict[str, Any], question: str) -> list[str]:
    """The share of the one state a question names ("破损的占百分之几")."""
    if not SHARE_ASKED.search(question) or NOT_INTACT.search(question):
        return []  # the states not 完好 are said together below
    shares = data.get("shares", {})
    asked = [s for s, pattern in ASSET_STATES if pattern.search(question) and s in shares]
    return [f"{asked[0]}占全部的 {shares[asked[0]]:.1f}%。"] if len(asked) == 1 else []
