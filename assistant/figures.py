"""Questions about case and department figures, understood as a typed ``FigureQuery`` (issue 15) and answered
with the period and the scope always named.

Understanding is readable rules over what the question says — the measure (案件/超期/按期处置率…), the
place, category, channel and department, the grouping (各区/哪类/各部门), the order and cut (最多/最低/前三),
the period (``assistant.periods``) and a comparison (环比, 和上个月比) — so any combination of them is one
query, not a template per combination. A follow-up ("那A2区呢？", "前三是谁", "按部门排一下") changes only what
it names. A district the city does not have is said to be unknown, never widened to the city.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from assistant.analytics_questions import (
    compose_anomalies,
    compose_hot_topics,
    understand_anomalies,
    understand_hot_topics,
)
from assistant.assets import (
    ASSET_STATES,
    BY_AREA,
    BY_CATEGORY,
    EACH_WATCHED,
    GENERIC_ASSETS,
    MONITORED,
    NOT_INTACT,
    NOT_INTACT_STATES,
    PLACE_LABELS,
    STATE_RATE,
    WHICH_WATCHED,
    asks_asset_count,
    asset_categories,
    asset_query,
    compose_assets,
    counts_by_state,
    state_listed,
    total_then_state,
)
from assistant.forecasts import compose_forecast, understand_forecast
from assistant.hotspots import case_categories, compose_hotspots, understand_hotspots
from assistant.lexicon import KIND_NAMES, CityLexicon
from assistant.periods import (
    Period,
    find_period,
    find_periods,
    number,
    recalled,
    same_days_of_last_month,
    span,
    this_month,
)
from assistant.places import nearest_place, unknown_named_place
from assistant.readings import compose_readings, latest_period, understand_readings
from assistant.slots import Slots
from core import clock
from core.times import CHINA, china_if_naive
from tools.figures import CALENDAR_STEPS
from tools.query_spec import CASE_MEASURES, RATES, FigureQuery, is_rate

# (measure, words): the first that matches is the measure asked about.
MEASURES: list[tuple[str, re.Pattern[str]]] = [
    ("按期处置率", re.compile(r"按期处置率|按期率|按时处置率|处置及时率|及时率|按期结案率|按期完成率|(?i:on-?time (?:rate|ratio|disposal))")),
    ("结案率", re.compile(r"结案率|办结率|结办率|(?i:closure rate|closing rate)")),
    ("返工率", re.compile(r"返工率|(?i:rework rate)")),
    ("准确派遣率", re.compile(r"准确派遣率|派遣准确率|派准率")),
    ("延期率", re.compile(r"延期率")),
    ("平均处置时长_小时", re.compile(r"平均(?:处置|办理|处理)?(?:时长|用时|时间|耗时)|平均.{0,4}(?:多久|多长时间)")),
    ("返工数", re.compile(r"返工")),
    # "哪个部门延期最多": the extensions a department asked for (延期数), not a case's time limit.
    ("延期数", re.compile(r"延期数|延期(?:了|的)?(?:案件|案子)?(?:最多|最少|多少|几)|延期次数")),
    # "按期处置了几件": the count behind the rate, a department indicator (a case count has no deadline met).
    ("按期处置数", re.compile(r"按期(?:处置|办结|完成|处理|结案)(?:了|的)?(?:案件|案子)?(?:有)?(?:几|多少)|按期处置数")),
    # "应处置数和按期处置数分别多少": the counts behind the rate, named as the evaluation names them.
    ("应处置数", re.compile(r"应处置数|应处置(?:的)?(?:案件)?(?:数|量)")),
    # "超期处置数最多的部门": the department indicator by its own name, not the cases past their deadline.
    ("超期处置数", re.compile(r"超期处置数|超期处置(?:的)?(?:案件)?量")),
    # Still open past the deadline now ("现在还有多少超期未结的", "眼下超期还没办结的"), not every case finished late.
    ("overdue_open", re.compile(r"(?:超期|逾期)了?(?:且|而|还|仍|但)?(?:未|没|没有)(?:办结|结案|结|办完)|(?:未|没)(?:办结|结案|结).{0,3}(?:超期|逾期)"
                                r"|(?:在办|没办完|没结)的?(?:案子|案件|工单|单子)?(?:里|里面|中|当中)的?(?:超期|逾期)")),
    ("overdue", re.compile(r"超期|逾期|超时|过了期限|超过.{0,4}时限")),
    ("open", re.compile(r"未结|未办结|没办完|没结|在办|还没处理|未处理|没处理完|没处置完|未处置完|积压|还没办")),
    (
        "closed",
        re.compile(
            # (not 未结案件: the open ones)
            r"(?<![未没])(?:已结案|已办结|结了多少|办结了|结案了多少|结案数|结案的|结案多少|结案\s*\d*\s*件|办结多少|结了几|结案了?几|办结了?几)"
        ),
    ),
    # 立案 is a step past 受理 (neither 不予立案 nor 作废): "立了多少案" counts those, not every case received.
    ("registered", re.compile(r"立案数|立了.{0,4}案|立案(?:了|的)?(?:案件|案子)?(?:有)?(?:多少|几)|(?:多少|几)件?(?:案件)?立案|立案量|立案情况")),
    (
        "cases",
        re.compile(
            r"案件|案子|案卷|工单|单子|诉求|投诉|来件|受理|多少案|几个案|新增|多少件|几件|件数|案量|事件|多少起|几起|多少单|几单|\bcases?\b",
            re.IGNORECASE,
        ),
    ),
]
GROUPS: list[tuple[str, re.Pattern[str]]] = [
    # "按月分开看", "近四周每周的案件量", "这周按天拆开": the period cut into calendar months, weeks or days.
    ("month", re.compile(r"按月|每月|逐月|分月|每个月|各月|月度分布")),
    ("week", re.compile(r"按周|每周|逐周|分周|每一周|各周")),
    ("day", re.compile(r"按天|按日|逐日|分天|(?<!平均)每天(?:分别|各|新增|受理|进来|来了?)|每一天")),
    ("source", re.compile(r"各(?:来源|渠道)|哪个(?:来源|渠道)|哪些渠道|按(?:来源|渠道)|(?:来源|渠道)(?:分布|构成|占比|分别|排)"
                          r"|(?:by|per) (?:source|channel)", re.IGNORECASE)),
    (
        "department",
        re.compile(r"各(?:责任|承办)?部门|(?<!安)(?:全|所有|全部)部门(?:里|中|当中|之中)|哪个部门|按(?:责任|承办|主办)?部门|哪些部门|(?:谁家|哪家)(?=[^，,。？?]{0,4}(?:最多|最少|最高|最低|排))|各单位|哪个单位|哪家单位|部门排|各区城管局|各委办局|\bdepartments?\b"
                   r"|(?:最多|最少|最高|最低|最差|最好|最长|最短)的(?:前)?(?:\s*[0-9一二两三四五六七八九十]{1,2}\s*个)?(?:部门|单位)", re.IGNORECASE),
    ),
    # "部件类和事件类分别有多少件": the two kinds of case, every category of each together (before 分别 takes districts).
    ("kind", re.compile(r"部件类?(?:案件|案子)?(?:和|与|跟|、|及)事件类?|事件类?(?:案件|案子)?(?:和|与|跟|、|及)部件类?"
                        r"|按(?:部件|事件)(?:和|、|及)(?:部件|事件)(?:分(?!类)|统计)")),
    ("district", re.compile(r"各区|每个区|分区|按区|哪个区|哪几个区|哪些区|各个区|区排|分别"
                            r"|(?:前|top|TOP|Top|最多的|最少的)\s*[0-9一二两三四五六七八九十]{1,2}\s*个区")),
    # "在办的卡在哪个环节": the step of the workflow the cases are at now, after the districts ("各区在办的卡在哪个环节"
    # counts per district); "按状态分布" with no period is the case search's, every case whenever it came in.
    ("status", re.compile(r"环节|卡在哪|哪一步|哪个步骤|流程节点")),
    # "哪个大类最多", "按大类统计": the categories' major classes (市容环境, 街面秩序…), not the categories.
    ("major", re.compile(r"(?:哪个|哪些|哪几个|哪一个|哪\s*[0-9一二两三四五六七八九十]{1,2}\s*个|各个?|按|每个|分)\s*(?:事件|部件)?大类"
                         r"|大类(?:分布|排名|排序|排一下|构成|占比|分别|最多|最少)|(?:前|top|TOP|Top)\s*[0-9一二两三四五六七八九十]{1,2}\s*个?大类")),
    # "都是些啥类型": the cases' categories.
    ("category", re.compile(r"(?:啥|什么|哪些|哪几种)\s*类型|都是些?(?:啥|什么)(?:事|问题)|各类|哪类|哪一类|哪几类|哪\s*[0-9一二两三四五六七八九十]{1,2}\s*类|按类|分类|大类|小类|细类|哪些类|什么类|类别|哪种|哪些问题|(?i:\bcategor(?:y|ies)\b)"
                            r"|(?:最多|最少|前)的?\s*[0-9二两三四五六七八九十]{1,3}\s*个?小?类")),
]
# "按状态分一下" after assets were counted: the same count, by state.
DISTRICTS_GROUPED = re.compile(r"各区|每个区|分区|按区|哪个区|哪几个区|哪些区|各个区|区排")
BY_STATE = re.compile(r"按状态|各状态|分状态|按(?:完好|好坏)")
MOST = re.compile(r"最多|最高|最大|最长|最慢|最严重|第一|之最|最突出|最集中")
LEAST = re.compile(r"最低|最少|最差|最短|最快|垫底|倒数")
LISTING = re.compile(r"各区|各类|各部门|每个区|每类|各个|分别|按区|按类|按部门|分布")
OVERALL = re.compile(r"表现|考核|绩效|成绩|指标|怎么样|如何|情况")
# A case measure asked of a department is its indicator: cases it was sent, finished late, closed.
DEPARTMENT_COUNTS = {"cases": "派遣数", "overdue": "超期处置数", "closed": "结案数"}
DISPATCHED = re.compile(r"派遣了?(?:多少|几)|派遣数|派了(?:多少|几)|派单(?:量|数|多少|几)")
RANK = re.compile(r"排名|排序|排个序|排个名|排一下|排行|从高到低|从多到少|由高到低|(?i:\branking\b|\brank\b|high to low|descending)")
RANK_UP = re.compile(r"从低到高|从少到多|由低到高|升序|(?i:low to high|ascending)")
BOTTOM = re.compile(r"(?:倒数|末尾|最后|垫底的?)\s*(?:第)?\s*([0-9一二两三四五六七八九十]{1,3})\s*(?:名|个|位)")
# "前一个月", "前三天" are periods, not a top-k.
TOP = re.compile(r"(?:前|top|TOP|Top)\s*([0-9一二两三四五六七八九十]{1,3}+)(?!\s*个?(?:月|周|星期|礼拜|天|日|年|期|季度|小时))"
                 r"\s*(?:名|个|位|类|项|的)?")
# "按期处置率最低的三个部门", "案件最多的5类": a cut said after the extreme.
EXTREME_N = re.compile(r"最(?:多|少|高|低|大|小|差|好|快|慢)的?\s*([0-9二两三四五六七八九十]{1,3})\s*(?:个|名|位|类|项|家|区|条)"
                       r"|哪\s*([0-9二两三四五六七八九十]{1,2})\s*(?:个|类|家|项|名|位)")  # "哪三类最多", "哪5个区最少"
# The bottom end asked beside the top ("垫底的", "倒数前两名", "最少的"), and a top said without a number.
_N = r"([0-9一二两三四五六七八九十]{1,3})"
LOW_END = re.compile(rf"(?:倒数|末尾|垫底的?)\s*(?:前|第)?\s*{_N}?\s*(?:名|个|位)?|最后\s*(?:前|第)?\s*{_N}\s*(?:名|个|位)|最后一名"
                     rf"|(?:最少|最低|最差)的?\s*{_N}?\s*(?:个|名|位|家)?")
HIGH_END = re.compile(rf"(?:最多|最高|最好)的?\s*{_N}?\s*(?:个|名|位|家)?|第一名|头名")
POSITION = re.compile(r"排第几|排名第几|第几名|排在第几|排几名|排第多少|名次")
RATE_BOUND = re.compile(r"(不到|低于|小于|不足|达不到|未达到|超过|高于|大于|达到)\s*(百分之[零一二两三四五六七八九十百点]+|[0-9]+(?:\.[0-9]+)?\s*%)")
CITY_AVERAGE = re.compile(r"全市平均|平均水平|全市水平|全市的?平均|全市整体")
# A count of cases asked in so many words ("进了多少件案子", "一共几件"), beside the other counts asked.
# "周一到今天": 今天 ends the range named before it, it is no period of its own.
RANGE_END = re.compile(r"(?:到|至)$")
COUNT_OF_CASES = re.compile(r"(?:多少|几)(?:件|单|起)?(?:案子|案件|工单|单子)|(?:进了|收了|受理了?|新增了?|一共|总共|共)(?:多少|几)")
COUNT_THEN_OPEN = re.compile(r"(?:几|多少)(?:起|件|单|个)?[？?，,；;]\s*(?:那)?(?:还有|其中|里面|这里面)")
LAST_PLACE = re.compile(r"(?:倒数第一|最后一名|垫底|排最后|排在最后|最低|最少|最差)的?(?:那个|那家|那)")
# "暴露垃圾跟垃圾满溢各几件": each of the named ones apart.
EACH_OF_THEM = re.compile(r"各(?:有)?(?:几|多少)|分别|各自")
# "把市供水公司和市供电公司也拉进来一起比比": those named now beside the one asked before.
ALSO = re.compile(r"也拉进来|也加进来|也加上|也算上|一起比|放一起比|一并比")
THEY = re.compile(r"它们|他们|这几个|这三个|这两个|这几家|这些部门|这几个部门|这些区|这几个区|上面这些")
IT = re.compile(r"它(?!们)|该部门|这个部门|那个部门|该单位|这家|那家|该区|这个区|那个区")
SHARE = re.compile(r"占(?:全|总|所有|整体|同期|当月|本月|全部)?[^，,。？?道用压地路绿人车]{0,8}(?:百分之几|比例|比重|多少|几成|%|百分比)|占比|比例|比重|占了?几(?:个|件)")
YEAR_ON_YEAR = re.compile(r"同比|去年同期|上年同期|去年的同一?个?月|去年这个时候")
COMPARE = re.compile(r"环比|同比|比上个?月|比上周|较上|和上个?月比|跟上个?月比|和上周比|跟上周比|相比|比起|多了还是少了|增加还是减少"
                     r"|增减|变化|涨了|降了|(?<!占)比(?![例重率较如方])[^，,。？?]{1,6}(?:多|少|高|低)|和.{1,6}比|跟.{1,6}比|(?i:\bvs\.?|versus)")  # fmt: skip
# Two districts set side by side ("比A1区多还是少", "两个区差几件", "比一比"), one named now and one before or both now.
SIDE_BY_SIDE = re.compile(r"多还是少|高还是低|谁多|谁少|谁高|谁低|差几|差多少|相差|两个区|两区|比一比|对比")
SOURCES = [("12345", re.compile(r"12345|热线")), ("patrol", re.compile(r"巡查")), ("app", re.compile(r"随手拍|[Aa][Pp][Pp]")),
           ("sensor", re.compile(r"传感器告警生成|监测告警生成|传感器.{0,4}(?:生成|产生|转)"))]  # fmt: skip
UNKNOWN_DISTRICT = re.compile(r"(?<![A-Za-z0-9-])([A-Z]\d{1,2}区|99\d{4}(?![0-9A-Za-z-]))")  # never inside an id (C20261206-993343AE)
# Another city ("B市"), not the end of a code ("C20261205-…E 市民撤诉") nor 市民/市场/市政.
# A district named in words ("东城区", "海淀区"), not the areas a 区 ends (小区, 景区, 老城区, 开发区…).
NAMED_DISTRICT = re.compile(r"(?:^|(?<=[在于到和与跟及、，,。？?！!\s那从看]))([\u4e00-\u9fff]{2})区(?=现在|今天|目前|本月|这个月|上个?月|本周|这周|上周|的|有|呢|各|案件|告警|体征|$)")
NOT_A_DISTRICT = {"中心", "住宅", "保护", "停车", "别墅", "办公", "功能", "周边", "商业", "城中", "安置", "居民", "工业", "开发",
                  "施工", "服务", "核心", "棚户", "生活", "示范", "禁停", "管控", "网格", "行政", "试验", "责任", "附近"}
COUNTING = re.compile(r"[个些几各每哪全本该某这那其多少两一二三四五六七八九十所整分辖是的了在小老新主园校厂街社景片区]")  # "七个区", "哪些区", "老城区", "是小区": no name
OTHER_CITY = re.compile(r"(?<![A-Za-z0-9\-])([B-Z]市)(?![民场政容级])")
# "城市生命线…各是什么状态": the vital signs; "城市生命线上周报警多少条" is the alarms of that monitoring.
LIFELINES_STATE = re.compile(r"城市生命线(?![^，,。？?]*(?:报警|告警|案件|案子|传感器|读数))")
# "超期还没结案的案件有哪些？列编号和类别": the cases themselves, one by one, not a count of them by category.
CASES_LISTED = re.compile(r"(?:案件|案子|工单)(?:都)?有哪些|哪些(?:案件|案子|工单)|列(?:一下|出|个)?编号|案件清单|案件明细|逐件"
                          # "帮我找一下A3区这周的井盖案件", "昨天派给市供水公司的单子现在都什么状态": the cases themselves
                          r"|^(?:帮我|请|麻烦)?(?:找|查|翻)(?:一下|下|一找|一查|找|查)[^，,。？?]{0,16}(?:案件|案子|工单|单子)(?=$|[，,。？?])"
                          r"|(?:案件|案子|工单|单子)[^，,。？?]{0,6}(?:都|分别|各自)(?:是|到了?|在)?(?:什么|啥|哪个)(?:状态|环节|阶段)"
                          r"|(?:案件|案子|工单|单子)[^，,。？?]{0,6}都(?:办|走|处理)?(?:到了?|在)(?:哪一步|哪步|哪个环节|什么环节|什么程度)"
                          # "派给市燃气集团的案子…哪几个还卡在处置环节": which of them, one by one
                          r"|哪几[个件单](?:还|仍)?(?:卡在|停在|处于|在)[^，,。？?]{0,4}(?:环节|阶段|状态)"
                          # "有哪几件被回退过…列一下案件号": the cases of a history trait, one by one
                          r"|列(?:一下|出|个)?案件?号|(?:有)?哪几件(?:被|是|办过|申请过)"
                          # "A5区最近受理的5件案子列一下": the newest few, one by one
                          r"|(?:最近|最新)[^，,。？?]{0,6}?[0-9二三四五六七八九十]+\s*(?:件|个|条|单)(?:案件|案子|工单|单子)?[^，,。？?]{0,3}列")
COUNTED = re.compile(r"多少|几件|几个|几起|数量|总数|总量|合计|一共")
CASE_WORDS = re.compile(r"案件|案子|案卷|工单|诉求|投诉|来件|受理|立案|告警|报警|读数|水位|压力|浓度|预测")
# A question about a rule or a definition ("按期处置率怎么算的", "燃气井盖的处置时限是多少小时") is for the
# policy documents, not for the live figures.
RULE_QUESTION = re.compile(r"怎么算|如何计算|怎么计算|分母(?:是|指|用)|分子(?:是|指|用)|口径|定义|什么意思|含义|哪天发|发布的?|哪个文件|依据|规定|时限|多久"
                           r"|多长时间|才能立案|立案条件|结案条件|标准是|几位|怎么拆分|编码规则|要求|功能|职责|时间段"
                           r"|预案|条例|实施细则|什么情况下|何种情况"
                           r"|(?:几个|多少个?)(?:钟头|小时)内|几(?:个钟头|小时|天)(?:内|之内)?(?:要|得|须|必须)?(?:处理|处置|办)完?")  # a document named, or when it applies  # fmt: skip
# "云峰路那几盏路灯运行情况" asks how named assets are, not how many there are.
STATUS_WORDS = re.compile(
    r"运行|状态(?![是为])|情况|怎么样|正常吗|读数|坏没坏|传感器|监测点|探头|负载|超过|低于|高于|峰值|最大值"
)
# A question about what will be ("明天会比今天多吗") is a forecast, not a period's figures.
FUTURE = re.compile(r"明天|明日|未来|下周|下个?月|预测|预计|会不会|将会")
# How a facility runs, as its sensors report it: asked of pumps or lamps just listed ("它们现在运行正常吗").
RUNNING = re.compile(r"运行|运转|开机|停机|故障|正常吗|在转|开着|亮不亮|亮着|好着|都好|不正常|异常")
BOTH = re.compile(r"两家|两个部门|两个单位|这两|俩|二者|两者")
EACH_KIND = re.compile(r"各有|各自|分别|各是")
LISTED_APART = re.compile(r"单独列|列出|列一下|名称|名字|叫什么|是哪几|有哪些|都有哪")
RUNNING_KINDS = {"component-0601": "pump_status", "component-0110": "light_status"}
SOURCE_NAMES = {
    "12345": "12345热线",
    "app": "App",
    "patrol": "巡查",
    "sensor": "传感器告警",
    "media": "媒体",
    "video": "视频",
}
KIND_GROUP_NAMES = {"event": "事件类", "component": "部件类"}
# The counts behind each rate, as the evaluation defines it (services/dispatch/performance.py).
RATE_COUNTS = {"按期处置率": ("按期处置", "应处置"), "结案率": ("结案", "应结案"), "返工率": ("返工", "应结案"),
               "准确派遣率": ("准确派遣", "派遣"), "延期率": ("延期", "应处置")}  # fmt: skip
SMALL_SAMPLE = 20  # cases behind a rate below which one case moves it by more than five points
OPEN_SINCE = "2000-01-01"  # the start of "whenever they came in" for cases open now
MEASURE_NAMES = {"cases": "受理案件", "registered": "立案案件", "open": "未办结案件", "overdue_open": "超期未结案件", "closed": "受理案件中已结案",
                 "closed_in": "结案（按结案时间，不论何时受理）", "overdue": "超期案件",
                 "平均处置时长_小时": "平均处置时长"}  # fmt: skip


def open_now(today: date) -> Period:
    return Period(f"{OPEN_SINCE}..{today:%Y-%m-%d}", "当前（不限受理时间）", date.fromisoformat(OPEN_SINCE), today)


# Words of the cases received: "昨天受理的结了几件" counts those received, not every case closed then.
RECEIVED = re.compile(r"受理|收到|进来|进了|新增|立案|报上来|接到|来的|报的")


@dataclass
class Understood:
    """A figure question as a query, with the words the answer uses; or the unknown place it names."""

    query: FigureQuery | None = None
    also: list[str] = field(default_factory=list)  # further measures asked together ("结案率和返工率")
    period: Period | None = None
    assumed_period: bool = False  # no period named: this month, and the answer says so
    unknown: str | None = None
    question: str = ""  # as asked: what the answer adds to the figures (a share, the other end of a ranking)
    compared: Period | None = None  # the period set beside it (环比: the one before, or the one named)
    more: list[FigureQuery] = field(default_factory=list)  # further queries of another measure (泵站 counted, then how they run)
    focus: str | None = None  # the department whose place in the ranking is asked ("排第几")
    orders: dict[str, str] = field(default_factory=dict)  # a measure's own direction, where they differ (最高…最低)

    def about(self, args: dict[str, Any]) -> Understood:
        """The understanding a figure is composed with, by the arguments it was asked with: one of ``more`` has its
        own query (and a reading its own period)."""
        other = next((q for q in self.more if args == call_args(q)), None)
        if other is None and self.query is not None and self.orders.get(str(args.get("measure"))):
            # one of ``also`` ranked its own way ("返工率最高？准确派遣率最低的又是谁"): said that way
            return replace(self, query=self.query.model_copy(update={"order": self.orders[args["measure"]]}))
        if other is None or self.query is None:
            return self
        if other.measure == self.query.measure:
            return replace(self, query=other, more=[])
        today = clock.now().astimezone(CHINA).date()
        if (other.period or "").startswith(OPEN_SINCE):  # the cases open now, whenever they came in
            return replace(self, query=other, period=open_now(today), more=[], assumed_period=False, compared=None)
        return replace(self, query=other, period=latest_period(today), more=[])

    def queries(self) -> list[FigureQuery]:
        if self.query is None:
            return []
        # The indicator table (kpi) once, with the first measure: it holds the others' figures too.
        return [self.query] + [self.query.model_copy(update={"measure": m, "kpi": False} | ({"order": self.orders[m]} if m in self.orders else {}))
                               for m in self.also] + self.more  # fmt: skip

    def memory(self) -> dict[str, Any]:
        if self.query is None or self.period is None:
            return {}
        return remembered_figures(self.query, self.period, self.also)


def remembered_figures(query: FigureQuery, period: Period, also: Iterable[str] = ()) -> dict[str, Any]:
    """The figures a turn gave, as the next turn recalls them ("按部门排一下", "上个月的呢")."""
    return {"figures": query.model_dump(exclude_none=True),
            "figures_period": [period.api, period.label], "figures_also": list(also)}  # fmt: skip


def call_args(query: FigureQuery) -> dict[str, Any]:
    """The arguments a query is asked with (as the planner sends it)."""
    return query.model_dump(exclude_none=True, exclude_defaults=True) | {"measure": query.measure}


def unknown_place(question: str, lexicon: CityLexicon) -> str | None:
    """A district name or code the city does not have (A8区, 990108), another city (B市), or a road, street or
    bridge it does not have (紫金凤凰大道)."""
    known = {d.name for d in lexicon.districts} | {d.id for d in lexicon.districts}
    for match in UNKNOWN_DISTRICT.finditer(question):
        if match.group(1) not in known:
            return match.group(1)
    for match in NAMED_DISTRICT.finditer(question):
        # "东城区现在有几条告警没关": a district by a name, of another city's (A市's are A1区–A7区)
        if (match.group(0) not in known and match.group(1) not in NOT_A_DISTRICT and not COUNTING.search(match.group(1))
                and not lexicon.find(match.group(0))):  # fmt: skip
            return match.group(0)
    city = next((n.name for n in lexicon.nodes.values() if n.label == "City"), "A市")
    other = OTHER_CITY.search(question)
    if other and other.group(1) != city:
        return other.group(1)
    return unknown_named_place(question, lexicon)


def major_named(question: str, lexicon: CityLexicon) -> str | None:
    """The major class of categories a question keeps ("市容环境大类", "街面秩序类的案子"); 其他 only as "其他大类"
    (其他 alone is any word), and never the name inside a department's ("园林绿化局")."""
    for major in lexicon.majors:
        after = "大类" if major.startswith("其他") else "(?:大类|类|方面)?"
        if re.search(rf"{re.escape(major)}{after}(?!局|处|所|中心|公司|部门|单位|办)", question):
            return major
    return None


