// 决策参考: a topic (a theme, a district, a period) → the memo previewed with its references → DOCX/PDF;
// the memos written before.
import { api, download, esc, h, fmtTime } from "../api.js";
import { cityMap, districtOptions } from "../map.js";

// Enough Markdown for a memo: headings, lists, tables' rows as lines, bold; everything escaped first.
export function markdown(md) {
  const inline = (s) => esc(s).replace(/\*\*(.+?)\*\*/g, "<b>$1</b>");
  const out = [];
  let list = null;
  for (const line of md.split("\n")) {
    const item = line.match(/^\s*(?:[-*]|\d+\.)\s+(.*)$/);
    if (item) {
      if (!list) out.push((list = "<ul>"));
      out.push(`<li>${inline(item[1])}</li>`);
      continue;
    }
    if (list) out.push("</ul>"), (list = null);
    const head = line.match(/^(#{1,4})\s+(.*)$/);
    if (head) out.push(`<h${head[1].length + 2}>${inline(head[2])}</h${head[1].length + 2}>`);
    else if (line.trim()) out.push(`<p>${inline(line)}</p>`);
  }
  if (list) out.push("</ul>");
  return out.join("");
}

export async function render(root, { session }) {
  const map = await cityMap();
  const themes = await api("/v1/graph/themes");
  const may = session.may("memo");
  root.append(h(`<div class="split wide-right">
    <section class="card" aria-labelledby="memo-h"><h2 id="memo-h">决策参考</h2>
      ${may ? `<form id="memo-form" class="stack">
        <label for="topic">题目</label><input id="topic" list="themes" required placeholder="如 汛期排水防涝风险研判">
        <datalist id="themes">${themes.items.map((t) => `<option value="${esc(t.name)}">`).join("")}</datalist>
        <label for="m-district">区</label><select id="m-district">${districtOptions(map)}</select>
        <label for="m-period">周期</label><input id="m-period" placeholder="2026-11、last30d（默认本月）">
        <button type="submit">生成</button></form>` : `<p class="muted">当前角色可查看已有的决策参考，生成需分析员角色。</p>`}
      <h3>已有</h3><ul id="memo-list" class="plain"></ul></section>
    <section class="card" aria-labelledby="preview-h"><h2 id="preview-h">预览 <span class="muted" id="memo-title"></span></h2>
      <div class="row" id="downloads" hidden><button id="dl-docx" type="button">下载 DOCX</button><button id="dl-pdf" type="button">下载 PDF</button><span id="dl-said" class="muted"></span></div>
      <article id="memo-body" class="memo" tabindex="0" aria-label="决策参考正文"><p class="muted">生成或从左侧选择一份决策参考。</p></article>
      <div id="memo-refs"></div></section>
  </div>`));
  const $ = (id) => root.querySelector("#" + id);
  let shown = null;

  function show(memo) {
    shown = memo;
    $("memo-title").textContent = memo.title;
    $("memo-body").innerHTML = markdown(memo.markdown);
    $("memo-refs").innerHTML = memo.citations.length ? `<h3>引用 ${memo.citations.length} 条</h3><ol class="refs">${memo.citations
      .map((c) => `<li><span class="id">${esc(c.id)}</span> ${esc(c.title)}<div class="muted">${esc(c.snippet)}</div></li>`).join("")}</ol>` : "";
    $("downloads").hidden = false;
  }

  async function list() {
    const memos = await api("/v1/memos?limit=30");
    $("memo-list").replaceChildren(...memos.items.map((m) => {
      const li = h(`<li><button type="button" class="link">${esc(m.title)}</button> <span class="muted">${fmtTime(m.created_at)}</span></li>`);
      li.querySelector("button").addEventListener("click", async () => show(await api(`/v1/memos/${encodeURIComponent(m.id)}`)));
      return li;
    }));
    if (!memos.items.length) $("memo-list").innerHTML = `<li class="muted">还没有决策参考</li>`;
  }

  for (const kind of ["docx", "pdf"]) {
    $("dl-" + kind).addEventListener("click", async () => {
      $("dl-said").textContent = "准备下载…";
      try {
        await download(`/v1/memos/${encodeURIComponent(shown.id)}.${kind}`, `${shown.title}.${kind}`);
        $("dl-said").textContent = "";
      } catch (e) {
        $("dl-said").textContent = e.message;
      }
    });
  }
  if (may) {
    $("memo-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      const body = { topic: $("topic").value.trim() };
      if ($("m-district").value) body.district = $("m-district").value;
      if ($("m-period").value.trim()) body.period = $("m-period").value.trim();
      const button = e.target.querySelector("button");
      button.disabled = true;
      $("memo-body").innerHTML = `<p class="muted">撰写中…</p>`;
      try {
        show(await api("/v1/memos", { method: "POST", body }));
        await list();
      } catch (err) {
        $("memo-body").innerHTML = `<p class="error">${esc(err.message)}</p>`;
      } finally {
        button.disabled = false;
      }
    });
  }
  await list();
}
