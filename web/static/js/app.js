// The screen's shell: who is on duty (from the key), which pages they see, and the page in view.
import { api, apiKey, esc } from "./api.js";
import * as overview from "./pages/overview.js";
import * as monitoring from "./pages/monitoring.js";
import * as chat from "./pages/chat.js";
import * as triage from "./pages/triage.js";
import * as cases from "./pages/cases.js";
import * as memos from "./pages/memos.js";
import * as evals from "./pages/evals.js";
import * as cities from "./pages/cities.js";

const PAGES = { overview, monitoring, chat, triage, cases, memos, evals, cities };
const $ = (id) => document.getElementById(id);

// What the caller may do (GET /v1/me); pages offer only that.
export const session = { me: null, level: "city", may: (action) => !!session.me && session.me.may.includes(action) };

let leave = null;

async function whoAmI() {
  try {
    session.me = await api("/v1/me");
    $("me").textContent = `${session.me.name} · ${session.me.role_name}`;
    $("me").className = "badge ok";
  } catch (e) {
    session.me = null;
    $("me").textContent = e.status === 401 ? "请输入密钥" : e.message;
    $("me").className = "badge warn";
  }
  for (const link of document.querySelectorAll("#nav a")) {
    const level = !link.dataset.levels || link.dataset.levels.split(" ").includes(session.level);
    link.hidden = !level || (link.dataset.needs && !session.may(link.dataset.needs));
  }
}

async function health() {
  try {
    const h = await api("/healthz");
    session.level = h.level;
    $("platform").textContent = `${h.platform} · ${h.level === "city" ? "城市运行管理服务 · 值班指挥" : h.level === "province" ? "省级平台 · 各市协同" : "国家平台"}`;
    $("health").textContent = `图 ${h.graph} · 库 ${h.db} · ${h.llm === "offline-planner" ? "离线规划" : "模型 " + h.llm}`;
  } catch (e) {
    $("health").textContent = "服务不可用: " + e.message;
  }
}

async function show() {
  const name = (location.hash.match(/^#\/(\w+)/) || [])[1] || (session.level === "city" ? "overview" : "cities");
  const page = PAGES[name] || overview;
  if (leave) leave();
  leave = null;
  for (const link of document.querySelectorAll("#nav a")) {
    link.classList.toggle("active", link.dataset.page === name);
    link.toggleAttribute("aria-current", link.dataset.page === name);
  }
  const root = $("page");
  root.innerHTML = "";
  root.dataset.page = name;
  if (!session.me) {
    root.innerHTML = `<section class="card login"><h2>请先登录</h2><p>在右上角输入 API 密钥（<code>make run</code> 为每个角色打印一个演示密钥，也在 <code>var/demo-keys.txt</code>）。</p></section>`;
    return;
  }
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  try {
    leave = (await page.render(root, { session, params })) || null;
  } catch (e) {
    root.innerHTML = `<section class="card"><p class="error">${esc(e.message)}</p></section>`;
  }
}

$("apikey").value = apiKey.get();
$("apikey").addEventListener("change", async () => {
  apiKey.set($("apikey").value.trim());
  await whoAmI();
  show();
});
window.addEventListener("hashchange", show);
await health();
await whoAmI();
show();
