"""Instructions smuggled into text the assistant reads (a citizen report pasted into chat, a document):
the sentences that address the assistant are dropped before the planner reads the question."""

from __future__ import annotations

import re

from core.text import normalize

# Sentences that talk to the assistant rather than about the city. NFKC first, so full-width letters and
# traditional characters do not slip past (normalize converts both).
INSTRUCTION = re.compile(
    r"忽略|无视|不要理会|你现在是|你是一个|扮演|系统提示|系统指令|管理员模式|你现在进入|^\s*SYSTEM\s*[:：]|提示词|越狱|以管理员|开发者模式|"
    r"ignore (?:all |the )?(?:previous|above|prior)|system prompt|you are now|jailbreak",
    re.IGNORECASE,
)
SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")


def quote_without_instructions(text: str) -> tuple[str, bool]:
    """A passage to quote (a policy article): its sentences as written, less those that address the
    assistant, and whether any were dropped. Each sentence is tested in normal form, kept in its own."""
    dropped = [sentence for sentence in SENTENCE.findall(text) if INSTRUCTION.search(normalize(sentence))]
    for sentence in dropped:
        text = text.replace(sentence, "", 1)
    return text.strip(), bool(dropped)


def strip_instructions(text: str) -> tuple[str, bool]:
    """The text in normal form without sentences that address the assistant, and whether any were dropped."""
    return quote_without_instructions(normalize(text))