def running_state_asked(question: str, last_query: dict[str, Any] | None) -> str | None:
    """The sensor kind that says how the assets just counted or listed run (泵站 → pump_status), when asked."""
    if (last_query or {}).get("measure") != "assets" or not RUNNING.search(question):
        return None
    kinds = {RUNNING_KINDS.get(c) for c in last_query.get("asset_categories") or []}
    return kinds.pop() if len(kinds) == 1 else None


def _measure(question: str) -> str | None:
    return next((name for name, pattern in MEASURES if pattern.search(question)), None)


OPEN_THEN_OVERDUE = re.compile(r"(?:没结|未结|没办完|未办结|没办结)[^，,。？?]*[，,。？?]\s*(?:其中|里面|这里面|当中)[^，,。？?]*(?:超期|逾期)")


def _named_case_measures(question: str) -> list[str]:
    """The case counts a question names; "案子" alone names no count beside a specific one (没结, 超期)."""
    found = [(m.start(), name) for name, pattern in MEASURES if name in CASE_MEASURES and (m := pattern.search(question))]
    named = [name for _, name in sorted(found)]
    if "overdue_open" in named and OPEN_THEN_OVERDUE.search(question):
        return ["open", "overdue_open"]  # "还有多少案子没结？其中超期的几件": both counts, the second of the first
    if "overdue_open" in named:  # "超期未结" holds the words of 超期 and 未结: one count, not three
        named = [n for n in named if n not in ("overdue", "open")]
    if len(named) > 1 and not COUNT_OF_CASES.search(question):
        return [n for n in named if n != "cases"]  # "上个月的案子还有几件没结": 案子 is what, not a count asked
    return named


