"""``yiwang simulate``: stream realistic readings with injectable incidents to a Yiwang server."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Annotated

import typer

from cli.common import clean_errors, console, opened, settings
from core import clock
from core.exceptions import InvalidInput
from services.simulation.runner import http_sender, mqtt_sender, sensor_specs
from services.simulation.simulator import Simulator, parse_incident


@clean_errors
def simulate(
    via: Annotated[str, typer.Option(help="http 或 mqtt")] = "http",
    url: Annotated[str, typer.Option(help="服务地址 (http) 或 MQTT broker (mqtt)")] = "http://127.0.0.1:8000",
    ticks: Annotated[int, typer.Option(help="发送多少步 (0 = 一直发送)")] = 60,
    step: Annotated[int, typer.Option(help="每步代表的秒数")] = 60,
    interval: Annotated[float, typer.Option(help="两步之间实际等待的秒数 (0 = 尽快发送)")] = 0.0,
    seed: Annotated[int, typer.Option(help="随机种子")] = 7,
    incident: Annotated[list[str] | None, typer.Option(help="注入事件, e.g. rainstorm:990103@10, pipe_burst:<传感器>")] = None,
    backfill: Annotated[bool, typer.Option(help="从过去开始, 最后一步为现在")] = True,
) -> None:
    """Send readings with diurnal cycles, noise and drift; incidents: pipe_burst, rainstorm, gas_leak, manhole."""
    cfg = settings()
    if via not in ("http", "mqtt"):
        raise InvalidInput("--via 应为 http 或 mqtt")
    with opened("graph") as runtime:
        specs = sensor_specs(runtime.graph, runtime.domain)
    now = clock.now().replace(microsecond=0)
    start = now - timedelta(seconds=step * max(ticks - 1, 0)) if backfill and ticks else now
    simulator = Simulator(specs, seed, start, step, [parse_incident(text) for text in incident or []])
    send = http_sender(url, cfg.api_key) if via == "http" else mqtt_sender(url if url.startswith("mqtt") else cfg.mqtt_url, cfg.mqtt_topic_prefix)
    tick, accepted, rejected = 0, 0, 0
    console.print(f"模拟 {len(specs)} 个传感器 via {via} → {url} (seed {seed})")
    try:
        while ticks == 0 or tick < ticks:
            a, r = send(simulator.tick(tick))
            accepted, rejected, tick = accepted + a, rejected + r, tick + 1
            if tick % 10 == 0 or tick == ticks:
                console.print(f"  step {tick}: accepted {accepted}, rejected {rejected}")
            if interval:
                time.sleep(interval)
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        raise InvalidInput(f"无法发送到 {url}: {exc}; 服务是否已启动 (make run)?") from exc
    console.print(f"[green]完成[/green] {tick} 步, 接受 {accepted}, 拒绝 {rejected}")
