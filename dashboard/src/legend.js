// The legend: what colours, shapes and lines mean (same encoding the graph uses).
import { h } from "./dom.js";
import { EDGE_TYPES, ENTITY, MEMORY_TYPES, STATES } from "./encoding.js";

const SVG = "http://www.w3.org/2000/svg";

const SHAPES = {
  ellipse: (g) => g("circle", { cx: 9, cy: 9, r: 7 }),
  diamond: (g) => g("polygon", { points: "9,1 17,9 9,17 1,9" }),
  hexagon: (g) => g("polygon", { points: "4,2 14,2 18,9 14,16 4,16 0,9" }),
  barrel: (g) => g("rect", { x: 2, y: 3, width: 14, height: 12, rx: 5, ry: 3 }),
  triangle: (g) => g("polygon", { points: "9,1 17,16 1,16" }),
  vee: (g) => g("polygon", { points: "1,2 9,7 17,2 9,17" }),
  "round-rectangle": (g) => g("rect", { x: 1, y: 4, width: 16, height: 10, rx: 3 }),
};

function svg(width, draw) {
  const root = document.createElementNS(SVG, "svg");
  root.setAttribute("width", String(width));
  root.setAttribute("height", "18");
  root.setAttribute("aria-hidden", "true");
  root.setAttribute("focusable", "false");
  const g = (tag, attrs) => {
    const el = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
    root.append(el);
    return el;
  };
  draw(g);
  return root;
}

function shape(name, fill, stroke = "#212529") {
  return svg(18, (g) => {
    const el = SHAPES[name](g);
    el.setAttribute("fill", fill);
    el.setAttribute("stroke", stroke);
  });
}

function line(e) {
  const dash = e.style === "dashed" ? "5,3" : e.style === "dotted" ? "1,3" : "";
  return svg(30, (g) =>
    g("line", { x1: 1, y1: 9, x2: 29, y2: 9, stroke: e.color, "stroke-width": e.width, "stroke-dasharray": dash }),
  );
}

function item(swatch, label) {
  return h("li", {}, swatch, h("span", { text: label }));
}

/** Fill the legend section. */
export function renderLegend(section) {
  section.append(
    h("h3", { text: "MemCube colour: memory type" }),
    h("ul", { class: "legend-list" }, ...MEMORY_TYPES.map((t) => item(shape("ellipse", t.color), t.label))),
    h("h3", { text: "MemCube shape: lifecycle state" }),
    h("ul", { class: "legend-list" }, ...STATES.map((s) => item(shape(s.shape, "#ffffff"), s.label))),
    h("h3", { text: "Other nodes" }),
    h("ul", { class: "legend-list" }, item(shape(ENTITY.shape, ENTITY.color, ENTITY.border), ENTITY.label),
      item(shape("ellipse", "#ffffff"), "Thick border: a seed of the view")),
    h("h3", { text: "Edges" }),
    h("ul", { class: "legend-list" }, ...Object.values(EDGE_TYPES).map((e) => item(line(e), e.label)),
      item(line({ color: "#c92a2a", style: "dashed", width: 2 }), "Negated fact")),
  );
}
