"""A memo's charts: the figures behind them kept with the memo (so a download months later draws the chart that
was read then), drawn as PNG by matplotlib with a Chinese font that ships with a package (WenQuanYi Micro Hei,
Apache-2.0, in ``paperang-p2-fonts-cjk``), so no glyph is ever blank whatever fonts the machine has.
"""

from __future__ import annotations

import io
import threading
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

_draw_lock = threading.Lock()  # pyplot keeps global state: one chart at a time


class Chart(BaseModel):
    """A series (history, then a forecast with its 80/95 % band, against threshold lines) or bars."""

    id: str = Field(description="chart-1, chart-2…: the memo's Markdown places it with ![title](chart-1)")
    title: str
    kind: Literal["series", "bars"]
    unit: str = ""
    labels: list[str] = Field(description="x: times (series) or names (bars)")
    values: list[float | None] = Field(description="history (series) or bar heights")
    forecast: list[float] = Field(default_factory=list, description="series: the forecast mean after the history")
    lo80: list[float] = Field(default_factory=list)
    hi80: list[float] = Field(default_factory=list)
    lo95: list[float] = Field(default_factory=list)
    hi95: list[float] = Field(default_factory=list)
    forecast_labels: list[str] = Field(default_factory=list)
    lines: dict[str, float] = Field(default_factory=dict, description="threshold lines: name → value")
    source: str = Field(description="the citation the figures come from")


def cjk_font(configured: Path | None = None) -> Path:
    """The font charts and PDFs are written with: the configured TrueType file, or the packaged one."""
    return configured or Path(str(files("paperang_p2_fonts_cjk") / "fonts" / "wqy-microhei.ttc"))


def render(chart: Chart, font_file: Path | None = None) -> bytes:
    """The chart as a PNG (150 dpi, 16 × 8 cm)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = _font(str(cjk_font(font_file)))
    height = 3.15 if chart.kind == "series" else min(3.15, 1.1 + 0.32 * len(chart.values))
    with _draw_lock:
        figure, axes = plt.subplots(figsize=(6.3, height), dpi=150)
        try:
            if chart.kind == "series":
                _series(axes, chart, font)
            else:
                _bars(axes, chart, font)
            axes.set_title(chart.title, fontproperties=font, fontsize=11)
            if chart.unit:  # bars lie on their side: the unit is the x axis's
                (axes.set_ylabel if chart.kind == "series" else axes.set_xlabel)(chart.unit, fontproperties=font, fontsize=9)
            for label in axes.get_xticklabels() + axes.get_yticklabels():
                label.set_fontproperties(font)
                label.set_fontsize(8)
            figure.tight_layout()
            out = io.BytesIO()
            figure.savefig(out, format="png")
            return out.getvalue()
        finally:
            plt.close(figure)


@cache
def _font(path: str):  # noqa: ANN202 - a matplotlib FontProperties
    from matplotlib.font_manager import FontProperties

    return FontProperties(fname=path)


def _series(axes, chart: Chart, font) -> None:  # noqa: ANN001 - matplotlib objects
    history = range(len(chart.values))
    axes.plot(history, [v if v is not None else float("nan") for v in chart.values], color="#1f5fa8", lw=1.2,
              label="实测")  # fmt: skip
    ahead = range(len(chart.values), len(chart.values) + len(chart.forecast))
    if chart.forecast:
        axes.fill_between(ahead, chart.lo95, chart.hi95, color="#f4a259", alpha=0.25, lw=0, label="95% 区间")
        axes.fill_between(ahead, chart.lo80, chart.hi80, color="#f4a259", alpha=0.45, lw=0, label="80% 区间")
        axes.plot(ahead, chart.forecast, color="#d1495b", lw=1.4, ls="--", label="预测")
    colours = {"关注": "#8ab17d", "预警": "#e9c46a", "报警": "#e76f51"}
    for name, value in chart.lines.items():
        axes.axhline(value, color=colours.get(name[:2], "#888888"), lw=0.9, ls=":", label=name)
    ticks = list(history) + list(ahead)
    names = chart.labels + chart.forecast_labels
    step = max(1, len(ticks) // 6)
    axes.set_xticks(ticks[::step], [names[i] for i in ticks[::step]])
    axes.legend(prop=font, fontsize=7, loc="upper left", ncols=3, frameon=False)
    axes.grid(alpha=0.25)


def _bars(axes, chart: Chart, font) -> None:  # noqa: ANN001 - matplotlib objects
    values = [v or 0.0 for v in chart.values]
    positions = range(len(values))
    axes.barh(positions, values, color="#1f5fa8", height=0.6)
    axes.set_yticks(list(positions), chart.labels)
    axes.invert_yaxis()  # the first (largest) on top
    for position, value in zip(positions, values, strict=True):
        axes.text(value, position, f" {value:g}", va="center", fontproperties=font, fontsize=8)
    for name, value in chart.lines.items():
        axes.axvline(value, color="#e76f51", lw=0.9, ls=":", label=name)
    if chart.lines:
        axes.legend(prop=font, fontsize=7, frameon=False)
    axes.grid(axis="x", alpha=0.25)
