// 案卷: cases filtered and paged; one case with its history and what can be done next as buttons (a refusal
// shown as the server's sentence); the departments' evaluation with the counts behind each rate.
import { api, esc, h, fmtTime, URGENCY_NAMES } from "../api.js";
import { cityMap, districtOptions } from "../map.js";

const STATES = ["受理", "立案", "派遣", "处置", "核查", "结案", "作废", "不予立案"];
const RATES = ["按期处置率", "结案率", "返工率", "准确派遣率"];
const names = new Map();

async function nameDepartments(ids) {
  const missing = [...new Set(ids)].filter((id) => id && !names.has(id));
  if (missing.length) {
    const found = await api("/v1/graph/briefs?ids=" + encodeURIComponent(missing.join(",")));
    for (const b of found.items) names.set(b.id, b.name);
  }
}
const dept = (id) => (id ? names.get(id) || id : "—");

export async function render(root, { session, params }) {
  const map = await cityMap();
  root.append(h(`<div class="split wide-left">
    <section class="card" aria-labelledby="cases-h"><h2 id="cases-h">案卷 <span class="muted" id="case-total"></span></h2>
      <form id="filters" class="row wrap">
        <label for="f-state">状态</label><select id="f-state"><option value="">全部</option>${STATES.map((s) => `<option>${s}</option>`).join("")}</select>
        <label for="f-district">区</label><select id="f-district">${districtOptions(map)}</select>
        <label for="f-department">部门编号</label><input id="f-department" size="10" placeholder="如 990101-CG">
        <label for="f-since">起</label><input id="f-since" type="date"><label for="f-until">止</label><input id="f-until" type="date">
        <label><input id="f-overdue" type="checkbox"> 只看超期</label>
        <button type="submit">筛选</button></form>
      <div class="scroll"><table id="case-list" class="grid-table"></table></div>
      <div class="row"><button id="more" type="button" class="link" hidden>下一页</button></div></section>
    <section class="card" aria-labelledby="case-h"><h2 id="case-h">案件详情</h2><div id="case-detail"><p class="muted">点击左侧案件查看历史与可执行操作。</p></div></section>
    <section class="card span2" aria-labelledby="eval-h"><h2 id="eval-h">部门考核 <span class="muted" id="eval-period"></span></h2>
      <div class="row"><label for="e-period">周期</label><input id="e-period" placeholder="2026-12、last30d" size="12"><button id="e-go" type="button">计算</button></div>
      <div class="scroll"><table id="evaluation" class="grid-table"></table></div></section>
  </div>`));
  const $ = (id) => root.querySelector("#" + id);
  let next = null;

  function query() {
    const q = new URLSearchParams({ limit: "30", counts: "true" });
    const add = (k, v) => v && q.set(k, v);
    add("state", $("f-state").value);
    add("district", $("f-district").value);
    add("department_id", $("f-department").value.trim());
    add("since", $("f-since").value);
    add("until", $("f-until").value);
    if ($("f-overdue").checked) q.set("overdue", "true");
    return q;
  }

  async function page(append) {
    const q = query();
    if (append && next) q.set("cursor", next);
    let list;
    try {
      list = await api("/v1/cases?" + q);
    } catch (e) {
      $("case-total").innerHTML = `<span class="error">${esc(e.message)}</span>`;
      return;
    }
    await nameDepartments(list.items.map((c) => c.department_id));
    next = list.next;
    $("more").hidden = !next;
    if (list.counts) $("case-total").textContent = `共 ${list.counts.total} 件，其中超期未结 ${list.counts.overdue_open} 件`;
    const table = $("case-list");
    if (!append) table.innerHTML = `<caption class="sr-only">案件列表</caption><tr><th scope="col">编号</th><th scope="col">类别</th><th scope="col">状态</th><th scope="col">责任部门</th><th scope="col">受理时间</th><th scope="col">时限</th></tr>`;
    for (const c of list.items) {
      const row = h(`<tr tabindex="0" data-id="${esc(c.id)}" class="${c.overdue ? "overdue" : ""}"><td class="id">${esc(c.id)}</td><td>${esc(c.category_name)}</td>
        <td>${esc(c.state)}</td><td>${esc(dept(c.department_id))}</td><td>${fmtTime(c.created_at)}</td><td>${fmtTime(c.deadline)}${c.overdue ? " 超期" : ""}</td></tr>`);
      row.addEventListener("click", () => open(c.id));
      row.addEventListener("keydown", (e) => e.key === "Enter" && open(c.id));
      table.querySelector("tbody").appendChild(row);
    }
  }

  async function open(id) {
    const box = $("case-detail");
    let c;
    try {
      c = await api(`/v1/cases/${encodeURIComponent(id)}`);
    } catch (e) {
      box.innerHTML = `<p class="error">${esc(e.message)}</p>`;
      return;
    }
    await nameDepartments([c.department_id]);
    const may = session.may("transition");
    box.innerHTML = `<dl class="facts">
        <dt>编号</dt><dd class="id" id="detail-id">${esc(c.id)}</dd><dt>状态</dt><dd id="detail-state">${esc(c.state)}（版本 ${c.version}）</dd>
        <dt>类别</dt><dd>${esc(c.category_name)}</dd><dt>责任部门</dt><dd>${esc(dept(c.department_id))}</dd>
        <dt>紧急程度</dt><dd>${esc(URGENCY_NAMES[c.urgency] || c.urgency)}</dd><dt>时限</dt><dd>${fmtTime(c.deadline)}${c.overdue ? ' <b class="lvl-alarm">超期</b>' : ""}</dd>
        <dt>诉求</dt><dd>${esc(c.text)}</dd></dl>
      <h3>流转记录</h3><ol class="history">${c.history.map((e) => `<li>${fmtTime(e.at)} <b>${esc(e.action)}</b> ${esc(e.actor)}${e.note ? "：" + esc(e.note) : ""}</li>`).join("")}</ol>
      ${may && c.allowed_actions.length ? `<form id="move" class="row wrap"><label for="note">意见</label><input id="note" placeholder="处理意见（可选）">
        ${c.allowed_actions.map((a) => `<button type="submit" value="${esc(a)}">${esc(a)}</button>`).join("")}</form>` : ""}
      ${!may ? `<p class="muted">当前角色不能流转案件。</p>` : ""}<p id="move-said" role="status"></p>`;
    const form = box.querySelector("#move");
    if (form) {
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        const action = e.submitter.value;
        const body = { action, expected_version: c.version };
        if ($("note").value.trim()) body.note = $("note").value.trim();
        if (action === "延期") body.extend_hours = 24;
        try {
          await api(`/v1/cases/${encodeURIComponent(c.id)}/transition`, { method: "POST", body });
          await open(c.id);
          $("move-said").textContent = `已${action}`;
        } catch (err) {
          $("move-said").innerHTML = `<span class="error">${esc(err.message)}</span>`;
        }
      });
    }
  }

  async function evaluation() {
    const period = $("e-period").value.trim();
    let ev;
    try {
      ev = await api("/v1/evaluation" + (period ? "?period=" + encodeURIComponent(period) : ""));
    } catch (e) {
      $("eval-period").innerHTML = `<span class="error">${esc(e.message)}</span>`;
      return;
    }
    await nameDepartments(ev.items.map((d) => d.department_id));
    $("eval-period").textContent = `${ev.period}（${fmtTime(ev.start)} 至 ${fmtTime(ev.end)}）`;
    const rate = (r) => (r.value === null ? "—" : `${(r.value * 100).toFixed(1)}%`) + `<small> ${r.numerator}/${r.denominator}</small>`;
    $("evaluation").innerHTML = `<caption class="sr-only">部门考核指标</caption><tr><th scope="col">部门</th><th scope="col">应处置</th>${RATES.map((r) => `<th scope="col">${r}</th>`).join("")}<th scope="col">平均处置时长</th></tr>` +
      ev.items.map((d) => `<tr><td>${esc(dept(d.department_id))}</td><td>${d["应处置数"]}</td>${RATES.map((r) => `<td>${rate(d[r])}</td>`).join("")}
        <td>${d["平均处置时长_小时"] === null ? "—" : d["平均处置时长_小时"].toFixed(1) + " 小时"}</td></tr>`).join("");
  }

  $("filters").addEventListener("submit", (e) => {
    e.preventDefault();
    page(false);
  });
  $("more").addEventListener("click", () => page(true));
  $("e-go").addEventListener("click", evaluation);
  await Promise.all([page(false), evaluation()]);
  if (params.get("id")) await open(params.get("id"));
}