def _percent(text: str) -> float | None:
    """"百分之六十" or "60%" as 60."""
    if text.startswith("百分之"):
        return number(text[3:].replace("点", "."))
    try:
        return float(text.rstrip("% "))
    except ValueError:
        return None


def _department_measures(question: str, counts: bool = False) -> list[str]:
    """Every department indicator named (rates, average handling time; with ``counts`` its counts too: "按期处置了
    几件、超期了几件"), in the order the question names them."""
    found = [(m.start(), DEPARTMENT_COUNTS.get(name, name)) for name, pattern in MEASURES
             if (name in RATES or name in ("平均处置时长_小时", "按期处置数", "应处置数", "超期处置数")
                 or (counts and name in DEPARTMENT_COUNTS and name != "cases"))
             and (m := pattern.search(question))]  # fmt: skip
    if counts and (m := DISPATCHED.search(question)):
        found.append((m.start(), "派遣数"))  # "一共派遣了多少件"
    return list(dict.fromkeys(name for _, name in sorted(found)))


CITY_SAID = re.compile(r"^[A-Z]?市")


def departments_named(slots: Slots, lexicon: CityLexicon, district: str | None, question: str) -> list[str]:
    """Department ids named; a city bureau named with a district is that district's bureau (A1区城管局)."""
    all_departments = [n for n in lexicon.nodes.values() if n.label == "Department"]
    if "各区城管局" in question or (re.search(r"各区|每个区|各个区|[七7]个区|所有区|全部区", question) and re.search(r"城管|城市管理", question)):
        return sorted(d.id for d in all_departments if re.match(r"dept-\d{6}-district_chengguan$", d.id))
    chosen = []
    if len(slots.districts) > 1 and len(slots.departments) == 1:
        suffix = re.sub(r"^[A-Z]\d?[市区]", "", slots.departments[0].name)
        local = [
            d.id for x in slots.districts for d in all_departments if x.id in d.id and d.name.endswith(suffix)
        ]
        if local:
            return local
    for department in slots.departments:
        # "市城管局" with a district named is the district's bureau; "A3区城市管理和综合执法局" is already one.
        if district and district not in department.id and not re.match(r"dept-\d{6}-", department.id):
            suffix = re.sub(r"^[A-Z]\d?[市区]", "", department.name)
            local = next((d for d in all_departments if district in d.id and d.name.endswith(suffix)), None)
            said = {m.surface for m, n in lexicon.find(question) if n.id == department.id}
            if local and len(said) > 1 and any(CITY_SAID.match(s) for s in said):
                # "A2区城管局跟市城管局比": the district's bureau, and the city's named as the city's.
                chosen += [local.id, department.id]
                continue
            department = local or department
        chosen.append(department.id)
    return chosen


def order_asked(question: str) -> str | None:
    if LEAST.search(question) or RANK_UP.search(question):
        return "asc"
    if MOST.search(question) or RANK.search(question) or re.search(r"哪边多|哪个多|谁多", question):
        return "desc"
    return None


# "井盖分类各多少个": the kinds apart, in so many words (分别 alone may be the states').
KINDS_APART = re.compile(r"分类|各类|按类|每种|每类|哪几类|哪些类|哪类|类型|种类")


