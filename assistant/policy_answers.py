"""Rule questions answered from the policy documents: one search per part asked, the sentences that answer
quoted whole with the document's issuer, number and date, and a named category's own standard from the graph."""

from __future__ import annotations

import re
from typing import Any

from assistant.passages import best_passage, best_sentences, most_relevant_first, question_parts
from assistant.turn import Call, Turn

# How officials say it, and how the documents do ("多久能给回复": 答复的时限; "井盖丢了…补上": 缺失…补齐): the
# documents' words are added to the search and to the choice of passage, the question's own are kept.
DOCUMENT_WORDS = (("回复", "答复"), ("丢了", "缺失"), ("丢失", "缺失"), ("补上", "补齐"), ("多久", "时限"),
                  ("多长时间", "时限"), ("罚多少", "罚款"))  # fmt: skip


def in_document_words(question: str) -> str:
    added = [doc for said, doc in DOCUMENT_WORDS if said in question and doc not in question]
    return f"{question} {' '.join(dict.fromkeys(added))}" if added else question


EVERY_LEVEL = re.compile(r"各级|分几级|分为几级|几个级别|各个级别|每一?级|哪几级|几级响应")
LEVEL_SECTION = re.compile(r"[ⅠⅡⅢⅣ一二三四1-4IV]+级(?:应急)?响应|[蓝黄橙红]色预警")
FINE = re.compile(r"罚款|罚多少")
# (A fine or the document asked of a category: its standard names the laws it rests on, beside the passage quoted.)
CATEGORY_RULE = re.compile(r"罚款|罚多少|哪个文件|什么文件|哪条规定|哪个规定|立案条件|结案条件|立案标准|结案标准|处置时限|时限|多久|多长时间|几个?小时|几个钟头|多少个?钟头|多少小时|几天|怎么才算|算结案|才能结案|才能立案")


def plan_policy(turn: Turn) -> list[Call]:
    # Five passages, ordered again by the words they share; and for a message asking several things, a
    # search for each, whose answer may stand in another article.
    parts = question_parts(turn.question)
    # "A5区防汛预案里积水多深要启动响应" then "牵头单位是谁？": the same document, asked something more.
    asked = f"{turn.memory.get('said', '')} {turn.question}" if turn.follow_up and turn.memory.get("intents") == ["policy"] else turn.question
    # "应急响应分几级，各级怎么启动": every level's section is wanted, so more passages are fetched.
    calls = [Call("search_policies", {"q": in_document_words(asked)[-500:], "k": 10 if EVERY_LEVEL.search(turn.question) else 5})]
    calls += [Call("search_policies", {"q": _with_subject(p, parts[0], turn)[:500], "k": 3}) for p in parts if len(parts) > 1]
    if (category := turn.category) and CATEGORY_RULE.search(turn.question):
        # "垃圾满溢的结案条件和时限" (or "这类一般多久要处理完" after a report): the category's own standard; "燃气管道
        # 泄漏…几个小时？路面塌陷呢": each category named, in the order named.
        named = [c.id for c in turn.slots.categories[:3]] or [category.id]
        if "井盖" in turn.question and len(covers := _covers_named(turn)) > 1:
            named = covers  # "井盖丢了…燃气的跟雨水的一样吗": each kind of cover named
        calls += [Call("get_node", {"node_id": node}) for node in dict.fromkeys(named)]
        # Who must meet the time limit: the district's rule, or every district's when none is named.
        districts = [turn.district] if turn.district else [d.id for d in turn.lexicon.districts]
        calls += [Call("responsible_department", {"category": node, "district": d}) for node in dict.fromkeys(named) for d in districts]
    return calls



def _with_subject(part: str, first: str, turn: Turn) -> str:
    """A later part asked of what the first named ("井盖高差超过多少就得立案？结案要满足啥条件": 井盖's closing), searched
    with that name: alone, "结案要满足啥条件" finds the general rule of every case."""
    if part == first or turn.lexicon.find(part):
        return part
    named = " ".join(dict.fromkeys(mention.surface for mention, _ in turn.lexicon.find(first)))
    return f"{named} {part}" if named else part


