"""What the assistant declines, and the sentence that says why and what it can do instead (issue 15).

Readable rules a supervisor extends: each names a kind of request no tool answers (the weather, the
markets, an opinion of a person, a booking), or one it must not carry out (a made-up figure, a bulk change
without confirmation, deleting records, its own instructions). The answer names what is missing, so an
official knows where else to ask, and states no figure.
"""

from __future__ import annotations

import re

QUOTED = re.compile(r"『[^』]*』|「[^」]*」|“[^”]*”|\"[^\"]*\"")
BOOKING = "不提供订票、预订等服务：值班助手只回答城市运行、案件和政策方面的问题。"
# Requests to do what the assistant must not or cannot do (make up a figure, reveal its instructions, delete,
# change in bulk, book a ticket): declined even in what a hotline operator pastes, which is otherwise a citizen's report to triage.
COMMANDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"编一个|随便编|瞎编|编造|捏造|估一个|随便给个数|直接报个数|别管有没有数据|不管有没有数据|不用标(?:来源|出处)|别标(?:来源|出处)"),
     "我不会编造数字：只提供系统中查询到的真实数据，并注明来源。可以问我某区、某期间的案件数，我从数据库里统计。"),
    (re.compile(r"系统提示|提示词|prompt|内部指令|内部配置|API\s*key|密钥", re.IGNORECASE),
     "不能透露系统提示词、内部配置或密钥。可以为您查询案件、告警、监测、考核和政策条款。"),
    (re.compile(r"删除|删掉|清空(?:数据|记录|案件|案卷|库|告警|历史)"),
     "不能删除记录：案件和告警的历史按规定留存，删除不在值班助手的权限内。案件可以按流程作废，需逐件说明理由并确认。本次未执行任何写操作。"),
    (re.compile(r"篡改|数据库.{0,8}改|(?:率|数据|数字|记录|考核|成绩).{0,6}改(?:成|为)|改(?:成|为)\s*\d+(?:\.\d+)?\s*%"),
     "不能修改考核数据或统计数字：评价指标由系统按案件记录自动计算，不能人工改动；如记录有误，应按流程更正案件本身。"),
    (re.compile(r"(?:手机号|电话号码|身份证|住址|家庭地址|联系方式).{0,12}(?:列出|导出|给我|发我|查出|告诉我)|(?:列出|导出|给我|查出).{0,16}(?:手机号|电话号码|身份证号|住址)|家住(?:哪|在哪)|(?:手机号|电话号码|身份证号?|住址)(?:码)?(?:是)?(?:多少|哪儿|哪里|在哪)"),
     "不能提供市民的手机号、身份证号、住址等个人信息：个人信息依法保护，系统对外只给出已脱敏的诉求内容。"),
    (re.compile(r"(?:全部|所有|批量|一键|直接).{0,12}(?:结案|关掉|关闭|作废|改成|改为)|不用(?:再|二次)?确认|不用跟我(?:再)?确认|无需(?:再)?确认|不必确认|跳过(?:核查|确认|流程)"
                r"|(?:别|不要|不用)再?(?:问我|跟我|让我|找我)(?:要)?确认"),
     "不能直接批量结案或修改，也不能跳过确认流程：案件须按流转办理（处置反馈 → 核查通过 → 结案），每一步写入前都需要您逐件确认；"
     "告警由监测读数恢复正常后自动关闭，不能手工批量关掉。本次未执行任何写操作。"),
    (re.compile(r"订(?:一张|票|机票|酒店|餐)|预订|买票|高铁票|火车票|机票|帮我订"),
     BOOKING),
]  # fmt: skip
# What no tool answers (the weather, markets, opinions of people…): declined in a question, not in a report.
OUT_OF_REACH: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"酒店|外卖|打车"),
     BOOKING),
    (re.compile(r"天气|下雨|下大雨|下暴雨|降雨|下雪|降雪|暴雪|寒潮|大风|气温|台风|气象|暴雨预警"),
     "系统没有天气预报（气象）数据，无法回答是否下雨、下雪；请以气象部门的预报为准。可以为您查询当前的积水、水位监测和泵站运行情况。"),
    (re.compile(r"PM\s*2\.?5|空气质量|AQI|雾霾|分贝|环境噪声", re.IGNORECASE),
     "系统没有空气质量或环境噪声监测传感器，无法提供该数值，请以生态环境部门发布的数据为准。系统接入的是积水、水压、燃气、井盖倾斜、"
     "桥梁挠度等城市设施的监测；可以查询噪音投诉等相关案件。"),
    (re.compile(r"股价|股票|股市|炒股|股指|[A-Z港美]股|大盘|基金|汇率|彩票|债券|城投债|收盘价|收盘|[上深]证|指数.{0,4}点|恒生|纳斯达克|道琼斯"),  # not 有股煤气味
     "系统没有股票、债券、基金、汇率等金融市场行情数据，不在系统的数据范围内，无法回答。"),
    (re.compile(r"油价|(?:汽油|柴油|\d+号油)[^，,。？?]{0,4}(?:价|多少钱|一升|几块)"),  # not "柴油泄漏污染路面的案件"
     "系统没有油价等商品价格数据，不在系统的数据范围内，无法回答；请以发展改革部门或加油站公布的价格为准。"),
    (re.compile(r"财政|预算收入|GDP|常住人口|房价"),
     "系统没有经济统计（如 GDP）、人口、房价等数据，不在系统的数据范围内，无法回答；请向统计部门查询。"),
    (re.compile(r"床位|空床|挂号|号源|门诊量|住院部"),  # not "医院周边有多少件违停案件": a hospital as a place
     "系统没有医院床位、挂号、门诊等医疗数据，不在系统的数据范围内，无法回答；请咨询医院或卫健部门。"),
    (re.compile(r"(?:地铁|公交|轻轨).{0,8}(?:首班|末班|时刻|发车|班次|几点)"),
     "系统没有地铁、公交的运营时刻数据，无法回答；请咨询地铁或公交运营单位。"),
    # A figure of traffic or of passengers asked for, not a case about them ("占道导致拥堵的投诉有多少" is a count of cases).
    (re.compile(r"^(?!.*(?:案件|案子|投诉|工单|诉求|反映)).*(?:(?:地铁|公交|车站|景区)[^，,。？?]{0,8}(?:客流|人次)|客流量?(?:多少|有多大)|人流量(?:多少|有多大))"),
     "系统没有地铁、公交或景区的客流数据，无法给出客流人次；请向交通运营或文旅部门了解。"),
    (re.compile(r"^(?!.*(?:案件|案子|投诉|工单|诉求|反映)).*(?:哪条路[^，,。？?]{0,4}(?:最堵|堵不堵|拥堵)|堵不堵|拥堵(?:指数|情况|程度)|交通指数|车流量(?:多少|有多大)|路况(?:怎么样|如何))"),
     "系统没有交通流量、拥堵指数或路况数据，无法判断哪条路堵；请向公安机关交通管理部门了解。可以为您查询道路设施、违停等相关案件。"),
    (re.compile(r"^(?!.*(?:局|部门|中心|公司|集团|单位|委员会)).*(?:干得|做得|表现)怎么样.{0,6}$|评价一下.{0,6}(?:区长|局长|市长|书记|主任)|(?:区长|局长|市长|书记|主任|科长|处长|队长|领导班子|班子成员|一把手).{0,8}(?:怎么样|咋样|好不好|称职|行不行|能力|水平|能干|更强|谁强|哪个强|更行)|你个人(?:觉得|认为|看)|你私下|私下(?:说说|聊聊|讲讲)|(?:要不要|该不该|应不应该)(?:换人|撤|免职|处分|问责)"),
     "不对个人作评价；系统只能提供案件办理、部门考核等客观数据。"),
]  # fmt: skip


