"""Reports of an eval run (issue 14): a JSON result file, a Markdown summary and an HTML page with charts
that opens offline (charts are inline SVG drawn by matplotlib; no script, no network), and the comparison
of two result files that lists regressions."""

from __future__ import annotations

import io
import json
import warnings
from pathlib import Path
from typing import Any

from jinja2 import Environment, select_autoescape

Json = dict[str, Any]
WORST = 15
# A figure that moved by less than this is noise, not a regression.
NOISE = 0.005
# Figures where lower is better; every other figure is better higher.
LOWER_IS_BETTER = {
    "latency_p50_s",
    "latency_p95_s",
    "unscorable",
    "mase",
    "mase_vs_baseline",
    "wrong_with_figures",
}


def write_reports(result: Json, directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / "eval.json", directory / "eval.md", directory / "eval.html"]
    paths[0].write_text(json.dumps(result, ensure_ascii=False, indent=1), "utf-8")
    paths[1].write_text(markdown(result), "utf-8")
    paths[2].write_text(html(result), "utf-8")
    return paths


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return "—" if value is None else str(value)


def markdown(result: Json) -> str:
    lines = ["# Yiwang 评测报告 / evaluation report", "",
             f"- 时间 / at: {result['created']}", f"- 对象 / target: {result['target']}",
             f"- 版本 / commit: {result.get('commit') or '—'}", ""]  # fmt: skip
    for name, section in result["sections"].items():
        lines += [f"## {name}" + (f" · {section['set']}" if section.get("set") else ""), ""]
        if section.get("error"):
            lines += [f"**未能运行 / did not run:** {section['error']}", ""]
            continue
        lines += (
            ["| metric | value |", "|---|---|"]
            + [f"| {k} | {_fmt(v)} |" for k, v in section["figures"].items()]
            + [""]
        )
        if section.get("by_intent"):
            lines += ["| intent | n | passed | accuracy |", "|---|---|---|---|"]
            lines += [
                f"| {k} | {v['n']} | {v['passed']} | {_fmt(v['accuracy'])} |"
                for k, v in section["by_intent"].items()
            ]
            lines.append("")
        worst = failures(section)
        if worst:
            lines += [f"**最差的 {len(worst)} 条 / worst failures**", ""]
            for item in worst:
                lines.append(
                    f"- `{item['id']}` {item['question']} → {item['answer'][:160]!r} · 应: {item['expected'][:160]}"
                )
            lines.append("")
    return "\n".join(lines)


def failures(section: Json) -> list[Json]:
    """The section's failed items as question / answer / expected / trace, the ones that failed most first."""
    out = []
    for item in section.get("items", []):
        if "passed" in item and not item["passed"]:
            checks = item.get("checks") or []
            missed = [c["expected"] for c in checks if not c["ok"]]
            out.append({"id": item["id"], "question": " ⏎ ".join(item.get("turns", [])), "answer": item.get("answer", ""),
                        "expected": item.get("error") or "；".join(missed) or item.get("expects", ""),
                        "trace": ", ".join(item.get("tools_called", [])), "missed": len(missed) or 99})  # fmt: skip
        elif "runs" in item and (item.get("error") or not all(r["ok"] for r in item["runs"])):
            bad = next((r for r in item["runs"] if not r["ok"]), None)
            out.append({"id": item["id"], "question": item.get("title", ""),
                        "answer": " | ".join(bad["answers"]) if bad else "", "expected": item.get("error") or "；".join(bad["failures"]),
                        "trace": ", ".join(bad["tool_calls"]) if bad else "", "missed": 99})  # fmt: skip
    return sorted(out, key=lambda f: -f["missed"])[:WORST]


def _svg(draw: Any) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["font.sans-serif"] = ["Noto Sans CJK SC", "WenQuanYi Zen Hei", "SimHei", "DejaVu Sans"]
    plt.rcParams["svg.fonttype"] = "none"  # text stays text: the browser draws the Chinese labels
    buffer = io.StringIO()
    with warnings.catch_warnings():
        # Text is kept as text for the browser to draw, so a glyph matplotlib's own font lacks does not matter.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        figure, axes = plt.subplots(figsize=(7, 3.2))
        draw(axes)
        figure.tight_layout()
        figure.savefig(buffer, format="svg")
        plt.close(figure)
    return buffer.getvalue().split("?>", 1)[-1]


