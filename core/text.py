"""Text as every layer compares it: one normal form for what citizens, officials and documents write."""

from __future__ import annotations

import unicodedata

import opencc

_T2S = opencc.OpenCC("t2s")


def normalize(text: str) -> str:
    """NFKC (full-width → half-width), traditional → simplified, collapsed spaces."""
    text = unicodedata.normalize("NFKC", text)
    return " ".join(simplified(text).split())


def simplified(text: str) -> str:
    """Traditional characters as simplified ones ("城市體徵…預警以上"), the rest as written."""
    return _T2S.convert(text)