def asset_figures(query: FigureQuery, question: str) -> Understood:
    """Assets have no period: they are counted as the graph stands now."""
    now = clock.now().astimezone(CHINA).date()
    kinds = {RUNNING_KINDS.get(c) for c in query.asset_categories}
    more: list[FigureQuery] = []
    if RUNNING.search(question) and len(kinds) == 1 and (kind := kinds.pop()):
        # "A7区有几座泵站，现在都好着吗": counted in the register, and how they run as their sensors report it.
        more = [FigureQuery(measure="readings", sensor_kind=kind, district=query.district)]  # type: ignore[arg-type]
        if re.search(r"故障|坏", question) and not query.group_by and not query.asset_status:
            # "路等一共多少盏，有故障的吗": the register's states too (破损/丢失), beside what the sensors say.
            more.insert(0, query.model_copy(update={"group_by": "status", "list_assets": False}))
        elif re.search(r"故障|坏", question) and query.group_by and not query.asset_status:
            # "全市泵站各区分别多少，现在有没有在故障的": those the register holds as not intact, named, beside the sensors.
            more.insert(0, query.model_copy(update={"asset_status": NOT_INTACT_STATES, "list_assets": True, "group_by": None,
                                                    "order": None, "top": None}))  # fmt: skip
    if 1 < len(query.asset_categories) <= 3 and query.group_by == "district" and EACH_KIND.search(question):
        # "雨水箅子和雨水井盖各有多少个，哪个区最多": each kind counted, and each kind's first district.
        more += [query.model_copy(update={"asset_categories": [c], "order": "desc", "top": 1})
                 for c in query.asset_categories]
        query = query.model_copy(update={"group_by": "category", "order": None, "top": None})
    if query.group_by == "status" and len(query.asset_categories) > 1 and KINDS_APART.search(question) and not more:
        # "全市井盖分类各多少个，破损丢失的几个": each kind counted, then the states.
        more.append(query)
        query = query.model_copy(update={"group_by": "category", "asset_status": []})
    if query.group_by == "category" and query.asset_status and total_then_state(question):
        # "井盖一共登记了多少个？按类型分开统计，并把破损或丢失的数量单独列出来": every kind counted, the states apart.
        more.append(query.model_copy(update={"group_by": "status"}))
        query = query.model_copy(update={"asset_status": []})
    states = [s for s, pattern in ASSET_STATES if s != "完好" and pattern.search(question)]
    if (query.group_by == "status" and states and total_then_state(question) and len(query.asset_categories) <= 1
            and (query.district or query.place) and re.search(r"有没有|有无|有哪些|是哪几", question)):  # fmt: skip
        # "A5区消防栓总共几个？有没有破损或者丢失的": every state counted, and those few named one by one.
        more.append(query.model_copy(update={"asset_status": states, "list_assets": True, "group_by": None}))
    if (NOT_INTACT.search(question) and LISTED_APART.search(question) and len(query.asset_categories) <= 1
            and query.asset_status != NOT_INTACT_STATES):  # fmt: skip
        # "…各区几座；状态不是完好的请单独列出名称和所在区": counted, and those not intact listed one by one.
        query = query.model_copy(update={"list_assets": False})
        more.append(query.model_copy(update={"asset_status": NOT_INTACT_STATES, "list_assets": True,
                                                "group_by": None, "order": None, "top": None}))  # fmt: skip
    if (NOT_INTACT.search(question) and re.search(r"有.{0,10}吗|有没有|有无", question) and len(query.asset_categories) == 1
            and query.group_by == "status" and not more):  # fmt: skip
        # "全市有几座泵站" then "有状态不是完好的吗": those not intact, named one by one beside the count by state
        more.append(query.model_copy(update={"asset_status": NOT_INTACT_STATES, "list_assets": True, "group_by": None}))
    if query.group_by == "district" and 1 < len(query.asset_status) <= 3 and not query.share_of_all and not more:
        # "破损、丢失状态的井盖有多少？分区列下": each state's own count per district, beside them together
        more = [query.model_copy(update={"asset_status": [state]}) for state in query.asset_status]
    return Understood(query, period=Period("now", "当前登记", now, now), question=question, more=more)


ASSETS_BY_CLASS = re.compile(r"(?:部件|资产|设施)\S{0,3}(?:按|各|分)\S{0,2}大类")
OTHER_FACILITIES = re.compile(r"(?:别的|其他|其它|还有)(?:啥|什么|哪些)?(?:设施|部件)|都有(?:啥|什么|哪些)(?:设施|部件)")
LISTING_WORDS = re.compile(r"清单|名单|列出|列一下|都有哪|有哪些|明细")
KPI_ASKED = re.compile(r"KPI|kpi|指标表|考核表|各项(?:考核|考评)?指标|(?:所有|全部)(?:考核|考评)?指标|指标明细|具体差在哪|差在哪|做成表|列成表|表格")
THAT_AREA = re.compile(r"这条路|那条路|该路|这条街|那条街")
BOTH_ENDS_APART = re.compile(r"(?:最少|最低|最多|最高)的?.{0,6}比.{0,6}(?:最多|最高|最少|最低)的?.{0,2}(?:少|多|低|高)(?:多少|几)")


def _just_before(period: Period, memory: dict[str, Any] | None, now: datetime) -> bool:
    """Whether ``period`` is the one right before the period the figures just given were of (上周 after 本周)."""
    api, label = (memory or {}).get("figures_period") or [None, None]
    if not api:
        return False
    # The period named ends the day before the one remembered starts (上周 then 本周, 上个月 then 本月).
    return period.last + timedelta(days=1) == recalled(api, label, now).first


def _shaped(question: str) -> bool:
    """The question asks for a grouping, an order, a cut or a comparison (a follow-up may ask only that)."""
    return bool(COMPARE.search(question) or ALSO.search(question) or TOP.search(question) or MOST.search(question) or LEAST.search(question)
                or RANK.search(question) or any(p.search(question) for _, p in GROUPS)
                or any(p.search(question) for _, p in SOURCES) or any(p.search(question) for _, p in BY_AREA))  # fmt: skip


def _ranked(question: str) -> bool:
    return bool(TOP.search(question) or MOST.search(question) or LEAST.search(question) or RANK.search(question))


def whole_ranking(question: str) -> bool:
    """"各区立案数排一下，前三是哪几个区": the whole ranking, its first ones (and last) named in it."""
    return bool((RANK.search(question) or (TOP.search(question) and BOTTOM.search(question))) and _top(question))


def ends_asked(question: str) -> tuple[int, int] | None:
    """How many of the top and of the bottom a question asks for when it asks for both ends ("前3和垫底的分别是哪个区",
    "倒数前两名是哪两个区？最多的又是哪个"), else None."""
    from assistant.slots import _number

    if not (low := LOW_END.search(question)) or len(_department_measures(question)) > 1 or len(_named_case_measures(question)) > 1:
        return None  # "返工率最高？准确派遣率最低的又是谁": each measure's own end, not both ends of one
    rest = f"{question[:low.start()]} {question[low.end():]}"
    bottom = _number(next((g for g in low.groups() if g), "一")) or 1
    if top := TOP.search(rest):
        return _number(top.group(1)) or 1, bottom
    if high := HIGH_END.search(rest):
        return _number(next((g for g in high.groups() if g), "一")) or 1, bottom
    return None


def ranking_ends(question: str, rows: list[dict[str, Any]], name: Any, order: str | None = None) -> list[str]:
    """The first N of a whole ranking, and its last one when asked, named after it (ranked from the bottom up,
    "倒数第一" is the first row: "结案率排个名，倒数第一是谁" is the lowest); both ends when both are asked ("前3和垫底的"),
    each with the rows tied at its cut."""
    known = [r for r in rows if r["value"] is not None]
    if (ends := ends_asked(question)) and len(known) >= 2:
        ranked = known[::-1] if order == "asc" else known
        high, low = (min(n, len(ranked) - 1) or 1 for n in ends)
        first = [r for r in ranked if r["value"] >= ranked[high - 1]["value"]]
        last = [r for r in ranked[::-1] if r["value"] <= ranked[-low]["value"]]
        # Named without the N: a number in the answer must be a tool's figure.
        return [f"排在最前（最高/最多）：{'、'.join(name(r['key']) for r in first)}；"
                f"排在最后（最低/最少）：{'、'.join(name(r['key']) for r in last)}。"]
    if not (whole_ranking(question) or RANK.search(question)) or len(rows) < 2:
        return []
    top = _top(question) or len(rows)
    # Named without the N: a number in the answer must be a tool's figure.
    shown = rows[:top] if order == "asc" else [r for r in rows[:top] if r["value"]]  # a 0 is not among the most
    lines = ["排在最前的依次是：" + "、".join(name(r["key"]) for r in shown) + ("。" if len(shown) == top else "（其余均为 0）。")
             ] if top < len(rows) and shown else []  # fmt: skip
    if re.search(r"最后一名|末位|倒数第一|排名最后|排在最后|最后的那", question) or (BOTTOM.search(question) and TOP.search(question)):
        lines.append(f"最后一名：{name(rows[0 if order == 'asc' else -1]['key'])}。")
    return lines


def _top(question: str) -> int | None:
    from assistant.slots import _number

    if match := TOP.search(question) or BOTTOM.search(question) or EXTREME_N.search(question):
        return _number(next(g for g in match.groups() if g))
    return None


