// 各市 (a province's or the nation's screen): the lower platforms heard from, their figures side by side, each
// cited to the batch it came in and its as-of time, their major alarms, and the 督办 sent down with their receipts.
import { api, esc, h, fmtNumber, fmtTime, KIND_NAMES, LEVEL_NAMES } from "../api.js";
import { bars } from "../charts.js";
import { chinaDay } from "./overview.js";

const VITALS = ["waterlogging_points", "gas_leak_alarms", "overdue_cases"];

const facts = async (kind, scope) =>
  Object.fromEntries((await api(`/v1/federation/facts?kind=${kind}&scope=${encodeURIComponent(scope)}`)).items.map((x) => [x.source, x]));
const cite = (held) => (held ? `<sup class="cite-mark" title="批次 #${held.seq}，数据时间 ${esc(fmtTime(held.as_of))}">#${held.seq}</sup>` : "");

function onTime(evaluation) {
  // The province's rate for a city is computed from the counts the city sent, not averaged from rates.
  const [num, den] = evaluation.payload.items.reduce(([n, d], item) => [n + item["按期处置率"].numerator, d + item["按期处置率"].denominator], [0, 0]);
  return den ? { value: num / den, num, den } : null;
}

export async function render(root, { session }) {
  const month = chinaDay().slice(0, 7);
  root.append(h(`<div class="split">
    <section class="card span2" aria-labelledby="src-h"><h2 id="src-h">下级平台 <span class="muted">本月 ${month}；上标为数据批次，悬停看数据时间</span></h2>
      <div class="scroll"><table id="compare" class="grid-table"></table></div><div id="compare-bars" class="chart"></div></section>
    <section class="card" aria-labelledby="major-h"><h2 id="major-h">重大告警（上报）</h2><div class="scroll"><table id="major" class="grid-table"></table></div></section>
    <section class="card" aria-labelledby="orders-h"><h2 id="orders-h">督办</h2>
      ${session.may("supervise") ? `<form id="order-form" class="row wrap"><label for="o-target">下发至</label><select id="o-target"></select>
        <label for="o-case">案件编号</label><input id="o-case" placeholder="C20261206-…" size="16">
        <label for="o-text">要求</label><input id="o-text" required placeholder="请于今日18时前办结并反馈">
        <button type="submit">下发督办</button><span id="o-said" role="status"></span></form>` : ""}
      <div class="scroll"><table id="orders" class="grid-table"></table></div></section>
  </div>`));
  const $ = (id) => root.querySelector("#" + id);
  const sources = (await api("/v1/federation/sources")).items;
  if (!sources.length) {
    $("compare").innerHTML = `<tr><td>还没有下级平台上报数据（城市设置 YIWANG_PARENT_URL 与 YIWANG_PARENT_KEY 后自动上报）</td></tr>`;
    return;
  }
  const [stats, evaluation, vitals, major] = await Promise.all([facts("case_stats", month), facts("evaluation", month), facts("vitals", "city"), facts("major_alarms", "open")]);
  const vitalName = {};
  for (const held of Object.values(vitals)) for (const v of held.payload.items) vitalName[v.code] = v.name;
  $("compare").innerHTML = `<caption class="sr-only">各市对比</caption><tr><th scope="col">平台</th><th scope="col">状态</th><th scope="col">案件量</th><th scope="col">未办结</th><th scope="col">超期</th><th scope="col">按期处置率</th>${VITALS.map((c) => `<th scope="col">${esc(vitalName[c] || c)}</th>`).join("")}</tr>` +
    sources.map((s) => {
      const st = stats[s.code];
      const rate = evaluation[s.code] ? onTime(evaluation[s.code]) : null;
      const vital = (code) => {
        const v = vitals[s.code] && vitals[s.code].payload.items.find((x) => x.code === code);
        return v ? `${fmtNumber(v.value)}${esc(v.unit)}${cite(vitals[s.code])}` : "—";
      };
      return `<tr data-source="${esc(s.code)}"><td>${esc(s.name)} <span class="id">${esc(s.code)}</span></td>
        <td>${s.stale ? `<span class="badge warn">数据过期 · ${esc(fmtTime(s.last_received_at))}</span>` : `<span class="badge ok">正常</span>`}</td>
        <td class="total">${st ? st.payload.total + cite(st) : "—"}</td><td>${st ? st.payload.open : "—"}</td><td>${st ? st.payload.overdue : "—"}</td>
        <td class="rate">${rate ? `${(rate.value * 100).toFixed(1)}%<small> ${rate.num}/${rate.den}</small>${cite(evaluation[s.code])}` : "—"}</td>
        ${VITALS.map((c) => `<td>${vital(c)}</td>`).join("")}</tr>`;
    }).join("");
  bars($("compare-bars"), sources.map((s) => s.name), [
    { name: "本月案件量", data: sources.map((s) => (stats[s.code] ? stats[s.code].payload.total : 0)), colour: "#0b63b6" },
    { name: "未办结", data: sources.map((s) => (stats[s.code] ? stats[s.code].payload.open : 0)), colour: "#e8710a" },
  ]);
  const alarms = Object.values(major).flatMap((held) => held.payload.items.map((a) => ({ ...a, city: held.source_name, held })));
  $("major").innerHTML = `<caption class="sr-only">重大告警</caption><tr><th scope="col">城市</th><th scope="col">类型</th><th scope="col">级别</th><th scope="col">数值/阈值</th><th scope="col">开始</th></tr>` +
    (alarms.length ? alarms.map((a) => `<tr><td>${esc(a.city)}${cite(a.held)}</td><td>${esc(KIND_NAMES[a.kind] || a.kind)} <span class="id">${esc(a.sensor_id)}</span></td>
      <td class="lvl-${esc(a.level)}">${esc(LEVEL_NAMES[a.level] || a.level)}</td><td>${fmtNumber(a.value)} / ${fmtNumber(a.threshold)}</td><td>${fmtTime(a.opened_at)}</td></tr>`).join("")
      : `<tr><td colspan="5" class="muted">无未关闭的报警级告警</td></tr>`);

  async function listOrders() {
    const orders = (await api("/v1/federation/orders")).items;
    const name = Object.fromEntries(sources.map((s) => [s.code, s.name]));
    $("orders").innerHTML = `<caption class="sr-only">督办</caption><tr><th scope="col">编号</th><th scope="col">下发至</th><th scope="col">对象</th><th scope="col">要求</th><th scope="col">接收</th><th scope="col">案件状态</th></tr>` +
      (orders.length ? orders.map((o) => `<tr data-order="${o.id}"><td>${o.id}</td><td>${esc(name[o.target] || o.target)}</td><td class="id">${esc(o.case_id || o.indicator)}</td>
        <td>${esc(o.text)}</td><td>${o.received_at ? esc(fmtTime(o.received_at)) + (o.applied ? `<div class="muted">${esc(o.applied)}</div>` : "") : "待接收"}</td>
        <td class="state">${esc(o.case_state || "—")}</td></tr>`).join("") : `<tr><td colspan="6" class="muted">尚未下发督办</td></tr>`);
  }
  if ($("order-form")) {
    $("o-target").innerHTML = sources.map((s) => `<option value="${esc(s.code)}">${esc(s.name)}</option>`).join("");
    $("order-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      try {
        const o = await api("/v1/federation/orders", { method: "POST", body: { target: $("o-target").value, case_id: $("o-case").value.trim() || undefined, indicator: $("o-case").value.trim() ? undefined : "按期处置率", text: $("o-text").value } });
        $("o-said").textContent = `已下发督办 ${o.id}，城市下次上报时接收`;
        await listOrders();
      } catch (err) {
        $("o-said").innerHTML = `<span class="error">${esc(err.message)}</span>`;
      }
    });
  }
  await listOrders();
}
