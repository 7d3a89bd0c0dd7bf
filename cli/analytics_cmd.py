"""``yiwang analytics``: batch analytics from the command line, with a progress bar (issue 16)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from cli.common import clean_errors, console, opened, progress_bar

app = typer.Typer(help="批量分析 (进程内或 Ray) / batch analytics, in process or on Ray", no_args_is_help=True)


@app.command("sensor-forecasts")
@clean_errors
def sensor_forecasts(
    kind: Annotated[str, typer.Option(help="传感器类型, 如 water_level")],
    district: Annotated[str | None, typer.Option(help="区划代码, 如 990103; 默认全市")] = None,
    horizon: Annotated[int, typer.Option(help="预测小时数")] = 24,
    top: Annotated[int, typer.Option(help="列出最可能越线的前几个")] = 10,
    engine: Annotated[str, typer.Option(help="auto | ray | in-process")] = "auto",
) -> None:
    """Forecast every sensor of a kind in a district (or the city); list those most likely to cross a threshold."""
    from analytics.sensor_forecasts import SensorForecastRequest

    request = SensorForecastRequest.model_validate({"kind": kind, "district": district, "horizon": horizon, "top": top,
                                                    "engine": engine})  # fmt: skip
    with opened("analytics") as runtime, progress_bar("批量预测 / forecasting sensors", None) as advance:
        run = runtime.analytics.sensor_forecasts(request, advance)
    table = Table("sensor", "district", "latest", "peak", "95% edge", "level", "model", title=run.run_id)
    for item in run.items:
        table.add_row(item.sensor_id, item.district, f"{item.latest:g}" if item.latest is not None else "—",
                      f"{item.peak:.2f}", f"{item.bound95:.2f}", item.level or item.band_level or "", item.model)  # fmt: skip
    console.print(table)
    console.print(f"{run.forecast}/{run.sensors} 个传感器已预测, {len(run.failures)} 个失败; 到达各级: {run.reaching or '无'}; "
                  f"引擎 {run.engine} ×{run.workers}, {run.seconds:.1f} s")  # fmt: skip
