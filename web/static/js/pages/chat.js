// 值班助手: streamed answers, citations that open onto their source, the tool calls folded under each
// answer, confirmation of writes, the mode badge; the conversation survives a reload.
import { api, esc, h, sse } from "../api.js";

const STORE = "yiwang-chat";
const CITATION_KINDS = { graph: "图谱", document: "文件", tool: "工具" };

const load = () => JSON.parse(localStorage.getItem(STORE) || '{"session_id": null, "turns": []}');
const save = (state) => localStorage.setItem(STORE, JSON.stringify(state));

function citationList(reply) {
  if (!reply.citations.length) return "";
  return `<div class="cites"><span class="muted">引用</span>${reply.citations.map((c) => `
    <details class="cite" data-kind="${esc(c.kind)}" data-id="${esc(c.id)}"><summary>[${esc(CITATION_KINDS[c.kind] || c.kind)}] ${esc(c.title)}</summary>
      <div class="snippet">${esc(c.snippet)}</div><div class="source"></div></details>`).join("")}</div>`;
}

function toolTrace(reply) {
  if (!reply.tool_calls.length) return "";
  return `<details class="trace"><summary>工具调用 ${reply.tool_calls.length} 次</summary><ol>${reply.tool_calls.map((t) => `
    <li class="${t.ok ? "" : "error"}"><code>${esc(t.name)}</code> <span class="id">${esc(t.id)}</span>
      <pre>${esc(JSON.stringify(t.args, null, 1))}</pre>${t.error ? `<div class="error">${esc(t.error)}</div>` : ""}</li>`).join("")}</ol></details>`;
}

function answerHtml(reply) {
  return `<div class="a">${esc(reply.answer)}</div>
    <div class="meta"><span class="badge mode">${reply.mode === "llm" ? "大模型" : "离线规划"}</span></div>
    ${citationList(reply)}${toolTrace(reply)}`;
}

// A citation opened for the first time fetches what it points at: the graph node, the passage, the tool call.
async function expand(details, reply) {
  const box = details.querySelector(".source");
  if (box.dataset.loaded) return;
  box.dataset.loaded = "1";
  const { kind, id } = details.dataset;
  try {
    if (kind === "graph") {
      const n = await api(`/v1/graph/nodes/${encodeURIComponent(id)}?limit=8`);
      box.innerHTML = `<b>${esc(n.node.name)}</b> <span class="muted">${esc(n.node.label)} ${esc(n.node.id)}</span><ul>${n.neighbors
        .slice(0, 8).map((x) => `<li>${esc(x.rel)} → ${esc(x.node.name)} <span class="muted">${esc(x.node.label)}</span></li>`).join("")}</ul>`;
    } else if (kind === "tool") {
      const call = reply.tool_calls.find((t) => t.id === id);
      box.innerHTML = call ? `<code>${esc(call.name)}</code><pre>${esc(JSON.stringify(call.args, null, 1))}</pre>` : "";
    } else {
      const hits = await api(`/v1/documents/search?k=5&q=${encodeURIComponent(details.querySelector("summary").textContent.slice(0, 60))}`);
      const hit = hits.items.find((x) => x.chunk_id === id) || hits.items[0];
      box.innerHTML = hit ? `<b>${esc(hit.title)}</b><p>${esc(hit.text)}</p>` : "";
    }
  } catch (e) {
    box.innerHTML = `<span class="error">${esc(e.message)}</span>`;
  }
}

export async function render(root, { session }) {
  const state = load();
  root.append(h(`<section class="card chat" aria-labelledby="chat-h">
    <h2 id="chat-h">值班助手 <span class="muted">每个数字来自工具调用，每个结论带引用</span>
      <button id="new-session" class="link" type="button">新会话</button></h2>
    <div id="log" class="log" aria-live="polite"></div>
    <form id="ask" class="row"><label for="msg" class="sr-only">问题</label>
      <input id="msg" placeholder="例如：哪些泵站的水位超过警戒线？谁负责？" autocomplete="off" required>
      <button type="submit">提问</button></form></section>`));
  const $ = (id) => root.querySelector("#" + id);

  function addTurn(question, reply) {
    const turn = h(`<div class="turn"><div class="q">${esc(question)}</div><div class="reply"></div></div>`);
    $("log").appendChild(turn);
    if (reply) fill(turn, reply);
    return turn;
  }

  function fill(turn, reply) {
    const box = turn.querySelector(".reply");
    box.innerHTML = answerHtml(reply);
    for (const d of box.querySelectorAll("details.cite")) d.addEventListener("toggle", () => d.open && expand(d, reply));
    if (reply.pending) {
      const may = session.may("transition") || session.may("create_case");
      const ask = h(`<div class="confirm"><span>助手准备执行 ${reply.pending.calls.length} 项写操作：</span>
        ${may ? `<button class="yes" type="button">确认执行</button><button class="no" type="button">取消</button>` : `<span class="muted">当前角色无权确认</span>`}</div>`);
      box.appendChild(ask);
      for (const b of ask.querySelectorAll("button")) {
        b.addEventListener("click", async () => {
          ask.querySelectorAll("button").forEach((x) => (x.disabled = true));
          try {
            const done = await api("/v1/chat/confirm", { method: "POST", body: { session_id: state.session_id, approved: b.classList.contains("yes") } });
            state.turns.push({ question: b.classList.contains("yes") ? "确认执行" : "取消", reply: done });
            save(state);
            addTurn(state.turns.at(-1).question, done);
          } catch (e) {
            ask.appendChild(h(`<span class="error">${esc(e.message)}</span>`));
          }
        });
      }
    }
    $("log").scrollTop = $("log").scrollHeight;
  }

  for (const t of state.turns) addTurn(t.question, t.reply);
  $("new-session").addEventListener("click", () => {
    localStorage.removeItem(STORE);
    state.session_id = null;
    state.turns = [];
    $("log").replaceChildren();
  });
  $("ask").addEventListener("submit", async (e) => {
    e.preventDefault();
    const question = $("msg").value.trim();
    if (!question) return;
    $("msg").value = "";
    const turn = addTurn(question);
    const box = turn.querySelector(".reply");
    box.innerHTML = `<div class="a streaming"></div><div class="meta muted tools"></div>`;
    const text = box.querySelector(".a");
    const tools = box.querySelector(".tools");
    try {
      for await (const { event, data } of sse("/v1/chat/stream", { message: question, session_id: state.session_id || undefined })) {
        if (event === "token") text.textContent += typeof data === "string" ? data : data.text ?? "";
        else if (event === "tool") tools.textContent = `调用 ${data.name || ""}…`;
        else if (event === "error") throw new Error(data.error.message);
        else if (event === "done") {
          state.session_id = data.session_id;
          state.turns.push({ question, reply: data });
          save(state);
          fill(turn, data);
        }
      }
    } catch (err) {
      box.innerHTML = `<div class="error">${esc(err.message)}</div>`;
    }
  });
  $("msg").focus();
}
