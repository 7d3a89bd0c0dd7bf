"""``yiwang ask`` and ``yiwang chat``: the assistant in the terminal, with its citations and tool calls.

Against a running server (``--url``) the CLI is one more HTTP client; without it, the assistant runs in
this process over the same graph, documents and database as the server would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import httpx
import typer
from rich.table import Table

from cli.common import clean_errors, console, err_console, opened
from core.access import bearer
from core.exceptions import BackendUnavailable, InvalidInput
from core.settings import get_settings

Ask = Callable[[dict[str, Any]], dict[str, Any]]
Confirm = Callable[[str, bool], dict[str, Any]]


@contextmanager
def _assistant(url: str | None) -> Iterator[tuple[Ask, Confirm]]:
    if url:
        with httpx.Client(base_url=url.rstrip("/"), timeout=120, headers=bearer(get_settings().api_key)) as http:

            def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
                try:
                    response = http.post(path, json=body)
                except httpx.HTTPError as exc:
                    raise BackendUnavailable(f"无法连接 {url}: {exc}") from exc
                if response.status_code >= 400:
                    raise InvalidInput(response.json().get("error", {}).get("message", response.text))
                return response.json()

            yield (lambda body: post("/v1/chat", body),
                   lambda sid, ok: post("/v1/chat/confirm", {"session_id": sid, "approved": ok}))  # fmt: skip
        return
    from assistant.chat import ChatRequest, ConfirmRequest

    with opened("chat") as runtime:
        yield (lambda body: runtime.chat.ask(ChatRequest(**body)).model_dump(mode="json"),
               lambda sid, ok: runtime.chat.confirm(ConfirmRequest(session_id=sid, approved=ok)).model_dump(mode="json"))  # fmt: skip


def show(reply: dict[str, Any], details: bool = True) -> None:
    console.print(reply["answer"], markup=False)
    if not details:
        return
    if reply["tool_calls"]:
        calls = Table("id", "工具 tool", "参数 args", "ok", title="工具调用 / tool calls", title_justify="left")
        for call in reply["tool_calls"]:
            args = ", ".join(f"{k}={v}" for k, v in call["args"].items())
            calls.add_row(call["id"], call["name"], args, "✓" if call["ok"] else "✗ " + (call.get("error") or ""))
        console.print(calls)
    if reply["citations"]:
        cites = Table("id", "类型 kind", "标题 title", title="引用 / citations", title_justify="left")
        for c in reply["citations"]:
            cites.add_row(c["id"], c["kind"], c["title"][:60])
        console.print(cites)
    console.print(f"[dim]mode={reply['mode']} session={reply['session_id']}[/dim]")


def _handle_pending(reply: dict[str, Any], confirm: Confirm, assume: bool | None) -> dict[str, Any]:
    while reply.get("pending"):
        show(reply, details=False)
        approved = assume if assume is not None else typer.confirm("确认执行以上写操作吗? / confirm the write?")
        reply = confirm(reply["session_id"], approved)
    return reply


@clean_errors
def ask(
    question: Annotated[str, typer.Argument(help="问题, e.g. 哪些泵站的水位超过警戒线？谁负责？")],
    url: Annotated[str | None, typer.Option(help="Yiwang 服务地址; 省略则在本进程内运行")] = None,
    session: Annotated[str | None, typer.Option(help="会话编号, 继续上一轮对话")] = None,
    role: Annotated[str, typer.Option(help="official / hotline / analyst")] = "official",
    quiet: Annotated[bool, typer.Option("--quiet", help="只输出回答")] = False,
) -> None:
    """Ask one question; prints the answer, the tool calls and the citations."""
    if not question.strip():
        raise InvalidInput("问题不能为空 / the question is empty")
    with _assistant(url) as (send, confirm):
        body = {"message": question, "role": role} | ({"session_id": session} if session else {})
        reply = _handle_pending(send(body), confirm, None)
        show(reply, details=not quiet)


@clean_errors
def chat(
    url: Annotated[str | None, typer.Option(help="Yiwang 服务地址; 省略则在本进程内运行")] = None,
    role: Annotated[str, typer.Option(help="official / hotline / analyst")] = "official",
) -> None:
    """Talk with the assistant in the terminal (empty line or Ctrl-D to leave)."""
    with _assistant(url) as (send, confirm):
        session: str | None = None
        err_console.print("一网 Yiwang — 输入问题, 空行退出 / ask a question, empty line to quit")
        while True:
            try:
                question = input("问> ").strip()
            except (EOFError, KeyboardInterrupt):
                break
            if not question:
                break
            body = {"message": question, "role": role} | ({"session_id": session} if session else {})
            try:
                reply = _handle_pending(send(body), confirm, None)
            except InvalidInput as exc:
                err_console.print(f"[red]错误 / error:[/red] {exc.message}")
                continue
            session = reply["session_id"]
            show(reply)
