"""Who may do what: the roles of an operations centre and the actions each may take.

One table, read by the API (every write checks it server-side) and by the chat (a write the assistant
prepared is confirmed only by someone whose role may do it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["official", "hotline", "dispatcher", "analyst", "admin", "device", "platform"]
ROLES: tuple[Role, ...] = ("official", "hotline", "dispatcher", "analyst", "admin", "device", "platform")
ROLE_NAMES: dict[str, str] = {"official": "领导/值班员", "hotline": "热线受理员", "dispatcher": "派遣员", "analyst": "分析员",
                              "admin": "管理员", "device": "设备网关", "platform": "下级平台"}  # fmt: skip

Action = Literal["read", "ask", "triage", "create_case", "transition", "memo", "analytics", "readings", "simulate",
                 "audit", "keys", "sync", "supervise"]  # fmt: skip
# A device gateway only posts readings; everyone else reads and asks; writes by the duty each role has.
ALLOWED: dict[str, frozenset[str]] = {
    "read": frozenset(ROLES) - {"device"},
    "ask": frozenset(ROLES) - {"device", "platform"},
    "triage": frozenset({"hotline", "dispatcher", "admin"}),
    "create_case": frozenset({"hotline", "dispatcher", "admin"}),
    "transition": frozenset({"dispatcher", "admin"}),
    "memo": frozenset({"analyst", "admin"}),
    "analytics": frozenset({"analyst", "official", "admin"}),
    "readings": frozenset({"device", "admin"}),
    "simulate": frozenset({"admin", "dispatcher"}),
    "audit": frozenset({"admin"}),
    "keys": frozenset({"admin"}),
    # A lower platform (a city at its province) publishes its figures; its key is named by its code.
    "sync": frozenset({"platform", "admin"}),
    "supervise": frozenset({"official", "admin"}),  # a 督办 sent down to a lower platform
}
ACTION_NAMES: dict[str, str] = {"read": "查看", "ask": "提问", "triage": "研判分拨", "create_case": "立案受理",
                                "transition": "案件流转", "memo": "生成决策参考", "analytics": "运行分析",
                                "readings": "上报读数", "simulate": "注入模拟事件", "audit": "查看审计日志",
                                "keys": "管理密钥", "sync": "上报同步数据", "supervise": "下发督办"}  # fmt: skip


@dataclass(frozen=True)
class Identity:
    """An authenticated caller: ``name`` is what history and the audit log record as the actor."""

    name: str
    role: Role
    key_id: str | None = None  # the API key's id, or None for a bearer token or an unauthenticated setting
    via: Literal["key", "token", "local", "anonymous"] = "key"

    def may(self, action: str) -> bool:
        return self.role in ALLOWED[action]


ANONYMOUS = Identity(name="anonymous", role="official", via="anonymous")


def chat_role(role: str) -> Literal["official", "hotline", "analyst"]:
    """The assistant's voice for a role: a dispatcher or an admin is answered as an official."""
    return role if role in ("hotline", "analyst") else "official"  # type: ignore[return-value]


def bearer(api_key: str) -> dict[str, str]:
    """The header a client sends its key in (none when it has no key)."""
    return {"Authorization": f"Bearer {api_key}"} if api_key else {}
