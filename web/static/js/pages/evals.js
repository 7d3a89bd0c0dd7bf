// 评测: the evaluation harness's newest figures, section by section, with when and on which commit each ran.
import { api, esc, h, fmtTime } from "../api.js";

const SECTION_NAMES = { chat: "值班问答", triage: "热线分拨", retrieval: "政策检索", tasks: "写操作任务", memo: "决策参考",
  forecast: "预测", forecast_models: "预测模型对比", anomalies: "异常扫描", hot_topics: "热点话题" };

const show = (v) => (typeof v === "number" ? (Number.isInteger(v) ? v : v.toFixed(3)) : typeof v === "object" ? JSON.stringify(v) : v);

export async function render(root) {
  const box = h(`<section class="card" aria-labelledby="evals-h"><h2 id="evals-h">评测 <span class="muted">yiwang eval 的最新结果</span></h2><div id="sections"></div></section>`);
  root.append(box);
  const record = await api("/v1/evals/latest");
  if (!Object.keys(record.sections).length) {
    box.querySelector("#sections").innerHTML = `<p class="muted">${esc(record.hint)}</p>`;
    return;
  }
  box.querySelector("#sections").replaceChildren(...Object.entries(record.sections).map(([name, s]) => h(`<div class="eval-section">
    <h3>${esc(SECTION_NAMES[name] || name)} <span class="muted">${fmtTime(s.created)} · ${esc(s.commit || "")} · ${esc(s.target || "")}</span></h3>
    ${s.error ? `<p class="error">${esc(s.error)}</p>` : ""}
    <table class="grid-table"><caption class="sr-only">${esc(name)} 指标</caption><tr><th scope="col">指标</th><th scope="col">数值</th></tr>
    ${Object.entries(s.figures || {}).map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(show(v))}</td></tr>`).join("")}</table></div>`)));
}
