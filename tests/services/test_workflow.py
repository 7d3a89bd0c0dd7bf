"""The case state machine: the standard path, the side paths, and every illegal move refused."""

from __future__ import annotations

import pytest

from core.exceptions import Conflict, InvalidInput
from services.dispatch.workflow import ACTIONS, TERMINAL, State, action_named, allowed_actions, next_state


def run(*names: str, start: State = State.ACCEPTED) -> State:
    state = start
    for name in names:
        state = next_state(state, action_named(name))
    return state


def test_standard_path_and_chinese_names() -> None:
    assert run("register", "dispatch", "accept", "report", "verify_pass") == State.CLOSED
    assert run("立案", "派遣", "签收", "处置反馈", "核查通过") == State.CLOSED


def test_side_paths() -> None:
    assert run("reject") == State.NOT_REGISTERED
    assert run("register", "dispatch", "return") == State.REGISTERED  # 回退 → the centre re-dispatches
    assert run("register", "dispatch", "accept", "report", "verify_fail") == State.HANDLING  # 返工
    assert run("register", "dispatch", "extend") == State.DISPATCHED  # 延期 keeps the state
    assert run("register", "dispatch", "accept", "void") == State.VOIDED


def test_every_action_outside_its_sources_is_a_conflict() -> None:
    for state in State:
        for action in ACTIONS.values():
            if state in action.sources:
                assert next_state(state, action) in State
            else:
                with pytest.raises(Conflict, match=state.value):
                    next_state(state, action)


def test_terminal_states_allow_nothing() -> None:
    assert all(allowed_actions(state) == [] for state in TERMINAL)


def test_unknown_action_names_the_known_ones() -> None:
    with pytest.raises(InvalidInput, match="dispatch/派遣"):
        action_named("teleport")