def time_limits(sla_hours: Any, urgent_hours: Any) -> str:
    """As services.dispatch.deadlines counts them: working hours for an ordinary case, clock hours when urgent."""
    urgent = f"；紧急 {urgent_hours} 小时（按自然小时连续计）" if urgent_hours else ""
    return f"处置时限 {sla_hours} 小时（按工作时间计）{urgent}"


def _category_standard(turn: Turn) -> str:
    """A category's filing and closing conditions and time limits, as the graph holds them."""
    said = []
    for record in turn.succeeded("get_node"):
        node = record.data["node"]
        p = node["properties"]
        if "filing_condition" not in p:
            continue
        said.append(f"「{turn.name(node['id'])}」（{node['id']}）的处置标准：立案条件 {p['filing_condition']}；结案条件 "
                    f"{p['closing_condition']}；{time_limits(p['sla_hours'], p.get('urgent_sla_hours'))}；"
                    f"依据 {p['legal_basis'].replace(';', '、')}{_handled_by(turn, node['id'])}。")
    nodes = [r.data["node"] for r in turn.succeeded("get_node") if "sla_hours" in r.data["node"]["properties"]]
    if len(nodes) == 2 and re.search(r"一样|相同|区别|不同|差别", turn.question):
        # "燃气的跟雨水的一样吗": the two time limits set side by side, the shorter named.
        (a, b), hours = nodes, [n["properties"]["sla_hours"] for n in nodes]
        if hours[0] == hours[1]:
            said.append(f"两者处置时限相同，均为 {hours[0]} 小时。")
        else:
            short = a if hours[0] < hours[1] else b
            said.append(f"两者不一样：「{turn.name(short['id'])}」的时限更短（{min(hours)} 小时，另一类 {max(hours)} 小时）。")
    return "\n".join(said)


COVER_KINDS = ("上水", "污水", "雨水", "电力", "通信", "燃气", "热力")


def _covers_named(turn: Turn) -> list[str]:
    """The kinds of manhole cover a question names by their first word ("燃气的跟雨水的")."""
    by_name = {n.name: n.id for n in turn.lexicon.nodes.values() if n.label == "ComponentCategory"}
    return [by_name[f"{kind}井盖"] for kind in sorted(COVER_KINDS, key=turn.question.find)
            if kind in turn.question and f"{kind}井盖" in by_name]


def _handled_by(turn: Turn, category: str) -> str:
    """Who handles the category: one body (in every district asked), or each district's."""
    rules = [r for r in turn.succeeded("responsible_department") if r.args.get("category") == category]
    names = {r.data["department"]["name"] for r in rules}
    if len(names) == 1:
        return f"；责任单位 {names.pop()}" + ("（各区相同）" if len(rules) > 1 else "")
    kinds = {re.sub(r"^[A-Z]\d区", "", name) for name in names}
    if len(kinds) == 1 and all(re.match(r"[A-Z]\d区", name) for name in names):
        return f"；责任单位 所在区的{kinds.pop()}（如 {rules[0].data['department']['name']}）"  # each district's own bureau
    if names:
        return "；责任单位按区不同：" + "、".join(f"{turn.name(r.args['district'])} {r.data['department']['name']}" for r in rules)
    return ""


CATEGORY_CODE = re.compile(r"(?:事件|部件)\s*(\d{4})")


def _of_another_category(hit: dict[str, Any], turn: Turn) -> bool:
    """A passage on other categories only ("下水道堵塞（事件 0404）的立案条件…" when 0405 was asked): no second quote."""
    asked = {c.id.rsplit("-", 1)[-1] for c in turn.slots.categories}
    if not asked and turn.follow_up and (before := turn.memory.get("category")):
        asked = {before.rsplit("-", 1)[-1]}  # "那归谁管" after "道路积水多深才能立案": the category asked before
    if any(mention.surface == "井盖" for mention, _ in turn.lexicon.find(turn.question)) and not _covers_named(turn):
        # "井盖" alone is every kind of cover, not the one the gazetteer reads it as: a passage on any of them is on it.
        asked |= {n.id.rsplit("-", 1)[-1] for n in turn.lexicon.nodes.values() if n.label == "ComponentCategory" and n.name.endswith("井盖")}
    named = set(CATEGORY_CODE.findall(hit["text"]))
    return bool(asked and named and not asked & named)


