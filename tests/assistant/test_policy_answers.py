"""A rule or definition question goes to the documents, and the answer quotes the sentences that answer it,
whole, with the document's issuer, number and date."""

from __future__ import annotations

import uuid

import pytest

from assistant.chat import ChatRequest, ChatService
from assistant.intents import asks_definition
from assistant.passages import best_sentences, most_relevant_first

ARTICLE = ("第十五条 燃气企业接到泄漏报告后，抢修人员应当在中心城区30分钟内、其他区域45分钟内到达现场。"
           "到场后应当检测现场及周边地下空间可燃气体浓度，确定泄漏范围，设置警戒区，关闭上游阀门。"
           "修复后进行不少于30分钟的浓度复测，复测合格后方可恢复供气，并做好抢修记录和回访工作。"
           "市民闻到燃气异味的，应当立即拨打抢修电话，不得在现场开关电器或者使用明火。"
           "运管服平台对燃气管道泄漏的立案条件为闻到燃气异味或者浓度报警，处置时限为2小时，紧急情形为1小时。")  # fmt: skip


def test_the_sentence_that_answers_is_quoted_whole_even_at_the_end_of_a_long_article() -> None:
    quoted = best_sentences(ARTICLE, "燃气泄漏的案件处置时限是几个小时？紧急的呢", limit=120)
    assert "处置时限为2小时，紧急情形为1小时。" in quoted  # ARTICLE[:220] would have cut it off
    assert quoted.startswith("第十五条") and "…" in quoted and len(quoted) < len(ARTICLE)
    assert best_sentences("第三条 井盖缺失的，2小时内设置警示标志。", "井盖缺失怎么办") == "第三条 井盖缺失的，2小时内设置警示标志。"


def test_the_passage_sharing_the_questions_words_comes_first() -> None:
    hits = [{"text": "第十七条 各行业监测终端月度误报率不得超过5%。"},
            {"text": "第六条 （二）按期处置率 = 按期处置数 / 应处置数 × 100%。"}]  # fmt: skip
    assert most_relevant_first(hits, "按期处置率是咋算的？分母是啥")[0] is hits[1]


@pytest.mark.parametrize(("question", "definition"), [
    ("返工率的分母是啥", True),
    ("道路积水多深才能立案", True),
    ("主干道路灯亮灯率要求不低于多少？", True),
    ("城市运行生命体征指标体系是哪个文件提出的", True),
    ("A1区本月返工率多少", False),  # a figure of a period
    ("哪些泵站的水位超过警戒线？依据哪个文件？", False),  # what is so now, and the rule behind it
])  # fmt: skip
def test_a_definition_is_told_from_a_figure(question: str, definition: bool) -> None:
    assert asks_definition(question) is definition


def test_a_rule_question_naming_a_measure_is_answered_from_the_document_with_its_source(chat: ChatService) -> None:
    reply = chat.ask(ChatRequest(message="井盖缺失要求多少小时内完成补装，是哪个文件规定的", session_id=uuid.uuid4().hex))
    assert "search_policies" in {c.name for c in reply.tool_calls} <= {"search_policies", "get_node", "responsible_department"}
    assert "《A市窨井盖管理办法（测试）》（A市人民政府办公厅，A政办发〔2023〕1号，2023-03-01）" in reply.answer
    assert "小时内完成补装" in reply.answer


def test_each_part_of_a_message_gets_its_own_passage() -> None:
    from assistant.passages import question_parts

    assert question_parts("紧急诉求规定几分钟之内要派单？承办单位接单后多久得联系上市民？") == [
        "紧急诉求规定几分钟之内要派单", "承办单位接单后多久得联系上市民"]
    assert question_parts("井盖缺失的处置时限是多久") == ["井盖缺失的处置时限是多久"]


def test_a_categorys_own_standard_comes_beside_the_documents(chat: ChatService) -> None:
    reply = chat.ask(ChatRequest(message="上水井盖的结案条件和处置时限是什么", session_id=uuid.uuid4().hex))
    assert "get_node" in [c.name for c in reply.tool_calls]
    assert "立案条件" in reply.answer and "结案条件" in reply.answer and "处置时限" in reply.answer
