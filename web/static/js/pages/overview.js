// 运行总览: vital signs as tiles with their trend, open alarms on the grid map, today's and this week's cases
// by district; refreshed every few seconds while the simulator streams.
import { api, esc, h, fmtNumber, fmtTime, KIND_NAMES, LEVEL_NAMES, STATUS_NAMES } from "../api.js";
import { bars, sensorChart, sparkline } from "../charts.js";
import { drawMap, LEVEL_COLOURS } from "../map.js";

const REFRESH_MS = 5000;
const STATUS_COLOURS = { normal: "#1e8e3e", watch: "#d4a106", warning: "#e8710a", alarm: "#c5221f" };

// Days as the city counts them (China time), whatever the browser's zone.
export function chinaDay(date = new Date()) {
  return new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Shanghai" }).format(date);
}
function thisWeek() {
  const today = chinaDay();
  const weekday = (new Date(today + "T12:00:00Z").getUTCDay() + 6) % 7; // Monday 0
  return `${chinaDay(new Date(Date.now() - weekday * 86400_000))}..${today}`;
}

export async function render(root, { session }) {
  root.append(h(`<div class="overview">
    <section class="card span2" aria-labelledby="vitals-h"><h2 id="vitals-h">城市生命体征 <span class="muted" id="vitals-asof"></span></h2>
      <div id="tiles" class="tiles"></div></section>
    <section class="card" aria-labelledby="map-h"><h2 id="map-h">告警地图 <span class="muted" id="alarm-count"></span></h2>
      <div id="map" class="map"></div>
      <div class="legend">${Object.entries(LEVEL_COLOURS).map(([l, c]) => `<span><i style="background:${c}"></i>${LEVEL_NAMES[l]}</span>`).join("")}</div>
      ${session.may("simulate") ? `<form id="inject" class="row"><label for="incident">演练：注入事件</label>
        <select id="incident"><option value="rainstorm">暴雨（选定区）</option></select><select id="incident-district" aria-label="注入事件的区"></select><button>注入</button><span id="inject-said" class="muted"></span></form>` : ""}
    </section>
    <section class="card" aria-labelledby="detail-h"><h2 id="detail-h">告警详情</h2><div id="alarm-detail"><p class="muted">点击地图上的告警点查看告警、设施与传感器读数。</p></div>
      <h2 class="mt">案件量 <span class="muted">今日 / 本周，按区</span></h2><div id="case-bars" class="chart small"></div><table id="case-table" class="grid-table"></table>
    </section>
  </div>`));
  const $ = (id) => root.querySelector("#" + id);
  const view = await drawMap($("map"), { height: 420 });
  if ($("incident-district")) {
    $("incident-district").innerHTML = view.map.districts.map((d) => `<option value="${esc(d.id)}">${esc(d.name)}</option>`).join("");
    $("inject").addEventListener("submit", async (e) => {
      e.preventDefault();
      try {
        const r = await api("/v1/monitoring/simulator/incidents", { method: "POST", body: { incident: `rainstorm:${$("incident-district").value}` } });
        $("inject-said").textContent = `已注入 ${r.incident}，告警将在下一轮读数后出现`;
      } catch (err) {
        $("inject-said").textContent = err.message;
      }
    });
  }

  async function showAlarm(alarm) {
    const box = $("alarm-detail");
    box.innerHTML = `<dl class="facts">
      <dt>告警</dt><dd>${esc(alarm.id)} · <b class="lvl-${esc(alarm.level)}">${esc(LEVEL_NAMES[alarm.level] || alarm.level)}</b> · ${esc(KIND_NAMES[alarm.kind] || alarm.kind)}</dd>
      <dt>数值</dt><dd>${fmtNumber(alarm.value)}（峰值 ${fmtNumber(alarm.peak)}，阈值 ${fmtNumber(alarm.threshold)}）</dd>
      <dt>开始</dt><dd>${fmtTime(alarm.opened_at)}</dd>
      <dt>区 / 网格</dt><dd>${esc(view.districtName(alarm.district))} / ${esc(alarm.grid_id)}</dd>
      <dt>设施</dt><dd id="asset-line">${esc(alarm.asset_id)}</dd>
      <dt>传感器</dt><dd><a href="#/monitoring?sensor=${encodeURIComponent(alarm.sensor_id)}">${esc(alarm.sensor_id)}</a></dd></dl>
      <div id="alarm-chart" class="chart"></div>`;
    try {
      const asset = await api(`/v1/graph/nodes/${encodeURIComponent(alarm.asset_id)}?limit=5`);
      const p = asset.node.properties || {};
      $("asset-line").textContent = `${p.name || asset.node.name || alarm.asset_id}（${p.address || ""}，${p.status || ""}）`;
      const sensors = await api(`/v1/monitoring/sensors?asset_id=${encodeURIComponent(alarm.asset_id)}`);
      const sensor = sensors.items.find((s) => s.id === alarm.sensor_id);
      if (sensor) await sensorChart($("alarm-chart"), sensor, { hours: 24, forecast: false });
    } catch (err) {
      $("alarm-chart").textContent = err.message;
    }
  }

  async function refresh() {
    const [vitals, trends, alarms] = await Promise.all([
      api("/v1/monitoring/vitals"), api("/v1/monitoring/vitals/trend?hours=24"), api("/v1/monitoring/alarms?state=open"),
    ]);
    const trendOf = Object.fromEntries(trends.items.map((t) => [t.code, t.points]));
    const tiles = $("tiles");
    tiles.replaceChildren(...vitals.items.map((v) => h(`<div class="tile st-${esc(v.status)}" data-code="${esc(v.code)}" title="${esc(v.basis)}">
      <div class="name">${esc(v.name)}</div><div class="value">${fmtNumber(v.value)}<small>${esc(v.unit)}</small></div>
      <div class="status">${esc(STATUS_NAMES[v.status] || v.status)}</div><div class="spark"></div></div>`)));
    for (const tile of tiles.children) {
      const points = trendOf[tile.dataset.code];
      const status = vitals.items.find((v) => v.code === tile.dataset.code).status;
      if (points) sparkline(tile.querySelector(".spark"), points, STATUS_COLOURS[status]);
      else tile.querySelector(".spark").textContent = "按最新数据计算，无逐时趋势";
    }
    $("vitals-asof").textContent = vitals.items.length ? "截至 " + fmtTime(vitals.items[0].as_of) : "";
    const ids = [...new Set(alarms.items.map((a) => a.sensor_id))];
    const where = ids.length ? await api("/v1/graph/briefs?ids=" + encodeURIComponent(ids.join(","))) : { items: [] };
    const at = Object.fromEntries(where.items.map((p) => [p.id, p]));
    view.setPoints(alarms.items.filter((a) => at[a.sensor_id]).map((a) => ({ ...a, lon: at[a.sensor_id].lon, lat: at[a.sensor_id].lat,
      colour: LEVEL_COLOURS[a.level] || "#666", r: a.level === "alarm" ? 7 : 5,
      title: `${LEVEL_NAMES[a.level] || a.level} ${KIND_NAMES[a.kind] || a.kind} ${a.sensor_id}` })), showAlarm);
    $("alarm-count").textContent = `未关闭 ${alarms.items.length} 条`;
    const [today, week] = await Promise.all([api(`/v1/cases/stats?period=${chinaDay()}`), api(`/v1/cases/stats?period=${thisWeek()}`)]);
    const names = view.map.districts.map((d) => d.name);
    const count = (stats, id) => (stats.by_district.find((x) => x.district === id) || { total: 0 }).total;
    const todayCounts = view.map.districts.map((d) => count(today, d.id));
    const weekCounts = view.map.districts.map((d) => count(week, d.id));
    bars($("case-bars"), names, [{ name: "今日", data: todayCounts, colour: "#0b63b6" }, { name: "本周", data: weekCounts, colour: "#8fb8e6" }]);
    $("case-table").innerHTML = `<caption class="sr-only">各区案件量</caption><tr><th scope="col">区</th><th scope="col">今日</th><th scope="col">本周</th></tr>` +
      names.map((n, i) => `<tr><td>${esc(n)}</td><td>${todayCounts[i]}</td><td>${weekCounts[i]}</td></tr>`).join("") +
      `<tr class="sum"><td>合计</td><td>${today.total}</td><td>${week.total}</td></tr>`;
  }

  let timer = null;
  let stopped = false;
  const loop = async () => {
    try {
      await refresh();
    } catch (err) {
      $("alarm-count").textContent = "刷新失败：" + err.message;
    }
    if (!stopped) timer = setTimeout(loop, REFRESH_MS);
  };
  await loop();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
