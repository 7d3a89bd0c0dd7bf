// 热线受理: paste a report → category, grid on the map, department, urgency, duplicates, redacted text,
// explanation and alternatives → edit → confirm → the case is on the board.
import { api, esc, h, URGENCY_NAMES } from "../api.js";
import { drawMap } from "../map.js";

export async function render(root, { session }) {
  if (!session.may("triage")) {
    root.append(h(`<section class="card"><p>当前角色（${esc(session.me.role_name)}）不能受理热线诉求。</p></section>`));
    return;
  }
  root.append(h(`<div class="split">
    <section class="card" aria-labelledby="triage-h"><h2 id="triage-h">热线受理 <span class="muted">粘贴市民诉求，核对后一键立案</span></h2>
      <form id="triage-form"><label for="report" class="sr-only">诉求原文</label>
        <textarea id="report" rows="5" required placeholder="例如：我家楼下那个井盖没了，晚上黑乎乎的很危险！在幸福路和纬二路交叉口附近"></textarea>
        <div class="row"><label for="channel">渠道</label><select id="channel"><option value="12345">12345</option><option value="app">APP</option><option value="patrol">巡查</option></select>
        <button type="submit">分拨研判</button></div></form>
      <div id="triage-result"></div></section>
    <section class="card" aria-labelledby="tmap-h"><h2 id="tmap-h">位置 <span class="muted" id="grid-name"></span></h2><div id="triage-map" class="map"></div></section>
  </div>`));
  const $ = (id) => root.querySelector("#" + id);
  // The form works before the map has drawn and without it: a report pasted and sent at once must not be lost
  // to the browser's own submit, and the map only shows where the report lies.
  const mapDrawn = drawMap($("triage-map"), { height: 380 }).catch(() => null);

  $("triage-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const out = $("triage-result");
    out.innerHTML = `<p class="muted">研判中…</p>`;
    let t;
    try {
      t = await api("/v1/triage", { method: "POST", body: { text: $("report").value, channel: $("channel").value } });
    } catch (err) {
      out.innerHTML = `<p class="error">${esc(err.message)}</p>`;
      return;
    }
    const view = await mapDrawn;
    const districtName = (code) => (view ? view.districtName(code) : code);
    if (view) {
      view.highlightGrid(t.grid_id);
      view.setPoints(t.location ? [{ id: "report", lon: t.location.lon, lat: t.location.lat, colour: "#0b63b6", r: 7, title: "诉求位置" }] : []);
    }
    $("grid-name").textContent = t.grid_id ? `${districtName(t.district)} · 网格 ${t.grid_id}` : "未能定位到网格";
    const options = [t.category, ...t.alternatives];
    out.innerHTML = `<form id="case-form" class="result">
      <dl class="facts">
        <dt><label for="category">类别</label></dt><dd><select id="category">${options.map((c) => `<option value="${esc(c.id)}">${esc(c.name)}（${esc(c.code)}）</option>`).join("")}</select>
          <span class="muted">置信度 ${(t.confidence * 100).toFixed(0)}%</span></dd>
        <dt>热线分类</dt><dd>${t.hotline_category ? esc(t.hotline_category.path.join(" / ")) : "—"}</dd>
        <dt>网格</dt><dd>${esc(t.grid_id || "未定位")}${t.district ? "（" + esc(districtName(t.district)) + "）" : ""}</dd>
        <dt>责任部门</dt><dd id="department" data-id="${esc(t.department ? t.department.id : "")}">${t.department ? esc(t.department.name) : esc(t.department_kind || "待定")}</dd>
        <dt><label for="urgency">紧急程度</label></dt><dd><select id="urgency">${Object.entries(URGENCY_NAMES).map(([k, n]) => `<option value="${k}"${k === t.urgency ? " selected" : ""}>${n}</option>`).join("")}</select>
          ${t.sla_hours ? `<span class="muted">处置时限 ${t.sla_hours} 工作小时</span>` : ""}</dd>
        <dt>疑似重复</dt><dd id="duplicates">${t.duplicates.length ? t.duplicates.map((d) => `<a href="#/cases?id=${encodeURIComponent(d)}">${esc(d)}</a>`).join("、") : "无"}</dd>
        <dt>脱敏文本</dt><dd class="redacted">${esc(t.redacted_text)}</dd>
        <dt>研判依据</dt><dd>${esc(t.explanation)}</dd>
      </dl>
      ${session.may("create_case") ? `<button type="submit">确认立案受理</button>` : ""}<span id="case-said"></span></form>`;
    $("category").addEventListener("change", async () => {
      // Another category may belong to another department: ask the rules again for the same place.
      const q = new URLSearchParams({ category: $("category").value });
      if (t.grid_id) q.set("grid_id", t.grid_id);
      else if (t.district) q.set("district", t.district);
      try {
        const r = await api("/v1/graph/responsibility?" + q);
        $("department").dataset.id = r.department.id;
        $("department").textContent = r.department.name;
      } catch (err) {
        $("department").dataset.id = "";
        $("department").textContent = err.message;
      }
    });
    $("case-form").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const body = { text: $("report").value, category_code: $("category").value, urgency: $("urgency").value, source: $("channel").value };
      if (t.grid_id) body.grid_id = t.grid_id;
      else if (t.location) body.location = t.location;
      if ($("department").dataset.id) body.department_id = $("department").dataset.id;
      try {
        const c = await api("/v1/cases", { method: "POST", body });
        $("case-said").innerHTML = ` 已受理 <a id="new-case" href="#/cases?id=${encodeURIComponent(c.id)}">${esc(c.id)}</a>（${esc(c.state)}）`;
        ev.target.querySelector("button").disabled = true;
      } catch (err) {
        $("case-said").innerHTML = ` <span class="error">${esc(err.message)}</span>`;
      }
    });
  });
}