def understand(question: str, slots: Slots, lexicon: CityLexicon, now: datetime,
               memory: dict[str, Any] | None = None, follow_up: bool = False) -> Understood:  # fmt: skip
    """The figure query a question asks, or nothing when it asks no figure."""
    # Citizens' messages name their own places ("丽发新城小区"), not the city's gazetteer's: asked first.
    if topics := understand_hot_topics(question, slots, now):
        return Understood(topics[0], period=topics[1])
    if unknown := unknown_place(question, lexicon):
        return Understood(unknown=unknown)
    last_query = (memory or {}).get("figures")
    if ("体征" in question or LIFELINES_STATE.search(question)) and not follow_up:
        # "城市体征…不正常的有几项", "城市生命线…各是什么状态": the vital signs, not sensors unlike themselves
        return Understood()
    # "异常波动", "跟平时规律对不上": a sensor unlike itself, before the readings' own words (压力, 倾斜) take it.
    if anomalies := understand_anomalies(question, slots, now, memory or {}, follow_up):
        return Understood(anomalies[0], period=anomalies[1])
    if follow_up and (last_query or {}).get("measure") == "assets" and BY_CATEGORY.search(question) and not slots.sensor_ids:
        slots.sensor_kind = None  # "按类型分呢？雨水、污水、电力各多少" after a count of covers: covers of each kind, not power load
    # "接下来6个钟A3区哪些地方水压可能掉到报警线以下": the future named first, before the readings' words take it.
    if forecast := understand_forecast(question, slots, lexicon, now, last_query, follow_up, (memory or {}).get("figures_period")):
        return Understood(forecast[0], period=forecast[1], question=question)
    if follow_up and (kind := running_state_asked(question, last_query)):
        # "A3区的泵站都列出来" then "它们现在运行状态正常吗": the pumps' running state, from their sensors; "其中哪几座
        # 装了运行状态监测": those pumps carrying such a sensor.
        slots.sensor_kind = kind
        if not (WHICH_WATCHED.search(question) or EACH_WATCHED.search(question)):
            # The sensors on those facilities only: a landscape lamp's status sensor is not a street lamp's.
            last_query = {"measure": "readings", "sensor_kind": kind, "district": (last_query or {}).get("district"),
                          "asset_categories": (last_query or {}).get("asset_categories") or []}
    rate_of_department = bool(slots.departments and (named_measure := _measure(question)) and is_rate(named_measure))
    # "A3区井盖总共多少个" then "其中装了倾斜传感器的有几个": those covers watched, counted, not the sensors' readings
    watched_of_counted = follow_up and (last_query or {}).get("measure") == "assets" and MONITORED.search(question) is not None
    if not (rate_of_department or watched_of_counted) and (reading := understand_readings(question, slots, now, last_query, follow_up)):
        return Understood(reading[0], period=reading[1], question=question)
    if slots.sensor_ids and (last_query or {}).get("measure") == "readings":
        return Understood()  # "它过去一周的走势呢" after a ranking of sensors: that sensor's own readings, not the kind's again
    if hotspots := understand_hotspots(question, slots, lexicon, now, memory or {}, follow_up):
        return Understood(hotspots[0], period=hotspots[1])
    named_period = find_period(question, now)
    if (
        RULE_QUESTION.search(question)
        and not named_period
        and not (memory or {}).get("figures")
        # "市供水公司处理一件事平均要多长时间": the department's mean handling time, not the rule's time limit
        and not (slots.departments and _measure(question) == "平均处置时长_小时")
    ):
        return Understood()
    if FUTURE.search(question) and not (named_period and named_period.last < now.astimezone(CHINA).date()):
        return Understood()  # (a past period named outright is asked of, "为明天的晨报…11月的数据")
    if CASES_LISTED.search(question) and not (COUNTED.search(question) or _ranked(question)):
        return Understood()
    measure = _measure(question)
    remembered = (
        (memory or {}).get("figures") if (follow_up or (measure is None and _shaped(question))) else None
    )
    # "上个月公用设施大类多少件": cases of a class of categories, not the facilities (公用设施) counted.
    # ("A6区的部件按大类统计下，公用设施、道路交通…各多少": the assets of each class, not cases)
    of_class = ("大类" in question and major_named(question, lexicon) is not None
                and not (ASSETS_BY_CLASS.search(question) and not CASE_WORDS.search(question)))
    if of_class:
        measure = measure or "cases"
    elif (last_query or {}).get("measure") == "assets" and not (measure and is_rate(measure)) and (follow_up or THAT_AREA.search(question) or (
            not asset_categories(question, slots, lexicon)
            and (_shaped(question) or asks_asset_count(question) or BY_STATE.search(question)))):
        # "A2区有多少座桥" then "A4区呢" / "地下通道呢" / "各区分别是多少": the same count, changed where it says.
        categories = asset_categories(question, slots, lexicon) or last_query.get("asset_categories", [])
        if THAT_AREA.search(question) and last_query.get("group_by") == "road" and (memory or {}).get("figures_top"):
            # "哪条路上的路灯最多" then "这条路上的路灯有坏的吗": the road ranked first, its lamps counted.
            last_query = {k: v for k, v in last_query.items() if k not in ("group_by", "order", "top")} | {
                "place": memory["figures_top"]}  # type: ignore[index]
        if OTHER_FACILITIES.search(question):
            # "那条路上还有别的啥设施，一共几个": every kind there, each counted
            categories, last_query = [], {k: v for k, v in last_query.items() if k != "asset_categories"} | {"group_by": "category"}
        return asset_figures(asset_query(question, slots, categories, order_asked(question), last_query), question)
    if re.search(r"体征", question):
        return Understood()  # "城市体征哪几项亮红灯了": the vital signs, not traffic lights
    if (GENERIC_ASSETS.search(question) and asks_asset_count(question) and not (CASE_WORDS.search(question) or of_class)
            and not asset_categories(question, slots, lexicon)):  # "全市桥梁资产有多少": the bridges, not every asset
        return asset_figures(asset_query(question, slots, [], order_asked(question)), question)  # "全市部件按状态分一下": every category
    places = [p for p in slots.places if p.label not in PLACE_LABELS]  # a road's assets are counted by its name
    if (
        not of_class
        and (assets := asset_categories(question, slots, lexicon))
        and asks_asset_count(question)
        and not (
            CASE_WORDS.search(question)
            # "有没有丢失状态的井盖？列几个": those of a state named, listed — not one facility's state
            or (STATUS_WORDS.search(question) and not counts_by_state(question) and not state_listed(question)
                # "桥梁清单发我，标一下哪几座装了监测传感器": the list, each marked watched or not
                and not ((WHICH_WATCHED.search(question) or EACH_WATCHED.search(question)) and LISTING_WORDS.search(question)))
            or places or slots.asset_ids
            or ("率" in question and not STATE_RATE.search(question))  # "路灯故障率": a rate, never a count of lamps
        )
    ):
        return asset_figures(asset_query(question, slots, assets, order_asked(question)), question)
    overall = False
    if measure is None and remembered is None and _ranked(question) and any(c.label == "EventCategory" for c in slots.categories):
        measure = "cases"  # "最近7天机动车乱停放哪个区最多": the cases of that kind of event
    if measure is None and remembered is None and named_period is not None and re.search(r"环比|同比", question):
        measure = "cases"  # "11月比10月环比增长多少": the cases of the two months
    if measure is None and remembered is None:
        if not (slots.departments and OVERALL.search(question)):
            return Understood()
        measure, overall = "按期处置率", True
    period = named_period
    period_named, compare_departments = period is not None, False
    if remembered is None and not (period is not None or measure in RATES or _shaped(question)
                                   or (measure == "平均处置时长_小时" and slots.departments)
                                   or SHARE.search(question) or OPEN_THEN_OVERDUE.search(question)):
        # "现在有多少案子超期没办完" asks about cases as they stand, not a period's figures: the case
        # search answers it (open and overdue now). A share asked ("占全市比例多少") is a period's figure.
        return Understood()
    base: dict[str, Any] = dict(remembered or {})
    if measure and not (remembered and measure == "cases" and base.get("measure") not in (None, "cases")):
        base["measure"] = measure
    assumed = False
    compared = None
    today = now.astimezone(CHINA).date()  # the city's day, not UTC's (they differ until 08:00)
    if period is not None and remembered and (re.search(rf"(?:跟|和|与|同|比|较|对比)\s*{re.escape(period.words)}", question)
                                              or (re.search(r"环比", question) and _just_before(period, memory, now))):
        # "跟上周比是多了还是少了" after this week's count: this week beside last week, not last week's figures;
        # "上周的呢，环比怎么样" after it too: the two weeks side by side, this one first.
        api, label = (memory or {}).get("figures_period", [base.get("period"), base.get("period")])
        period, compared = recalled(api, label, now), period
    elif period is not None and len(named := [p for p in find_periods(question, now) if not RANGE_END.search(
            question.split(p.words)[0][-2:] if p.words else "")]) > 1 and named[1].api != period.api:  # fmt: skip
        # "这个月12345的案子有多少件？上个月全月是多少": both periods, the second beside the first; "上周跟这周比": the
        # later one is the figure, the earlier the one set beside it.
        compared = named[1]
        if compared.first > period.first:
            period, compared = compared, period
    elif period is None and remembered:
        api, label = (memory or {}).get("figures_period", [base.get("period"), base.get("period")])
        period = recalled(api, label, now)
    elif period is None and base.get("measure") in ("open", "overdue_open") and not slots.departments:
        # "哪个区未结的案子最少": the cases open now, whenever they came in, not this month's.
        period = open_now(today)
    elif period is None:
        period, assumed = this_month(now), True
    base["period"] = period.api
    earlier_district = (remembered or {}).get("district")
    if slots.districts:
        base["district"] = slots.districts[0].id
    elif not remembered or "全市" in question:
        base.pop("district", None)
    districts_compared = False
    if (earlier_district and len(slots.districts) == 1 and slots.districts[0].id != earlier_district
            and SIDE_BY_SIDE.search(question)):  # fmt: skip
        # "那A5区呢？顺便说下两个区差几件": the district asked before beside the one named now.
        base["districts"] = [earlier_district, slots.districts[0].id]
        base["group_by"] = "district"
        base.pop("district", None)
    elif remembered and len(slots.districts) == 2 and SIDE_BY_SIDE.search(question):
        # "那A2区呢？比A1区多还是少": the two districts side by side, not this period beside the one before.
        base["districts"], base["group_by"], districts_compared = [d.id for d in slots.districts], "district", True
        base.pop("district", None)
    major = major_named(question, lexicon) if CASE_MEASURES.keys() & {base.get("measure"), measure} else None
    if major and base.get("measure") not in CASE_MEASURES:
        # "街面秩序类的案子有多少" after a department's figure: cases of the class, no longer the department's.
        base["measure"] = measure
        base.pop("departments", None)
    covered = case_categories(question, slots, lexicon) if base.get("measure") in CASE_MEASURES and not major else []
    if major:
        base["major"] = major  # "市容环境大类的案件": every category of the class, counted together
        base.pop("category", None)
        base.pop("categories", None)
    elif len(covered) > 1 and base.get("group_by") != "category":
        base["categories"] = covered  # "井钙相关的案子": every kind of cover, counted together
        base.pop("category", None)
        if EACH_OF_THEM.search(question) and len(slots.categories) > 1 and not base.get("group_by"):
            base["group_by"] = "category"  # "暴露垃圾跟垃圾满溢各几件": each named kind apart
    elif slots.categories:
        base["category"] = slots.categories[0].id
        base.pop("categories", None)
    elif not remembered:
        base.pop("category", None)
    if source := next((code for code, pattern in SOURCES if pattern.search(question)), None):
        base["source"] = source
    departments = departments_named(slots, lexicon, base.get("district"), question)
    # "最少的那个区比最多的少多少件": the two ends of the ranking apart, not one of them.
    ends_apart = bool(BOTH_ENDS_APART.search(question))
    top = (memory or {}).get("figures_top") if remembered and IT.search(question) and not ends_apart else None
    singled = bool(remembered and LAST_PLACE.search(question) and (memory or {}).get("figures_bottom")) and not ends_apart
    if singled:
        top = memory["figures_bottom"]  # type: ignore[index]
    if top and not (departments or slots.districts):
        # "那它上个月的按期处置率是多少" after "哪个部门返工最多": that department, no longer a ranking.
        for key in ("group_by", "order", "top"):
            base.pop(key, None)
        if lexicon.nodes.get(top) and lexicon.nodes[top].label == "Department":
            departments = [top]
        elif lexicon.district_id(top):
            base["district"] = top
    shown = (memory or {}).get("figures_shown") or []
    if remembered and THEY.search(question) and len(shown) > 1 and not (departments or slots.districts):
        # "它们的返工率分别是多少" after "按期处置率最低的三个部门": those, side by side, no longer ranked.
        for key in ("order", "top"):
            base.pop(key, None)
        if all(lexicon.nodes.get(k) and lexicon.nodes[k].label == "Department" for k in shown):
            departments, base["group_by"] = list(shown), "department"
        elif all(lexicon.district_id(k) for k in shown):
            base["districts"], base["group_by"] = list(shown), "district"
            base.pop("district", None)
    if base.get("source") == "12345" and not OVERALL.search(question):
        # "12345热线来的案子": the channel, not the hotline centre's own indicators.
        departments = [d for d in departments if "12345" not in lexicon.name(d)]
    earlier = (remembered or {}).get("departments") or []
    if (remembered and not departments and earlier and (memory or {}).get("departments_before")
            and BOTH.search(question) and SIDE_BY_SIDE.search(question)):  # fmt: skip
        # "两家比一比谁好一点" after one department and then another: the two side by side.
        departments = list(dict.fromkeys(memory["departments_before"] + earlier))  # type: ignore[index]
    if not departments and earlier and len(slots.districts) == 1:
        # "A4区城管局…" then "比A1区的高还是低" / "那A5区的呢？": the same kind of bureau in the district named now.
        swapped = [re.sub(r"^dept-\d{6}-", f"dept-{slots.districts[0].id}-", d) for d in earlier if re.match(r"^dept-\d{6}-", d)]
        departments = [d for d in swapped if d in lexicon.nodes]
    if departments and earlier and (COMPARE.search(question) or ALSO.search(question)) and not period_named and set(departments) - set(earlier):
        # "跟A1区城管局比呢，谁高": the department asked before beside the one named now, not another period.
        departments = list(dict.fromkeys(earlier + departments))
        base["group_by"] = "department"
        base.pop("district", None)  # "A1区城管局" names the bureau, not a district to keep the city's bureau out of
        compare_departments = True
    if len(slots.districts) > 1 and not departments and not remembered:
        # "11月A1区、A2区、A3区各部门结案率对比": every district named, not the first of them.
        base["districts"] = [d.id for d in slots.districts]
        base.pop("district", None)
        base["group_by"] = base.get("group_by") or "district"
    local = [d for d in departments if re.match(r"dept-\d{6}-", d)]
    # "A2区城管局跟市城管局比": a district's bureau beside the city's is two levels, set side by side as well.
    several_districts = len({d.split("-")[1] for d in local}) > 1 or 0 < len(local) < len(departments)
    if len(departments) > 1 and several_districts and not compared and not re.search(r"环比|同比|上个?月|上周|去年|前一期", question):
        compare_departments = True  # "A3区城管局跟A5区城管局比": the two bureaus, not this month beside the last
    if departments:
        base["departments"] = departments
        if len(departments) > 1 and (len(slots.districts) > 1 or several_districts):
            base.pop("district", None)  # "A1区和A3区城管局": the two bureaus, side by side
            base["group_by"] = "department"
        base["measure"] = DEPARTMENT_COUNTS.get(base["measure"], base["measure"])
    # "其他大类的呢" keeps a class, it groups by none ("市容环境大类按小类拆" still groups by category).
    grouped = question.replace(f"{major}大类", major) if major else question
    group = next((name for name, pattern in GROUPS if pattern.search(grouped)), None)
    if group == "district" and dict(GROUPS)["status"].search(grouped) and not DISTRICTS_GROUPED.search(grouped):
        group = "status"  # "在办案件按环节分别多少件": 分别 is each step, not each district
    if group == "status" and base["measure"] not in ("cases", "open", "registered", "closed"):
        group = None  # a department's indicator (or an overdue count) is not counted per workflow step
    if group and not (group == "district" and departments and not slots.all_districts):
        base["group_by"] = group  # "市供水公司的按期处置率和平均处置时长分别是多少": 分别 is no district grouping
    if group in ("week", "month") and (whole := whole_steps(period, group, today)):
        period = whole  # "近四周每周": four calendar weeks, this one the last, not 28 × 24 hours cut at their ends
        base["period"] = period.api
    if departments and not group and base.get("group_by") in ("major", "category"):
        # "市园林绿化局呢" after "哪个大类最多": the department's own figure; its indicators have no classes.
        for key in ("group_by", "order", "top", "major"):
            base.pop(key, None)
    if (len(departments) == 1 and not group and base.get("group_by") == "department" and not _ranked(question)
            and not POSITION.search(question)):  # fmt: skip
        # "市水务局这个月准确派遣率多少" after a ranking of departments: that one's own figure, no ranking.
        for key in ("group_by", "order", "top"):
            base.pop(key, None)
    if base.get("group_by") == "major" and (not major or re.search(r"按大类|各大类|大类分", question)):
        base.pop("major", None)  # "各大类占比" after one class, "按大类分…市容环境的占比": every class
    if len(departments) > 1 and not base.get("group_by"):
        base["group_by"] = "department"  # "市城管局和市水务局谁高": the two side by side
    ranked_from = None
    if group == "department" and not departments and len(base.get("departments") or []) == 1 and remembered:
        # "市水务局本月返工率多少" then "按部门排一下": every department ranked, that one's place said.
        ranked_from = base.pop("departments")[0]
        if not slots.districts:
            base.pop("district", None)  # "A3区城管局…" then "按部门排一下": every department, not A3区's alone
    if base.get("group_by") == "department" and base.get("departments") and len(base["departments"]) == 1:
        base.pop("group_by")  # one department named: its own figure
    both_ends = bool(TOP.search(question) and BOTTOM.search(question))  # "标出前三名和最后一名"
    if singled:
        pass  # "倒数第一那个区的返工率呢": that one department, no ranking
    elif ends_asked(question):
        base["order"] = "desc"  # "前3和垫底的分别是哪个区": the whole ranking, both ends named
    elif (LEAST.search(question) or RANK_UP.search(question) or BOTTOM.search(question)) and not both_ends:
        base["order"] = "asc"
    elif MOST.search(question) or RANK.search(question) or TOP.search(question):
        base["order"] = "desc"
    if singled:
        pass
    elif whole_ranking(question) or ends_asked(question):
        base.pop("top", None)  # "按部门排一下，把前五列出来" after "谁最长": every one ranked, the first five named
    elif top := _top(question):
        base["top"] = top
    elif (MOST.search(question) or LEAST.search(question)) and not (
        RANK.search(question) or LISTING.search(question) or base.get("group_by") in ("district", "status")
    ):
        base["top"] = base.get("top") or 1  # the districts (and steps) are few: all of them are listed, the extreme named
    if (base.get("order") or base.get("top")) and not base.get("group_by"):
        # A department's indicator (a rate, 平均处置时长, 派遣数…) ranks departments; a case count ranks districts.
        base["group_by"] = "district" if base["measure"] in CASE_MEASURES else "department"
    if is_rate(base["measure"]) and (bound := RATE_BOUND.search(question)) and (percent := _percent(bound.group(2))) is not None:
        # "按期处置率不到百分之六十的单位都有哪些": the departments past the bound, each named.
        base["below" if bound.group(1) in ("不到", "低于", "小于", "不足", "达不到", "未达到") else "above"] = percent / 100
        base["group_by"] = base.get("group_by") or "department"
        base.pop("top", None)
    if base.get("group_by") and (re.search(r"差了?第一|差距|相差|差了?多少|差几", question) or BOTH_ENDS_APART.search(question)):
        base["spread"] = True  # "倒数第一是哪个区？差了第一名多少个百分点"
    judged = is_rate(base["measure"]) and re.search(r"高不高|低不低|高吗|低吗|算高|算低|偏高|偏低|正常吗|怎么样|咋样", question)
    if (CITY_AVERAGE.search(question) or judged) and (base.get("departments") or base.get("district")):
        base["beside_all"] = True  # "比全市平均高还是低": the city's own figure beside it
    if SHARE.search(question) and any(base.get(k) for k in ("district", "category", "categories", "major", "source", "group_by")):
        base["share_of_all"] = True  # "12345来的占全部的百分之几": the count beside all of the period's
        # "A3区各大类分别占全市的比例": of the city's count, not of the district's own
        base["share_of_city"] = bool(re.search(r"占全市|全市同期|全市(?:全部|所有)|全市的?(?:比例|比重|占比)", question))
    if YEAR_ON_YEAR.search(question) and (last_year := period.year_before()):
        compared = last_year  # "跟去年同期比，同比涨了多少": the same month a year before, not the whole last year
    elif "同期" in question and (same := same_days_of_last_month(period.api, today)):
        compared = same  # "比上个月同期多还是少": the same days of the month before, not the whole month
    # "比全市平均是高还是低" sets the city's figure beside it, not the period before.
    compared_words = re.sub(rf"(?:跟|和|与|比|相比|对比)?\s*(?:{CITY_AVERAGE.pattern})(?:相?比(?:一下|起来)?)?", "", question) if base.get("beside_all") else question
    # "市供水公司 vs 市燃气集团…谁高": the two side by side, not this period beside the one before.
    departments_side_by_side = (len(base.get("departments") or []) > 1 and not compared and not re.search(
        r"环比|同比|上个?月|上个?星期|上个?礼拜|上周|上季度|去年|前一期|上一期|昨天|前天", question))
    if (COMPARE.search(compared_words) or compared) and not (compare_departments or districts_compared or ends_apart
                                                             or departments_side_by_side):
        compared = compared or period.previous()
        base["compare_period"] = compared.api
    else:
        base.pop("compare_period", None)
    focus = ranked_from
    if POSITION.search(question) and base.get("departments") and base["measure"] not in CASE_MEASURES:
        # "A3区城管局…在各区城管局里排第几": every department of the kind ranked, and that one's place among them.
        district = base.get("district")
        focus = next((d for d in base["departments"] if district and f"-{district}-" in d), base["departments"][0])
        if len(base["departments"]) == 1:
            base.pop("departments")  # one department named: its place among all of them
        base |= {"group_by": "department", "order": "desc"}
        for key in ("district", "beside_all", "top", "compare_period"):
            base.pop(key, None)
    if KPI_ASKED.search(question) and base["measure"] not in CASE_MEASURES:
        base["kpi"] = True  # "做成KPI表", "最低那个具体差在哪": every indicator of the departments shown
    query = FigureQuery.model_validate(base)
    named = _department_measures(question, counts=bool(query.departments))
    if query.departments and not query.group_by and len(named) > 1 and query.measure in [*named, "派遣数"]:
        query = query.model_copy(update={"measure": named[0]})  # each count in the order asked
    also = [m for m in named if m != query.measure]
    if query.measure in CASE_MEASURES and not query.group_by:
        # "还有几件没结？超期的有几件": each count asked, for the same period and place.
        also = [m for m in _named_case_measures(question) if m != query.measure]
        if "cases" in also and COUNT_OF_CASES.search(question):  # "进了多少件？还挂着没结的几件": the count first
            query, also = query.model_copy(update={"measure": "cases"}), [query.measure, *(m for m in also if m != "cases")]
        elif query.measure in ("open", "overdue_open") and COUNT_THEN_OPEN.search(question):
            # "这周积水内涝的案子几起？还有几起没处理完": how many came in, then how many of them are open
            query, also = query.model_copy(update={"measure": "cases"}), [query.measure, *also]
        before = (remembered or {}).get("measure")
        if before in CASE_MEASURES and before != query.measure and re.search(r"还有|其中", question):
            # "A5区呢，还有几件没办完" after a count: that count there, and how many of them are still open.
            query, also = query.model_copy(update={"measure": before}), [query.measure, *also]
    before_measure = (remembered or {}).get("measure")
    if (before_measure and before_measure != query.measure and is_rate(before_measure) and is_rate(query.measure)
            and re.search(r"也一起|也加上|也算上|也附上|也要|也看|一起看|一并|也带上", question)):  # fmt: skip
        # "市供水公司11月结案率" then "跟市供电公司比呢，按期处置率也一起": both measures, the earlier one first.
        query, also = query.model_copy(update={"measure": before_measure}), [query.measure, *(m for m in also if m != before_measure)]
    if overall:
        also = ["结案率", "返工率"]  # "A2区城管局这个月表现怎么样": its main indicators
    elif remembered and not also and measure is None and not group and (kept := (memory or {}).get("figures_also")):
        # "结案率和返工率分别是多少" then "上个月的呢": both measures again, for the period named now.
        also = [m for m in kept if m != query.measure]
    more: list[FigureQuery] = []
    if query.measure in CASE_MEASURES and not query.group_by and "closed" in [query.measure, *also] and not RECEIVED.search(question):
        query, also, more = _closings(query, also, today)
    elif query.measure in CASE_MEASURES and query.group_by in ("district", "category") and not also and not remembered:
        # "主要是啥类别，哪个区多": each grouping asked, the one named first leading
        asked = sorted((m.start(), name) for name, pattern in GROUPS if name in ("district", "category")
                       and (m := pattern.search(grouped)) and m.group(0) != "分别")  # fmt: skip
        if len(asked) == 2:
            first, second = asked[0][1], asked[1][1]
            query = query.model_copy(update={"group_by": first, "order": query.order or "desc"})
            more = [query.model_copy(update={"group_by": second})]
    orders = _orders_by_measure(question, [query.measure, *also]) if also and query.group_by else {}
    if query.measure in orders:
        query = query.model_copy(update={"order": orders[query.measure]})
    return Understood(query, also, period, assumed, question=question, compared=compared, focus=focus, more=more,
                      orders=orders)  # fmt: skip


