"""The offline planner: intent + slots → tool calls → an answer composed from Chinese templates.

It needs no language model, so it answers when none is configured and whenever the model fails. Every
figure it writes is copied from a tool result of the same turn; every name comes from the graph.
The planner is called again after each round of tool calls until it has nothing more to ask.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import cn2an

from assistant.assets import asset_categories
from assistant.case_search import (
    asks_history,
    asks_one_case,
    created_within,
    find_case_args,
    history_traits,
    period_asked,
    unknown_case_number,
)
from assistant.figures import (
    CASES_LISTED,
    call_args,
    compose_figures,
    compose_unknown,
    departments_named,
    open_now,
    remembered_figures,
    span_words,
)
from assistant.hotspots import case_categories
from assistant.intents import Intent
from assistant.lexicon import LEVEL_NAMES, STATUS_NAMES, CityLexicon
from assistant.periods import find_period
from assistant.policy_answers import compose_policy, plan_policy, time_limits
from assistant.refusals import refusal
from assistant.triage_answers import (
    CREATE_CASE,
    DISTRICT_NAME,
    DUPLICATE_ASKED,
    SAME_PLACE,
    URGENCY_NAMES,
    clauses_read,
    compose_triage,
    first_response,
    problems,
    quoted_report,
)
from assistant.turn import Call, Record, Turn
from core.times import CHINA, day_and_clock
from graph.ids import asset_category_id, category_id, component_code, label_for_id
from tools.query_spec import CASE_MEASURES, FigureQuery

MAX_ROUNDS = 3


def _kind_name(lexicon: CityLexicon, kind: str) -> str:
    return lexicon.sensor_kinds.get(kind, kind).split("(")[0]


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{round(rate * 100, 1):g}%"


# ---- planning ---------------------------------------------------------------------------------------------


def plan_calls(turn: Turn) -> list[Call]:
    """The next tool calls for this turn (empty when everything needed has been fetched)."""
    calls: list[Call] = []
    for intent in turn.intents:
        calls += _PLANNERS.get(intent, lambda t: [])(turn)
    seen = {(r.name, repr(sorted(r.args.items()))) for r in turn.records}
    return [c for c in calls if (c.name, repr(sorted(c.args.items()))) not in seen]


def _plan_status(turn: Turn) -> list[Call]:
    s = turn.slots
    if s.sensor_ids:
        hours = s.window.hours if s.window else 24
        return [Call("reading_stats", {"sensor_id": sid, "hours": hours}) for sid in s.sensor_ids[:3]]
    if s.asset_ids:
        return [Call("asset_status", {"asset_id": a}) for a in s.asset_ids[:3]]
    if turn.asset_id and not (s.places or s.categories):
        return [Call("asset_status", {"asset_id": turn.asset_id})]
    category = turn.category
    component = category if category and category.label == "ComponentCategory" else None
    if s.sensor_kind and not (s.places or component):
        # "过去24小时A3区的水位最高是多少": one kind across a district or the city, not one asset.
        args = {"kind": s.sensor_kind, "district": turn.district}
        if s.window and not s.window.rolling:
            args |= {"since": s.window.since.isoformat(), "until": s.window.until.isoformat()}
        else:
            args["hours"] = s.window.hours if s.window else 24
        return [Call("sensor_stats", args)]
    if s.places or (component and turn.district):
        found = turn.done("find_assets")
        if not found:
            # One past those listed: a district with exactly that many is told it has that many, not more.
            args: dict[str, Any] = {"limit": 5 if s.places else DISTRICT_ASSETS_LISTED + 1}
            if s.places:
                args["name"] = s.places[0].name
            else:
                args["district"] = turn.district
            if component:
                args["category"] = component.id
            return [Call("find_assets", args)]
        assets = found[-1].data["items"] if found[-1].ok else []
        return [Call("asset_status", {"asset_id": a["id"]}) for a in assets[:3 if s.places else DISTRICT_ASSETS_LISTED]]
    if turn.district:
        return [Call("city_vitals", {"district": turn.district})]
    return []


# "A1区一共有几个泵站？各自状态咋样": a district's assets of a kind, each one's state: this many at most; past it the
# answer says they are the first ones.
DISTRICT_ASSETS_LISTED = 12


CLOSED_WORDS = re.compile(r"关闭|关掉|关了|恢复|解除|消除|消警")
STILL_OPEN = re.compile(r"没关|未关闭|还开着|仍未关闭|尚未关闭|仍在|还没(?:关|消|解除|恢复)|(?:现在|目前|当前|眼下|还有)[^，,。？?]{0,6}(?:open|未处理|没处理|没解除)", re.I)
OPENED_WORDS = re.compile(r"新开|新增|新出|触发|产生|冒出")


ALARMS_BY = re.compile(r"按区|各区|分区|按类型|分类型|拆开|拆一下|分开")
AMONG_THEM = re.compile(r"^(?:那)?(?:里边|里面|里头|其中|这里面|这些里面?|当中)")


# "那A3区呢？", "换成A5区": the same question of another district, nothing else asked ("A3区全部的告警呢" asks more).
PLACE_SWITCHED = re.compile(r"^(?:那|那么|换成|换到|改成|再看看?)?\s*(?:[A-Z]\d区[、和跟与]?)+\s*(?:的)?(?:呢|看看|怎么样)?\s*[？?]?$")


def _plan_alarms(turn: Turn) -> list[Call]:
    s = turn.slots
    args: dict[str, Any] = {"state": "open"}
    opened_and_closed = still_open = False
    if period := find_period(turn.question, turn.now):
        # "今天新开的告警", "本周告警最多的区": opened in the period, open or not; "昨天关闭了多少": closed in it;
        # "昨天新开了多少个告警，已经关了几个": those opened, and how many of them closed.
        closing = bool(CLOSED_WORDS.search(turn.question))
        opened_and_closed = closing and bool(OPENED_WORDS.search(turn.question))
        args = {"state": "closed", "closed": period.api} if closing and not opened_and_closed else {"state": None, "opened": period.api}
        if STILL_OPEN.search(turn.question) and re.search(r"一共|总共|共有|几次|多少次", turn.question):
            # "国庆以来一共触发过几次？现在还有没关的吗": all opened in the period, and of them those open now.
            args, opened_and_closed, still_open = {"state": None, "opened": period.api}, False, True
        elif STILL_OPEN.search(turn.question):
            # "这周开出来的告警还有多少条没关": opened in the period and open now.
            args, opened_and_closed = {"state": "open", "opened": period.api}, False
    if turn.slots.district:
        args["district"] = turn.slots.district
    if s.sensor_kind:
        args["kind"] = s.sensor_kind
    if s.level and not re.search(r"其中|里面|里头|当中|最高级别?的?(?:那|几)?条|最高级别的?(?:在|是)|级别最高的?(?:那|几)?条|最严重的?(?:那条|几条|那一?个|是|在|一条)|按级别|分级别|各级别"
                                 r"|(?:多少|几)条.{1,12}级的?(?:有)?(?:几|多少)条", turn.question):  # "共多少条？alarm级的几条"
        args["level"] = s.level  # "其中报警级的几条" asks the whole count and that level's share of it
    earlier = turn.recall("alarms") or {}
    if not (s.sensor_kind or s.level or s.districts or s.places):
        # "都在哪几个区" after "供水压力的报警有几条": the same alarms.
        args |= {k: v for k, v in earlier.items() if k in ("kind", "level", "district")}
    elif earlier.get("district") and not (s.districts or s.places):
        args.setdefault("district", earlier["district"])  # "A3区…告警" then "最严重的那条啥时候开的": still A3区's
    elif not (s.sensor_kind or s.level) and (re.search(r"这几[个条处]|这些", turn.question) or PLACE_SWITCHED.search(turn.question)):
        # "A4区的这几个归谁": those of A4区; "那A3区呢" after A1区's gas alarms: A3区's gas alarms.
        args |= {k: v for k, v in earlier.items() if k in ("kind", "level")}
    worst_of_those = (WORST_ASKED.search(turn.question) and len(turn.question) <= 30
                      and not re.search(r"现在|当前|目前|还开着|没关|未关闭", turn.question))  # fmt: skip
    # "按区拆开，还开着的标一下" after "近三天触发的…告警": those of the window, by district, the open ones marked.
    regrouped = ALARMS_BY.search(turn.question) and len(turn.question) <= 16
    if (AMONG_THEM.match(turn.question) or worst_of_those or regrouped) and not period:
        # "里边燃气相关的有没有" after "本周新开的告警有多少条": of those, the same window and place; "最高级别那条
        # 归谁管" after "今天有没有新开的告警": the most severe of those.
        if earlier.get("opened") or earlier.get("closed"):
            args = args | {"state": earlier.get("state")} | {k: earlier[k] for k in ("opened", "closed") if earlier.get(k)}
            still_open = bool(regrouped and STILL_OPEN.search(turn.question) and earlier.get("opened"))
        if earlier.get("district") and not (s.districts or s.places):
            args.setdefault("district", earlier["district"])
    category = s.categories[0] if s.categories else None
    if category and category.label == "ComponentCategory" and category.name in turn.question:
        # Only a kind named in full ("污水井盖"): "井盖倾斜报警" is about every kind of cover.
        args["asset_category"] = category.id
    if opened_and_closed:
        return [Call("open_alarms", args), Call("open_alarms", args | {"state": "closed"})]
    if still_open:
        return [Call("open_alarms", args), Call("open_alarms", args | {"state": "open"})]
    return [Call("open_alarms", args)]


def _alarm_places(turn: Turn) -> list[str]:
    for record in turn.done("open_alarms"):
        if record.ok and record.data["by_district"]:
            return sorted(record.data["by_district"], key=lambda d: -record.data["by_district"][d])[:3]
    return []


def _alarm_groups(turn: Turn) -> list[tuple[str, str]]:
    """(component category, district) of the open alarms found this turn, most alarms first."""
    for record in turn.done("open_alarms"):
        if record.ok and record.data.get("groups"):
            return [(g["category"], g["district"]) for g in record.data["groups"][:6]]
    return []


# What asks who is responsible, less the place: what is left describes the problem, or nothing.
DESCRIBED = re.compile(r"[A-Z]\d区|全市|责任单位|责任部门|监管主体|主管部门|是谁|归谁|谁管|谁负责|负责|处理|处置|该派给|派给"
                       r"|哪个部门|哪个单位|找谁|这几[个条处]|这些|那个|这个|[，,。？?！!、\s]|呢|吗|的|该|应该")
# Below this the triage of the words is a guess ("这几个归谁负责处理" reads as 其他事件 at 0.01; "河水发黑发臭" as
# 水域不洁 at 0.08, rightly: the classifier's confidences are spread over 100+ categories).
DESCRIBED_FLOOR = 0.05


def _responsibility_category(turn: Turn) -> str | None:
    # "人行道上有个燃气井盖松了": the cover is the matter, the footway only where it is.
    # "天桥上的电梯停了": the place is named as the question says it (天桥), not by its category's name (过街天桥).
    said = {named.id: mention.surface for mention, named in turn.lexicon.find(turn.question)}
    matters = [c for c in turn.slots.categories
               if not re.search(f"(?:{re.escape(c.name)}|{re.escape(said.get(c.id, c.name))})(?:上|边|旁|里|附近|下面|门口)",
                                turn.question)]  # fmt: skip
    # "有人摆摊搞露天烧烤": a category named in full before one a keyword (摆摊) only suggests.
    matters = sorted(matters, key=lambda c: c.name not in turn.question)
    category = matters[0] if len(turn.slots.categories) > 1 and matters else turn.category
    if category:
        return category.id
    if turn.asset_id:
        return asset_category_id(turn.asset_id)
    for record in turn.done("open_alarms"):
        if record.ok and record.data["items"]:
            return asset_category_id(record.data["items"][0]["asset_id"])
    for record in turn.succeeded("triage_report"):
        if described(record.data):
            return record.data["category"]["id"]  # "那条河水发黑发臭，责任单位是谁": the category the words describe
    return None


def described(triaged: dict[str, Any]) -> bool:
    """The words describe a category clearly enough to ask who handles it: not the catch-all, not a guess."""
    return not triaged["category"]["name"].startswith("其他") and triaged["confidence"] >= DESCRIBED_FLOOR


def _plan_responsibility(turn: Turn) -> list[Call]:
    if Intent.ALARMS in turn.intents and not turn.done("open_alarms"):
        return []  # who is responsible depends on which alarms are open: ask after they are known
    if Intent.ALARMS in turn.intents and not turn.slots.categories and (groups := _alarm_groups(turn)):
        # "水位超过警戒线的有哪些？谁负责？": whoever is responsible for each alarmed asset, where it is.
        return [Call("responsible_department", {"category": c, "district": d}) for c, d in groups]
    kinds = list(dict.fromkeys(c.id for c in turn.slots.categories))
    if len(kinds) > 1 and turn.district and re.search(r"分别|两件|几件事|各自|各归|都归", turn.question):
        # "行道树倒了，护栏也砸坏了，这两件事分别归谁": each, where it happened.
        return [Call("responsible_department", {"category": c, "district": turn.district}) for c in kinds[:3]]
    category = _responsibility_category(turn)
    if category is None and not turn.done("triage_report") and len(DESCRIBED.sub("", turn.question)) >= 6:
        return [Call("triage_report", {"text": turn.question[:2000]})]  # the category is found from the words, then asked
    if category is None:
        return []
    if turn.slots.grid_ids:
        return [Call("responsible_department", {"category": category, "grid_id": turn.slots.grid_ids[0]})]
    districts = (
        [turn.district] if turn.district else _alarm_places(turn) or [d.id for d in turn.lexicon.districts]
    )
    return [Call("responsible_department", {"category": category, "district": d}) for d in districts]




def _plan_forecast(turn: Turn) -> list[Call]:
    s = turn.slots
    horizon = s.horizon or 24
    if s.sensor_ids:
        return [Call("forecast", {"series_id": f"sensor:{s.sensor_ids[0]}", "horizon": horizon})]
    if any(w in turn.question for w in ("案件", "工单", "诉求", "投诉")):
        category = turn.category
        code = category.id if category else "all"
        days = max(1, min(30, (s.horizon or 7 * 24) // 24))
        return [Call("forecast", {"series_id": f"cases:{turn.district or 'city'}:{code}", "horizon": days})]
    if s.asset_ids or turn.asset_id:
        sensors = turn.done("asset_status")
        if not sensors:
            return [Call("asset_status", {"asset_id": turn.asset_id})]
        items = sensors[-1].data["sensors"] if sensors[-1].ok else []
        if s.sensor_kind:
            items = [x for x in items if x["kind"] == s.sensor_kind] or items
        # Which sensor has enough history is for the forecast service to say: ask for each (at most 3).
        return [Call("forecast", {"series_id": f"sensor:{x['id']}", "horizon": horizon}) for x in items[:3]]
    return []


def _plan_performance(turn: Turn) -> list[Call]:
    args: dict[str, Any] = {}
    if turn.slots.period:
        args["period"] = turn.slots.period
    if turn.slots.departments:
        args["department_id"] = turn.slots.departments[0].id
    return [Call("department_evaluation", args)]


# A step of the workflow named as where cases stand now (not 已结案 counts, which the figures answer).
CASE_STATES = [("处置", re.compile(r"处置中|正在处置|在处置|处置阶段|待处置")), ("核查", re.compile(r"核查中|待核查|正在核查|核查阶段")),
               ("派遣", re.compile(r"派遣中|已派遣(?:未|还没)|待签收|派遣阶段")), ("受理", re.compile(r"待立案|受理阶段|还没立案|未立案"))]  # fmt: skip


def _case_args(turn: Turn) -> dict[str, Any]:
    s = turn.slots
    args: dict[str, Any] = {}
    if turn.district:
        args["district"] = turn.district
    # "派给A2区城管局的": that district's bureau, not the city's (the gazetteer finds the district and 城管局 apart)
    if departments := departments_named(s, turn.lexicon, turn.district, turn.question):
        args["department_id"] = departments[0]
    if CASES_LISTED.search(turn.question) and (
            categories := ([c.id for c in s.categories if c.label == "EventCategory"]
                           + asset_categories(turn.question, s, turn.lexicon))
            or case_categories(turn.question, s, turn.lexicon)):  # "燃气方面的案子": its events and parts  # fmt: skip
        # "帮我找一下A3区这周的井盖案件": cases of those kinds only, listed (a count beside 燃气泄漏报警 is of all cases).
        args["categories"] = list(dict.fromkeys(categories))
    if "超期" in turn.question or "逾期" in turn.question:
        args["overdue"] = True
    if state := next((name for name, pattern in CASE_STATES if pattern.search(turn.question)), None):
        args["state"] = state  # "A3区现在处置中的案件有哪些": those in that step only
    if s.window:
        args["since"] = s.window.since.isoformat(timespec="seconds")
        args["until"] = s.window.until.isoformat(timespec="seconds")
        if s.window.rolling:
            args["days"] = s.window.days  # "近30天": the figure the answer repeats
    elif period := period_asked(turn.question, turn.now):  # "这周的井盖案件", "昨天派的单子": created then
        args |= created_within(period)
    return args


def _plan_case_stats(turn: Turn) -> list[Call]:
    args = _case_args(turn)
    # "被回退过或者返工过的": each trait its own list (the filters together would keep only cases of both).
    return [Call("search_cases", args | {trait: True}) for trait in history_traits(turn.question)] or [Call("search_cases", args)]


def _plan_case_lookup(turn: Turn) -> list[Call]:
    if not turn.slots.case_ids and asks_one_case(turn.question, turn.slots, turn.memory):
        if unknown_case_number(turn.question):
            return []
        return _find_case(turn, find_case_args(turn.question, turn.slots, turn.lexicon, turn.now, turn.memory.get("case_filters")))
    case_ids = turn.slots.case_ids or ([turn.recall("case_id")] if turn.recall("case_id") else [])
    if not case_ids and (turn.slots.categories or turn.slots.districts):
        # "A5区昨天报的垃圾满溢那个案子办完了没": no number, but traits enough to find it.
        return _find_case(turn, find_case_args(turn.question, turn.slots, turn.lexicon, turn.now))
    return [Call("get_case", {"case_id": c}) for c in case_ids[:3]]


# "他上周报的…": a day as a caller remembers it, which may be off; not "昨天受理的有没有…", a period asked of.
CALLER_REMEMBERED = re.compile(r"(?:(?<!其)他|(?<!其)她|市民|来电人|对方|居民|群众)[^，,。？?]{0,8}(?:报的|报过|反映的|反映过|打电话说)")


# find_case's filters that the case search takes too.
SEARCH_FILTERS = ("categories", "district", "department_id", "since", "until", "reworked", "returned", "extended", "overdue")


def _find_case(turn: Turn, args: dict[str, Any]) -> list[Call]:
    found = turn.succeeded("find_case")
    remembered = CALLER_REMEMBERED.search(turn.question)
    if remembered and (hit := next((r for r in found if r.data.get("case")), None)):
        # "他上周报的井盖丢了，帮我查查": one of several alike may be the caller's: they are listed to check with them.
        return [Call("search_cases", {k: v for k, v in hit.args.items() if k in SEARCH_FILTERS and v})]
    if found and found[0].data.get("case") is None and (args.get("since") or args.get("until")) and remembered:
        # "他上周报的…井盖丢了，查查最近的": a caller's 上周 may be off by days; none then, the newest whenever.
        return [Call("find_case", {k: v for k, v in args.items() if k not in ("since", "until")})]
    return [Call("find_case", args)]


MAX_STEPS_ORDERED = 3


def _plan_case_action(turn: Turn) -> list[Call]:
    from assistant.intents import ACTION_WORDS, SPOKEN_ACTIONS

    if not turn.slots.case_ids:
        return []
    said = turn.question.replace(turn.slots.case_ids[0], "")
    # "立案，然后派给市水务局", "签收一下…顺便处置反馈": each step in the order said, under one confirmation.
    actions: list[str] = []
    for match in re.finditer(ACTION_WORDS, said):
        action = SPOKEN_ACTIONS.get(match.group(0), match.group(0))
        if not actions or actions[-1] != action:
            actions.append(action)
    calls = []
    for action in actions[:MAX_STEPS_ORDERED]:
        args: dict[str, Any] = {"case_id": turn.slots.case_ids[0], "action": action, "note": "经值班助手发起，操作人确认"}
        if action == "派遣" and (named := departments_named(turn.slots, turn.lexicon, turn.slots.district, turn.question)):
            args["department_id"] = named[0]  # "派给A3区城管": that district's bureau
        if action == "延期" and (hours := re.search(r"(\d{1,3})\s*(?:个)?(?:工作)?小时", said)):
            args["extend_hours"] = int(hours.group(1))
        calls.append(Call("transition_case", args))
    return calls


OPERATOR_URGENCY = re.compile(r"紧急程度\s*(?:按|定为|设为|为|是|填)?\s*(低|一般|普通|高|紧急|特急)|(?:按|定为)\s*(低|一般|高|紧急)\s*(?:紧急程度|级)")
URGENCY_WORDS = {"低": "low", "一般": "normal", "普通": "normal", "高": "high", "紧急": "critical", "特急": "critical"}
QUOTED = re.compile(r"“[^”]*”|「[^」]*」|\"[^\"]*\"")


# A caller's further words about the report just triaged.
_SPEAKER = r"(?:他|她|来电人|市民|对方|caller)"
SUPPLEMENT = re.compile(rf"^\s*(?:{_SPEAKER}又?(?=补充))?(?:再?补充(?:一下|说明|一句|信息|说|道|了)?(?:[，,]?说)?|另外|还有|更正(?:一下)?|更新(?:一下)?|刚才(?:那个|那条)?(?:来电|市民)?又说)\s*[:：，,]?\s*")
# Only the words of a caller adding to a report ("他补充说…"), for routing a turn back to the triage; 另外/还有 open
# other questions too.
SUPPLEMENTED = re.compile(rf"^\s*{_SPEAKER}?又?(?:再?补充|更正)")


OPERATOR_ASKS = re.compile(r"[\s—\-]*(?:坐席|接线员|话务员|值班员)(?:问|想问|追问)?\s*[:：][^\n]*$")
# "帮我分一下这条：市民来电，我住A2区…": the operator's and the call's own lead before the caller's words (they
# turned a lost manhole cover into 非法小广告).
OPERATOR_LEAD = re.compile(r"^\s*[^：:。，,！!？?\n]{0,12}(?:这条|这一条|一条|这单|这个单|这个来电|这通电话|这个电话)[^：:。，,！!？?\n]{0,8}[:：]\s*")
CALLER_LEAD = re.compile(r"^\s*(?:12345)?(?:市民|群众|居民)?来电(?:人)?(?:反映|说|称)?\s*[:：，,]\s*")


def _plan_triage(turn: Turn) -> list[Call]:
    from assistant.intents import REPORT_PREFIX

    # "…白天还尘土满天飞。\n坐席：这个该派给谁？": the operator's own question after the report is not the caller's words.
    text = OPERATOR_ASKS.sub("", REPORT_PREFIX.sub("", turn.question))
    if (lead := OPERATOR_LEAD.match(text)) is not None:
        # "帮我看下A5区这条：路灯不亮了": the district said in the lead stays with the report.
        district = DISTRICT_NAME.search(lead.group(0))
        text = (f"{district.group(0)}，" if district and district.group(0) not in text[lead.end():] else "") + text[lead.end():]
    text = CALLER_LEAD.sub("", text).strip()
    named = turn.slots.categories or turn.slots.districts or turn.slots.places
    if (supplement := SUPPLEMENT.match(text)) and turn.memory.get("said") and turn.memory.get("intents") == [Intent.TRIAGE.value]:
        # "补充一下：树把电线也压下来了" after a report: the report as now told, the first words and these together.
        text = f"{turn.memory['said']}。{text[supplement.end():]}"
    elif (SAME_PLACE.search(text) and not DUPLICATE_ASKED.search(text) and turn.memory.get("said")
          and turn.memory.get("intents") == [Intent.TRIAGE.value]):  # fmt: skip
        text = f"{turn.memory['said']}。{text}"  # the first call's words and the second's: one report, as now told
    elif (len(text) <= 16 or (turn.follow_up and len(text) <= 30 and re.search(r"[？?]", text))
            or (len(text) <= 40 and DUPLICATE_ASKED.search(text))) and not named and turn.memory.get("said"):
        # "分类和责任单位给我下", "紧急程度怎么定？规定多久要处置完？" after the report: that report again, not these words.
        text = turn.memory["said"]
    elif report := quoted_report(text):
        text = report  # "坐席判成了『道路不洁』，对不对：『…』": the citizen's words, not the staff's about them
    calls = [Call("triage_report", {"text": text[:20_000]})]
    # "反映几个事：一是…；二是…；三是…": each problem triaged on its own too, with the words before them (where).
    calls += [Call("triage_report", {"text": part[:2000]}) for part in problems(text, clauses_read(turn.question, text))]
    triaged = turn.succeeded("triage_report")
    if not (CREATE_CASE.search(turn.question) and triaged and triaged[0].data.get("grid_id")):
        return calls  # no grid: the answer asks for the address instead of inventing a place
    # The operator's own words decide urgency and department, never words quoted from the citizen.
    operator = QUOTED.sub(" ", turn.question)
    r = triaged[0].data
    args: dict[str, Any] = {"text": text[:5000], "category_code": r["category"]["id"], "grid_id": r["grid_id"],
                            "urgency": r["urgency"]}  # fmt: skip
    if said := OPERATOR_URGENCY.search(operator):
        args["urgency"] = URGENCY_WORDS[said.group(1) or said.group(2)]
    if re.search(r"责任单位|责任部门|派给|交给", operator) and (
            departments := departments_named(turn.slots, turn.lexicon, r.get("district"), operator)):  # fmt: skip
        args["department_id"] = departments[0]
    return [*calls, Call("create_case", args)]


BESIDE_CITY = re.compile(r"(?:跟|和|与|比|对比|相比)\s*全市")


def _plan_vitals(turn: Turn) -> list[Call]:
    # "A6区生命体征" then "跟全市比哪些指标更差": the district asked before, beside the city.
    district = turn.district or (turn.recall("district") if BESIDE_CITY.search(turn.question) else None)
    calls = [Call("city_vitals", {"district": district} if district else {})]
    if district and BESIDE_CITY.search(turn.question):
        calls.append(Call("city_vitals", {}))  # "那A3区呢，跟全市比哪些更差": the city's beside it
    return calls


def _compared_on(turn: Turn) -> str | None:
    """What districts are compared on: what the question says, or the vital signs just given ("跟A5区比哪个更差")."""
    return _compare_metric(turn.question) or ("vitals" if turn.follow_up and turn.memory.get("intents") == ["vitals"] else None)


def _compare_metric(question: str) -> str | None:
    """What districts are compared on; None when the question does not say (asked back, never guessed)."""
    if any(w in question for w in ("案件", "工单", "诉求", "投诉", "案子", "立案", "受理")):
        return "cases"
    if any(w in question for w in ("生命体征", "体征", "运行")):
        return "vitals"
    if re.search(r"告警|报警|预警|警情|积水点|超标|超限|alarm", question, re.IGNORECASE):
        return "alarms"
    return None


def _plan_compare(turn: Turn) -> list[Call]:
    districts = (
        [d.id for d in turn.slots.districts]
        if len(turn.slots.districts) >= 2
        else [d.id for d in turn.lexicon.districts]
    )
    metric = _compared_on(turn)
    if metric is None:
        return []
    if metric == "alarms":
        args: dict[str, Any] = {"state": "open"}
        if turn.slots.sensor_kind:
            args["kind"] = turn.slots.sensor_kind
        return [Call("open_alarms", args)]
    if metric == "vitals":
        return [Call("city_vitals", {"district": d}) for d in districts]
    return [Call("search_cases", {**_case_args(turn), "district": d}) for d in districts]


def _plan_figures(turn: Turn) -> list[Call]:
    return [Call("query_figures", call_args(q)) for q in turn.understood.queries()]


def _plan_unknown_place(turn: Turn) -> list[Call]:
    # The districts the city has, from the graph: the answer lists them, and names only what was looked up.
    return [Call("search_entities", {"q": "区", "label": "District", "limit": 20})]


_PLANNERS = {
    Intent.FIGURES: _plan_figures, Intent.UNKNOWN_PLACE: _plan_unknown_place,
    Intent.STATUS: _plan_status, Intent.ALARMS: _plan_alarms, Intent.RESPONSIBILITY: _plan_responsibility,
    Intent.POLICY: plan_policy, Intent.FORECAST: _plan_forecast, Intent.PERFORMANCE: _plan_performance,
    Intent.CASE_STATS: _plan_case_stats, Intent.CASE_LOOKUP: _plan_case_lookup, Intent.VITALS: _plan_vitals,
    Intent.COMPARE: _plan_compare, Intent.CASE_ACTION: _plan_case_action, Intent.TRIAGE: _plan_triage,
}  # fmt: skip


# ---- composing --------------------------------------------------------------------------------------------


def compose(turn: Turn) -> str:
    """The answer in Chinese, one paragraph per intent, from this turn's tool results only."""
    parts: list[str] = []
    failed = [r for r in turn.records if not r.ok]
    for intent in turn.intents:
        text = _COMPOSERS.get(intent, _compose_unsupported)(turn)
        if text:
            parts.append(text)
    if failed:
        parts.append("以下查询未成功：" + "；".join(f"{r.name}（{r.error}）" for r in failed[:3]) + "。")
    if not parts:
        parts.append(_compose_unsupported(turn))
    return "\n\n".join(parts)


