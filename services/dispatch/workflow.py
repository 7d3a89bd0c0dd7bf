"""The case workflow (GB/T 30428.8 立案、处置和结案) as an explicit state machine, pure functions only.

受理 → 立案 → 派遣 → 处置 → 核查 → 结案, with 不予立案 and 作废 (terminal), 回退 (a department returns a
wrongly dispatched case to the centre, which re-dispatches it), 延期 (extension, same state, new
deadline) and 返工 (核查 fails → back to 处置, counted as rework).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.exceptions import Conflict, InvalidInput


class State(StrEnum):
    ACCEPTED = "受理"
    REGISTERED = "立案"
    DISPATCHED = "派遣"
    HANDLING = "处置"
    VERIFYING = "核查"
    CLOSED = "结案"
    NOT_REGISTERED = "不予立案"
    VOIDED = "作废"


TERMINAL = frozenset({State.CLOSED, State.NOT_REGISTERED, State.VOIDED})
# The states by the names stored in the database and shown to people: finished cases, and the rest.
TERMINAL_NAMES = tuple(s.value for s in State if s in TERMINAL)
OPEN_NAMES = tuple(s.value for s in State if s not in TERMINAL)
# Not (yet) registered (立案): still at 受理, or refused or voided there.
UNREGISTERED_NAMES = (State.ACCEPTED.value, State.NOT_REGISTERED.value, State.VOIDED.value)


@dataclass(frozen=True)
class Action:
    name: str
    zh: str
    sources: frozenset[State]
    target: State | None  # None: stays in its state (延期)
    rework: bool = False


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action("register", "立案", frozenset({State.ACCEPTED}), State.REGISTERED),
        Action("reject", "不予立案", frozenset({State.ACCEPTED}), State.NOT_REGISTERED),
        Action("dispatch", "派遣", frozenset({State.REGISTERED}), State.DISPATCHED),
        Action("accept", "签收", frozenset({State.DISPATCHED}), State.HANDLING),
        Action("return", "回退", frozenset({State.DISPATCHED, State.HANDLING}), State.REGISTERED),
        Action("extend", "延期", frozenset({State.DISPATCHED, State.HANDLING}), None),
        Action("report", "处置反馈", frozenset({State.HANDLING}), State.VERIFYING),
        Action("verify_pass", "核查通过", frozenset({State.VERIFYING}), State.CLOSED),
        Action("verify_fail", "返工", frozenset({State.VERIFYING}), State.HANDLING, rework=True),
        Action("void", "作废", frozenset(set(State) - TERMINAL), State.VOIDED),
    )
}
_BY_ZH = {a.zh: a for a in ACTIONS.values()}


def action_named(name: str) -> Action:
    """An action by its English or Chinese name (``dispatch`` or ``派遣``)."""
    action = ACTIONS.get(name) or _BY_ZH.get(name)
    if action is None:
        known = ", ".join(f"{a.name}/{a.zh}" for a in ACTIONS.values())
        raise InvalidInput(f"未知的操作 {name!r}; 可用操作 / known actions: {known}")
    return action


def allowed_actions(state: State) -> list[Action]:
    return [a for a in ACTIONS.values() if state in a.sources]


def next_state(state: State, action: Action) -> State:
    """The state after ``action``; an action not allowed from ``state`` is a ``Conflict`` (HTTP 409)."""
    if state not in action.sources:
        allowed = "、".join(a.zh for a in allowed_actions(state)) or "无 (已办结)"
        raise Conflict(f"案件处于「{state.value}」, 不能执行「{action.zh}」; 当前可执行: {allowed}")
    return action.target or state
