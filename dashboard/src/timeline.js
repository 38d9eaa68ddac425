// The timeline of scheduler activity: promotions, encodings, demotions, with scores.
import { cut, h, when } from "./dom.js";
import { typeOf } from "./encoding.js";

const SVG = "http://www.w3.org/2000/svg";
const KIND_COLOURS = { promotion: "#d9480f", encoding: "#7b2cbf", demotion: "#1f6feb" };

function moveText(m) {
  const from = typeOf(m.from_type)?.value ?? m.from_type;
  const to = typeOf(m.to_type)?.value ?? m.to_type;
  return `${from} → ${to}`;
}

function strip(container, events) {
  const times = events.map((e) => new Date(e.started_at).getTime()).filter((t) => !Number.isNaN(t));
  container.replaceChildren();
  if (!times.length) return;
  const min = Math.min(...times);
  const span = Math.max(1, Math.max(...times) - min);
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 1000 40");
  svg.setAttribute("preserveAspectRatio", "none");
  svg.setAttribute("aria-hidden", "true");
  const axis = document.createElementNS(SVG, "line");
  for (const [k, v] of Object.entries({ x1: 10, y1: 20, x2: 990, y2: 20, stroke: "#adb5bd" })) axis.setAttribute(k, v);
  svg.append(axis);
  for (const e of events) {
    const t = new Date(e.started_at).getTime();
    if (Number.isNaN(t)) continue;
    const dot = document.createElementNS(SVG, "circle");
    const x = 10 + (980 * (t - min)) / span;
    for (const [k, v] of Object.entries({ cx: x, cy: 20, r: 7, fill: KIND_COLOURS[e.kind] ?? "#495057" })) dot.setAttribute(k, v);
    const title = document.createElementNS(SVG, "title");
    title.textContent = `${e.kind} ${when(e.started_at)}`;
    dot.append(title);
    svg.append(dot);
  }
  container.append(svg);
}

/** Render the timeline list (newest first) and its strip; `onOpen(cubeId)` shows a cube. */
export function renderTimeline({ list, stripEl, summary }, timeline, { onOpen }) {
  const events = timeline.events;
  summary.textContent = events.length
    ? `${events.length} scheduler events${timeline.omitted ? `; ${timeline.omitted} older events left out` : ""}.`
    : "No promotions, encodings or demotions for the memories you can see.";
  strip(stripEl, events);
  list.replaceChildren(...events.map((e) => {
    const moves = e.moves.length ? [...new Set(e.moves.map(moveText))].join(", ") : e.cubes.map((c) => c.memory_type).join(", ");
    const reasons = [...new Set(e.moves.map((m) => m.reason).filter(Boolean))];
    const params = Object.entries(e.params ?? {}).filter(([k]) => !["job_id", "score", "reason"].includes(k));
    return h("li", { class: `event event-${e.kind}`, "data-kind": e.kind },
      h("time", { datetime: e.started_at ?? "", text: when(e.started_at) }),
      h("span", { class: `badge badge-${e.kind}`, text: e.kind }),
      h("span", { class: "move", text: moves }),
      h("span", { class: "score", text: e.score === null || e.score === undefined ? "no score" : `score ${e.score.toFixed(2)}` }),
      reasons.length ? h("span", { class: "reason", text: reasons.join("; ") }) : null,
      params.length ? h("span", { class: "muted", text: params.map(([k, v]) => `${k} ${v}`).join(", ") }) : null,
      h("span", { class: "cubes" }, ...e.cubes.map((c) => h("button", {
        type: "button", class: "link", "data-cube-id": c.id, onClick: () => onOpen(c.id),
        text: `${c.memory_type}: ${cut(c.text || c.id, 40)}`,
      }))));
  }));
}
