"""Text normalisation and Chinese tokenisation shared by every retriever."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import rjieba

from core.text import normalize

_TOKEN_OK = re.compile(r"[\w\u4e00-\u9fff]")
# Function words and question words that carry no topic. 多久/时限 stay: they select the passage.
STOPWORDS = frozenset(
    "的 了 是 在 和 与 及 或 等 对 由 为 把 被 将 其 之 这 那 有 也 就 都 要 应 应当 可以 吗 呢 啊 吧 么 "
    "什么 怎么 如何 哪个 哪些 哪里 多少 一般 一共 是否 要不要 能不能 需要 还是 我们 我 你 他 她 它 他们 "
    "请问 一下 现在 这个 那个 这种 如果 的话 怎么办 该 得 会 能 想 去 说 到 给 让 被 用".split()
)


def add_words(words: Iterable[str]) -> None:
    """Teach the tokeniser domain names (roads, departments, categories) so they stay whole."""
    for word in words:
        if len(word) >= 2:
            rjieba.add_word(word, None, None)
    _tokens.cache_clear()


@lru_cache(maxsize=8192)
def _tokens(text: str) -> tuple[str, ...]:
    out = []
    for token in rjieba.cut_for_search(normalize(text)):
        token = token.strip().lower()
        if token and token not in STOPWORDS and _TOKEN_OK.search(token):
            out.append(token)
    return tuple(out)


def tokenize(text: str) -> list[str]:
    """Search tokens: jieba words plus their sub-words (井盖缺失 → 井盖, 缺失, …), stopwords dropped."""
    return list(_tokens(text))


def query_tokens(text: str) -> list[str]:
    """Tokens of a query, each once (a repeated token only repeats the same posting-list work)."""
    return list(dict.fromkeys(_tokens(text)))
