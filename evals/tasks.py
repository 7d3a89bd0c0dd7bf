"""Write tasks in conversation, judged on the database's end state (tau-bench style, issue 14).

A task may set up a case (created and moved through the workflow by the API, as a person would), then talks
to the assistant; when the assistant asks to confirm a write, the task's person approves or refuses. What
counts is what the cases look like afterwards — the wording of the answers does not. Every task is run
``k`` times on a fresh case; pass^k is the chance that k runs drawn from them all succeed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field

from core.access import bearer
from core.exceptions import YiwangError
from evals import DATA, read_models
from evals.metrics import Unscorable, pass_hat_k
from tools.client import ServicesClient

Json = dict[str, Any]
TASK_SET = DATA / "tasks.jsonl"


class SetupCase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str
    category_code: str
    district: str
    urgency: Literal["low", "normal", "high", "critical"] | None = None


class Setup(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case: SetupCase
    advance: list[str] = Field(default_factory=list)


class CaseEnd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: str | None = None
    department_id: str | None = None
    urgency: str | None = None
    actions: list[str] = Field(default_factory=list)


class NewCase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category_code: str | None = None
    district: str | None = None
    urgency: str | None = None
    state: str | None = None
    department_id: str | None = None


class Expect(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case: CaseEnd | None = None
    new_case: NewCase | None = None
    no_write: bool = False


class Task(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    role: Literal["official", "hotline", "analyst"] = "official"
    title: str = ""
    setup: Setup | None = None
    turns: list[str] = Field(min_length=1)
    confirm: bool = True
    expect: Expect

    def criteria(self) -> int:
        """How many things the end state is checked for; a task checking nothing is an error, not a pass."""
        case = self.expect.case
        count = int(self.expect.no_write) + (self.expect.new_case is not None)
        if case:
            count += sum(v is not None for v in (case.state, case.department_id, case.urgency)) + bool(
                case.actions
            )
        return count


def read_tasks(path: Path = TASK_SET) -> list[Task]:
    tasks = read_models(path, Task)
    for task in tasks:
        if not task.criteria():
            raise Unscorable(
                f"{task.id}: expects nothing of the end state — an empty criterion is an error, not a pass"
            )
        if task.setup is None and any("{case}" in t for t in task.turns):
            raise Unscorable(f"{task.id}: turns name {{case}} but there is no setup case")
    return tasks


class Conversation:
    """What a task talks to: ask, and answer a confirmation."""

    def ask(self, message: str, session_id: str | None, role: str) -> Json: ...

    def confirm(self, session_id: str, approved: bool) -> Json: ...


@dataclass
class RemoteConversation(Conversation):
    base_url: str
    timeout_s: float = 120.0
    api_key: str = ""

    def _post(self, path: str, body: Json) -> Json:
        response = httpx.post(f"{self.base_url.rstrip('/')}{path}", json=body, timeout=self.timeout_s,
                              headers=bearer(self.api_key))  # fmt: skip
        if response.status_code >= 400:
            return {
                "error": response.json().get("error", {})
                if response.headers.get("content-type", "").startswith("application/json")
                else response.text
            }
        return response.json()

    def ask(self, message: str, session_id: str | None, role: str) -> Json:
        return self._post(
            "/v1/chat",
            {"message": message, "role": role} | ({"session_id": session_id} if session_id else {}),
        )

    def confirm(self, session_id: str, approved: bool) -> Json:
        return self._post("/v1/chat/confirm", {"session_id": session_id, "approved": approved})


@dataclass
class LocalConversation(Conversation):
    service: Any

    def ask(self, message: str, session_id: str | None, role: str) -> Json:
        from assistant.chat import ChatRequest

        try:
            return self.service.ask(
                ChatRequest(message=message, session_id=session_id, role=role)
            ).model_dump(mode="json")
        except YiwangError as exc:  # a refusal of the API (409 pending, 400…) is an answer, not a crash
            return {"error": {"code": exc.code, "message": exc.message}}

    def confirm(self, session_id: str, approved: bool) -> Json:
        from assistant.chat import ConfirmRequest

        try:
            return self.service.confirm(ConfirmRequest(session_id=session_id, approved=approved)).model_dump(
                mode="json"
            )
        except YiwangError as exc:
            return {"error": {"code": exc.code, "message": exc.message}}


def _grid_in(services: ServicesClient, district_name: str) -> str:
    """A grid of the district, walked down the graph (district → street → community → grid)."""
    districts = [
        d
        for d in services.search_entities(district_name, label="District", limit=10)
        if d["name"] == district_name
    ]
    if not districts:
        raise Unscorable(f"no district {district_name!r} in this city")
    node_id = districts[0]["id"]
    for label in ("Street", "Community", "Grid"):
        below = [
            n["node"]
            for n in services.node(node_id, limit=50)["neighbors"]
            if n["node"].get("label") == label
        ]
        if not below:
            raise Unscorable(f"{node_id} has no {label} below it")
        node_id = sorted(below, key=lambda n: n["id"])[0]["id"]
    return node_id


def _snapshot(services: ServicesClient) -> dict[str, int]:
    """Every case's version: a write anywhere changes it or adds a case."""
    versions: dict[str, int] = {}
    page = services.cases(limit=200)
    while True:
        versions |= {c["id"]: c["version"] for c in page["items"]}
        if not page.get("next"):
            return versions
        page = services.cases(limit=200, cursor=page["next"])


