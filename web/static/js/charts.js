// Charts with the vendored ECharts (web/VENDOR.md): a sensor's readings with its thresholds and forecast
// band, a vital sign's trend, bars of counts.
/* global echarts */
import { api } from "./api.js";

const charts = new WeakMap();

function chartIn(el) {
  let chart = charts.get(el);
  if (!chart) {
    chart = echarts.init(el, null, { renderer: "canvas" });
    charts.set(el, chart);
    new ResizeObserver(() => chart.resize()).observe(el);
  }
  return chart;
}

export function sparkline(el, points, colour) {
  chartIn(el).setOption({
    animation: false,
    grid: { left: 0, right: 0, top: 2, bottom: 2 },
    xAxis: { type: "category", show: false, data: points.map((p) => p[0]) },
    yAxis: { type: "value", show: false, min: 0, max: (v) => Math.max(1, v.max) },
    tooltip: { trigger: "axis", valueFormatter: (v) => String(v) },
    series: [{ type: "line", data: points.map((p) => p[1]), symbol: "none", lineStyle: { width: 1.5, color: colour },
      areaStyle: { color: colour, opacity: 0.12 } }],
  });
}

export function bars(el, labels, series) {
  chartIn(el).setOption({
    animation: false,
    grid: { left: 40, right: 8, top: 28, bottom: 28 },
    legend: { top: 0 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: labels, axisLabel: { interval: 0 } },
    yAxis: { type: "value", minInterval: 1 },
    series: series.map((s) => ({ type: "bar", name: s.name, data: s.data, itemStyle: { color: s.colour } })),
  });
}

const THRESHOLD_COLOURS = { watch: "#d4a106", warning: "#e8710a", alarm: "#c5221f" };
const THRESHOLD_NAMES = { watch: "关注", warning: "预警", alarm: "报警" };

/** Readings of the last `hours`, the sensor's threshold lines, and (if asked) a forecast with 80/95 % bands. */
export async function sensorChart(el, sensor, { hours = 48, horizon = 24, forecast = true } = {}) {
  const since = new Date(Date.now() - hours * 3600_000).toISOString();
  const readings = await api(`/v1/monitoring/readings?sensor_id=${encodeURIComponent(sensor.id)}&since=${encodeURIComponent(since)}&limit=5000`);
  let fc = null;
  let note = "";
  if (forecast) {
    try {
      fc = await api("/v1/forecast", { method: "POST", body: { series_id: `sensor:${sensor.id}`, horizon, level: [80, 95] } });
    } catch (e) {
      note = "预测不可用：" + e.message;
    }
  }
  const lines = Object.keys(THRESHOLD_COLOURS).map((l) => sensor.thresholds[l]).filter((v) => typeof v === "number");
  const observed = readings.items.map((r) => [r.ts, r.value]);
  const points = fc ? fc.points : [];
  const band = (lo, hi) => points.map((p) => [p.ts, p[hi] - p[lo]]);
  const series = [
    { name: "读数", type: "line", data: observed, symbol: "none", lineStyle: { width: 1.5, color: "#0b63b6" }, itemStyle: { color: "#0b63b6" },
      markLine: { symbol: "none", silent: true, data: Object.entries(THRESHOLD_COLOURS)
        .filter(([level]) => typeof sensor.thresholds[level] === "number")
        .map(([level, colour]) => ({ yAxis: sensor.thresholds[level], name: THRESHOLD_NAMES[level],
          lineStyle: { color: colour, type: "dashed" }, label: { formatter: `${THRESHOLD_NAMES[level]} {c}`, color: colour } })) } },
  ];
  if (points.length) {
    // A band is a transparent base line plus the band's width stacked on it.
    series.push(
      { name: "95%下限", type: "line", data: points.map((p) => [p.ts, p.lo95]), stack: "b95", symbol: "none", lineStyle: { opacity: 0 }, tooltip: { show: false } },
      { name: "95%区间", type: "line", data: band("lo95", "hi95"), stack: "b95", symbol: "none", lineStyle: { opacity: 0 }, areaStyle: { color: "#8fb8e6", opacity: 0.35 }, itemStyle: { color: "#8fb8e6" } },
      { name: "80%下限", type: "line", data: points.map((p) => [p.ts, p.lo80]), stack: "b80", symbol: "none", lineStyle: { opacity: 0 }, tooltip: { show: false } },
      { name: "80%区间", type: "line", data: band("lo80", "hi80"), stack: "b80", symbol: "none", lineStyle: { opacity: 0 }, areaStyle: { color: "#4d8fd6", opacity: 0.35 }, itemStyle: { color: "#4d8fd6" } },
      { name: "预测", type: "line", data: points.map((p) => [p.ts, p.mean]), symbol: "none", lineStyle: { width: 1.5, type: "dashed", color: "#1d2733" }, itemStyle: { color: "#1d2733" } },
    );
  }
  chartIn(el).setOption({
    animation: false,
    grid: { left: 56, right: 70, top: 36, bottom: 40 },
    legend: { top: 0, data: ["读数", "预测", "80%区间", "95%区间"] },
    tooltip: { trigger: "axis" },
    xAxis: { type: "time" },
    // The threshold lines stay in view even when the readings are far below them.
    yAxis: { type: "value", name: sensor.unit, scale: true, axisLabel: { showMinLabel: false, showMaxLabel: false }, max: (v) => Math.max(v.max, ...lines) * 1.05,
      min: (v) => Math.min(v.min, ...lines) * 0.95 },
    series,
  }, true);
  el.dataset.readings = String(observed.length);
  el.dataset.forecast = String(points.length);
  return { readings: observed.length, forecast: fc, note };
}
