"""What the offline planner says of a triaged report (issue 15): the triage card, and what an operator asks of it
afterwards — a duplicate, the urgency's reason, several problems in one report split into cases, a report no
city-management category fits sent to whoever handles its 12345 class, and what to tell the caller first."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Any

from assistant.figures import departments_named
from assistant.policy_answers import time_limits
from assistant.slots import fill_slots
from assistant.turn import Turn

# An operator asking for the report to be registered ("帮我建个案", "登记一下", "录进去").
CREATE_CASE = re.compile(r"建个?案|建个案子|建案件|新建一个?案|录个件|录件|录进去|录入|登记一下|登记下")
URGENCY_NAMES = {"low": "低", "normal": "一般", "high": "高", "critical": "紧急"}


# The markers a caller numbers several problems by ("一是…二是…", "第一…第二…", "1、…2、…").
ENUMERATED = re.compile(r"(?:[一二三四五]是|第[一二三四五][，,、是]?|其[一二三四五][，,、]?|(?<![0-9])[1-5][、.．)）]|[①②③④⑤])")
MAX_PROBLEMS = 4
MAX_CLAUSES = 8


# "刚又打进来一个电话说的同一个地方，车里还困着个老人": a second call about the report just triaged.
SAME_PLACE = re.compile(r"同一个?(?:地方|地点|位置|处|路口|点)|还是(?:刚才)?那个?(?:地方|位置|地点|路口)|就是刚才那(?:个地方|里|儿|处)")
# Asked whether a report is one case or several ("这条该不该拆单").
SPLIT_ASKED = re.compile(r"拆单|拆分|拆开|拆不拆|该不该拆|要不要拆|分开(?:立|派|建)|分别立|单独立|另立|另外立|单独(?:建|派)"
                         r"|分成[^，,。？?]{0,12}(?:两|几|三|2|3|多)个?(?:单|工单|案)|一单还是两单|两个单")


LONG_REPORT = 40  # characters: a report this long is read clause by clause for other problems it tells of


def clauses_read(question: str, text: str) -> bool:
    """Whether a report's clauses between commas are triaged too: a split asked, or a long report that numbers no
    problems and parts none by semicolons (those are its problems)."""
    return SPLIT_ASKED.search(question) is not None or (len(text) >= LONG_REPORT and not problems(text))


def problems(text: str, commas: bool = False) -> list[str]:
    """The problems of a report that numbers two or more, each with the words before the first (where it is);
    or its clauses between semicolons ("摊子摆到机动车道上；烤串的支炉子；垃圾桶塞爆了"), or between commas when a split is
    asked, whose triage says whether they are problems of different kinds."""
    marks = list(ENUMERATED.finditer(text))
    if len(marks) < 2:
        clauses = [c.strip("，,。 ") for c in re.split(r"[；;，,]" if commas else r"[；;]", text)]
        clauses = [c for c in clauses if len(c) >= 8]
        if len(clauses) < 2:
            return []
        # The district, said once: in the first clause, or anywhere ("…贴满了小广告，A1区的，帮忙反映一下").
        lead = DISTRICT_NAME.search(clauses[0]) or DISTRICT_NAME.search(text)
        # Between commas a problem may be told last ("…旁边那几个垃圾桶也满得往外掉"): more clauses are read.
        return [c if not lead or lead.group(0) in c else f"{lead.group(0)}，{c}" for c in clauses[:MAX_CLAUSES if commas else MAX_PROBLEMS]]
    lead = text[:marks[0].start()].rstrip("：:，, ")
    parts = [text[m.end():n.start() if n else len(text)].strip("；;，,。 ") for m, n in zip(marks, [*marks[1:], None], strict=True)]
    parts = [p for p in parts if len(p) >= 6]
    return [f"{lead}，{p}" if lead else p for p in parts[:MAX_PROBLEMS]] if len(parts) >= 2 else []


# A citizen's words quoted by staff ("坐席判成了『道路不洁』，你看对不对：『解放路上一路都是泥巴…』"): long enough to be
# a report, not a category's or a bureau's name quoted beside it.
LONG_QUOTE = re.compile(r"[“\"「『]([^”\"」』]{10,})[”\"」』]")
DISTRICT_NAME = re.compile(r"[A-Z]\d区")
CALLER_SAID = re.compile(r"(?:来电人|市民|对方|群众|居民)[^，,。；;]{0,8}?(?:说|反映|补充)[:：]?([^。；;？?]{6,})")


def quoted_report(text: str) -> str | None:
    """The report a supervisor or an operator quotes, with the district said outside the quote where it names
    none ("A4区这条：『…』"); or none when nothing long is quoted."""
    quoted = LONG_QUOTE.findall(text)
    if not quoted:
        return None
    report = "；".join(quoted)
    # "来电人又打进来说火越烧越大，快烧到旁边加油站了": what the caller said since, outside the quote, is the report too.
    report += "".join(f"，{said.strip('，, ')}" for said in CALLER_SAID.findall(LONG_QUOTE.sub(" ", text)))
    if not DISTRICT_NAME.search(report) and (district := DISTRICT_NAME.search(LONG_QUOTE.sub(" ", text))):
        report = f"{district.group(0)}，{report}"
    return report


# What the operator decided for a report, said by whoever checks it: "判成了『道路不洁』", "坐席派的市应急局",
# "标的critical，是不是标高了".
CLAIMED_URGENCY = re.compile(r"(?:(?:标|定|判|评|设|填)(?:的|成|为|了|成了)|紧急程度\s*[:：]?\s*(?:定为|标为|为|是)?)\s*[「『“]?"
                             r"(critical|high|normal|low|特急|紧急|高|一般|低)(?![不吗么])"  # not "紧急程度高不高"
                             # "定成了事件『路面塌陷』、critical": a level's code said alone is a claim
                             r"|(?<![A-Za-z])(critical|high|normal|low)(?![A-Za-z])", re.I)
URGENCY_CODES = {"critical": "critical", "特急": "critical", "紧急": "critical", "high": "high", "高": "high",
                 "normal": "normal", "一般": "normal", "low": "low", "低": "low"}  # fmt: skip
URGENCY_ORDER = ("low", "normal", "high", "critical")
# A category the operator chose, not one the supervisor's words happen to name ("快烧到旁边加油站了").
CLAIMED_CATEGORY = re.compile(r"(?:判|归|定|分|标|算|选|填|按)(?:成了?|为|到|了|的是?|作)?\s*(?:事件|部件)?\s*[「『“]?$")
# "这种要不要立案", "够不够立案": whether to register it.
FILING_ASKED = re.compile(r"要不要立案|该不该立案|能不能立案|够不够立案|符不符合立案|是否立案|需不需要立案|可以立案吗|能立案吗"
                          r"|立案不|能(?:不能)?按.{0,8}立案|够.{0,4}立案条件")
# "…的立案条件为：夜间（22时至次日6时）无夜间施工证明作业…。": a category's filing condition as a document states it.
FILING_CONDITION = re.compile(r"立案条件(?:为|是)[:：]?([^。]{4,120})。")
# "我该怎么回他": what to tell the caller now.
REPLY_ASKED = re.compile(r"怎么回(?:他|她|复|答)|怎么答复|怎么跟(?:他|她|来电人|市民)说|如何答复|怎么回应")


def _claimed(said: str, surface: str) -> bool:
    at = said.find(surface)
    return at >= 0 and CLAIMED_CATEGORY.search(said[max(0, at - 8):at]) is not None


def _review(turn: Turn, result: dict[str, Any]) -> str:
    """The operator's category, department and urgency set against the triage's, where the question states them."""
    said = LONG_QUOTE.sub(" ", turn.question)
    if said == turn.question:
        return ""  # nothing quoted: what is named is the report itself, not an operator's decision about it
    named = [n for m, n in turn.lexicon.find(said) if n.label != "Department"
             and (n.label not in ("EventCategory", "ComponentCategory") or _claimed(said, m.surface))]
    # "派给A4区城管局": that district's bureau, not the city's (the gazetteer finds the district and 城管局 apart)
    slots = fill_slots(said, turn.lexicon, turn.now)
    district = slots.districts[0].id if slots.districts else result.get("district")
    sent_to = departments_named(slots, turn.lexicon, district, said)
    # "派给区城管局": the bureau of the report's district, of the seven the bare name could be
    sent_to = [d for d in sent_to if district and district in d] or sent_to
    named += [turn.lexicon.nodes[d] for d in sent_to if d in turn.lexicon.nodes]
    verdicts = []
    category = result["category"]
    if claimed := next((n for n in named if n.label in ("EventCategory", "ComponentCategory")), None):
        if claimed.id == category["id"]:
            unsure = result["confidence"] < SURE and result.get("alternatives")
            verdicts.append(f"类别「{claimed.name}」与系统初判一致" + (
                f"，但把握不大（也可能是{'、'.join(a['name'] for a in result['alternatives'])}），请结合诉求核实" if unsure else ""))
        else:
            verdicts.append(f"类别判为「{claimed.name}」不准确，按诉求内容应为「{category['name']}」，建议改为「{category['name']}」")
    department = result.get("department") or {}
    if (sent := next((n for n in named if n.label == "Department"), None)) and department:
        verdicts.append(f"派给{sent.name}正确，与责任规则一致" if sent.id == department["id"]
                        else f"派给{sent.name}不对，按责任规则应由{department['name']}负责，建议改派{department['name']}")
    if (marked := CLAIMED_URGENCY.search(said)) and (code := URGENCY_CODES.get((marked.group(1) or marked.group(2)).lower())):
        mine, theirs = URGENCY_ORDER.index(result["urgency"]), URGENCY_ORDER.index(code)
        level = URGENCY_NAMES[result["urgency"]]
        verdicts.append(f"紧急程度标为「{URGENCY_NAMES[code]}」" + (
            "与系统一致" if mine == theirs else f"偏高，建议降为「{level}」" if theirs > mine else f"偏低，建议调高为「{level}」"))
    return "- 复核：" + "；".join(verdicts) + "。" if verdicts else ""


def compose_triage(turn: Turn) -> str:
    """The triage card of the report (or the case just created from it), with what the operator asked of it."""
    records = turn.succeeded("triage_report")
    if not records:
        return ""
    if created := turn.succeeded("create_case"):
        c = created[0].data
        return (f"已建案：案件 {c['id']}，{c['category_name']}（{c['category_code']}），{turn.name(c['district'])}，"
                f"网格 {c['grid_id']}，责任部门 {turn.name(c['department_id'])}，紧急程度 "
                f"{URGENCY_NAMES.get(c['urgency'], c['urgency'])}，当前状态「{c['state']}」。")
    r = records[0].data
    c = r["category"]
    text = records[0].args.get("text", "")
    asked_split = SPLIT_ASKED.search(turn.question) is not None
    parts = problems(text, clauses_read(turn.question, text))
    clauses = [rec.data for rec in records[1:] if rec.args.get("text") in parts]
    split, also = clauses, []
    if not asked_split and not problems(text):
        # A long report read clause by clause, no split asked: the other problems it tells of are named beside the main
        # one ("白天还尘土满天飞" is the housing bureau's), not split into cases unasked.
        split, also = [], _also_involved(r, clauses)
    compared = ""
    if DUPLICATE_ASKED.search(turn.question) and len(split) >= 2 and len(ENUMERATED.findall(turn.question)) >= 2:
        # "这三条是不是有重复的：1. …2. …3. …": the listed reports set beside each other, not split further.
        compared, split = _listed_compared([(rec.args["text"], rec.data) for rec in records[1:] if rec.args.get("text") in parts]), []
    split = _one_per_category(split)[:MAX_PROBLEMS]
    if len({p["category"]["id"] for p in split if p["confidence"] >= VAGUE}) < 2:
        split = []  # the clauses tell of one problem (or of nothing clear): no split
    # "要不要分成爆管和停水两个单": every clear clause is the report's own problem or what follows from it.
    told = {p["category"]["name"] for p in clauses if p["confidence"] >= VAGUE}
    unsplit = asked_split and bool(told) and told <= {c["name"], *CONSEQUENCES.get(c["name"], ())}
    if unsplit:
        split = []
    if r["confidence"] < VAGUE and not r["district"] and not _transfer(r, text):
        # "又有人打电话说那边又出问题了": neither what nor where is known — no category, bureau or urgency is guessed.
        return ("信息不足，无法确定诉求的类别、地点和责任部门（分类置信度很低），暂不分拨。请向来电人追问：\n"
                "- 发生了什么问题（哪种设施坏了、什么事件）\n- 具体地点（小区、门牌或路口）和所在区\n"
                "- 是否有人员受伤或危险，何时发现\n- 如之前报过，上次的工单号（便于催办）")
    alternatives = "、".join(a["name"] for a in r.get("alternatives", []))
    lines = ["分拨建议（尚未写入，需确认）：",
             f"- 类别：{c['name']}（{KIND_WORDS.get(c['kind'], c['kind'])} {c['code']}，{c['major']}），置信度 {r['confidence']}" + (f"；备选 {alternatives}" if alternatives else ""),
             (f"- 位置：网格 {r['grid_id'] or '未定位'}，{turn.name(r['district'])}" + (
                 f"；「{turn.understood.unknown}」未能在系统地名库中定位，请向来电人核实地址" if turn.understood.unknown else "")
              if r["district"]
              # "火车站南广场": a landmark the city's gazetteer lacks is said to be unplaced, not guessed at
              else f"- 位置：「{turn.understood.unknown}」未能在系统地名库中定位，所在区和网格待核实（请向来电人确认所在区和道路）"
              if turn.understood.unknown
              else "- 位置：诉求中没有可识别的地址，无法确定所在区和网格（请向来电人补充地址）"),
             f"- 责任部门：{_triaged_department(r)}",
             # The level's code beside its name: "紧急" alone reads like the urgent time limit below it.
             f"- 紧急程度：{URGENCY_NAMES.get(r['urgency'], r['urgency'])}（{r['urgency']}）",
             f"- 疑似重复：{'、'.join(r['duplicates']) or '无'}"]  # fmt: skip
    if r.get("sla_hours"):
        lines.insert(5, f"- {time_limits(r['sla_hours'], r.get('urgent_sla_hours'))}")
    if review := _review(turn, r):
        lines.insert(1, review)
    if r.get("hotline_category"):
        lines.append(f"- 热线分类：{' / '.join(r['hotline_category']['path'])}")
    if CREATE_CASE.search(turn.question) and not r["grid_id"]:
        lines.append("- 未建案：没有定位到网格，请补充具体地址（门牌号、交叉口或地标）后再建案。")
    if r["urgency"] == "critical":
        # The most urgent kind (燃气泄漏, 塌陷, 电梯困人, 火情): the bureau is called now, not only dispatched.
        lines.append("- 先期处置：请立即电话通知责任单位到场抢险救援，必要时疏散周边群众、设置警戒，再补建案卷。")
    elif r["urgency"] == "high" and OPEN_HOLE.search(turn.question + c["name"]):
        # An open hole in the way (a cover gone, a road sunk) hurts someone before the crew arrives.
        lines.append("- 先期处置：请通知责任单位先到场设置围挡和警示标志，防止行人、车辆坠落，再按时限处置。")
    if c["name"].endswith("井盖") and "井盖" in turn.question and c["name"] not in turn.question:
        # "井盖没了": which kind of cover decides who owns it, and a caller seldom knows.
        lines.append(f"- 权属核实：诉求未说明井盖种类，按「{c['name']}」初判；请现场核实井盖标识（雨水、污水、燃气、电力、通信等）以确定权属单位。")
    if advice := first_response(c["name"]) or (
            FIRE_ADVICE if r["urgency"] == "critical" and SPREADING_FIRE.search(records[0].args.get("text", "")) else None):
        lines.append(f"- 现场提示：{advice}")
    if other := _transfer(r, text):
        # "老板拖欠工资，该找谁": no city-management category fits, the 12345 class does and names who handles it.
        lines.insert(1, f"- 转办建议：诉求不属于城市管理部件、事件类别（下面的类别置信度很低，仅供参考）；按热线分类"
                        f"「{' / '.join(r['hotline_category']['path'][:2])}」，建议转{other['name']}办理。")
    elif r["confidence"] < VAGUE:
        # "楼下那个又坏了": where may be known, what is not — ask before dispatching a guess.
        lines.append("- 信息不足：请向来电人追问坏的是什么设施（或发生了什么事）、具体地址（小区、门牌或路口）和所在区；"
                     "如之前报过，请提供上次的工单号以便催办，不要按猜测的类别派单。")
    if FILING_ASKED.search(turn.question):
        # "这种要不要立案": a clear category of the city's is a case to register; an unsure one is checked first.
        lines.append(f"- 立案判断：属于城市管理「{c['name']}」类{KIND_WORDS.get(c['kind'], '')}，" + (
            "符合立案条件，建议立案并按上述责任部门派遣。" if r["confidence"] >= SURE and r["district"]
            else "类别或地址尚不确定，建议先向来电人核实后再立案。"))
    if FILING_ASKED.search(turn.question) and (stated := _filing_condition(r)):
        lines.append(f"- 立案条件：{stated}")
    if REPLY_ASKED.search(turn.question):
        # The caller is told it is taken up, who will look into it, and that they will hear the outcome.
        lines.append(f"- 答复来电人：您反映的问题已受理，将按「{c['name']}」转{_triaged_department(r)}核查处理，"
                     "处理结果会及时回访告知。")
    if INJURED.search(turn.question):
        # A report of someone hurt is not only the bureau's case: the ambulance is called at once.
        lines.append("- 联动：报告中有人员受伤或被困，请同时呼叫急救（拨打 120；被困需救援的同时报 119），不要等待派遣。")
    if also:
        lines.append("- 另涉及：" + "；".join(f"{p['category']['name']}（{KIND_WORDS.get(p['category']['kind'], '')} {p['category']['code']}），"
                                          f"由{_triaged_department(p)}处理" for p in also) + "。建议另行立案或在工单中备注，一并转办。")
    if unsplit:
        lines.append(f"- 拆分建议：不必拆单。诉求所述情况均为「{c['name']}」及其后果，由{_triaged_department(r)}一并处理，"
                     "在同一工单中备注关联情况即可，避免重复派单。")
    if split:
        # Each problem is its own case: a lamp goes to the lamps' bureau, a bin to the district's.
        # Counted in words: a digit no tool returned would be taken for an unsupported figure.
        lines.append(f"- 拆分建议：诉求包含{'一二三四五'[len(split) - 1]}个问题，建议分别立案、分别派遣：" + "，".join(
            f"问题{'一二三四五'[i]}为{p['category']['name']}（{KIND_WORDS.get(p['category']['kind'], '')} {p['category']['code']}），"
            f"派{_triaged_department(p)}，紧急程度{URGENCY_NAMES.get(p['urgency'], p['urgency'])}" for i, p in enumerate(split)) + "。")
    if URGENCY_ASKED.search(turn.question) and (reason := re.search(r"紧急程度「[^」]+」：[^。]*", r["explanation"])):
        # "紧急程度怎么定": the reason said on its own line, and for a default level that no rule raised it.
        # Only the category's default level, no rule raised it: said, for a level an operator might raise.
        default = "；" not in reason.group(0) and r["urgency"] in ("low", "normal")
        lines.append(f"- 定级理由：{reason.group(0)}" + ("（诉求中未出现危及人身安全、可能造成伤害或涉及易受伤害人群的情形，"
                                                     "未触发升级规则）" if default else ""))
    if compared:
        lines.append(compared)
    elif SAME_PLACE.search(turn.question) and turn.memory.get("category") and not DUPLICATE_ASKED.search(turn.question):
        # A second call about the place just triaged: one matter, merged, and its urgency as now told.
        before = turn.memory.get("urgency")
        raised = (f"；紧急程度由「{URGENCY_NAMES[before]}」调整为「{URGENCY_NAMES[r['urgency']]}」"
                  if before in URGENCY_NAMES and before != r["urgency"] else "")
        lines.append(f"- 与上一通来电：同一地点同一事项，建议并入首次来电的工单一并处理（并案），不另立新单{raised}。")
    elif DUPLICATE_ASKED.search(turn.question) and len(records[0].args.get("text", "")) > 40 and turn.memory.get("category"):
        # "刚又来一个电话：…这跟刚才那个是不是一回事": this report beside the one triaged before in the conversation.
        same = turn.memory.get("category") == c["id"] and (not r["district"] or turn.memory.get("district") in (None, r["district"]))
        lines.append("- 与上一条对比：" + ("类别相同、位置相同（同一区），疑似同一事件：建议合并到上一条工单处理（并案），不再另建新单。"
                                          if same else "类别或位置不同，不是同一事件，应另行登记。"))
    elif DUPLICATE_ASKED.search(turn.question):
        # "又来一个电话说的是同一件事，这算重复件吗": the duplicate check said, and what to do with a second call.
        lines.append("- 查重：" + (f"与已登记案件 {'、'.join(r['duplicates'])} 疑似重复，建议合并（并案）处理，不再重复立案。"
                                   if r["duplicates"] else "已登记的案件中未发现疑似重复；同一地点同一事件的再次来电，"
                                   "建议合并到首次来电的工单一并处理（并案），不重复立案。"))
    lines.append(f"- 说明：{r['explanation']}")
    if hidden := sorted(set(re.findall(r"\[(电话|身份证号|车牌|邮箱|社交账号)\]", r.get("redacted_text") or ""))):
        # The message was redacted before it reached triage: say so, the operator knows what was kept out.
        lines.append(f"- 个人信息：来电人的{'、'.join(hidden)}已隐去（脱敏），不写入案件。")
    return "\n".join(lines)


ORDINALS = "一二三四五"


def _listed_compared(reports: list[tuple[str, dict[str, Any]]]) -> str:
    """Which of several listed reports tell of one matter: the same category at the same spot (a stretch of
    words they share, "和平小区东门"), each group said with what to do with it."""
    # The words before the list, joined to each by problems() ("帮我看下这三条…，"): taken off, the place words kept.
    lead = reports[0][0].split("，", 1)[0] + "，"
    if "，" in reports[0][0] and all(text.startswith(lead) for text, _ in reports):
        reports = [(text[len(lead):], result) for text, result in reports]
    groups: list[list[int]] = []
    for i, (text, result) in enumerate(reports):
        same = next((g for g in groups if reports[g[0]][1]["category"]["id"] == result["category"]["id"]
                     and SPOT.search(_shared_spot(reports[g[0]][0], text))), None)  # fmt: skip
        if same is not None:
            same.append(i)
        else:
            groups.append([i])
    said = []
    for group in groups:
        numbers = "、".join(ORDINALS[i] for i in group)
        name = reports[group[0]][1]["category"]["name"]
        if len(group) > 1:
            spot = _shared_spot(reports[group[0]][0], reports[group[1]][0])
            said.append(f"第{numbers}条同为「{name}」，地点相同（{spot}），疑似同一事项，建议合并为一单（并案）{_routed(reports[group[0]][1])}")
        else:
            said.append(f"第{numbers}条为「{name}」，与其他各条不是同一事项，单独登记{_routed(reports[group[0]][1])}")
    return "- 逐条比对：" + "；".join(said) + "。"


def _routed(result: dict[str, Any]) -> str:
    return f"（派{_triaged_department(result)}，紧急程度{URGENCY_NAMES.get(result['urgency'], result['urgency'])}）"


# A stretch two reports share that names a spot ("和平小区东门"), not only the same complaint ("乱扔垃圾没人管").
SPOT = re.compile(r"\S{2,}(?:路|街|道|巷|小区|门|口|桥|村|园|苑|广场|站|号|楼|社区)")


def _shared_spot(a: str, b: str) -> str:
    match = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return a[match.a:match.a + match.size].strip("，,。 的")


def _filing_condition(result: dict[str, Any]) -> str:
    """The category's filing condition as the first document cited with the triage states it, and where."""
    code = result["category"]["code"]
    for cited in result.get("citations") or []:
        if cited.get("kind") == "document" and code in cited.get("snippet", "") and (
                found := FILING_CONDITION.search(cited["snippet"])):  # fmt: skip
            return f"{found.group(1)}（《{cited['title']}》）。"
    return ""


