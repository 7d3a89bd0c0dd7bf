"""``yiwang keys`` (API keys per role) and ``yiwang audit`` (the audit log and its hash chain). Run on the
server's own machine: whoever can run them can read the database anyway."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from cli.common import clean_errors, console, opened, settings
from core.access import ROLE_NAMES, ROLES
from core.exceptions import YiwangError

keys_app = typer.Typer(help="API 密钥 / API keys: one per person or gateway, each with a role", no_args_is_help=True)
audit_app = typer.Typer(help="审计日志 / the audit log", no_args_is_help=True)


@keys_app.command("create")
@clean_errors
def create(name: Annotated[str, typer.Argument(help="持有人 (人名或网关名)")],
           role: Annotated[str, typer.Option(help=f"角色: {', '.join(ROLES)}")]) -> None:  # fmt: skip
    """A new key; it is printed once (the server keeps only its hash)."""
    from services.access.keys import create_key

    with opened("database") as runtime, runtime.sessions() as session:
        made = create_key(session, name, role)
    console.print(f"{made.id}\t{made.role}\t{made.name}\n{made.key}")
    console.print("[dim]请妥善保存: 密钥只显示这一次 / keep it: it is shown only once[/dim]")


@keys_app.command("list")
@clean_errors
def list_() -> None:
    from services.access.keys import list_keys

    with opened("database") as runtime, runtime.sessions() as session:
        rows = list_keys(session)
    table = Table("id", "角色 role", "名称 name", "前缀 prefix", "创建 created", "吊销 revoked")
    for row in rows:
        table.add_row(row.id, row.role, row.name, row.prefix, row.created_at[:16], (row.revoked_at or "")[:16])
    console.print(table)


@keys_app.command("revoke")
@clean_errors
def revoke(key_id: Annotated[str, typer.Argument(help="密钥 id (yiwang keys list)")]) -> None:
    from services.access.keys import revoke_key

    with opened("database") as runtime, runtime.sessions() as session:
        row = revoke_key(session, key_id)
    console.print(f"已吊销 / revoked {row.id} ({row.role} {row.name}) at {row.revoked_at}")


@keys_app.command("demo")
@clean_errors
def demo() -> None:
    """One key per role for the demo, made once and kept in <data dir>/demo-keys.txt; printed each time."""
    from services.access.keys import demo_keys

    path = settings().data_dir / "demo-keys.txt"
    with opened("database") as runtime:
        made = demo_keys(runtime.sessions, path)
    console.print(f"演示密钥 / demo keys ({path}; 请求头 Authorization: Bearer <密钥>):")
    for role, key in made.items():
        console.print(f"  {role:<10} {ROLE_NAMES.get(role, ''):<8} {key}")


@audit_app.command("list")
@clean_errors
def audit_list(actor: Annotated[str | None, typer.Option(help="操作人")] = None,
               action: Annotated[str | None, typer.Option(help="动作前缀, 如 'POST /v1/cases' 或 'chat:'")] = None,
               limit: Annotated[int, typer.Option(min=1, max=500)] = 50) -> None:  # fmt: skip
    """The newest entries."""
    from services.access.audit import entries

    with opened("database") as runtime, runtime.sessions() as session:
        page = entries(session, actor=actor, action=action, limit=limit)
    table = Table("seq", "时间 at", "操作人 actor", "角色", "动作 action", "对象 target", "结果", "来源 client")
    for e in page.items:
        table.add_row(str(e.seq), e.at[:19], e.actor, e.role, e.action, e.target, str(e.outcome), e.client)
    console.print(table)


@audit_app.command("verify")
@clean_errors
def audit_verify() -> None:
    """Walk the hash chain; exit 1 naming the first row changed or removed."""
    from services.access.audit import verify_chain

    with opened("database") as runtime, runtime.sessions() as session:
        check = verify_chain(session)
    if not check.intact:
        raise YiwangError(f"审计日志被改动 / the audit log was altered: 第 {check.first_broken} 行 — {check.reason}")
    console.print(f"审计日志完整 / intact: {check.rows} 行")



