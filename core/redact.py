"""Personal data out of reports before they are shown, stored in a case, kept in a chat's checkpoints or
logged: phone numbers, ID-card and bank-card numbers, licence plates, e-mail addresses, chat accounts, flat
and room numbers (门牌: the building stays, it places the report) and personal names. The kinds are those
found in the real citizen messages (shared/data/hotline): a room as 1321室, 2单元205 or 43栋101; digits also
written full-width (４３０３…)."""

from __future__ import annotations

import re

FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")
BUILDING = r"(?:栋|幢|号楼|座)"
# Order matters: an 18-digit ID number contains phone-like runs, so it is replaced first; a bank card before
# the phone numbers its digits could hold.
PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("[身份证号]", re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])")),
    ("[电话]", re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")),
    ("[电话]", re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")),
    ("[车牌]", re.compile(r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z][·•\s]?[A-HJ-NP-Z0-9]{4,5}[A-HJ-NP-Z0-9挂学警港澳]")),
    ("[邮箱]", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z0-9.-]+")),
    ("[社交账号]", re.compile(r"(?:QQ|qq|微信号?|wechat)\s*[:：]?\s*[A-Za-z0-9][A-Za-z0-9_-]{4,19}")),
    ("[门牌]", re.compile(r"(?:\d{1,2}\s*单元\s*)?\d{2,5}\s*(?:室|号房|房)(?!间|屋|子|东|产)")),
    ("[门牌]", re.compile(rf"(?P<keep>{BUILDING})\s*\d{{1,2}}\s*单元\s*\d{{2,5}}(?!\d)")),
    ("[门牌]", re.compile(rf"(?P<keep>{BUILDING})\s*\d{{3,5}}(?![\d米号])")),
    ("[门牌]", re.compile(r"(?<!\d)\d{1,2}\s*单元\s*\d{2,5}(?!\d)")),
]
BANK_CARD = re.compile(r"(?<![0-9A-Za-z_-])(?:\d[ -]?){15,18}\d(?![0-9A-Za-z_-])")  # not inside an id (S9901…-01)
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
    text = text.translate(FULL_WIDTH_DIGITS)
    text, n = BANK_CARD.subn(lambda m: "[银行卡号]" if _bank_card(m, text) else m.group(0), text)
    found += ["[银行卡号]"] * text.count("[银行卡号]")
    for placeholder, pattern in PATTERNS:  # a group named "keep" stays (the building before a flat number)
        text, n = pattern.subn(lambda m, p=placeholder: (m.groupdict().get("keep") or "") + p, text)
        found += [placeholder] * n
    for pattern in NAME_PATTERNS:
        text, n = pattern.subn(lambda m: m.group(1) + "[姓名]" if m.group(1) else "某", text)
        found += ["[姓名]"] * n
    return text, found


def _bank_card(match: re.Match[str], text: str) -> bool:
    """A bank card carries a Luhn check digit and is said to be one ("卡号…", "银行卡…"), or is a 19-digit
    UnionPay number: a facility's 16-digit code (990101…) passes Luhn one time in ten and is none."""
    digits = re.sub(r"\D", "", match.group(0))
    said = "卡" in text[max(0, match.start() - 10) : match.start()]
    return _luhn(digits) and (said or (len(digits) == 19 and digits.startswith("62")))


def _luhn(number: str) -> bool:
    """Bank cards carry a Luhn check digit; most other long numbers (orders, parcels) do not."""
    digits = [int(c) for c in number if c.isdigit()]
    total = sum(d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(reversed(digits)))
    return total % 10 == 0


def redacted(text: str) -> str:
    return redact(text)[0]
