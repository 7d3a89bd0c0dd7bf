// The one way the screen talks to the server: the key typed in the header goes with every call, and an
// error comes back as the server's sentence (never a status code alone).

const KEY = "yiwang-key";

export const apiKey = {
  get: () => localStorage.getItem(KEY) || "",
  set: (value) => (value ? localStorage.setItem(KEY, value) : localStorage.removeItem(KEY)),
};

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

function headers(extra = {}) {
  const key = apiKey.get();
  return key ? { ...extra, Authorization: "Bearer " + key } : extra;
}

async function failure(res) {
  let message = res.statusText || "请求失败";
  try {
    const body = await res.json();
    if (body.error && body.error.message) message = body.error.message;
  } catch { /* not JSON: keep the status text */ }
  return new ApiError(message, res.status);
}

export async function api(path, { method = "GET", body } = {}) {
  const res = await fetch(path, {
    method,
    headers: headers(body === undefined ? {} : { "Content-Type": "application/json" }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw await failure(res);
  return res.json();
}

export async function download(path, filename) {
  // A link cannot carry the key, so the file is fetched and handed to the browser as a blob.
  const res = await fetch(path, { headers: headers() });
  if (!res.ok) throw await failure(res);
  const url = URL.createObjectURL(await res.blob());
  const a = Object.assign(document.createElement("a"), { href: url, download: filename });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// Server-Sent Events over POST (EventSource only does GET): yields {event, data} as they arrive.
export async function* sse(path, body) {
  const res = await fetch(path, {
    method: "POST",
    headers: headers({ "Content-Type": "application/json", Accept: "text/event-stream" }),
    body: JSON.stringify(body),
  });
  if (!res.ok) throw await failure(res);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const event = (block.match(/^event: (.*)$/m) || [])[1] || "message";
      const data = block.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
      yield { event, data: data ? JSON.parse(data) : null };
    }
  }
}

export const esc = (s) =>
  String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

export function h(html) {
  const t = document.createElement("template");
  t.innerHTML = html.trim();
  return t.content.firstElementChild;
}

export const STATUS_NAMES = { normal: "正常", watch: "关注", warning: "预警", alarm: "报警" };
export const LEVEL_NAMES = { watch: "关注", warning: "预警", alarm: "报警" };
export const KIND_NAMES = {
  water_level: "水位", water_pressure: "供水压力", gas_concentration: "燃气浓度", manhole_tilt: "井盖倾斜",
  manhole_displacement: "井盖位移", bridge_strain: "桥梁应变", bridge_deflection: "桥梁挠度", pump_status: "泵站状态",
  light_status: "路灯状态",
};
export const URGENCY_NAMES = { low: "低", normal: "一般", high: "紧急", critical: "特急" };

export const fmtTime = (iso) => (iso ? iso.replace("T", " ").slice(0, 16) : "—");
export const fmtNumber = (v, digits = 2) =>
  v === null || v === undefined ? "—" : Number.isInteger(v) ? String(v) : Number(v).toFixed(digits);
