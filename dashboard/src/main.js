// The dashboard: connects with an API key, then shows the graph, details, filters, timeline and chat.
import "./styles.css";

import { api, ApiError, session } from "./api.js";
import { setupChat } from "./chat.js";
import { renderCube, renderEntity } from "./detail.js";
import { cut, fill, h } from "./dom.js";
import { offerSources, readFilter, setupFilters } from "./filters.js";
import { GraphView } from "./graph.js";
import { renderLegend } from "./legend.js";
import { renderNodeList } from "./nodelist.js";
import { renderTimeline } from "./timeline.js";

const VIEW_LIMIT = 60;
const EXPAND_LIMIT = 20;

const $ = (id) => document.getElementById(id);

const state = {
  filter: null,
  view: { kind: "overview", query: "", seeds: [] },
  selected: null,
  /** node id → what the server left out around it on its last expansion */
  leftOut: new Map(),
  /** request counters: an answer to an older request than the latest is dropped */
  seq: { view: 0, timeline: 0 },
};

let graph;

function showStatus(message) {
  const el = $("status");
  el.textContent = message;
  el.hidden = !message;
}

async function guarded(work) {
  try {
    showStatus("");
    return await work();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      session.clear();
      askForKey("The server rejected the API key; enter a valid one.");
      return undefined;
    }
    showStatus(err instanceof ApiError ? `The server answered ${err.status}: ${err.message}` : `Error: ${err.message}`);
    return undefined;
  }
}

// --- connecting ---------------------------------------------------------------------------

function askForKey(message) {
  $("app").hidden = true;
  $("search-form").hidden = true;
  $("session").hidden = true;
  const error = $("key-error");
  error.textContent = message ?? "";
  error.hidden = !message;
  const dialog = $("key-dialog");
  if (!dialog.open) dialog.showModal();
  $("key-input").focus();
}

async function connect() {
  $("key-dialog").close();
  $("app").hidden = false;
  $("search-form").hidden = false;
  $("session").hidden = false;
  $("session-label").textContent = "Connected (key kept for this tab)";
  await Promise.all([loadView(), loadTimeline(), guarded(async () => offerSources($("source-options"), await api.sources()))]);
}

async function submitKey(event) {
  event.preventDefault();
  const key = $("key-input").value.trim();
  if (!key) return;
  try {
    await api.check(key);
  } catch (err) {
    const why = err instanceof ApiError && err.status === 401 ? "That API key was not accepted." : `Could not connect: ${err.message}`;
    askForKey(why);
    return;
  }
  session.set(key);
  $("key-input").value = "";
  await connect();
}

// --- the graph view -----------------------------------------------------------------------

function omittedText(o) {
  return `${o.cubes} MemCubes, ${o.entities} entities, ${o.facts} facts, ${o.edges} other edges`;
}

function showCounts(omitted, context) {
  const c = graph.counts();
  $("graph-summary").textContent =
    `Showing ${c.cubes + c.entities} nodes (${c.cubes} MemCubes, ${c.entities} entities) and ${c.edges} edges.`;
  const left = omitted.cubes + omitted.entities + omitted.facts + omitted.edges;
  $("omitted").textContent = left
    ? `Left out by the server ${context}: ${omittedText(omitted)}.`
    : `Nothing left out ${context}.`;
  $("omitted").classList.toggle("has-omitted", left > 0);
  renderNodeList($("node-list"), $("node-count"), graph.nodes(), state.selected, activate);
}

async function loadView() {
  const seq = ++state.seq.view;
  await guarded(async () => {
    const { kind, query, seeds } = state.view;
    const sub = kind === "overview"
      ? await api.overview(state.filter, VIEW_LIMIT)
      : seeds.length
        ? await api.neighbourhood(seeds, [], state.filter, VIEW_LIMIT)
        : { nodes: [], edges: [], omitted: { cubes: 0, entities: 0, facts: 0, edges: 0 }, seeds: [] };
    if (seq !== state.seq.view) return;
    state.leftOut.clear();
    graph.replace(sub);
    $("view-title").textContent = kind === "overview" ? "Overview: latest memories" : `Around the results for “${query}”`;
    showCounts(sub.omitted, kind === "overview" ? "(overview)" : "(around the results)");
    if (state.selected && !graph.node(state.selected)) state.selected = null;
  });
}

async function loadTimeline() {
  const seq = ++state.seq.timeline;
  await guarded(async () => {
    const tl = await api.timeline(state.filter);
    if (seq !== state.seq.timeline) return;
    renderTimeline({ list: $("timeline-list"), stripEl: $("timeline-strip"), summary: $("timeline-summary") }, tl,
      { onOpen: (id) => openCube(id) });
  });
}