@dataclass
class TaskRun:
    ok: bool
    failures: list[str]
    answers: list[str]
    tool_calls: list[str]


@dataclass
class TaskResult:
    id: str
    title: str
    runs: list[TaskRun] = field(default_factory=list)
    error: str | None = None

    def pass_hat(self, k: int) -> float:
        return pass_hat_k([r.ok for r in self.runs], k)

    def as_json(self) -> Json:
        return asdict(self)


def run_task(task: Task, talk: Conversation, services: ServicesClient) -> TaskRun:
    case_id = None
    if task.setup:
        body: Json = {"text": task.setup.case.text, "category_code": task.setup.case.category_code,
                      "grid_id": _grid_in(services, task.setup.case.district)}  # fmt: skip
        if task.setup.case.urgency:
            body["urgency"] = task.setup.case.urgency
        case_id = services.create_case(body)["id"]
        for action in task.setup.advance:
            services.transition_case(case_id, {"action": action, "actor": "eval-setup"})
    before = _snapshot(services)
    setup_history = len(services.case(case_id)["history"]) if case_id else 0
    session_id = None
    answers, calls = [], []
    for turn in task.turns:
        reply = talk.ask(turn.replace("{case}", case_id or ""), session_id, task.role)
        session_id = reply.get("session_id") or session_id
        if reply.get("pending") and session_id:
            calls += [c.get("name", "") for c in reply["pending"].get("calls", [])]
            reply = talk.confirm(session_id, task.confirm)
        answers.append(reply.get("answer") or json.dumps(reply.get("error"), ensure_ascii=False))
        calls += [t.get("name", "") for t in reply.get("tool_calls", [])]
    after = _snapshot(services)
    return TaskRun(*_judge(task, services, case_id, before, after, setup_history), answers, calls)


def _judge(task: Task, services: ServicesClient, case_id: str | None, before: dict[str, int], after: dict[str, int],
           setup_history: int) -> tuple[bool, list[str]]:  # fmt: skip
    failures = []
    changed = sorted(k for k in after if before.get(k) != after[k])
    created = [k for k in after if k not in before]
    expect = task.expect
    if expect.no_write and changed:
        failures.append(f"nothing should change, but {', '.join(changed[:5])} did")
    if expect.case and case_id:
        case = services.case(case_id)
        for name in ("state", "department_id", "urgency"):
            wanted = getattr(expect.case, name)
            if wanted is not None and case.get(name) != wanted:
                failures.append(f"{name}: {case.get(name)!r}, expected {wanted!r}")
        done = [h["action"] for h in case["history"][setup_history:]]
        it = iter(done)
        if expect.case.actions and not all(a in it for a in expect.case.actions):
            failures.append(f"actions {done}, expected {expect.case.actions} in this order")
    if expect.new_case:
        found = [services.case(k) for k in created]
        want = expect.new_case
        district = None
        if want.district:
            district = next((d["id"] for d in services.search_entities(want.district, label="District", limit=10)
                             if d["name"] == want.district), want.district)  # fmt: skip
        if not any((want.category_code is None or c["category_code"] == want.category_code)
                   and (district is None or (c.get("grid_id") or "").startswith(district))
                   and all(getattr(want, k) is None or c[k] == getattr(want, k) for k in ("urgency", "state", "department_id"))
                   for c in found):  # fmt: skip
            failures.append(f"no new case like {want.model_dump(exclude_none=True)}; created: "
                            + ", ".join(f"{c['category_code']}/{c.get('grid_id')}/{c['urgency']}" for c in found) or "none")  # fmt: skip
    return not failures, failures


def run_tasks(tasks: list[Task], talk: Conversation, services: ServicesClient, k: int,
              progress: Callable[[], None] | None = None) -> list[TaskResult]:  # fmt: skip
    results = []
    for task in tasks:
        result = TaskResult(task.id, task.title)
        try:
            for _ in range(k):
                result.runs.append(run_task(task, talk, services))
        except (Unscorable, YiwangError, httpx.HTTPError, KeyError) as exc:
            result.error = f"{type(exc).__name__}: {exc}"
        results.append(result)
        if progress:
            progress()
    return results