def _bars(values: dict[str, float], title: str) -> str:
    def draw(axes: Any) -> None:
        names = list(values)
        axes.barh(names, [values[n] for n in names], color="#2f6fb0")
        axes.set_xlim(0, 1)
        axes.set_title(title)
        axes.invert_yaxis()
        for i, name in enumerate(names):
            axes.text(min(values[name], 0.9) + 0.01, i, f"{values[name]:.2f}", va="center", fontsize=8)

    return _svg(draw)


def _histogram(latencies: list[float], title: str) -> str:
    def draw(axes: Any) -> None:
        axes.hist(latencies, bins=30, color="#6a9f3a")
        axes.set_xlabel("seconds")
        axes.set_title(title)

    return _svg(draw)


def charts(section: Json) -> list[str]:
    out = []
    rates = {
        k: v
        for k, v in section.get("figures", {}).items()
        if isinstance(v, float) and 0 <= v <= 1 and k not in LOWER_IS_BETTER
    }
    if rates:
        out.append(_bars(rates, "指标 / metrics"))
    if section.get("by_intent"):
        out.append(
            _bars(
                {k: v["accuracy"] or 0.0 for k, v in section["by_intent"].items()},
                "按意图 / accuracy per intent",
            )
        )
    if section.get("latencies"):
        out.append(_histogram(section["latencies"], "时延分布 / latency"))
    return out


_PAGE = """<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>Yiwang 评测报告</title>
<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}svg{max-width:100%;height:auto}
.fail td{font-size:90%}.n{text-align:right}</style></head><body>
<h1>Yiwang 评测报告 / evaluation report</h1>
<p>时间 {{ r.created }} · 对象 {{ r.target }} · 版本 {{ r.commit or "—" }}</p>
{% for name, s in r.sections.items() %}<h2>{{ name }}{% if s.set %} · {{ s.set }}{% endif %}</h2>
{% if s.error %}<p><b>未能运行 / did not run:</b> {{ s.error }}</p>{% else %}
<table>{% for k, v in s.figures.items() %}<tr><th>{{ k }}</th><td class="n">{{ fmt(v) }}</td></tr>{% endfor %}</table>
{% for svg in charts(s) %}{{ svg | safe }}{% endfor %}
{% set worst = failures(s) %}{% if worst %}<h3>最差的 {{ worst|length }} 条 / worst failures</h3>
<table class="fail"><tr><th>id</th><th>问题 question</th><th>回答 answer</th><th>应当 expected</th><th>工具 trace</th></tr>
{% for f in worst %}<tr><td>{{ f.id }}</td><td>{{ f.question }}</td><td>{{ f.answer }}</td><td>{{ f.expected }}</td><td>{{ f.trace }}</td></tr>{% endfor %}
</table>{% endif %}{% endif %}{% endfor %}</body></html>"""


def html(result: Json) -> str:
    environment = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    return environment.from_string(_PAGE).render(r=result, fmt=_fmt, charts=charts, failures=failures)


def compare(before: Json, after: Json) -> list[str]:
    """Regressions from ``before`` to ``after``: figures that got worse, items that passed and now fail."""
    found = []
    for name, old in before.get("sections", {}).items():
        if old.get("error"):
            continue  # nothing to fall from
        new = after.get("sections", {}).get(name)
        if new is None or new.get("error"):
            found.append(f"{name}: {'missing' if new is None else 'did not run: ' + new['error']}")
            continue
        for key, was in old.get("figures", {}).items():
            now = new.get("figures", {}).get(key)
            if not isinstance(was, int | float) or not isinstance(now, int | float) or key == "questions":
                continue
            worse = now - was if key in LOWER_IS_BETTER else was - now
            if worse > NOISE:
                found.append(f"{name}.{key}: {_fmt(was)} → {_fmt(now)}")
        passed_before = {i["id"] for i in old.get("items", []) if i.get("passed")}
        for item in new.get("items", []):
            if item["id"] in passed_before and not item.get("passed"):
                found.append(f"{name}/{item['id']}: passed before, fails now")
    return found
