"""Matching words by how they sound. Many 12345 reports are typed by an operator listening to a caller, or
transcribed from speech, and homophones slip in: 拉圾 for 垃圾, 井钙 for 井盖, 路等 for 路灯."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin


class SoundIndex:
    """Text as a sequence of toneless syllables, one per character, so a word can be found by its sound.

    Each character is read alone (its most common reading), on both sides, so a keyword and a report
    that write the same characters always sound alike here; characters that are not Chinese stand for
    themselves."""

    def __init__(self) -> None:
        self._syllables: dict[str, str] = {}

    def _syllable(self, char: str) -> str:
        syllable = self._syllables.get(char)
        if syllable is None:
            read = lazy_pinyin(char, style=Style.NORMAL, errors="ignore") if "\u3400" <= char <= "\u9fff" else []
            syllable = read[0] if read else char  # not Chinese, or no known reading: the character itself
            self._syllables[char] = syllable
        return syllable

    def syllables(self, text: str) -> list[str]:
        return [self._syllable(c) for c in text]

    def sound(self, text: str) -> str:
        """``|la|ji|tong|``: syllables between bars, so a word matches only on whole syllables."""
        return "|" + "|".join(self._syllable(c) for c in text) + "|"
