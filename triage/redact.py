"""Personal data out of reports before they are shown, stored in a case or logged: phone numbers, ID-card
numbers, licence plates, e-mail addresses and personal names."""

from __future__ import annotations

import re

# Order matters: an 18-digit ID number contains phone-like runs, so it is replaced first.
PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("[身份证号]", re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])")),
    ("[电话]", re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")),
    ("[电话]", re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")),
    ("[车牌]", re.compile(r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z][·•\s]?[A-HJ-NP-Z0-9]{4,5}[A-HJ-NP-Z0-9挂学警港澳]")),
    ("[邮箱]", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z0-9.-]+")),
]
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
            "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
NAME_PATTERNS = [
    # 我叫张三 / 我是李四 / 联系人：王五 / 姓名：赵六
    re.compile(rf"((?:我叫|我是|本人|联系人[:：]?|姓名[:：]?|举报人[:：]?|报告人[:：]?)\s*)([{SURNAMES}][\u4e00-\u9fa5]{{1,2}})(?=[，。,.\s;；！!]|$|先生|女士|的|电话)"),
    # 张先生 / 李女士 / 王师傅 / 陈阿姨
    re.compile(rf"()([{SURNAMES}])(?=先生|女士|小姐|师傅|阿姨|大爷|老师|同志)"),
]


def redact(text: str) -> tuple[str, list[str]]:
    """The text with personal data replaced by placeholders, and the kinds that were found."""
    found: list[str] = []
    for placeholder, pattern in PATTERNS:
        text, n = pattern.subn(placeholder, text)
        found += [placeholder] * n
    for pattern in NAME_PATTERNS:
        text, n = pattern.subn(lambda m: m.group(1) + "[姓名]" if m.group(1) else "某", text)
        found += ["[姓名]"] * n
    return text, found