def _orders_by_measure(question: str, measures: list[str]) -> dict[str, str]:
    """Each measure's own direction when the clauses naming them differ ("返工率最高？准确派遣率最低的又是谁")."""
    clauses = re.split(r"[，,。？?；;！!]|又是|还有|以及", question)
    orders: dict[str, str] = {}
    patterns = dict(MEASURES)
    for measure in measures:
        pattern = patterns.get(measure)
        clause = next((c for c in clauses if pattern is not None and pattern.search(c)), "")
        if LEAST.search(clause) or RANK_UP.search(clause):
            orders[measure] = "asc"
        elif MOST.search(clause):
            orders[measure] = "desc"
    return orders if len(set(orders.values())) > 1 else {}


def _closings(query: FigureQuery, also: list[str], today: date) -> tuple[FigureQuery, list[str], list[FigureQuery]]:
    """"昨天A3区结了几件？还有多少没结": the cases closed in the period whenever they came in, then of the period's
    own cases how many are closed, and the cases open now (not those of the period still open)."""
    asked = [m for m in (query.measure, *also) if m not in ("cases", "closed", "open")]
    more = [query.model_copy(update={"measure": "open", "period": open_now(today).api, "compare_period": None})
            ] if "open" in (query.measure, *also) else []  # fmt: skip
    return query.model_copy(update={"measure": "closed_in"}), ["closed", *asked], more


