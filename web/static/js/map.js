// The city's map drawn from the graph's own geometry (GET /v1/graph/map): districts and unit grids as SVG,
// points (alarms, a triaged report) coloured by level. No tiles: an operations screen must work offline.
import { api, esc } from "./api.js";

const SVG = "http://www.w3.org/2000/svg";
const DISTRICT_FILLS = ["#e8f1fb", "#eef7ee", "#fdf3e6", "#f3ecfa", "#e9f6f6", "#fbeef0", "#f4f4e6", "#edf0f7"];
export const LEVEL_COLOURS = { watch: "#d4a106", warning: "#e8710a", alarm: "#c5221f" };

let cached = null;
export const cityMap = () => (cached ??= api("/v1/graph/map"));

function node(name, attrs = {}) {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

/** Draws the map into `container`; returns {svg, project, setPoints, highlightGrid}. */
export async function drawMap(container, { height = 460, onGrid } = {}) {
  const map = await cityMap();
  const [x0, y0, x1, y1] = map.bounds;
  // Degrees of longitude are shorter than of latitude away from the equator: scale x by cos(latitude).
  const k = Math.cos((((y0 + y1) / 2) * Math.PI) / 180);
  const width = Math.round((height * ((x1 - x0) * k)) / (y1 - y0));
  const project = ([lon, lat]) => [((lon - x0) * k * height) / (y1 - y0), ((y1 - lat) * height) / (y1 - y0)];
  const svg = node("svg", { viewBox: `-4 -4 ${width + 8} ${height + 8}`, role: "group", class: "citymap",
    "aria-label": `${map.city}网格地图：${map.districts.length}个区，${map.grids.length}个单元网格` });
  const fills = Object.fromEntries(map.districts.map((d, i) => [d.id, DISTRICT_FILLS[i % DISTRICT_FILLS.length]]));
  const path = (ring) => "M" + ring.map((p) => project(p).map((v) => v.toFixed(1)).join(",")).join("L") + "Z";
  const grids = node("g", { class: "grids" });
  for (const g of map.grids) {
    const p = node("path", { d: path(g.ring), fill: fills[g.district] || "#f3f5f8", "data-grid": g.id });
    p.appendChild(node("title")).textContent = `${g.name} ${g.id}`;
    if (onGrid) p.addEventListener("click", () => onGrid(g));
    grids.appendChild(p);
  }
  const districts = node("g", { class: "districts" });
  const labels = node("g", { class: "labels" });
  for (const d of map.districts) {
    districts.appendChild(node("path", { d: path(d.ring) }));
    const [x, y] = project([d.lon, d.lat]);
    const t = node("text", { x: x.toFixed(1), y: y.toFixed(1), "text-anchor": "middle" });
    t.textContent = d.name;
    labels.appendChild(t);
  }
  const points = node("g", { class: "points" });
  svg.append(grids, districts, labels, points);
  container.appendChild(svg);

  function setPoints(items, onClick) {
    points.replaceChildren();
    for (const item of items) {
      const [x, y] = project([item.lon, item.lat]);
      const c = node("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: item.r || 6, fill: item.colour,
        class: "point", "data-id": item.id, tabindex: "0", role: "button", "aria-label": item.title });
      c.appendChild(node("title")).textContent = item.title;
      if (onClick) {
        c.addEventListener("click", () => onClick(item));
        c.addEventListener("keydown", (e) => (e.key === "Enter" || e.key === " ") && onClick(item));
      }
      points.appendChild(c);
    }
  }

  function highlightGrid(gridId) {
    for (const p of grids.querySelectorAll(".selected")) p.classList.remove("selected");
    const p = grids.querySelector(`[data-grid="${CSS.escape(gridId || "")}"]`);
    if (p) p.classList.add("selected");
  }

  return { map, svg, setPoints, highlightGrid, districtName: (id) => (map.districts.find((d) => d.id === id) || {}).name || id };
}

export function districtOptions(map, selected = "") {
  return `<option value="">全市</option>` + map.districts
    .map((d) => `<option value="${esc(d.id)}"${d.id === selected ? " selected" : ""}>${esc(d.name)}</option>`).join("");
}
