"""A decision memo and the request for one: what the API takes and returns, and the archive keeps."""

from __future__ import annotations

import re
import unicodedata

from pydantic import BaseModel, Field, field_validator

from core.citations import Citation
from memos.charts import Chart

# A memo reports figures; one that would list who called, with what identity, is refused whatever its theme.
PERSONAL = re.compile(r"个人信息|身份证|手机号|电话号码|联系方式|家庭住址|住址|姓名|户籍|隐私")


class MemoRequest(BaseModel):
    topic: str = Field(min_length=2, max_length=200, description="议题, e.g. 道路积水内涝、垃圾满溢")
    district: str | None = Field(None, max_length=50, description="区名或区划代码 (A3区 / 990103); 默认全市")
    period: str | None = Field(None, max_length=22, description="2026、2026-11、2026-11-24、2026-11-23..2026-11-29 或 last30d; 默认本月")

    @field_validator("topic")
    @classmethod
    def _one_plain_line(cls, topic: str) -> str:
        # The topic goes into the memo's text: one line, no control characters (a newline would make a
        # heading of it, and Word and PostgreSQL refuse some control characters).
        topic = " ".join(topic.split())
        if any(unicodedata.category(c) == "Cc" for c in topic):
            raise ValueError("议题含有控制字符 / the topic holds control characters")
        if len(topic) < 2:
            raise ValueError("议题至少两个字 / the topic needs at least two characters")
        if PERSONAL.search(topic):
            raise ValueError("决策参考不汇总市民个人信息（姓名、身份证号、手机号、住址等） / memos never compile "
                             "citizens' personal data")  # fmt: skip
        return topic


class Memo(BaseModel):
    id: str
    title: str
    markdown: str
    citations: list[Citation]
    created_at: str
    request: MemoRequest
    theme: str | None = Field(None, description="the theme the topic was read as (theme-flood…); none: one category")
    charts: list[Chart] = Field(default_factory=list, description="the figures drawn in the DOCX and PDF, placed by "
                                "the Markdown's ![图题](chart-N) lines")
