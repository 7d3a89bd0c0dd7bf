"""``yiwang federation``: publish this platform's figures to its parent now, see its outbox, or (at a province
or the nation) the lower platforms heard from."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer
from rich.table import Table

from cli.common import clean_errors, console, opened, settings

app = typer.Typer(help="三级平台 / federation: sync upward, outbox, sources", no_args_is_help=True)


@app.command("sync")
@clean_errors
def sync() -> None:
    """Make the facts of now, keep the changed ones in the outbox, send everything unsent to the parent."""
    from services.federation.outbox import state
    from services.federation.push import publish

    cfg = settings()
    with opened("graph", "database") as runtime:
        done = publish(runtime.sessions, runtime.graph, cfg)
        with runtime.sessions() as session:
            left = state(session)
    console.print(f"[green]已上报[/green] {cfg.platform_name}({cfg.platform_code}) → {cfg.parent_url}: 新生成 {done.made} 条, "
                  f"送达 {done.sent} 条 (重复 {done.duplicates}), 上级确认到 #{done.through}; 待发 {left.pending}")  # fmt: skip


@app.command("status")
@clean_errors
def status() -> None:
    """The outbox: how many facts wait, the last made and the last the parent acknowledged."""
    from services.federation.outbox import state

    with opened("database") as runtime, runtime.sessions() as session:
        now = state(session)
    console.print(f"待发 pending {now.pending} · 最新 last #{now.last_seq} · 已确认 acknowledged #{now.last_sent_seq}")


@app.command("sources")
@clean_errors
def sources() -> None:
    """At a province or the nation: each lower platform heard from, its newest batch, and whether it is stale."""
    from services.federation.received import sources as heard

    cfg = settings()
    with opened("database") as runtime, runtime.sessions() as session:
        rows = heard(session, timedelta(seconds=3 * cfg.sync_interval_s))
    table = Table("代码 code", "名称 name", "最新批次 seq", "数据时间 as of", "收到 received", "状态")
    for s in rows:
        table.add_row(s.code, s.name, str(s.last_seq), s.last_as_of[:19], s.last_received_at[:19], "过期 stale" if s.stale else "正常")
    console.print(table)


@app.command("keys")
@clean_errors
def keys(codes: Annotated[list[str], typer.Argument(help="下级平台的区划代码, 如 990100 990200")]) -> None:
    """At a province: one key of role platform per lower platform, made once (<data dir>/platform-keys.txt)."""
    import re

    from core.exceptions import InvalidInput
    from services.access.keys import platform_keys

    if bad := [c for c in codes if not re.fullmatch(r"\d{6}", c)]:
        raise InvalidInput(f"区划代码应为 6 位数字: {', '.join(bad)}")
    path = settings().data_dir / "platform-keys.txt"
    with opened("database") as runtime:
        made = platform_keys(runtime.sessions, codes, path)
    console.print(f"下级平台密钥 / platform keys ({path}):")
    for code, key in made.items():
        console.print(f"  {code}  {key}")


@app.command("prune")
@clean_errors
def prune(keep_days: Annotated[int, typer.Option(min=1, max=3650, help="保留天数")] = 30) -> None:
    """Delete received batches and sent outbox rows older than the window, keeping each figure's newest."""
    from services.federation.retention import prune as prune_rows

    with opened("database") as runtime, runtime.sessions() as session:
        received, sent = prune_rows(session, timedelta(days=keep_days))
        session.commit()
    console.print(f"已清理 / pruned: 收到的批次 {received} 条, 已发送的发件箱 {sent} 条 (保留 {keep_days} 天及每项最新)")
