// 监测: sensors by kind and district; one sensor's readings with its thresholds and forecast band (80/95 %).
import { api, esc, h, fmtNumber, fmtTime, KIND_NAMES } from "../api.js";
import { sensorChart } from "../charts.js";
import { cityMap, districtOptions } from "../map.js";


export async function render(root, { params }) {
  const map = await cityMap();
  root.append(h(`<div class="split">
    <section class="card" aria-labelledby="sensors-h"><h2 id="sensors-h">传感器</h2>
      <form id="filter" class="row">
        <label for="kind">类型</label><select id="kind">${Object.entries(KIND_NAMES).map(([k, n]) => `<option value="${k}">${n}</option>`).join("")}</select>
        <label for="district">区</label><select id="district">${districtOptions(map)}</select>
      </form>
      <p id="sensor-count" class="muted"></p>
      <div class="scroll"><table id="sensors" class="grid-table"></table></div></section>
    <section class="card" aria-labelledby="chart-h"><h2 id="chart-h">读数与预测 <span class="muted" id="chart-title"></span></h2>
      <div id="sensor-chart" class="chart tall"></div><p id="chart-note" class="muted"></p></section>
  </div>`));
  const $ = (id) => root.querySelector("#" + id);

  async function open(sensor) {
    $("chart-title").textContent = `${sensor.name} ${sensor.id}`;
    $("chart-note").textContent = "加载中…";
    const shown = await sensorChart($("sensor-chart"), sensor, { hours: 72, horizon: 24 });
    const fc = shown.forecast;
    $("chart-note").textContent = shown.note || (fc ? `模型 ${fc.model}；回测 MASE ${fmtNumber(fc.backtest.mase, 3)}（季节朴素 ${fmtNumber(fc.backtest.baseline_mase, 3)}）；72 小时读数 ${shown.readings} 个` : "");
  }

  async function list() {
    const q = new URLSearchParams({ kind: $("kind").value, limit: "500" });
    if ($("district").value) q.set("district", $("district").value);
    // Nearest to its alarm line first: what a duty officer looks at before the rest.
    const risk = (s) => (s.last_value === null || !s.thresholds.alarm ? -1 : s.thresholds.direction === "below"
      ? s.thresholds.alarm / Math.max(s.last_value, 1e-9) : s.last_value / s.thresholds.alarm);
    const sensors = (await api("/v1/monitoring/sensors?" + q)).items.sort((a, b) => risk(b) - risk(a));
    $("sensor-count").textContent = `${sensors.length} 个传感器`;
    $("sensors").innerHTML = `<caption class="sr-only">传感器列表</caption><tr><th scope="col">编号</th><th scope="col">名称</th><th scope="col">最新值</th><th scope="col">时间</th><th scope="col">报警阈值</th></tr>`;
    for (const s of sensors) {
      const row = h(`<tr tabindex="0" data-id="${esc(s.id)}"><td class="id">${esc(s.id)}</td><td>${esc(s.name)}</td>
        <td>${fmtNumber(s.last_value)} ${esc(s.unit)}</td><td>${fmtTime(s.last_ts)}</td><td>${fmtNumber(s.thresholds.alarm)}</td></tr>`);
      row.addEventListener("click", () => open(s));
      row.addEventListener("keydown", (e) => e.key === "Enter" && open(s));
      $("sensors").querySelector("tbody").appendChild(row);
    }
    return sensors;
  }

  $("kind").addEventListener("change", list);
  $("district").addEventListener("change", list);
  const wanted = params.get("sensor");
  if (wanted) {
    const found = await api("/v1/monitoring/sensors?limit=5000");
    const sensor = found.items.find((s) => s.id === wanted);
    if (sensor) {
      $("kind").value = sensor.kind;
      $("district").value = sensor.district;
      await list();
      await open(sensor);
      return;
    }
  }
  const sensors = await list();
  if (sensors.length) await open(sensors[0]);
}