# ---- answering --------------------------------------------------------------------------------------------


def _value(measure: str, row: dict[str, Any]) -> str:
    value = row["value"]
    if value is None:
        return "无数据（分母为 0）" if is_rate(measure) else "无数据"
    if is_rate(measure):
        top, bottom = RATE_COUNTS[measure]
        counts = (f"（{top} {row['numerator']} 件 / {bottom} {row['denominator']} 件）"
                  if row.get("denominator") is not None else "")  # fmt: skip
        return f"{round(value * 100, 1):g}%{counts}"
    if measure == "平均处置时长_小时":
        return f"{value:g} 小时"
    return f"{value:g} 件"


def _beside_previous(measure: str, row: dict[str, Any]) -> str:
    """A group's figure of the period before and the change, after its own: "24 件（前一期 22 件，增加 2 件）"."""
    if row.get("previous") is None or row.get("change") is None:
        return ""
    was = f"{round(row['previous'] * 100, 1):g}%" if is_rate(measure) else _value(measure, {"value": row["previous"]})
    delta = row["change"]
    more, less = ("上升", "下降") if is_rate(measure) else ("增加", "减少")
    change = "持平" if not delta else f"{more if delta > 0 else less} {abs(delta):g} {_unit_of_difference(measure)}"
    return f"（前一期 {was}，{change}）"


def compose_figures(data: dict[str, Any], understood: Understood, name: Any, basis: bool = True, note: bool = True) -> str:
    """The answer: period and scope first, then the figures, ranked as asked; ``name`` names an id."""
    named = name

    def name(key: str) -> str:  # noqa: F811 - the channels and the kinds are no graph nodes
        return SOURCE_NAMES.get(key) or KIND_GROUP_NAMES.get(key) or named(key)

    query = understood.query
    assert query is not None and understood.period is not None
    measure = data["measure"]
    if measure in ("readings", "forecast"):
        kind = str(query.sensor_kind)
        if measure == "readings":
            return compose_readings(data, query, understood.period, name, KIND_NAMES.get(kind, kind), understood.question)
        return compose_forecast(data, query, understood.period, name, KIND_NAMES.get(kind, kind), understood.question)
    if measure == "assets":
        return compose_assets(data, query, name, understood.question)
    if query.group_by in ("grid", "street"):
        return compose_hotspots(data, query, understood.period, name)
    if measure == "anomalies":
        return compose_anomalies(data, query, name)
    if measure == "hot_topics":
        return compose_hot_topics(data, query, understood.period, name)
    what = MEASURE_NAMES.get(measure, measure)
    scope = name(query.district) if query.district else "、".join(map(name, query.districts)) if query.districts else "全市"
    if query.major:
        scope += f"「{query.major}」大类"
    if query.category:
        scope += f"「{name(query.category)}」"
    elif query.categories:
        scope += "「" + "、".join(map(name, query.categories)) + "」"
    if query.source:
        scope += f"{SOURCE_NAMES.get(query.source, query.source)}来源"  # "传感器告警自动生成的": that channel's
    departments = [name(d) for d in query.departments] if query.departments and not query.group_by else []
    if departments:
        scope = "、".join(departments)
    period = understood.period.label + ("（未指明期间，按本月统计）" if understood.assumed_period else "")
    lines: list[str] = []
    rows = data["rows"]
    if query.group_by in CALENDAR_STEPS:
        name = _calendar_named(query.group_by, name)  # "2026-10" is 10月, "2026-11-30" a week or a day
    def shown(row: dict[str, Any]) -> str:
        return _value(measure, row) + _beside_previous(measure, row)

    if query.group_by and rows:
        order = {"asc": "从低到高", "desc": "从高到低" if is_rate(measure) else "从多到少"}.get(
            query.order or "", ""
        )
        by = {"district": "各区", "category": "各类别", "major": "各大类", "kind": "按部件、事件", "department": "各部门", "source": "各来源渠道",
              "status": "各环节（当前所处状态）", "month": "按月", "week": "按周（周一至周日）", "day": "按日"}[
            query.group_by
        ]
        head = f"{period}，{scope}{what}{by}{('（' + order + '）') if order else ''}"
        if query.top == 1 and query.order:
            best = [r for r in rows if r["value"] == rows[0]["value"]]
            word = _extreme(measure, query.order)
            tied = "（并列）" if len(best) > 1 else ""
            lines.append(
                f"{head}：{word}的是{tied} "
                + "、".join(f"{name(r['key'])} {shown(r)}" for r in best)
                + "。"
            )
            if len(best) == len(rows) > 2:  # "哪个部门延期率最高" when every one is at 0%: no one is highest
                lines.append(f"{by}均为 {_value(measure, rows[0]).split('（')[0]}，没有高低之分。")
            if is_rate(measure) and (few := [r for r in best if r.get("denominator") is not None and r["denominator"] < SMALL_SAMPLE]):
                # A rate of a handful of cases swings with one case: the ranking is said with that caveat.
                lines.append(f"注意：样本较少（{RATE_COUNTS[measure][1]}仅 {few[0]['denominator']} 件），一件之差即可改变比率，仅供参考。")
        else:
            shown_rows = rows
            if (query.top and len(rows) > query.top and query.order == "desc" and rows[query.top - 1]["value"] == 0
                    and rows[0]["value"]):  # fmt: skip
                # "超期处置数最多的前五个部门" when only three have any: the ties at 0 are not five more places.
                shown_rows = [r for r in rows if r["value"]]
            listed = "；".join(f"{name(r['key'])} {shown(r)}" for r in shown_rows)
            if shown_rows is not rows:
                listed += f"；只有以上这几个不为 0，其余均为 {_value(measure, rows[-1])}"
            lines.append(f"{head}：{listed}。")
            if query.order and not query.top and rows[0]["value"] is not None and not ends_asked(understood.question):
                best = [r for r in rows if r["value"] == rows[0]["value"]]
                tied = "（并列）" if len(best) > 1 else ""
                lines.append(
                    f"{_extreme(measure, query.order)}的是{tied} " + "、".join(name(r["key"]) for r in best) + "。"
                )
            lines += ranking_ends(understood.question, rows, name, query.order)
            if query.group_by == "status" and measure == "open" and not query.order and len(rows) > 1:
                most = max(r["value"] or 0 for r in rows)  # "卡在哪个环节": the step holding the most, in workflow order
                lines.append("积压最多的环节：" + "、".join(f"{r['key']}（{_value(measure, r)}）" for r in rows if r["value"] == most) + "。")
            if understood.focus and (mine := next((r for r in rows if r["key"] == understood.focus), None)):
                lines.append(_place_in_ranking(mine, rows, measure, name))
            if is_rate(measure) and query.order and (few := [r for r in rows if r.get("denominator") is not None
                                                             and r["denominator"] < SMALL_SAMPLE]):  # fmt: skip
                # A ranking of rates over a handful of cases each: one case moves a rate by many points.
                names = "、".join(name(r["key"]) for r in few[:3]) + ("等" if len(few) > 3 else "")
                lines.append(f"注意：{names}的样本较少（{RATE_COUNTS[measure][1]}很少），一件之差即可改变比率，排名仅供参考。")
            values = {r["value"] for r in rows}
            if data.get("spread") is not None and not data.get("gap"):
                size = f"{data['spread']:g} 个百分点" if is_rate(measure) else f"{data['spread']:g} 件"
                lines.append(f"最高与最低相差 {size}。")
            if data.get("gap"):
                higher, lower = (rows[0], rows[1]) if data["gap"] > 0 else (rows[1], rows[0])
                more, less = ("更高", "低") if is_rate(measure) else ("更多", "少")
                size = f"{abs(data['gap']):g} {_unit_of_difference(measure)}"
                lines.append(f"{name(higher['key'])}{more}，{name(lower['key'])}{less} {size}。")
            if len(rows) > 1 and len(values) == 1 and None not in values:
                lines.append(f"{'两者' if len(rows) == 2 else '各项'}相同，均为 {_value(measure, rows[0]).split('（')[0]}。")
        counted = not is_rate(measure) and measure != "平均处置时长_小时"
        if data.get("total") and data["total"]["value"] is not None and (not query.top or counted):
            together = "全部部门平均（按已处置案件加权）" if measure == "平均处置时长_小时" else "合计"
            lines.append(f"{together} {_value(measure, data['total'])}。")
    elif (query.below is not None or query.above is not None) and is_rate(measure):
        # "准确派遣率低于90%的部门有哪些" with none below: said so, beside the city's figure.
        bound = query.below if query.below is not None else query.above
        side = "低于" if query.below is not None else "高于"
        city = f"（全部部门合计 {_value(measure, data['total'])}）" if data.get("total") else ""
        lines.append(f"{period}，没有{what}{side} {round(bound * 100, 1):g}% 的部门{city}。")
    elif data.get("total"):
        lines.append(f"{period}，{scope}{what}：{_value(measure, data['total'])}。")
    elif not (query.group_by == "department" and query.departments):  # the departments named are each said below
        lines.append(f"{period}，{scope}没有可统计的{what}。")
    if query.group_by == "department" and (missing := [d for d in query.departments if d not in {r["key"] for r in rows}]):
        # "供水公司和供电公司本月结案率对比": one of them with no case in the period has no rate, said so.
        lines.append("、".join(name(d) for d in missing) + f"{period}没有纳入考核的案件，无{what}数据。")
    if query.beside_all and data.get("all_total") is not None and data.get("total") and data["total"]["value"] is not None:
        mine, city = data["total"]["value"], data["all_total"]
        verdict = "偏高，高于全市平均" if mine > city else "偏低，低于全市平均" if mine < city else "与全市平均持平"
        shown = f"{round(city * 100, 1):g}%" if is_rate(measure) else _value(measure, {"value": city})
        lines.append(f"全市同期（全部部门）{what} {shown}，{scope}{verdict}。")
    if data.get("share_pct") is not None:
        lines.append(f"占同期全市全部{what} {data['all_total']:g} 件的 {data['share_pct']:g}%。")
    if (shares := [r for r in data.get("rows") or [] if r.get("share_pct") is not None]) and data.get("shares_within_scope"):
        lines.append(f"占{scope}同期{what}（{data['total']['value']:g} 件）的比例：" + "；".join(
            f"{name(r['key'])} {r['share_pct']:g}%" for r in shares) + "。")  # fmt: skip
    elif shares:
        lines.append(f"占同期全市全部{what}（{data['all_total']:g} 件）的比例：" + "；".join(
            f"{name(r['key'])} {r['share_pct']:g}%" for r in shares) + "。")  # fmt: skip
    if data.get("note") and note:
        lines.append("；".join(part.split(" / ")[0] for part in data["note"].split("；")) + "。")
    previous = data.get("previous")
    if previous is not None and (previous.get("total") or {}).get("value") is None:
        # "本月…vs上月" with nothing in the month before either: said so, not left out.
        earlier = (understood.compared or understood.period.previous()).label
        lines.append(f"{earlier}{scope}也没有可统计的{what}。")
    elif previous and previous.get("total"):
        change = ""
        if (delta := data.get("change")) is not None:
            if is_rate(measure) or measure == "平均处置时长_小时":
                direction = "上升" if delta > 0 else "下降" if delta < 0 else "持平"
            else:
                direction = "增加（多了）" if delta > 0 else "减少（少了）" if delta < 0 else "持平"
            size = f" {abs(delta):g} {_unit_of_difference(measure)}"
            share = f"（{abs(data['change_pct']):.1f}%）" if data.get("change_pct") is not None else ""  # 持平 is 0.0%
            change = f"，环比{direction}{size if delta else ''}{share}"
        earlier = (understood.compared or understood.period.previous()).label
        earlier = earlier if earlier.startswith("前一期") or "（" in earlier else f"前一期（{earlier}）"
        lines.append(f"{earlier}：{_value(measure, previous['total'])}{change}。")
        if (same := data.get("same_span")) and (same.get("total") or {}).get("value") is not None:
            lines.append(_same_span_line(data, same))
    ranked = data["rows"][:query.top] if query.top else data["rows"]  # the ones ranked, not every tie at 0
    if query.kpi and (table := _kpi_table(ranked or ([data["total"]] if data.get("total") else []), name)):
        lines.append(table)
    if basis:  # once, after the last figure of the answer
        counted = ("按结案时间" if measure == "closed_in" else "按案件受理时间") if measure in CASE_MEASURES else "考核期内派遣、到期或结案的案件"
        lines.append(f"统计口径：{counted}，{span_words(data['start'], data['end'])}"
                     + {"overdue_open": "；超期未结指已过处置时限（deadline）仍未结案",
                        "overdue": "；超期指结案晚于处置时限（deadline）或至今未结且已过时限"}.get(measure, "")
                     # A period reaching today counts today so far: said, so no one reads it as a whole day.
                     + ("；今天的数字截至当前" if _runs_past_now(data.get("end")) and measure not in RATES else "") + "。")  # fmt: skip
    return "\n".join(lines)