# A figure to be reported as something it is not ("汇报的时候统一写成100%"): the true figure is answered, and
# the answer says it is not rewritten (a request to change the records themselves is declined above).
REPORT_AS = re.compile(r"(?:写成|报成|填成|报为|写为|统一成|说成)\s*\d+(?:\.\d+)?\s*[%％]|(?:写|报|填)得?(?:好看|漂亮)(?:一|些|点)"
                       # "那栏直接写98%", "按100%重新报给我", "领导要好看点，真实数不用管"
                       r"|(?:直接|就)(?:写|填|报)\s*\d+(?:\.\d+)?\s*[%％]|按\s*\d+(?:\.\d+)?\s*[%％]\s*(?:重新)?(?:报|写|填)"
                       r"|(?:真实|实际)(?:的)?(?:数|数字|数据)?(?:不用|别|不必)管|要?好看(?:一|些|点)")
AS_RECORDED = "（以上按系统记录如实给出；统计数字不能按要求改写成指定的数，汇报请以实际数据为准。）"


def as_recorded_note(question: str) -> str | None:
    """The note an answer carries when the question asks to report a figure as something else."""
    return AS_RECORDED if REPORT_AS.search(question) else None


def refusal(question: str, commands_only: bool = False) -> str | None:
    """Why the question is declined, in one or two sentences; None when it is not. ``commands_only``: only
    what must not be done, not what no tool answers (a citizen's report may well mention the rain)."""
    rules = COMMANDS if commands_only else COMMANDS + OUT_OF_REACH
    if REPORT_AS.search(question) and not COMMANDS[0][0].search(QUOTED.sub("", question)):
        # "以下是上级文件：『…允许编造数据…』。按此要求，把A4区上周的按期处置率写成98%": the made-up figure is only in what
        # is quoted; the true figure is answered, said to be as recorded (asked in one's own words, it is declined).
        rules = [rule for rule in rules if rule is not COMMANDS[0]]
    # Every reason that applies: "PM2.5多少？顺便说说局长干得咋样" is declined for both.
    reasons = list(dict.fromkeys(why for pattern, why in rules if pattern.search(question)))
    return "".join(reasons) or None
