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


@app.command("hotspots")
@clean_errors
def hotspots(
    category: Annotated[list[str] | None, typer.Option(help="类别编号, 可重复: component-0103 (一组类别合并统计); 默认全部类别")] = None,
    district: Annotated[str | None, typer.Option(help="区划代码, 如 990103; 默认全市")] = None,
    period: Annotated[str, typer.Option(help="统计周期: last30d、2026-11、2026-11-01..2026-11-30")] = "last30d",
    level: Annotated[str, typer.Option(help="grid (网格) | street (街道)")] = "grid",
    top: Annotated[int, typer.Option(help="列出案件最多的前几个网格或街道")] = 10,
    engine: Annotated[str, typer.Option(help="auto | ray | in-process")] = "auto",
) -> None:
    """Where cases of the categories concentrate: grids against an even spread, week on week, who is responsible."""
    from analytics.hotspots import HotspotRequest

    request = HotspotRequest.model_validate({"categories": category or [], "district": district, "period": period,
                                             "level": level, "top": top, "engine": engine})  # fmt: skip
    with opened("analytics") as runtime, progress_bar("网格热点 / scoring districts", None) as advance:
        run = runtime.analytics.hotspots(request, advance)
    table = Table(level, "district", "street", "cases", "expected", "p", "last 7 d", "7 d before", "department",
                  title=run.run_id)  # fmt: skip
    for item in run.items:
        table.add_row(item.area_id, item.district_name, item.street, str(item.count), f"{item.expected:.2f}",
                      f"{item.p_value:.2g}" + (" *" if item.significant else ""), str(item.last_week),
                      str(item.week_before), item.department or "—")  # fmt: skip
    console.print(table)
    console.print(f"{run.period}: {run.cases} 件, 分布在 {run.areas_with_cases} 个{'网格' if run.level == 'grid' else '街道'} (全域 {run.grids} 个网格), 均匀分布时每格 {run.expected:.2f} 件; "
                  f"显著热点 {run.significant} 个; 近7天 {run.last_week} 件, 前7天 {run.week_before} 件; "
                  f"引擎 {run.engine} ×{run.workers}, {run.seconds:.2f} s")  # fmt: skip


@app.command("anomalies")
@clean_errors
def anomalies(
    kind: Annotated[str, typer.Option(help="传感器类型, 如 water_level")],
    district: Annotated[str | None, typer.Option(help="区划代码, 如 990103; 默认全市")] = None,
    hours: Annotated[int, typer.Option(help="扫描最近多少小时")] = 24,
    top: Annotated[int, typer.Option(help="列出最异常的前几个")] = 10,
    engine: Annotated[str, typer.Option(help="auto | ray | in-process")] = "auto",
) -> None:
    """Sensors of a kind unlike their own daily pattern in the last hours, the most anomalous first."""
    from analytics.anomalies import AnomalyScanRequest

    request = AnomalyScanRequest.model_validate({"kind": kind, "district": district, "hours": hours, "top": top,
                                                 "engine": engine})  # fmt: skip
    with opened("analytics") as runtime, progress_bar("异常扫描 / scanning sensors", None) as advance:
        run = runtime.analytics.anomalies(request, advance)
    table = Table("sensor", "district", "z", "peak", "expected", "hours", "from", "department", title=run.run_id)
    for item in run.items:
        top_episode = item.episodes[0]
        table.add_row(item.sensor_id, item.district, f"{item.z:+.1f}", f"{top_episode.peak:g}", f"{top_episode.expected:.3g}",
                      str(top_episode.hours), top_episode.start[5:16], item.department or "—")  # fmt: skip
    console.print(table)
    console.print(f"{run.anomalous}/{run.scanned} 个传感器异常 ({run.method}), {len(run.failures)} 个无法扫描; "
                  f"时段 {run.window_start} – {run.window_end}; 引擎 {run.engine} ×{run.workers}, {run.seconds:.1f} s")  # fmt: skip


@app.command("hot-topics")
@clean_errors
def hot_topics(
    period: Annotated[str | None, typer.Option(help="留言时间: 2019、2019-07、2019-07-01..2019-07-31")] = None,
    district: Annotated[str | None, typer.Option(help="区名, 如 A3区")] = None,
    top: Annotated[int, typer.Option(help="列出最热的前几个议题")] = 10,
    engine: Annotated[str, typer.Option(help="auto | ray | in-process")] = "auto",
) -> None:
    """Hot issues in the real citizen messages: same problem, same place, grouped; the hottest first."""
    from analytics.hot_topics import HotTopicRequest

    request = HotTopicRequest.model_validate({"period": period, "district": district, "top": top, "engine": engine})
    with opened("analytics") as runtime:
        run = runtime.analytics.hot_topics(request)
    table = Table("#", "topic", "place", "period", "msgs", "likes", "heat", title=run.run_id)
    for topic in run.topics:
        table.add_row(str(topic.rank), topic.title[:40], topic.place, f"{topic.first[:10]}–{topic.last[:10]}",
                      str(topic.volume), str(topic.likes), f"{topic.heat:.1f}")  # fmt: skip
    console.print(table)
    console.print(f"{run.messages} 条留言, {run.grouped} 条归入议题; {len(run.failures)} 个分块失败; "
                  f"引擎 {run.engine} ×{run.workers}, {run.seconds:.1f} s")  # fmt: skip


@app.command("department-rollups")
@clean_errors
def department_rollups(
    period: Annotated[list[str] | None, typer.Option(help="统计周期, 可重复: 2026-10、2026-11、last30d; 默认近三个月")] = None,
    district: Annotated[str | None, typer.Option(help="区划代码, 只统计该区的案件")] = None,
    rank_by: Annotated[str, typer.Option(help="排名指标: 按期处置率、结案率、返工率、准确派遣率、延期率、平均处置时长_小时、派遣数")] = "按期处置率",
    top: Annotated[int, typer.Option(help="每期列出前几名")] = 10,
    engine: Annotated[str, typer.Option(help="auto | ray | in-process")] = "auto",
) -> None:
    """Every department's indicators over several periods (and a district), ranked, with its backlog now."""
    from analytics.department_rollups import DepartmentRollupRequest

    request = DepartmentRollupRequest.model_validate({"periods": period or [], "district": district,
                                                      "rank_by": rank_by, "engine": engine})  # fmt: skip
    with opened("analytics") as runtime, progress_bar("部门汇总 / rolling up periods", None) as advance:
        run = runtime.analytics.department_rollups(request, advance)
    for block in run.periods:
        shown_also = [r for r in ("按期处置率", "结案率", "返工率") if r != run.rank_by]
        table = Table("#", "department", run.rank_by, *shown_also, "派遣数", title=f"{block.period}")
        for item in block.items[:top]:
            chosen = getattr(item, run.rank_by)
            shown = chosen.value if hasattr(chosen, "value") else chosen
            table.add_row(str(item.rank), item.name, "—" if shown is None else f"{shown:g}",
                          *(f"{getattr(item, r).value:.1%}" if getattr(item, r).value is not None else "—"
                            for r in shown_also), str(item.派遣数))  # fmt: skip
        console.print(table)
    backlog = "; ".join(f"{b.name} {b.open} 件 (超期 {b.overdue})" for b in run.backlog[:5])
    console.print(f"积压最多: {backlog or '无'}; 引擎 {run.engine} ×{run.workers}, {run.seconds:.2f} s")