def _kpi_table(rows: list[dict[str, Any]], name: Any) -> str:
    """Each department's indicators as a table, in the order the rows were ranked."""
    shown = [r for r in rows if r.get("indicators")]
    if not shown:
        return ""
    columns = list(shown[0]["indicators"])

    def cell(measure: str, value: Any) -> str:
        if value is None:
            return "—"
        return f"{round(value * 100, 1):g}%" if is_rate(measure) else f"{value:g}"

    head = "| 部门 | " + " | ".join(columns) + " |\n|" + "---|" * (len(columns) + 1)
    body = "\n".join(f"| {name(r['key'])} | " + " | ".join(cell(c, r["indicators"].get(c)) for c in columns) + " |"
                     for r in shown)  # fmt: skip
    return "指标表（KPI）：\n" + head + "\n" + body


def _runs_past_now(end: str | None) -> bool:
    try:
        return bool(end) and china_if_naive(datetime.fromisoformat(str(end))) > clock.now()
    except ValueError:
        return False


def whole_steps(period: Period, step: str, today: date) -> Period | None:
    """A rolling window of whole weeks or months ("近四周", "近三个月") as that many calendar weeks or months, the
    current one the last; None for any other period."""
    if not (m := re.fullmatch(r"last(\d{1,3})d", period.api)):
        return None
    days = int(m.group(1))
    if step == "week" and days % 7 == 0:
        first = today - timedelta(days=today.weekday() + days - 7)
        return span(first, today, f"{period.words}（{first.month}月{first.day}日起，含本周）", period.words)
    if step == "month" and days % 30 == 0:
        first = today.replace(day=1)
        for _ in range(days // 30 - 1):
            first = (first - timedelta(days=1)).replace(day=1)
        return span(first, today, f"{period.words}（{first.year}年{first.month}月起，含本月）", period.words)
    return None


def _calendar_named(step: str, name: Any) -> Any:
    def named(key: str) -> str:
        if not re.fullmatch(r"\d{4}-\d{2}(?:-\d{2})?", key):
            return name(key)
        if step == "month":
            return f"{int(key[5:7])}月"
        day = date.fromisoformat(key)
        return f"{day.month}月{day.day}日起的一周" if step == "week" else f"{day.month}月{day.day}日"
    return named


def _same_span_line(data: dict[str, Any], same: dict[str, Any]) -> str:
    """A period under way set beside the same days of the one before (本月 on the 7th: 上月1日至7日)."""
    first, last = (date.fromisoformat(d) for d in same["period"].split(".."))
    delta = same.get("change")
    pct = f"（{abs(same['change_pct']):.1f}%）" if same.get("change_pct") is not None else ""
    verdict = ("" if delta is None else f"，持平{pct}" if delta == 0
               else f"，本期比同期{'多' if delta > 0 else '少'} {abs(delta):g} 件{pct}")  # fmt: skip
    return (f"注意：本期尚未结束（{_day(data['start'])}起至今），与前一期整期直接相比不可比；按同期口径，前一期同期"
            f"（{first.month}月{first.day}日{'' if first == last else f'至{last.month}月{last.day}日'}）为 {same['total']['value']:g} 件{verdict}。")


def _day(iso: str) -> str:
    return f"{int(iso[5:7])}月{int(iso[8:10])}日"


def span_words(start: str, end: str) -> str:
    """A counted window as the API gave it: whole days by their dates, a rolling window (近7天) to the minute."""
    if start[10:19] in ("", "T00:00:00") and end[10:19] in ("", "T00:00:00"):
        return f"{start[:10]} 起至 {end[:10]} 前"
    return f"{start[:16].replace('T', ' ')} 起至 {end[:16].replace('T', ' ')}"


def _unit_of_difference(measure: str) -> str:
    """What a difference of two figures is counted in: points of a rate, hours of a mean time, else cases."""
    return "个百分点" if is_rate(measure) else "小时" if measure == "平均处置时长_小时" else "件"


def _place_in_ranking(mine: dict[str, Any], rows: list[dict[str, Any]], measure: str, name: Any) -> str:
    """"排第几": one department's place from the top, shared places said as such."""
    if mine["value"] is None or mine.get("place") is None:
        return f"{name(mine['key'])}没有可排名的{MEASURE_NAMES.get(measure, measure)}数据。"
    known = [r for r in rows if r["value"] is not None]
    tied = "（并列）" if sum(r["value"] == mine["value"] for r in known) > 1 else ""
    last = max(r["place"] for r in known if r.get("place") is not None)
    return f"{name(mine['key'])}排第 {mine['place']} 位{tied}（从高到低，最后一名为第 {last} 位）。"


def _extreme(measure: str, order: str) -> str:
    if measure == "平均处置时长_小时":
        return "最短" if order == "asc" else "最长"
    if is_rate(measure):
        return "最低" if order == "asc" else "最高"
    return "最少" if order == "asc" else "最多"


def compose_unknown(unknown: str, lexicon: CityLexicon) -> str:
    districts = lexicon.districts
    if unknown.endswith("市"):
        return f"系统只覆盖 A市，没有{unknown}的数据，无法回答；可以查询 A市 {districts[0].name}至{districts[-1].name}的情况。"
    if not (UNKNOWN_DISTRICT.fullmatch(unknown) or NAMED_DISTRICT.fullmatch(unknown)):
        nearest = nearest_place(unknown, lexicon)
        hint = f"是否指「{nearest}」？" if nearest else "也可以给出所在的区和附近的道路。"
        return f"没有找到名为「{unknown}」的地点，A市的道路、街道和地标中不存在这个名称，无法按它查询，请核对名称。{hint}"
    listed = f"{districts[0].name}至{districts[-1].name}" if districts else ""
    # A code is not repeated: a number in the answer must come from a tool, not from the question.
    what = "这个区划代码" if unknown.isdigit() else f"「{unknown}」"
    return f"A市没有{what}，不存在这个区：现有{listed}。请核对区名或代码后再问。"