def _compose_unsupported(turn: Turn) -> str:
    if why := turn.refused or refusal(turn.question):
        return "抱歉，无法照办。" + why
    return ("抱歉，这个问题我无法用现有数据和工具核实，因此不作回答，以免给出没有依据的数字。"
            "我可以回答：设施/传感器状态、告警、责任部门、政策条款、预测、案件统计与查询、部门考核、城市生命体征，以及区之间的比较。")  # fmt: skip


def _sensor_line(lexicon: CityLexicon, sensor: dict) -> str:
    kind = _kind_name(lexicon, sensor["kind"])
    if sensor.get("last_value") is None:
        return f"{kind}：暂无读数"
    limits = sensor["thresholds"]
    levels = "/".join(
        "—" if limits.get(level) is None else _fmt(limits[level]) for level in ("watch", "warning", "alarm")
    )
    return f"{kind} 最新值 {_fmt(sensor['last_value'])} {sensor['unit']}（{sensor['last_ts']}；关注/预警/报警阈值 {levels}）"


def _window_stats_line(turn: Turn, d: dict) -> str:
    where = turn.lexicon.name(d["district"])
    kind = _kind_name(turn.lexicon, d["kind"])
    window = turn.slots.window
    # "最近7天": named in its own words beside the hours counted (the days in Chinese numerals: a digit no tool
    # returned would be dropped by the grounding check)
    count = "两" if d["hours"] == 48 else cn2an.an2cn(d["hours"] // 24)
    days = f"近{count}天（过去 {d['hours']} 小时）" if d["hours"] % 24 == 0 and d["hours"] > 24 else ""
    span = window.label if window and not window.rolling else days or f"过去 {d['hours']} 小时"
    if not d["sensors"]:
        return f"{where}{kind}类传感器在{span}没有读数。"
    top = d["highest"][0]
    low = d["lowest"][0]
    unit = d["unit"]
    others = "、".join(f"{i['sensor_id']} {_fmt(i['max'])} {unit}" for i in d["highest"][1:])
    return (f"{where}{kind}：{span} {d['sensors']} 个传感器共 {d['readings']} 条读数；最高 {_fmt(top['max'])} {unit}"
            f"（传感器 {top['sensor_id']}，部件 {top['asset_id']}，{turn.lexicon.name(top['district'])}）"
            + (f"，其次 {others}" if others else "")
            + f"；最低 {_fmt(low['min'])} {unit}（传感器 {low['sensor_id']}）。"
            + _against_lines(d.get("thresholds"), top["max"], low["min"], unit))  # fmt: skip


def _against_lines(thresholds: dict | None, highest: float, lowest: float, unit: str) -> str:
    """The window's extreme set against the kind's lines: which it reached, or that it stayed inside them."""
    if not thresholds or not isinstance(thresholds.get("alarm"), int | float):
        return ""
    below = thresholds.get("direction") == "below"
    value = lowest if below else highest
    lines = [(level, float(thresholds[level])) for level in ("watch", "warning", "alarm") if isinstance(thresholds.get(level), int | float)]
    said = "、".join(f"{LEVEL_NAMES[level]} {_fmt(line)} {unit}" for level, line in lines)
    reached = [level for level, line in lines if (value <= line if below else value >= line)]
    extreme = "最低" if below else "最高"
    if not reached:
        return f"\n阈值：{said}（{'下限，低于' if below else '高于'}即触发）；{extreme} {_fmt(value)} {unit} 未超过警戒（未达{LEVEL_NAMES[lines[0][0]]}级）。"
    return (f"\n阈值：{said}（{'下限，低于' if below else '高于'}即触发）；{extreme} {_fmt(value)} {unit} 已超过警戒，"
            f"达到{LEVEL_NAMES[reached[-1]]}级。")


def _bound_asked(question: str) -> tuple[float, bool] | None:
    """The line asked of a window's readings ("有没有掉到0.18以下过", "超过40没有") and whether below it is asked."""
    if m := re.search(r"(\d+(?:\.\d+)?)\s*[^\d\s，,。？?]{0,3}?(以下|以上)", question):
        return float(m.group(1)), m.group(2) == "以下"
    if m := re.search(r"(低于|跌破|掉到|降到|高于|超过|超出)\s*(\d+(?:\.\d+)?)", question):
        return float(m.group(2)), m.group(1) in ("低于", "跌破", "掉到", "降到")
    return None


def _compose_status(turn: Turn) -> str:
    lines = []
    for record in turn.done("reading_stats"):
        if record.ok:
            d = record.data
            if d["count"]:
                lines.append(f"传感器 {d['sensor_id']} 过去 {d['hours']} 小时共 {d['count']} 条读数：最新 {_fmt(d['last'])}，"
                             f"最小 {_fmt(d['min'])}，最大 {_fmt(d['max'])}，平均 {_fmt(d['mean'])}。")  # fmt: skip
                if bound := _bound_asked(turn.question):
                    # "有没有掉到0.18以下过": answered from the window's lowest (or highest) reading
                    # (the line itself is not repeated: a number no tool returned would be dropped with its sentence)
                    line, below = bound
                    crossed = d["min"] < line if below else d["max"] > line
                    lines.append(f"{'有' if crossed else '没有'}{'低于' if below else '超过'}所问数值的读数"
                                 f"（这段时间{'最小' if below else '最大'} {_fmt(d['min'] if below else d['max'])}）。")
            else:
                lines.append(f"传感器 {d['sensor_id']} 过去 {d['hours']} 小时没有读数。")
    for record in turn.done("sensor_stats"):
        if record.ok:
            lines.append(_window_stats_line(turn, record.data))
    finds = turn.done("find_assets")
    if finds and finds[-1].ok and (items := finds[-1].data["items"]) and not finds[-1].args.get("name"):
        args = finds[-1].args
        kind = turn.name(category_id("component", component_code(args["category"]))) if args.get("category") else "部件"
        where = turn.name(args["district"]) if args.get("district") else "全市"
        lines.append(f"{where}{kind}共 {len(items)} 个，逐一如下：" if len(items) <= DISTRICT_ASSETS_LISTED
                     else f"{where}{kind}超过 {DISTRICT_ASSETS_LISTED} 个，以下为前 {DISTRICT_ASSETS_LISTED} 个：")
    for record in turn.done("asset_status"):
        if not record.ok:
            continue
        asset, sensors, alarms = record.data["asset"], record.data["sensors"], record.data["open_alarms"]
        props = asset["properties"]
        head = f"{asset['name']}（编码 {asset['id']}，{props.get('district_name', '')}，{props.get('address', '')}）状态「{props.get('status', '')}」"
        body = "；".join(_sensor_line(turn.lexicon, s) for s in sensors) if sensors else "未接入监测传感器"
        tail = f"；未关闭告警 {len(alarms)} 条" + (
            "：" + "、".join(f"{LEVEL_NAMES[a['level']]} {_fmt(a['value'])}（阈值 {_fmt(a['threshold'])}）" for a in alarms[:3])
            if alarms else "，运行正常" if props.get("status") in ("完好", None) else "")  # a lost pump does not run normally  # fmt: skip
        lines.append(f"{head}。{body}{tail}。")
    if finds and finds[-1].ok and not finds[-1].data["items"]:
        lines.append("在图谱中没有找到符合条件的部件，请给出部件编码或更具体的位置。")
    if not lines and not turn.done("city_vitals"):
        return (
            "请说明要查看哪个设施（部件编码、道路或地名加设施类别）或传感器编号。"
            if turn.intents[0] == Intent.STATUS
            else ""
        )
    return "\n".join(lines)


# Which of a window's alarms is asked for: the most severe, one by one.
WORST_ASKED = re.compile(r"级别最高|最高级别|最严重|最高的(?:那|一)?条|哪条|哪几条|超了?阈值|超出多少|超了多少|读数最高")


def _alarm_line(turn: Turn, a: dict[str, Any]) -> str:
    unit = turn.lexicon.units.get(a["kind"], "")
    number = f"告警编号 {a['id']}，" if a.get("id") else ""
    return (f"- {number}传感器 {a['sensor_id']}（{_kind_name(turn.lexicon, a['kind'])}，{turn.name(a['district'])}）"
            f"{LEVEL_NAMES[a['level']]}：当前值 {_fmt(a['value'])} {unit}，阈值 {_fmt(a['threshold'])} {unit}"
            + (f"（{'低于' if a['value'] < a['threshold'] else '超出'}阈值 {_fmt(a['past_threshold_by'])} {unit}）"
               if a.get("past_threshold_by") is not None else "")
            + f"，{a['opened_at']} 起" + (f"，已持续约 {_fmt(a['open_hours'])} 小时" if a.get("open_hours") is not None else ""))  # fmt: skip


def _alarm_records_note(d: dict[str, Any]) -> str:
    """"国庆以来触发过多少次": when the records begin later than the period asked, the count covers less of it."""
    if not (d.get("records_from") and d.get("start") and d["records_from"] > d["start"]):
        return ""
    return (f"注意：系统中的告警记录从 {day_and_clock(d['records_from'])} 起，所问时段中此前的部分没有记录，"
            "以上只统计了有记录以来的告警，不是整个时段的完整数字。")


def _compose_alarms(turn: Turn) -> str:
    records = turn.succeeded("open_alarms")
    if not records:
        return ""
    d, args = records[0].data, records[0].args
    scope = turn.name(args.get("district"))
    what = _kind_name(turn.lexicon, args["kind"]) if args.get("kind") else ""
    if args.get("asset_category"):
        what = turn.name(args["asset_category"]) + what
    label = None
    if args.get("opened") or args.get("closed"):
        period = find_period(turn.question, turn.now)
        # "里边燃气相关的有没有" after a window's alarms: that window, named as it was then.
        label = period.label if period else (turn.recall("alarms") or {}).get("label")
    if label:
        done = "关闭" if args.get("closed") else "触发"
        head = f"{label}，{scope}{done}{'且至今未关闭' if args.get('state') == 'open' else ''}的{what}告警"
        if d["count"] == 0:
            return f"{head}：没有（0 条）。" + _alarm_records_note(d)
        text = f"{head}共 {d['count']} 条（" + "、".join(
            f"{LEVEL_NAMES[level]} {n} 条" for level, n in d["by_level"].items()) + "）"  # fmt: skip
        if d["by_district"]:
            ranked = sorted(d["by_district"].items(), key=lambda x: -x[1])
            text += "，按区：" + "、".join(f"{turn.name(k)} {v} 条" for k, v in ranked)
            top = [k for k, v in ranked if v == ranked[0][1]]
            text += f"；最多的是 {'、'.join(turn.name(k) for k in top)}"
        closed = [r.data["count"] for r in records[1:] if r.args.get("state") == "closed" and r.args.get("opened")]
        if closed:
            text += f"；其中已关闭 {closed[0]} 条"
        if still := [r.data for r in records[1:] if r.args.get("state") == "open" and r.args.get("opened")]:
            # "现在还剩几条没关，按级别分一下": the open ones by level too.
            levels = "、".join(f"{LEVEL_NAMES[level]} {n} 条" for level, n in still[0].get("by_level", {}).items() if n)
            text += f"；其中至今未关闭 {still[0]['count']} 条" + (f"（{levels}）" if levels and still[0]["count"] else "")
        if d["count"] <= 10 and d.get("items"):  # few: each of them ("value和threshold列一下")
            text += "。逐条：\n" + "\n".join(_alarm_line(turn, a) for a in d["items"])
        elif d.get("items") and WORST_ASKED.search(turn.question):
            # "里面级别最高的是哪条，超了阈值多少": the most severe of the window, every one of them when few.
            worst = next((d["by_level"][level] for level in ("alarm", "warning", "watch") if d["by_level"].get(level)), 0)
            text += "。最严重的几条：\n" + "\n".join(_alarm_line(turn, a) for a in d["items"][:worst if worst <= 10 else 5])
        return text + f"。\n统计口径：按告警{done}时间，{span_words(d['start'], d['end'])}。" + _alarm_records_note(d)
    if d["count"] == 0:
        return f"{scope}当前没有未关闭的{what}告警（0 条）。"
    levels = "、".join(
        f"{LEVEL_NAMES[level]} {n} 条"
        for level, n in sorted(
            d["by_level"].items(), key=lambda x: -"watch warning alarm".split().index(x[0])
        )
    )
    text = f"{scope}当前未关闭的{what}告警共 {d['count']} 条（{levels}）"
    if not args.get("asset_category"):
        text += f"，涉及 {d['count']} 个监测点位"  # an open alarm per sensor at most
    if len(d["by_district"]) > 1:
        text += "，按区：" + "、".join(
            f"{turn.name(k)} {v} 条" for k, v in sorted(d["by_district"].items(), key=lambda x: -x[1])
        )
    if len(d.get("by_kind") or {}) > 1:  # "都是什么类型的": every kind, not only the five listed below
        text += "，按类型：" + "、".join(f"{_kind_name(turn.lexicon, k)} {v} 条"
                                     for k, v in sorted(d["by_kind"].items(), key=lambda x: -x[1]))  # fmt: skip
    # Every alarm of the most severe level, when they are few ("最高等级的那几条在哪个区"), else the first five.
    worst = next((d["by_level"][level] for level in ("alarm", "warning", "watch") if d["by_level"].get(level)), 0)
    shown = len(d["items"]) if d["count"] <= 10 else max(5, worst) if worst <= 10 else 5
    text += "。" + ("逐条：\n" if d["count"] <= 10 else "最严重的几条：\n") + "\n".join(_alarm_line(turn, a) for a in d["items"][:shown])
    if d.get("truncated"):
        text += "\n（只统计了最新的 200 条告警。）"
    return text


def _compose_responsibility(turn: Turn) -> str:
    records = turn.succeeded("responsible_department")
    if not records:
        if _responsibility_category(turn) is None and Intent.ALARMS not in turn.intents:  # no alarm: said above
            return (
                "请说明是哪一类问题（是什么设施或事件）以及所在的区或地点，我再查责任部门。"
            )
        return ""
    by_category: dict[str, dict[str, list[dict]]] = {}
    for record in records:  # alarms of several kinds: each category with who handles it where
        rows = by_category.setdefault(record.data["category"]["id"], {})
        rows.setdefault(record.data["department"]["id"], []).append(record.data)
    text = "\n".join(_responsibility_line(turn, by_department) for by_department in by_category.values())
    handlers = {department for by_department in by_category.values() for department in by_department}
    if len(by_category) > 1:
        # "工地扬尘和施工安全隐患分别是谁在管": said whether it is one body or several.
        text += (f"\n以上{'两' if len(by_category) == 2 else '几'}类均由 {turn.name(next(iter(handlers)))} 负责（同一单位）。" if len(handlers) == 1
                 else f"\n以上各类分属不同单位：{'、'.join(turn.name(h) for h in handlers)}。")
    if re.search(r"养护|管养|维护单位", turn.question):  # asked, and not in the graph: said so, never made up
        text += "\n图谱中没有单独登记养护单位，只能给出上述责任（处置）单位。"
    before = turn.recall("department")
    if before and SAME_AS_BEFORE.search(turn.question):
        # "那A5区的呢，一样吗": said against the department the answer before named.
        now = records[0].data["department"]["id"]
        text += f"\n与上一问相同，也由 {turn.name(now)} 负责。" if now == before else f"\n与上一问不同：上一问为 {turn.name(before)}。"
    names = [by_department[next(iter(by_department))][0]["category"]["name"] for by_department in by_category.values()]
    if len(names) == 1 and ON_THE_SPOT.search(turn.question) and (advice := first_response(names[0])):
        # "路边变电箱门开着 还嗡嗡响 找谁": a situation told, not only a category named: what to do meanwhile
        text += f"\n现场提示：{advice}"
    return text


# "它的流转记录", "这件到哪一步了": the one case asked of before (它们 is the cases listed).
IT_CASE = re.compile(r"它(?!们)|这件|那件|该案")
# A situation told ("门开着", "冒烟了", "塌了个坑"), not only a category named.
ON_THE_SPOT = re.compile(r"开着|冒烟|冒水|漏|嗡嗡响|异响|响声|在响|直响|塌|倒了|断了|掉了|丢了|没了|闻到|味道|味儿|异味|气味|有股|烧|着火|被困|困住|压碎|碎了|压坏|裂了")
LEVEL_ASKED = re.compile(r"市里.{0,4}区里|区里.{0,4}市里|市级.{0,4}区级|区级.{0,4}市级|市管.{0,4}区管|区管.{0,4}市管")


def _responsibility_line(turn: Turn, by_department: dict[str, list[dict]]) -> str:
    first = next(iter(by_department.values()))[0]
    major = (first["category"].get("properties") or {}).get("major_name")
    of_class = f"，{major}类" if major else ""  # "这种归哪个部门管": the class it is filed under, too
    category = f"「{first['category']['name']}」（{first['category']['id']}{of_class}）"
    if not turn.category and any(described(r.data) for r in turn.succeeded("triage_report")):
        category = f"按描述归为「{first['category']['name']}」（{first['category']['id']}{of_class}，请核对类别）："
    parts = []
    for rows in by_department.values():
        dept, rule = rows[0]["department"], rows[0]["rule"]
        names = list(dict.fromkeys(r["district"]["name"] for r in rows))
        places = "、".join(names) if len(names) < len(turn.lexicon.districts) else "全市各区"
        limit = f"，{time_limits(rule['sla_hours'], rule.get('urgent_sla_hours'))}" if rule.get("sla_hours") else ""
        parts.append(f"在{places}由 {dept['name']} 负责（责任规则 {rule['rule_id']}{limit}）")
        if LEVEL_ASKED.search(turn.question):
            # "是市里管还是区里管": a district's department carries its district's code in its id.
            parts[-1] += "，属区级部门（区里管）" if re.search(r"-\d{6}-", dept["id"]) else "，属市级部门（市里管）"
        if rows[0].get("street_office"):
            parts[-1] += f"，属地街道为 {rows[0]['street_office']['name']}"
    props = first["category"].get("properties") or {}
    oversight = [f"监管单位 {props['supervisor']}" if props.get("supervisor") else "",
                 f"依据 {props['legal_basis'].replace(';', '、')}" if props.get("legal_basis") else ""]  # fmt: skip
    return f"{category}" + "；".join(parts) + "。" + ("；".join(o for o in oversight if o) + "。" if any(oversight) else "")


ALARM_COUNT_AHEAD = re.compile(r"(?:告警|报警|预警)[^，,。？?]{0,6}(?:多不多|几条|多少条|多少个|会不会多|数量)")


def _compose_forecast(turn: Turn) -> str:
    records = turn.succeeded("forecast")
    if not records:
        if not turn.done("forecast"):
            if ALARM_COUNT_AHEAD.search(turn.question):
                # "明天告警会多不多": no model forecasts alarm counts; said so, and what can be forecast instead
                return ("系统没有告警数量的预测模型，无法预测会有几条告警。可以预测各类传感器读数（如积水水位、燃气浓度、管网压力）"
                        "未来会不会越过关注、预警或报警线，例如问「明天积水水位会不会超预警线」；也可以预测案件量。")
            return (
                "请说明要预测的对象：传感器编号、部件编码，或某个区、某类案件的案件量，以及预测多少天。"
            )
        return ""
    d = records[0].data
    points = d["points"]
    means = [p["mean"] for p in points]
    last = points[-1]
    backtest = d["backtest"]
    low, high = _fmt(round(min(means), 3)), _fmt(round(max(means), 3))
    spread = f"均值约为 {low}" if low == high else f"均值在 {low}–{high} 之间"
    unit = {"hourly": "小时", "daily": "天"}.get(d.get("frequency", ""), "个时段")
    return (f"序列 {d['series_id']} 未来 {len(points)} {unit}的预测（模型 {d['model']}）：{spread}；最后一个时段 {last['ts']} 预测 {_fmt(round(last['mean'], 3))}，80% 区间 "
            f"{_fmt(round(last['lo80'], 3))}–{_fmt(round(last['hi80'], 3))}。回测 MASE {_fmt(round(backtest['mase'], 3))}，"
            f"季节性朴素基线 {_fmt(round(backtest['baseline_mase'], 3))}。")  # fmt: skip


def _compose_performance(turn: Turn) -> str:
    records = turn.succeeded("department_evaluation")
    if not records:
        return ""
    d = records[0].data
    items = d["items"]
    if not items:
        return f"统计周期 {d['period']} 内没有需要考核的案件。"
    ranked = sorted(items, key=lambda x: -x["应处置数"])
    lines = [f"统计周期 {d['period']}（{d['start']} 至 {d['end']}）部门考核指标（按应处置数排序）："]
    lines += [f"- {turn.name(item['department_id'])}：{_indicator_text(item)}" for item in ranked[:6]]
    if len(ranked) > 6:
        lines.append(f"另有 {len(ranked) - 6} 个部门未列出。")
    return "\n".join(lines)


def _indicator_text(item: dict) -> str:
    counts = "，".join(
        f"{name} {item[name]} 件" for name in ("应处置数", "按期处置数", "超期处置数", "结案数", "返工数")
    )
    rates = "，".join(f"{name} {_pct(item[name]['value'])}（{item[name]['numerator']}/{item[name]['denominator']}）"
                      for name in ("按期处置率", "结案率", "返工率"))  # fmt: skip
    return f"{counts}；{rates}"


TRAIT_LABELS = {"reworked": "返工过的案件", "returned": "被部门回退过的案件", "extended": "延期过的案件"}


def _compose_case_stats(turn: Turn) -> str:
    records = turn.succeeded("search_cases")
    if not records:
        return ""
    if any(r.args.keys() & TRAIT_LABELS.keys() for r in records):
        return "\n".join(_compose_case_search(turn, r) for r in records)  # one list per trait asked
    return _compose_case_search(turn, records[0])


def _compose_case_search(turn: Turn, record: Record) -> str:
    d, args = record.data, record.args
    scope = turn.name(args.get("district"))
    period = period_asked(turn.question, turn.now)
    # "上周（11月23日至11月29日）": the period with its days when the search is of those days; a rolling window
    # ("最近7天": 7 × 24 hours) as the slots name it
    searched = bool(period and args.get("since") and args["since"][:10] == period.first.isoformat())
    window = (period.label if searched else turn.slots.window.label if turn.slots.window else period.label if period else ""
              ) if args.get("since") else ""  # fmt: skip
    who = f"{turn.name(args['department_id'])}" if args.get("department_id") else ""
    if who and (not args.get("district") or who.startswith(scope)):
        scope = ""  # "A市水务局上周…", not "全市A市水务局"; "A2区城市管理和综合执法局", not "A2区A2区…"
    trait = next((TRAIT_LABELS[k] for k in TRAIT_LABELS if args.get(k)), None)
    label = "超期未结的案件" if args.get("overdue") else trait or "案件"
    if args.get("categories") and not trait:
        label = "「" + "、".join(turn.name(c) for c in args["categories"]) + "」类" + label  # what was searched, said
    if d["count"] == 0:
        return f"{'' if window else '截至目前，'}{scope}{who}{window}没有{label}（0 件）。"
    states = "、".join(f"{k} {v} 件" for k, v in d["by_state"].items())
    top = "、".join(f"{k} {v} 件" for k, v in d["by_category"].items())
    text = f"{scope}{who}{window}共有{label} {d['count']} 件：{states}；超过处置期限的 {d['overdue']} 件（其中仍未办结 {d['overdue_open']} 件）。主要类别：{top}。"
    if (args.get("overdue") or trait or (args.get("state") and re.search(r"哪些|哪几|列|清单|明细", turn.question))
            or CASES_LISTED.search(turn.question)):  # fmt: skip
        # "超期的有哪些", "处置中的案件有哪些": the cases themselves, newest first.
        text += "\n" + "\n".join(f"- {c['id']}：{c['category_name']}，{turn.name(c['district'])}，{turn.name(c['department_id'])}，"
                                  f"状态「{c['state']}」，期限 {c['deadline']}" for c in d["items"][:10 if args.get("state") else 5])  # fmt: skip
    return text


def _compose_case_lookup(turn: Turn) -> str:
    if number := unknown_case_number(turn.question):
        # A number of digits only is not repeated: the grounding check takes it for a figure no tool gave.
        named = "这个编号" if number.isdigit() else f"编号为 {number} "
        return f"查不到{named}的案件：本市案件编号形如 C20261124-1A2B3C4D，请核对编号后再查。"
    lines = [_case_line(turn, r.data) + _case_asked(turn, r.data) for r in turn.succeeded("get_case")]
    for record in turn.succeeded("find_case")[:1]:  # a second one widens the first (no period), said with it
        lines.append(_found_case(turn, record))
    if not lines and not turn.done("get_case") and not turn.done("find_case"):
        if turn.memory.get("case_not_found") and IT_CASE.match(turn.question):
            # "A2区超期最久的那件是哪件" found none, then "它卡在哪个环节了": there is no such case to follow.
            return "上一问没有找到符合条件的案件（没有这样的案件），因此没有可以查看的环节、经手人和时间线。"
        return "请给出案件编号（形如 C20261124-1A2B3C4D）。"
    return "\n".join(lines)


def _received_span(since: str | None, until: str | None) -> str:
    """"12月4日受理" for the window a remembered search kept (its words were in the turn before)."""
    if not since:
        return ""
    first = datetime.fromisoformat(since).astimezone(CHINA).date()
    last = (datetime.fromisoformat(until) - timedelta(seconds=1)).astimezone(CHINA).date() if until else None
    day = f"{first.month}月{first.day}日"
    if last is None:
        return f"{day}以来受理"
    return f"{day}受理" if last == first else f"{day}至{last.month}月{last.day}日受理"


def _found_case(turn: Turn, record: Record) -> str:
    """The case ``find_case`` picked, introduced by the traits it was picked by."""
    a = record.args
    period = find_period(turn.question, turn.now)
    when = period.label if period and a.get("since") else _received_span(a.get("since"), a.get("until"))
    traits = [when,
              turn.name(a["district"]) if a.get("district") else "",
              "、".join(turn.name(c) for c in a.get("categories", [])[:3]) + ("等类别" if len(a.get("categories", [])) > 3 else ""),
              f"派给{turn.name(a['department_id'])}" if a.get("department_id") else "",
              f"来源{SOURCE_WORDS.get(a['source'], a['source'])}" if a.get("source") else "",
              "返工过" if a.get("reworked") else "", "超期未结" if a.get("overdue") else "",
              "未办结" if a.get("open") else ""]  # fmt: skip
    scope = "、".join(t for t in traits if t) or "全市"
    which = {"oldest": "最早受理的一件", "last_closed": "最近结案的一件", "most_overdue": "超期最久、仍未办结的一件"}.get(a.get("order", ""), "最近受理的一件")
    case = record.data["case"]
    if case is None and (wider := [r for r in turn.succeeded("find_case") if r is not record and r.data.get("case")]):
        return f"没有找到符合条件（{scope}）的案件；不限受理时间再查：\n" + _found_case(turn, wider[0])
    if case is None:
        # The caller's own words may be filed otherwise (another category, a day off): what would find it for sure.
        return f"没有找到符合条件（{scope}）的案件。如能提供案件编号或报案的具体地址，可再精确查找。"
    text = f"符合条件（{scope}）的案件中，{which}：\n" + _case_line(turn, case)
    if (listed := turn.succeeded("search_cases")) and listed[0].data["count"] > 1:
        others = [i for i in listed[0].data["items"] if i["id"] != case["id"]][:5]
        text += (f"\n同样符合条件的共 {listed[0].data['count']} 件，请与来电人核对是哪一件，其余：" + "；".join(
            f"{i['id']}（{i['category_name']}，{i['state']}）" for i in others) + "。")  # fmt: skip
    return text + _case_asked(turn, case)


def _case_asked(turn: Turn, case: dict[str, Any]) -> str:
    """What the question asks of one case beyond its line: why it was reworked, the steps taken, its history."""
    text = ""
    if WHY_REWORKED.search(turn.question) and (reworks := [h for h in case["history"] if h["action"] == "返工"]):
        # "当时为啥返工": the 返工 step and the reason written with it, or that none was written.
        text += "\n返工记录：" + "；".join(f"{_when(h['at'])} {h['actor']}「返工」，" + (f"原因：{h['note']}" if h.get("note") else "未记录返工原因（没有备注）")
                                         for h in reworks) + "。"  # fmt: skip
    if PROGRESS_ASKED.search(turn.question) and not asks_history(turn.question) and case["history"]:
        # "走到哪一步了": the steps it has been through, in order, beside the state it is in.
        text += "\n已走过的环节：" + " → ".join(h["action"] for h in case["history"]) + "。"
    if asks_history(turn.question) and case["history"]:
        text += "\n流转历史：\n" + "\n".join(
            f"- {_when(h['at'])} {h['actor']}「{h['action']}」→{h['to_state']}" + (f"（{h['note']}）" if h.get("note") else "")
            for h in case["history"])  # fmt: skip
    return text


PROGRESS_ASKED = re.compile(r"走到哪|到哪一步|哪一步了|办到哪|进度|进展到")
WHY_REWORKED = re.compile(r"(?:为啥|为什么|为何|啥原因|什么原因|原因)[^，,。？?]{0,6}返工|返工[^，,。？?]{0,6}(?:原因|为啥|为什么|理由)")
SOURCE_WORDS = {"12345": "12345热线", "app": "随手拍", "patrol": "巡查上报", "sensor": "传感器告警"}


def _case_line(turn: Turn, c: dict[str, Any]) -> str:
    last = c["history"][-1] if c["history"] else None
    if c.get("closed_at") and c.get("deadline"):
        overdue = "超时结案" if c["closed_at"] > c["deadline"] else "按期结案"
    else:
        overdue = "已超期" if c["overdue"] else "未超期"
    closed = f"，已结案（{_when(c['closed_at'])}）" if c.get("closed_at") else ""
    where = f"{turn.name(c['district'])}，" if c.get("district") else ""
    # "有没有被退回过": said either way, not left to be read off the history.
    sent_back = sum(1 for step in c["history"] if step["action"] == "回退")
    returned = f"被回退过 {sent_back} 次；" if sent_back else "没有被回退过；"
    return (f"案件 {c['id']}：{c['category_name']}（{c['category_code']}），{_when(c['created_at'])}受理，当前状态「{c['state']}」"
            f"{closed}，责任部门 {turn.name(c['department_id'])}，{where}网格 {c['grid_id']}，紧急程度 "
            f"{URGENCY_NAMES.get(c['urgency'], c['urgency'])}，处置期限 {_when(c['deadline'])}（{overdue}）；"
            f"{returned}返工 {c['rework_count']} 次。"
            + (f"最近一步：{_when(last['at'])} {last['actor']}「{last['action']}」。" if last else "")
            + (f"下一步可执行：{'、'.join(c['allowed_actions'])}。" if c["allowed_actions"] else ""))  # fmt: skip


def _when(moment: str | None) -> str:
    """"2026-11-25T01:51:15+08:00" as officials read it: 11月25日 01:51."""
    if not moment:
        return "无"
    return f"{int(moment[5:7])}月{int(moment[8:10])}日 {moment[11:16]}"


def _compose_case_action(turn: Turn) -> str:
    lines = []
    for record in turn.done("transition_case"):
        if record.ok:
            c = record.data
            lines.append(
                f"已对案件 {c['id']} 执行「{record.args['action']}」，当前状态「{c['state']}」，版本 {c['version']}。"
            )
    if not turn.done("transition_case"):
        return "请给出案件编号和要执行的操作（例如：把 C20261124-1A2B3C4D 立案）。"
    return "\n".join(lines)


SAME_AS_BEFORE = re.compile(r"一样吗|一样不|相同吗|是不是也|也是.{0,6}吗|还是.{0,6}吗")
def _vital_line(v: dict) -> str:
    value = "—" if v["value"] is None else f"{_fmt(v['value'])} {v['unit']}".strip()
    return f"{v['name']} {value}（{STATUS_NAMES.get(v['status'], v['status'])}）"


def _as_of(items: list[dict]) -> str:
    """When the vital signs were computed, as an official reads it ("2026-12-05 18:00"; "" with none)."""
    return items[0]["as_of"][:16].replace("T", " ") if items and items[0].get("as_of") else ""


def _compose_vitals(turn: Turn) -> str:
    records = turn.succeeded("city_vitals")
    if not records or Intent.COMPARE in turn.intents:
        return ""
    d = records[0].data
    scope = turn.name(d.get("district"))
    items = d["items"]
    abnormal = [v for v in items if v["status"] != "normal"]
    as_of = _as_of(items)
    if (topic := _vital_topic(turn.question)) and (kept := [v for v in items if v["name"] in topic[1]]):
        # "生命体征里排水相关的指标": those only, not the other eight beside them.
        worse = [v["name"] for v in kept if v["status"] != "normal"]
        return (f"{scope}城市生命体征中{topic[0]}相关的指标（截至 {as_of}，实时计算的最新数据）："
                + "；".join(_vital_line(v) for v in kept) + "。"
                + (f"需要关注：{'、'.join(worse)}。" if worse else "均为正常。"))  # fmt: skip
    text = f"{scope}城市生命体征（截至 {as_of}，实时计算的最新数据）：" + "；".join(_vital_line(v) for v in items) + "。"
    text += ("需要关注：" + "、".join(v["name"] for v in abnormal) + "。") if abnormal else "各项指标均正常。"
    if VITALS_BEFORE.search(turn.question):
        # "跟昨天比哪几项变差了", "最近7天有没有从normal掉到warning的": the signs are computed now and kept nowhere,
        # so an earlier state is said to be unknown rather than guessed from today's.
        text = ("城市生命体征是按当前数据实时计算的快照，系统不保存历史体征，无法与过去（如昨天、最近几天）的状态比较，"
                "也无法判断哪项是何时变化的；以下只能提供当前状态。\n" + text)
    if len(records) > 1 and not records[1].data.get("district"):
        text += "\n" + _vitals_beside_city(items, records[1].data["items"], scope)
    status = _vital_status_asked(turn.question) or (
        _vital_status_asked(turn.memory.get("said", "")) if turn.follow_up else None)  # "A2区呢？" keeps the status asked
    if status and not re.search(r"各几项|各多少项", turn.question):
        # "watch 状态的有几个，分别是啥", "亮红灯的有哪些": those of that status, counted and named.
        chosen = [v for v in items if v["status"] in status]
        what = "不正常（关注、预警、报警）" if status == ABNORMAL else "处于「" + "」或「".join(
            STATUS_NAMES.get(s, s) for s in ("watch", "warning", "alarm") if s in status) + "」状态"
        pct = (d.get("share_pct") or {}).get("not_normal" if status == ABNORMAL else next(iter(status)) if len(status) == 1 else "")
        share = f"，占 {pct:g}%" if pct is not None and re.search(r"占比|比例|百分之|占多少|几成", turn.question) else ""
        text += f"\n{scope}共监测 {d['total']} 项指标，" + (
            f"{what}的共 {len(chosen)} 项{share}：" + "；".join(_vital_line(v) for v in chosen) + "。"
            if chosen else f"没有{what}的指标。")  # fmt: skip
        if re.search(r"情况|怎么样|咋样|整体|总体|概况", turn.question):  # "说说今天城市运行情况，有没有亮红灯的": both
            text += "各状态：" + "、".join(f"{STATUS_NAMES.get(s, s)} {n} 项" for s, n in d["by_status"].items()) + "。"
    else:
        # "A5区体征整体怎么样", "正常、关注、预警、告警各几项": the count of each status, every status said even at none.
        text += f"共 {d['total']} 项：" + "、".join(
            f"{STATUS_NAMES.get(s, s)} {n} 项" for s, n in d["by_status"].items()) + "。"  # fmt: skip
    return text


ABNORMAL = frozenset({"watch", "warning", "alarm"})
# A vital sign asked as it was before now: against yesterday, over the last days, changed from one status to another.
VITALS_BEFORE = re.compile(
    r"(?:跟|和|与|比|较|对比|相比)(?:昨天|昨日|前天|上周|上个?星期|上个?月|上次|之前|以前|前几天|几天前)"
    r"|(?:昨天|前天|上周|最近|(?<![接附将])近|过去|这几天|前几天|本周|这周|这一周)[^，,。？?]{0,12}(?:变差|变坏|恶化|掉到|掉成|变成|变为|转为|升到|升为|变化|变动|波动)"
    r"|从\s*(?:normal|正常|关注|watch|预警|warning)[^，,。？?]{0,6}(?:到|成|为)(?![^，,。？?]{0,8}(?:阈值|标准|多少算))|历史体征|体征[^，,。？?]{0,6}(?:历史|走势|趋势)", re.I)
# A field of the vital signs asked about ("排水相关的指标", "燃气方面"): its words, and the signs that measure it.
VITAL_TOPICS = (("排水防涝", re.compile(r"排水|防涝|内涝|防汛|积水|泵站"), {"积水点数", "泵站故障数"}),
                ("燃气", re.compile(r"燃气|煤气"), {"燃气泄漏报警数"}), ("供水", re.compile(r"供水|水压"), {"供水压力合格率"}),
                ("路灯照明", re.compile(r"路灯|照明"), {"路灯故障率"}), ("井盖", re.compile(r"井盖"), {"井盖异常数"}),
                ("桥梁", re.compile(r"桥"), {"桥梁结构告警数"}),
                ("案件处置", re.compile(r"案件|处置|热线|12345|工单"), {"超期未结案件数", "12345案件量(24小时)", "按期处置率(30天)"}))  # fmt: skip


def _vital_topic(question: str) -> tuple[str, set[str]] | None:
    """The one field a vital-sign question narrows to ("…里排水相关的指标"), or None."""
    if not re.search(r"相关|方面|有关|这块|这一块|类的?指标", question):
        return None
    found = [(word, names) for word, pattern, names in VITAL_TOPICS if pattern.search(question)]
    return found[0] if len(found) == 1 else None


VITAL_STATUS_WORDS = (("alarm", re.compile(r"报警|红灯|红色|(?<![a-z])alarm", re.I)), ("warning", re.compile(r"预警|橙|(?<![a-z])warning", re.I)),
                      ("watch", re.compile(r"关注|黄灯|黄色|(?<![a-z])watch", re.I)),
                      ("abnormal", re.compile(r"异常|不正常|有问题|不达标|超标|需要关注")))  # fmt: skip


def _vital_status_asked(question: str) -> frozenset[str] | None:
    """The statuses a vital-sign question filters by, when it asks which or how many are so ("watch或者warning的")."""
    if not re.search(r"几个|几项|多少项|多少个|哪些|哪几|有啥|是啥|分别|列|有没有|有无|是否有", question):
        return None
    if re.search(r"(?:关注|黄|watch)\s*(?:级|状态)?\s*(?:以上|及以上)", question, re.I):
        return ABNORMAL  # "watch以上": every status past normal
    if re.search(r"(?:预警|橙|warning)\s*(?:级|状态)?\s*(?:以上|及以上|或以上|或更高)", question, re.I):
        return frozenset({"warning", "alarm"})  # "处于预警以上": warning or alarm
    named = [status for status, pattern in VITAL_STATUS_WORDS if pattern.search(question)]
    if "abnormal" in named:
        return ABNORMAL
    return frozenset(named) or None


# "哪个区最多" that names nothing to count: a figure of the wrong kind would be worse than the question back.
COMPARE_ASKED_BACK = "请说明要比较各区的哪一项：案件量（可加时间，如“本月”）、未关闭告警，还是城市体征？"


def _compose_compare(turn: Turn) -> str:
    metric = _compared_on(turn)
    names = (
        [d.id for d in turn.slots.districts]
        if len(turn.slots.districts) >= 2
        else [d.id for d in turn.lexicon.districts]
    )
    if metric is None:
        return COMPARE_ASKED_BACK
    if metric == "alarms":
        records = turn.succeeded("open_alarms")
        if not records:
            return ""
        counts = {d: records[0].data["by_district"].get(d, 0) for d in names}
        unit, what = "条", "未关闭告警"
    elif metric == "cases":
        counts = {r.args["district"]: r.data["count"] for r in turn.succeeded("search_cases")}
        unit, what = "件", "案件"
    else:
        return _compose_vitals_by_district(turn)
    ranked = sorted(counts.items(), key=lambda x: -x[1])
    text = f"各区{what}对比：" + "，".join(f"{turn.name(d)} {n} {unit}" for d, n in ranked) + "。"
    top = [d for d, n in ranked if ranked and n == ranked[0][1]]
    if ranked and ranked[0][1] > 0:
        text += (f"最多的是 {turn.name(top[0])}。" if len(top) == 1
                 else f"{'、'.join(turn.name(d) for d in top)} 并列最多。")  # fmt: skip
    return text


SEVERITY = {"normal": 0, "watch": 1, "warning": 2, "alarm": 3}


def _vitals_beside_city(items: list[dict], city: list[dict], scope: str) -> str:
    """The vital signs whose status is worse in the district than in the city."""
    city_status = {v["name"]: v["status"] for v in city}
    worse = [v for v in items if SEVERITY.get(v["status"], 0) > SEVERITY.get(city_status.get(v["name"], "normal"), 0)]
    # A rate compares across scopes as a value too (a count does not: a district always has fewer than the city).
    city_value = {v["name"]: v["value"] for v in city}
    lower = [v for v in items if v not in worse and v["unit"] == "%" and v["value"] is not None
             and city_value.get(v["name"]) is not None
             and (v["value"] > city_value[v["name"]] if "故障" in v["name"] else v["value"] < city_value[v["name"]])]  # fmt: skip
    # Every sign side by side as well: "偏差比较大的" is judged from both values, not only from what is worse.
    beside = "逐项对照（" + f"{scope} / 全市）：" + "；".join(
        f"{v['name']} {_fmt(v['value'])} / {_fmt(city_value[v['name']])} {v['unit']}".rstrip()
        for v in items if v["value"] is not None and city_value.get(v["name"]) is not None) + "。"
    if not worse and not lower:
        return f"跟全市比，{scope}没有哪项比全市差（状态都不比全市更严重，比率都不低于全市）。\n{beside}"
    said = [f"{v['name']}（{scope}{STATUS_NAMES.get(v['status'], v['status'])}，全市"
            f"{STATUS_NAMES.get(city_status.get(v['name'], 'normal'), '正常')}）" for v in worse]  # fmt: skip
    said += [f"{v['name']}（{scope} {_fmt(v['value'])}%，全市 {_fmt(city_value[v['name']])}%，"
             f"{'高于' if '故障' in v['name'] else '低于'}全市）" for v in lower]  # fmt: skip
    return f"跟全市比，{scope}更差的指标：" + "；".join(said) + f"。\n{beside}"


def _compose_vitals_by_district(turn: Turn) -> str:
    """Each district's vital signs not normal, counted and ranked: "哪个区的体征异常项最多", "哪几个区有预警"."""
    # "预警项最多", "告警最多": warning or worse (告警 covers both levels, as the alarm list counts them); "报警项":
    # alarm only; otherwise every status past normal.
    counted = ({"warning", "alarm"} if re.search(r"预警|告警", turn.question)
               else {"alarm"} if re.search(r"报警|红", turn.question) else None)  # fmt: skip
    abnormal = {r.args["district"]: [v for v in r.data["items"] if (v["status"] in counted if counted else v["status"] != "normal")]
                for r in turn.succeeded("city_vitals") if r.args.get("district")}  # fmt: skip
    if not abnormal:
        return ""
    ranked = sorted(abnormal.items(), key=lambda x: -len(x[1]))
    lines = [f"- {turn.name(d)}：{len(items)} 项" + ("（" + "，".join(_vital_line(v) for v in items) + "）" if items else "，各项正常")
             for d, items in ranked]  # fmt: skip
    what = "报警" if counted == {"alarm"} else "预警及以上（预警、报警）" if counted else "不正常（关注、预警、报警）"
    first = next((r.data["items"] for r in turn.succeeded("city_vitals") if r.data.get("items")), [])
    as_of = f"（截至 {when}，实时计算的最新数据）" if (when := _as_of(first)) else ""
    text = f"各区城市生命体征中{what}的指标{as_of}：\n" + "\n".join(lines)
    most = [d for d, items in ranked if items and len(items) == len(ranked[0][1])]
    if most:
        word = "报警项" if counted == {"alarm"} else "预警项" if counted else "异常项"
        text += f"\n{word}最多的是 {'、'.join(turn.name(d) for d in most)}（{len(ranked[0][1])} 项）" + ("，并列。" if len(most) > 1 else "。")
    if len(ranked) == 2 and re.search(r"更差|更严重|更好|哪个.{0,4}(?:差|好|严重)", turn.question):
        # "跟A5区比哪个情况更差": the worse by its worst signs first, then by how many are not normal.
        def weight(items: list[dict]) -> list[int]:
            return sorted((SEVERITY.get(v["status"], 0) for v in items), reverse=True)
        (a, first), (b, second) = ranked
        if weight(first) != weight(second):
            worse, better = (a, b) if weight(first) > weight(second) else (b, a)
            text += f"\n综合看，{turn.name(worse)}更差（异常指标的级别更高或更多），{turn.name(better)}相对较好。"
        else:
            text += "\n两区异常指标的级别和数量相同，情况相当。"
    serious = [d for d, items in ranked if any(v["status"] in ("warning", "alarm") for v in items)]
    text += ("\n有预警或报警指标的区：" + "、".join(turn.name(d) for d in serious) + "。") if serious else "\n没有哪个区有预警或报警指标。"
    return text


def _compose_figures(turn: Turn) -> str:
    records = turn.succeeded("query_figures")
    last = records[-1].data.get("note") if records else None
    # Several measures of one scope and period share a caveat: said once, after the last figure.
    text = "\n".join(compose_figures(r.data, turn.understood.about(r.args), turn.name, basis=r is records[-1],
                                      note=r is records[-1] or r.data.get("note") != last) for r in records)  # fmt: skip
    registered = next((r.data["total"]["value"] for r in records if r.args.get("measure") == "assets"
                       and not r.args.get("group_by") and r.data.get("total")), None)  # fmt: skip
    watched = next((r.data.get("sensors") for r in records if r.args.get("measure") == "readings"), None)
    if registered is not None and watched is not None and watched < registered:
        # "A4区有几座泵站？现在都在运行吗" with fewer sensors than pumps: the others' state is not known.
        text += "\n其余未接入运行状态传感器的，运行情况未知（系统没有其读数）。"
    return text


def _compose_unknown_place(turn: Turn) -> str:
    for district in turn.lexicon.districts:
        turn.name(district.id)  # cited: the answer lists them
    return compose_unknown(turn.understood.unknown or "", turn.lexicon)


_COMPOSERS = {
    Intent.FIGURES: _compose_figures, Intent.UNKNOWN_PLACE: _compose_unknown_place,
    Intent.STATUS: _compose_status, Intent.ALARMS: _compose_alarms, Intent.RESPONSIBILITY: _compose_responsibility,
    Intent.POLICY: compose_policy, Intent.FORECAST: _compose_forecast, Intent.PERFORMANCE: _compose_performance,
    Intent.CASE_STATS: _compose_case_stats, Intent.CASE_LOOKUP: _compose_case_lookup, Intent.VITALS: _compose_vitals,
    Intent.COMPARE: _compose_compare, Intent.UNSUPPORTED: _compose_unsupported, Intent.CASE_ACTION: _compose_case_action,
    Intent.TRIAGE: compose_triage,
}  # fmt: skip


def remember(turn: Turn) -> dict[str, Any]:
    """What a follow-up question may refer to ("它", "那里"): the newest place, category, asset, case."""
    memory = dict(turn.memory)
    memory.pop("case_not_found", None)  # only the turn just before may have found no case
    if turn.slots.district:
        memory["district"] = turn.slots.district
    if turn.slots.categories:
        memory["category"] = turn.slots.categories[0].id
    for record in turn.records:
        if not record.ok:
            continue
        if record.name == "asset_status":
            memory["asset_id"] = record.data["asset"]["id"]
            memory["category"] = asset_category_id(record.data["asset"]["id"])
            memory["district"] = record.data["asset"]["properties"].get("district") or memory.get("district")
        elif record.name == "triage_report" and record.data.get("category"):
            # "该派给哪个部门？多长时间内要处理完？" after a report: its category, where it is.
            memory["category"] = record.data["category"]["id"]
            memory["district"] = record.data.get("district") or memory.get("district")
            memory["urgency"] = record.data.get("urgency")  # a second call about it may raise it
        elif record.name == "search_cases":
            # "A1区超期没结的案子有哪些" then "最早那件在谁手上": one of these.
            memory["case_filters"] = {k: v for k, v in record.args.items()
                                      if k in ("district", "department_id", "overdue", "since", "until", "categories",
                                               "reworked", "returned", "extended") and v}  # fmt: skip
        elif record.name == "responsible_department":
            memory["department"] = record.data["department"]["id"]
        elif record.name == "open_alarms":
            memory["alarms"] = {k: v for k, v in record.args.items() if k in ("kind", "level", "district", "opened", "closed") and v}
            if record.args.get("opened") or record.args.get("closed"):
                memory["alarms"]["state"] = record.args.get("state")  # a window's alarms: open or not, as asked
                if window := find_period(turn.question, turn.now):
                    memory["alarms"]["label"] = window.label
                elif label := (turn.recall("alarms") or {}).get("label"):
                    memory["alarms"]["label"] = label
            if by_district := record.data.get("by_district"):
                memory["alarms_top_district"] = max(by_district, key=by_district.get)  # "最多那个区的逐条给我"
        elif record.name == "find_case" and not record.data.get("case"):
            # "昨天A1区有没有路面塌陷的" found none: "有的话把那件的流转记录调出来" asks of the same traits again, and
            # "它的流转记录" is told there is no such case.
            memory["case_filters"] = {k: v for k, v in record.args.items() if k != "order" and v}
            memory["case_not_found"] = True
        elif record.name in ("get_case", "find_case") and (case := record.data.get("case", record.data)):
            if record.name == "find_case" and any(not r.data.get("case") for r in turn.succeeded("find_case")):
                # A wider search found it: the narrow one's none no longer stands, and its filters are the wider ones.
                memory.pop("case_not_found", None)
                memory["case_filters"] = {k: v for k, v in record.args.items() if k != "order" and v}
            memory["case_id"] = case["id"]
            memory["category"] = case["category_code"]
            memory["district"] = case.get("district") or memory.get("district")
    for record in turn.succeeded("create_case"):
        memory["case_id"] = record.data["id"]  # "这个案卷立案，派给交警支队" right after it was created
    if turn.slots.asset_ids:
        memory["asset_id"] = turn.slots.asset_ids[0]
    if turn.slots.case_ids:
        memory["case_id"] = turn.slots.case_ids[0]
    memory["intents"] = [str(i) for i in turn.intents]
    memory["said"] = turn.question[:2000]  # a report the next turn may ask to triage ("分类和责任单位给我下")
    if triaged := turn.succeeded("triage_report"):
        # The report as triaged (the first call: the rest are its clauses), with any words a caller added to it.
        memory["said"] = triaged[0].args["text"][:2000]
    if Intent.FIGURES in turn.intents:
        before = (memory.get("figures") or {}).get("departments") or []
        memory |= turn.understood.memory()
        counted = turn.understood.query
        if counted is not None and counted.measure in CASE_MEASURES and not counted.group_by and turn.understood.period is not None:
            # "昨天A1区有没有路面塌陷的" counted, then "有的话把那件的流转记录调出来": one of the cases counted.
            memory["case_filters"] = ({"district": counted.district} if counted.district else {}) | (
                {"categories": [counted.category]} if counted.category else {}) | created_within(turn.understood.period)
        now = (memory.get("figures") or {}).get("departments") or []
        if before and now and before != now:
            # "市水务局…" then "市燃气集团呢" then "两家比一比": the departments asked one after the other.
            memory["departments_before"] = before
        ranked = [r for r in turn.succeeded("query_figures") if r.data.get("rows") and (r.args.get("order") or r.args.get("top"))]
        # "那它上个月的按期处置率呢": "it" is the one a ranking put first.
        memory["figures_top"] = ranked[0].data["rows"][0]["key"] if ranked else None
        # "它们的返工率分别是多少" after "最低的三个部门": the ones the ranking showed.
        memory["figures_shown"] = [r["key"] for r in ranked[0].data["rows"]][:10] if ranked else None
        # "倒数第一那个区的返工率呢": the last place of a ranking high to low (the first of one low to high).
        memory["figures_bottom"] = (ranked[0].data["rows"][0 if ranked[0].args.get("order") == "asc" else -1]["key"]
                                    if ranked else None)  # fmt: skip
    elif ((searched := turn.succeeded("search_cases")) and len(searched) == 1 and searched[0].args.get("overdue")
          and set(searched[0].args) <= {"overdue", "district"}):  # fmt: skip
        # "现在超期还没办结的一共多少件" counted by the case search, then "按责任部门排一下": those cases, regrouped.
        query = FigureQuery(measure="overdue_open", district=searched[0].args.get("district"))
        memory |= remembered_figures(query, open_now(turn.now.astimezone(CHINA).date()))
    else:
        memory.pop("figures", None)
        memory.pop("figures_period", None)
        memory.pop("figures_also", None)
    return {k: v for k, v in memory.items() if v is not None and (k != "category" or label_for_id(str(v)))}
