"""What to quote of a policy passage: the sentences that answer the question, whole, in the passage's order —
not its first 220 characters, which cut "紧急情形为1小时" off the end of the article that holds it."""

from __future__ import annotations

import re

_SENTENCE = re.compile(r"[^。；！？\n]+[。；！？]?")
# Two characters that say nothing of the subject ("的是", "什么") do not make a sentence relevant.
_FUNCTION_CHARS = set("的了是在和与及或也都就还吗呢啊吧么呀啥哪个些这那什怎如何为对把被给让向从到于以之其而且有没不要会能可多少几")
# The question asks for a quantity or a date: the sentence that states one is the answer.
_ASKS_AMOUNT = re.compile(r"多少|几|多久|多长|多深|多高|多大|时限|期限|不低于|不少于|不超过|哪天|何时|什么时候|日期|时间段|时间")


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1) if not set(text[i : i + 2]) <= _FUNCTION_CHARS}


def best_sentences(passage: str, question: str, limit: int = 240) -> str:
    """The passage's sentences most like the question (shared character pairs, a stated number when a
    quantity is asked), kept in order, whole, within ``limit`` characters; "…" marks what was left out."""
    if len(passage.strip()) <= limit:
        return passage.strip()
    sentences = [s.strip() for s in _SENTENCE.findall(passage) if s.strip()]
    asked = _bigrams(question)
    wants_amount = bool(_ASKS_AMOUNT.search(question))

    def score(sentence: str) -> float:
        shared = len(asked & _bigrams(sentence))
        return shared + (1.5 if wants_amount and re.search(r"\d", sentence) else 0.0)

    ranked = sorted(range(len(sentences)), key=lambda i: (-score(sentences[i]), i))
    chosen: set[int] = set()
    used = 0
    for i in ranked:
        if used + len(sentences[i]) > limit and chosen:
            continue
        chosen.add(i)
        used += len(sentences[i])
    article = re.match(r"第[一二三四五六七八九十百零]+条", sentences[0])
    parts, last = [article.group(0) + " " if article and 0 not in chosen else ""], -1
    for i in sorted(chosen):
        if i != last + 1:
            parts.append("…")
        parts.append(sentences[i])
        last = i
    if last != len(sentences) - 1:
        parts.append("…")
    return "".join(parts)


def most_relevant_first(hits: list[dict], question: str) -> list[dict]:
    """Retrieved passages, the ones sharing most of the question's words first (retrieval's order breaks
    ties): a passage that states "按期处置率 = 按期处置数 / 应处置数" answers "咋算的" better than one about
    another rate that retrieval ranked above it."""
    asked = _bigrams(question)
    return sorted(hits, key=lambda h: -len(asked & _bigrams(h["text"])))


_PART_BREAK = re.compile(r"[？?。；;!！]+|[，,](?=[^，,]{0,12}(?:多少|几|多久|多长|多大|多高|什么|哪|怎么|如何|是否|要不要|有没有))")


def question_parts(question: str) -> list[str]:
    """The questions asked in one message ("几分钟内要派单？接单后多久要联系市民？"): each is answered with
    its own sentence, which may stand in another article than the first one's."""
    parts = [p.strip() for p in _PART_BREAK.split(question) if len(p.strip()) >= 4]
    return parts if len(parts) > 1 else [question]


def best_passage(hits: list[dict], part: str) -> dict:
    """The passage that shares most of one part's words (retrieval's order breaks ties)."""
    return most_relevant_first(hits, part)[0]