def compose_policy(turn: Turn) -> str:
    standard = _category_standard(turn)
    found: dict[str, dict] = {}
    for record in turn.succeeded("search_policies"):
        for hit in record.data["items"]:
            found.setdefault(hit["chunk_id"], hit)
    if not found:
        return standard or "没有检索到相关的政策条款。"
    hits = most_relevant_first(list(found.values()), in_document_words(turn.question))
    parts = question_parts(turn.question)
    # One passage per part asked (the best passage of the whole question first), each quoted once; a part searched on
    # its own is answered from what its own search found ("结案要满足啥条件" beside "高差超过多少就得立案").
    searched = turn.succeeded("search_policies")
    own = [r.data["items"] or hits for r in searched[1:]] if len(parts) > 1 and len(searched) == len(parts) + 1 else [hits] * len(parts)
    answers = [(best_passage(pool, p)["chunk_id"], p) for pool, p in zip(own, parts, strict=True)]
    chosen = list(dict.fromkeys([hits[0]["chunk_id"]] + [chunk for chunk, _ in answers]))
    chosen = chosen[:1] + [c for c in chosen[1:] if not _of_another_category(found[c], turn)]
    if len(chosen) == 1 and len(hits) > 1 and not _of_another_category(hits[1], turn):
        chosen.append(hits[1]["chunk_id"])  # a second passage too: the official judges relevance
    if EVERY_LEVEL.search(turn.question):
        # "各级怎么启动": every level's own section of the first document, in the document's order.
        first = found[chosen[0]]["doc_id"]
        levels = sorted((h for h in found.values() if h["doc_id"] == first and LEVEL_SECTION.search(_section(h))),
                        key=lambda h: int(h["chunk_id"].rsplit("#", 1)[-1]) if h["chunk_id"].rsplit("#", 1)[-1].isdigit() else 0)  # fmt: skip
        if len(levels) > 1:
            chosen = list(dict.fromkeys([*chosen, *(h["chunk_id"] for h in levels)]))[:7]
    lines, last_doc = [], None
    for n, chunk_id in enumerate(chosen):
        hit = found[chunk_id]
        body = hit["text"].split("\n", 1)[-1]
        # The sentences quoted are those of the part the passage was chosen for.
        asked = turn.question if len(parts) == 1 else " ".join(p for chunk, p in answers if chunk == chunk_id) or turn.question
        quote = best_sentences(body, asked, 240 if n == 0 else 180)
        source = _document(hit) if hit["doc_id"] != last_doc else "同一文件"
        # The section a passage sits under often says what it is ("（二）Ⅳ级响应" above "接到蓝色预警后…").
        section = _section(hit)
        where = f"「{section}」" if section and section != hit["title"] else ""
        lines.append(f"{'根据' if n == 0 else '另据'}{source}{where}：\n> {quote}")
        last_doc = hit["doc_id"]
    others = [h for h in hits if h["chunk_id"] not in chosen][:3]
    if others:
        lines.append("相关条款还见：" + "；".join(f"《{h['title']}》（{h['chunk_id']}）" for h in others))
    if standard and FINE.search(turn.question):
        return "\n".join([*lines, standard])  # the fine is in the passage: it comes first, the category's standard after
    return "\n".join(([standard] if standard else []) + lines)


def _section(hit: dict[str, Any]) -> str:
    """The heading a passage sits under, the last of its path ("（二）Ⅳ级响应")."""
    return hit["text"].split("\n", 1)[0].split(" › ")[-1].strip() if "\n" in hit["text"] else ""


def _document(hit: dict[str, Any]) -> str:
    """《title》 with who issued it, its number and date: "哪个文件、哪天发的" is often the question."""
    number = hit.get("doc_number") if re.search(r"\d", hit.get("doc_number") or "") else None  # not "以原文为准"
    about = "，".join(str(v) for v in (hit.get("issuer"), number, hit.get("date")) if v)
    return f"《{hit['title']}》（{about}）" if about else f"《{hit['title']}》"


