"""``yiwang``: the command line of the Yiwang city-operations assistant."""

from __future__ import annotations

from typing import Annotated

import typer

from cli import access_cmd, analytics_cmd, demo, eval_cmd, federation_cmd, graph_cmd, index_cmd
from cli.chat_cmd import ask, chat
from cli.common import clean_errors, console, settings
from cli.memo_cmd import memo
from cli.simulate_cmd import simulate
from cli.triage_cmd import triage

app = typer.Typer(help="一网 Yiwang — 城市运行管理服务辅助决策 / city operations assistant.", no_args_is_help=True)
app.add_typer(demo.app, name="demo")
app.add_typer(graph_cmd.app, name="graph")
app.add_typer(index_cmd.app, name="index")
app.add_typer(eval_cmd.app, name="eval")
app.add_typer(analytics_cmd.app, name="analytics")
app.add_typer(access_cmd.keys_app, name="keys")
app.add_typer(access_cmd.audit_app, name="audit")
app.add_typer(federation_cmd.app, name="federation")
app.command("simulate")(simulate)
app.command("ask")(ask)
app.command("chat")(chat)
app.command("triage")(triage)
app.command("memo")(memo)


KEEP_ALIVE_S = 30


@app.command("serve")
@clean_errors
def serve(
    host: Annotated[str | None, typer.Option(help="监听地址 (默认 YIWANG_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="端口 (默认 YIWANG_PORT)")] = None,
    simulate: Annotated[bool, typer.Option("--simulate", help="在服务内运行传感器模拟器")] = False,
) -> None:
    """Start the HTTP API and web UI (http://127.0.0.1:8000 by default)."""
    import uvicorn

    from api.app import create_app
    from api.limits import H11_MAX_EVENT

    cfg = settings()
    if simulate:
        cfg = cfg.model_copy(update={"simulate": True})
    console.print(f"Yiwang 服务启动 / serving on http://{host or cfg.host}:{port or cfg.port}")
    # Keep-alive 30 s, not uvicorn's 5: under load a busy event loop runs the idle timer late and closed
    # connections a client had just sent its next request on (bench/load_bench.py: chat answered by a closed
    # connection); clients drop idle connections well before 30 s.
    uvicorn.run(create_app(cfg), host=host or cfg.host, port=port or cfg.port, log_level=cfg.log_level.lower(),
                h11_max_incomplete_event_size=H11_MAX_EVENT, timeout_keep_alive=KEEP_ALIVE_S)


if __name__ == "__main__":
    app()
