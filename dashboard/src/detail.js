// The detail panel: a MemCube's three metadata groups, payload, provenance chain, facts and
// versions; or an entity with the facts shown around it.
import { cut, dl, fill, h, when } from "./dom.js";
import { RELATION_WORDS, stateOf, typeOf } from "./encoding.js";
import { highlighted } from "./highlight.js";

const short = (id) => String(id ?? "").slice(0, 8);

function section(title, id, ...body) {
  const headingId = `${id}-heading`;
  return h("section", { class: "detail-section", id, "aria-labelledby": headingId },
    h("h3", { id: headingId, text: title }), ...body);
}

function cubeButton(step, onOpen) {
  const type = typeOf(step.memory_type)?.label ?? step.memory_type;
  return h("button", {
    type: "button", class: "link", "data-cube-id": step.id, onClick: () => onOpen(step.id),
    text: `${type} · ${stateOf(step.state)?.label ?? step.state} · ${short(step.id)}`,
  });
}

function payloadSummary(cube, evidence) {
  const p = cube.payload;
  if (p.kind === "plaintext") {
    return [h("p", { class: "payload-text" }, highlighted(p.text, evidence.map((e) => ({ ...e, title: e.predicate }))))];
  }
  if (p.kind === "activation") {
    return [dl([["Kind", "KV template (transformer KV cache)"], ["Model", p.model_id], ["Layers", p.layers],
      ["Tokens", p.token_count], ["SHA-256", p.sha256]]), h("p", { class: "payload-text", text: cut(p.text, 400) })];
  }
  return [dl([["Kind", "LoRA adapter"], ["Base model", p.base_model], ["Rank", p.rank],
    ["Facts encoded", p.facts_encoded.length], ["SHA-256", p.sha256]])];
}

function groups(cube) {
  const d = cube.descriptive;
  const g = cube.governance;
  const b = cube.behaviour;
  const history = b.score_history.slice(-5).map((s) => `${s.score.toFixed(2)} (${s.reason || "score"}, ${when(s.at)})`);
  return [
    section("Descriptive", "group-descriptive", dl([["Id", d.id], ["Memory type", typeOf(d.memory_type)?.label],
      ["Created", when(d.created_at)], ["Updated", when(d.updated_at)], ["Source signature", d.source_signature],
      ["Semantic type", d.semantic_type], ["Tags", d.tags.join(", ")]])),
    section("Governance", "group-governance", dl([["Owner", g.owner], ["Readers", g.readers.join(", ")],
      ["Writers", g.writers.join(", ")], ["State", stateOf(g.state)?.label], ["TTL (s)", g.ttl_s],
      ["Priority", g.priority], ["Version", g.version]])),
    section("Behaviour", "group-behaviour", dl([["Access count", b.access_count], ["Last access", b.last_access && when(b.last_access)],
      ["Relevance", b.relevance?.toFixed?.(3)], ["Score history", history.join("; ")],
      ["Lineage", b.lineage.map(short).join(", ")]])),
  ];
}

function sourceFigure(source, step) {
  const where = `characters ${source.start}–${source.end}`;
  const who = source.kind === "chat_turn"
    ? ` (chat turn ${source.turn_id ?? ""}${source.speaker ? `, ${source.speaker}` : ""}${source.timestamp ? `, ${when(source.timestamp)}` : ""})`
    : ` (${source.kind})`;
  const caption = h("figcaption", {},
    h("span", { class: "source-uri", text: source.uri }), `${who}, `, h("span", { class: "offsets", text: where }),
    h("span", { class: "hash", text: ` · sha256 ${String(source.content_hash ?? "").slice(0, 12)}…` }));
  let body;
  let note;
  if (typeof source.text === "string") {
    body = highlighted(source.text, [{ start: source.start, end: source.end, title: "this memory" }]);
    note = "Marked: the part of the source this memory was read from.";
  } else {
    body = highlighted(step.text ?? "", (step.evidence ?? []).map((e) => ({ ...e, title: e.predicate })));
    note = `The memory text as read from ${where} of the source. Marked: the evidence of its facts.`;
  }
  return h("figure", { class: "source" }, caption, h("blockquote", { class: "source-text" }, body),
    h("p", { class: "hint", text: note }));
}