async function expand(id) {
  const node = graph.node(id);
  if (!node) return;
  const sub = await api.neighbourhood([id], graph.nodeIds().filter((n) => n !== id), state.filter, EXPAND_LIMIT);
  graph.merge(sub, id);
  state.leftOut.set(id, sub.omitted);
  showCounts(sub.omitted, `around “${cut(node.label, 40)}”`);
}

async function showDetail(id) {
  const node = graph.node(id);
  const heading = $("detail-heading");
  const body = $("detail-body");
  const more = { omitted: state.leftOut.get(id), onMore: () => activate(id) };
  if (!node || node.kind === "entity") {
    if (node) renderEntity(heading, body, node, graph.edgesOf(id), more);
    return;
  }
  const detail = await api.cube(id);
  if (state.selected === id) renderCube(heading, body, detail, { ...more, onOpen: openCube });
}

/** Select a node, expand around it (bounded) and show its detail: what a click on a node does. */
async function activate(id) {
  await guarded(async () => {
    state.selected = id;
    graph.select(id);
    $("detail-body").replaceChildren(h("p", { class: "hint", text: "Loading…" }));
    await expand(id);
    graph.select(id);
    await showDetail(id);
    renderNodeList($("node-list"), $("node-count"), graph.nodes(), state.selected, activate);
  });
}

/** Show a cube that may not be in view yet (from the timeline, provenance or versions). */
async function openCube(id) {
  if (!graph.node(id)) {
    await guarded(async () => {
      const sub = await api.neighbourhood([id], graph.nodeIds(), state.filter, 1);
      if (!sub.nodes.length) throw new Error("that memory is hidden by the current filters");
      graph.merge(sub, state.selected);
    });
  }
  if (graph.node(id)) {
    await activate(id);
    $("detail-heading").focus();
  }
}

// --- search -------------------------------------------------------------------------------

function resultButton(id, text, extra) {
  return h("li", {}, h("button", { type: "button", class: "link", "data-node-id": id, onClick: () => openCube(id), text }),
    extra ? h("span", { class: "muted", text: ` ${extra}` }) : null);
}

async function search(event) {
  event.preventDefault();
  const query = $("search-input").value.trim();
  if (!query) return;
  await guarded(async () => {
    const [found, searched] = await Promise.all([
      api.find(query, state.filter),
      api.search(query, state.filter).catch((err) => ({ error: err })),
    ]);
    const memories = searched.error
      ? found.filter((f) => f.kind === "cube").map((f) => ({ cube_id: f.id, text: f.label, score: f.score, channels: ["fulltext"] }))
      : searched.results;
    const entities = found.filter((f) => f.kind === "entity").slice(0, 5);
    fill($("results-body"),
      h("h3", { text: `Memories (${memories.length})` }),
      memories.length
        ? h("ol", { class: "results" }, ...memories.map((r) => resultButton(r.cube_id, cut(r.text, 80),
          `score ${Number(r.score).toFixed(3)} · ${r.channels.join(", ")}`)))
        : h("p", { class: "hint", text: "No memory matches." }),
      h("h3", { text: `Entities (${entities.length})` }),
      entities.length
        ? h("ul", { class: "results" }, ...entities.map((e) => resultButton(e.id, e.label)))
        : h("p", { class: "hint", text: "No entity matches." }),
      searched.error ? h("p", { class: "hint", text: `Hybrid search unavailable (${searched.error.message}); showing full-text matches.` }) : null,
    );
    $("results").hidden = false;
    state.view = { kind: "search", query, seeds: [...new Set([...memories.map((r) => r.cube_id), ...entities.map((e) => e.id)])].slice(0, 50) };
    await loadView();
  });
}

// --- start --------------------------------------------------------------------------------

function start() {
  renderLegend($("legend"));
  setupFilters($("filters"), (filter) => {
    state.filter = filter;
    loadView();
    loadTimeline();
  });
  state.filter = readFilter($("filters"));
  graph = new GraphView($("cy"), { onTap: activate });
  window.memcubedbDashboard = { graph };
  $("key-form").addEventListener("submit", submitKey);
  $("key-dialog").addEventListener("cancel", (e) => e.preventDefault());
  $("search-form").addEventListener("submit", search);
  setupChat({ form: $("chat-form"), input: $("chat-input"), log: $("chat-log"), reset: $("chat-reset") },
    { onOpen: openCube, guarded });
  $("overview-button").addEventListener("click", () => {
    state.view = { kind: "overview", query: "", seeds: [] };
    $("results").hidden = true;
    loadView();
  });
  $("sign-out").addEventListener("click", () => {
    session.clear();
    askForKey();
  });
  if (session.key) connect();
  else askForKey();
}

start();