def first_response(category_name: str) -> str | None:
    """What to tell the caller, or the crew, for a category where the first minutes matter."""
    return next((advice for pattern, advice in FIRST_RESPONSE if pattern.search(category_name)), None)


def _transfer(result: dict[str, Any], text: str) -> dict[str, Any] | None:
    """Who handles the report's 12345 class, when no city-management category fits it and that class is sure, or
    likely and named in the report's own words ("老板一直拖着工资不给": 工资福利 / 工资发放 at 0.29)."""
    other = result.get("hotline_department")
    hotline = result.get("hotline_category") or {}
    said = any(name[:2] in text for name in (hotline.get("path") or [])[1:] if name[:2] not in COMMON_WORDS)
    sure = hotline.get("confidence", 0) >= HOTLINE_SURE or (hotline.get("confidence", 0) >= HOTLINE_LIKELY and said)
    if result["confidence"] < VAGUE and other and sure and other["id"] != (result.get("department") or {}).get("id"):
        return other
    return None


URGENCY_ASKED = re.compile(r"紧急程度怎么定|紧急程度.{0,4}(?:依据|理由|为什么|怎么)|为什么.{0,6}(?:紧急|一般|急)|急不急|定级")
DUPLICATE_ASKED = re.compile(r"重复|同一件事|同一个事|查重|并案|合并|一回事|再建一单|再建单|另建|已经有这单|已有这单|有没有这单|还用新建|要不要新建")
KIND_WORDS = {"event": "事件", "component": "部件"}
SURE = 0.5  # a category this sure is the triage's answer; below it the alternatives are worth a look
# What follows from a problem and is handled with it on the same ticket (a burst main leaves the houses without water).
CONSEQUENCES: dict[str, tuple[str, ...]] = {"自来水管破裂": ("停水", "道路积水内涝")}
# A clause of a long report this sure of another category tells of another problem (工地扬尘 0.40 for "白天还尘土满天飞";
# "闹到凌晨两点还吵吵嚷嚷的" is 0.07 施工扰民, a guess).
ALSO_SURE = 0.35
VAGUE = 0.05  # below this the category is a guess (the classifier spreads its confidence over 100+ categories)
HOTLINE_SURE = 0.5  # the 12345 class this sure names a department (欠薪: 0.62–0.72; "楼下那个又坏了": 0.23)
HOTLINE_LIKELY = 0.25  # … or this likely, when the report says the class's own words (工资)
COMMON_WORDS = {"其他", "城市", "环境", "安全", "市场", "管理", "公共", "社会"}  # class names' heads any report may say
# What the operator tells the caller, or the crew, for the categories where the first minutes matter.
FIRE_ADVICE = "立即拨打 119 报警，提醒来电人及周边人员撤离到安全地带、不要乘电梯；通知应急管理部门。"
# "火越烧越大，快烧到旁边加油站了": a fire however it was first filed (焚烧垃圾树叶), once it is the most urgent.
SPREADING_FIRE = re.compile(r"着火|起火|火越|火势|烧到|烧起来|火光|明火")
FIRST_RESPONSE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"燃气"), "提醒来电人及周边人员严禁明火、不要开关电器、开窗通风并撤离到安全地带；通知燃气抢修到场检测燃气浓度、排查泄漏。"),
    (re.compile(r"电梯困人"), "安抚被困人员不要扒门、不要强行撬门，立即通知电梯维保单位到场救援；维保或物业联系不上、被困人员身体不适时，拨打 119 求助。"),
    (re.compile(r"火灾"), FIRE_ADVICE),
    (re.compile(r"变电箱|电力|架空线缆|停电"), "有漏电、触电风险：提醒周边人员远离设备、切勿触碰，通知供电部门抢修。"),
    (re.compile(r"积水|内涝"), "提醒来电人不要涉水、车辆不要驶入，尽快封闭积水路段；组织排涝抽水，有人被困时先组织救援（拨打 119）。"),
    (re.compile(r"消防通道"), "消防通道被占会阻碍消防车通行，一旦起火危及人身安全：请通知物业和相关单位尽快清障。"),
]
OPEN_HOLE = re.compile(r"井盖(?:没了|丢了|丢失|缺失|被偷|不见)|塌陷|坑洞|大坑|窟窿|口子")
INJURED = re.compile(r"受伤|受了伤|伤了|伤者|流血|出血|骨折|昏迷|晕倒|不省人事|被困|困在|掉进去|摔伤|砸伤|送医")


def _one_per_category(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The most confident triage of each category, in the order the categories first came."""
    best: dict[str, dict[str, Any]] = {}
    for result in results:
        kept = best.get(result["category"]["id"])
        if kept is None or result["confidence"] > kept["confidence"]:
            best[result["category"]["id"]] = result
    return list(best.values())


def _also_involved(main: dict[str, Any], clauses: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The clauses clearly of another category than the report's, one per category."""
    seen = {main["category"]["id"]}
    others = []
    for clause in clauses:
        if clause["confidence"] >= ALSO_SURE and clause["category"]["id"] not in seen:
            seen.add(clause["category"]["id"])
            others.append(clause)
    return others


def _triaged_department(result: dict[str, Any]) -> str:
    if result["department"]:
        return result["department"]["name"]
    if result.get("department_kind"):
        return f"{result['department_kind']}（未定位到区，补充地址后确定具体单位）"
    return "未确定"