function activityLine(a) {
  const params = Object.entries(a.params ?? {}).filter(([k]) => k !== "job_id").map(([k, v]) => `${k} ${v}`);
  return h("li", { class: "activity" },
    h("span", { class: "badge", text: a.kind }), ` ${a.name || ""} at ${when(a.started_at)}`,
    a.agents?.length ? ` by ${a.agents.join(", ")}` : "", params.length ? ` (${params.join(", ")})` : "");
}

function chain(detail, onOpen) {
  const list = h("ol", { class: "chain" });
  for (const step of detail.chain) {
    const what = step.depth === 0 ? "This memory" : `${RELATION_WORDS[step.relation] ?? step.relation}`;
    list.append(h("li", { class: "chain-step", "data-depth": step.depth },
      h("p", {}, h("strong", { text: what }), " ", cubeButton(step, onOpen)),
      step.activities.length ? h("ul", { class: "activities" }, ...step.activities.map(activityLine)) : null,
      ...step.sources.map((s) => sourceFigure(s, step))));
  }
  const reached = detail.chain.some((s) => s.sources.length);
  return [list, reached ? null : h("p", { class: "hint", text: "No source recorded for this memory or its readable ancestors." })];
}

function facts(evidence) {
  if (!evidence.length) return [h("p", { class: "hint", text: "This memory asserts no facts." })];
  return [h("ul", { class: "facts" }, ...evidence.map((e) => h("li", {},
    `${e.subject} `, h("strong", { text: `${e.negated ? "not " : ""}${e.predicate}` }), ` ${e.object}`,
    h("span", { class: "muted", text: ` (confidence ${Number(e.confidence).toFixed(2)})` }))))];
}

function versions(detail, onOpen) {
  return [h("ol", { class: "versions" }, ...detail.versions.map((v) => h("li", {},
    v.id === detail.cube.descriptive.id
      ? h("strong", { text: `v${v.version} (this one)` })
      : h("button", { type: "button", class: "link", onClick: () => onOpen(v.id), text: `v${v.version}` }),
    ` · ${stateOf(v.state)?.label ?? v.state} · ${when(v.created_at)} · ${cut(v.text, 60)}`)))];
}

function moreButton(omitted, onMore) {
  const left = omitted ? omitted.cubes + omitted.entities : 0;
  if (!left) return null;
  return h("button", { type: "button", id: "show-more", onClick: onMore,
    text: `Show more around it (${omitted.cubes} MemCubes, ${omitted.entities} entities left out)` });
}

/** Render a MemCube's detail. */
export function renderCube(heading, body, detail, { onOpen, omitted, onMore }) {
  const c = detail.cube;
  heading.textContent = `MemCube — ${typeOf(c.descriptive.memory_type)?.label}, ${stateOf(c.governance.state)?.label}`;
  fill(body,
    moreButton(omitted, onMore),
    section("Payload", "payload", ...payloadSummary(c, detail.evidence)),
    section("Provenance", "provenance", ...chain(detail, onOpen)),
    section("Facts", "facts", ...facts(detail.evidence)),
    ...groups(c),
    section("Versions", "versions", ...versions(detail, onOpen)),
  );
}

/** Render an entity with the facts and mentions shown around it in the graph. */
export function renderEntity(heading, body, node, edges, { omitted, onMore }) {
  heading.textContent = `Entity — ${node.name}`;
  const factEdges = edges.filter((e) => e.type === "RELATES");
  const mentions = edges.filter((e) => e.type === "MENTIONS");
  fill(body,
    moreButton(omitted, onMore),
    dl([["Name", node.name], ["Type", node.type], ["Id", node.id], ["Mentioned by (in view)", `${mentions.length} MemCubes`]]),
    section("Facts in view", "entity-facts", factEdges.length
      ? h("ul", { class: "facts" }, ...factEdges.map((e) => h("li", {}, `${e.sourceLabel} `,
        h("strong", { text: `${e.negated ? "not " : ""}${e.predicate}` }), ` ${e.targetLabel}`)))
      : h("p", { class: "hint", text: "No facts about this entity in view." })),
  );
}
