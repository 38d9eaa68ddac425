// The graph view: Cytoscape.js, fed with the server's bounded subgraphs.
import cytoscape from "cytoscape";

import { cut } from "./dom.js";
import { EDGE_TYPES, ENTITY, MEMORY_TYPES, STATES } from "./encoding.js";

/** The label a node is drawn with (and read out in the node list). */
export function nodeLabel(node) {
  if (node.kind === "entity") return node.name;
  if (node.text) return cut(node.text, 42);
  const what = node.memory_type === "parametric" ? "LoRA adapter" : node.memory_type;
  return `${what} ${String(node.id).slice(0, 8)}`;
}

function style() {
  const rules = [
    {
      selector: "node",
      style: {
        label: "data(label)",
        "font-size": 13,
        "min-zoomed-font-size": 7,
        "font-family": "system-ui, sans-serif",
        color: "#212529",
        "text-wrap": "ellipsis",
        "text-max-width": 170,
        "text-valign": "bottom",
        "text-margin-y": 4,
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.85,
        "text-background-padding": 2,
        "border-width": 1,
        "border-color": "#212529",
        width: 26,
        height: 26,
      },
    },
    {
      selector: "node[kind = 'entity']",
      style: {
        shape: ENTITY.shape,
        "background-color": ENTITY.color,
        "border-color": ENTITY.border,
        "text-valign": "center",
        "text-margin-y": 0,
        "text-background-opacity": 0,
        "min-zoomed-font-size": 0,
        width: (ele) => Math.min(190, Math.max(48, ele.data("label").length * 7.4 + 16)),
        height: 24,
      },
    },
    ...MEMORY_TYPES.map((t) => ({
      selector: `node[kind = 'cube'][memory_type = '${t.value}']`,
      style: { "background-color": t.color },
    })),
    ...STATES.map((s) => ({ selector: `node[kind = 'cube'][state = '${s.value}']`, style: { shape: s.shape } })),
    { selector: "node[?seed]", style: { "border-width": 3 } },
    {
      selector: "node:selected",
      style: { "border-width": 4, "border-color": "#fab005", "overlay-opacity": 0.12, "overlay-color": "#fab005" },
    },
    {
      selector: "edge",
      style: {
        "curve-style": "bezier",
        "target-arrow-shape": "triangle",
        "arrow-scale": 0.8,
        "font-size": 11,
        "min-zoomed-font-size": 7,
        "text-rotation": "autorotate",
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.85,
        "text-background-padding": 1,
      },
    },
    ...Object.entries(EDGE_TYPES).map(([type, e]) => ({
      selector: `edge[type = '${type}']`,
      style: { "line-color": e.color, "target-arrow-color": e.color, "line-style": e.style, width: e.width },
    })),
    { selector: "edge[type = 'RELATES']", style: { label: "data(label)" } },
    { selector: "edge[type = 'MENTIONS']", style: { "target-arrow-shape": "none" } },
    { selector: "edge[?negated]", style: { "line-color": "#c92a2a", "target-arrow-color": "#c92a2a", "line-style": "dashed" } },
  ];
  return rules;
}

function nodeElement(node, seeds) {
  return { group: "nodes", data: { ...node, label: nodeLabel(node), seed: seeds.has(node.id) } };
}

function edgeElement(edge) {
  const label = edge.type === "RELATES" ? `${edge.negated ? "not " : ""}${edge.predicate ?? ""}` : "";
  return { group: "edges", data: { ...edge, label } };
}

/** The Cytoscape graph and the node/edge bookkeeping the page needs. */
export class GraphView {
  /**
   * @param {HTMLElement} container
   * @param {{onTap: (id: string) => void}} handlers
   */
  constructor(container, { onTap }) {
    this.cy = cytoscape({
      container,
      style: style(),
      wheelSensitivity: 0.3,
      minZoom: 0.15,
      maxZoom: 3,
      boxSelectionEnabled: false,
    });
    this.cy.on("tap", "node", (evt) => onTap(evt.target.id()));
    // The container may be hidden (size 0) when the graph is created, and its size changes with
    // the page: follow it and keep the whole graph in view.
    new ResizeObserver(() => {
      this.cy.resize();
      this.cy.fit(undefined, 24);
    }).observe(container);
  }

  /** Show only this subgraph. */
  replace(sub) {
    this.cy.elements().remove();
    this.merge(sub, null);
  }

  /** Add a subgraph's nodes and edges (those not shown yet), near `anchorId` when given. */
  merge(sub, anchorId) {
    const seeds = new Set(sub.seeds ?? []);
    const anchor = anchorId ? this.cy.getElementById(anchorId) : null;
    const at = anchor && anchor.nonempty() ? anchor.position() : null;
    const fresh = sub.nodes.filter((n) => this.cy.getElementById(n.id).empty()).map((n) => nodeElement(n, seeds));
    const nodeIds = new Set([...sub.nodes.map((n) => n.id), ...this.cy.nodes().map((n) => n.id())]);
    const edges = sub.edges
      .filter((e) => nodeIds.has(e.source) && nodeIds.has(e.target) && this.cy.getElementById(e.id).empty())
      .map(edgeElement);
    const added = this.cy.add([...fresh, ...edges]);
    if (at) {
      added.nodes().forEach((n, i) => {
        const angle = (2 * Math.PI * i) / Math.max(1, added.nodes().length);
        n.position({ x: at.x + 90 * Math.cos(angle), y: at.y + 90 * Math.sin(angle) });
      });
    }
    this.layout(Boolean(at));
    return added.nodes().length;
  }

  layout(incremental) {
    this.cy.resize();
    // Lay out in a box of the canvas's aspect ratio, so the graph uses the width it is given.
    const w = Math.max(300, this.cy.width());
    const h = Math.max(200, this.cy.height());
    const scale = Math.max(1, Math.sqrt(this.cy.nodes().length / 12));
    const layout = this.cy.layout({
      name: "cose",
      animate: false,
      randomize: !incremental,
      boundingBox: { x1: 0, y1: 0, w: w * scale, h: h * scale },
      fit: true,
      padding: 24,
      nodeRepulsion: () => 400000,
      nodeOverlap: 20,
      idealEdgeLength: (edge) => (edge.data("type") === "MENTIONS" ? 70 : 110),
      edgeElasticity: () => 100,
      gravity: 0.3,
      componentSpacing: 80,
      numIter: 1500,
    });
    layout.run();
  }

  select(id) {
    this.cy.nodes().unselect();
    const node = this.cy.getElementById(id);
    if (node.nonempty()) node.select();
    return node.nonempty() ? node.data() : null;
  }

  /** Plain data of every node shown, cubes first. */
  nodes() {
    return this.cy
      .nodes()
      .map((n) => n.data())
      .sort((a, b) => (a.kind === b.kind ? a.label.localeCompare(b.label) : a.kind === "cube" ? -1 : 1));
  }

  nodeIds() {
    return this.cy.nodes().map((n) => n.id());
  }

  node(id) {
    const n = this.cy.getElementById(id);
    return n.nonempty() ? n.data() : null;
  }

  /** Edges touching a node, as plain data with the other end's label. */
  edgesOf(id) {
    return this.cy
      .getElementById(id)
      .connectedEdges()
      .map((e) => ({ ...e.data(), sourceLabel: e.source().data("label"), targetLabel: e.target().data("label") }));
  }

  counts() {
    const cubes = this.cy.nodes("[kind = 'cube']").length;
    return { cubes, entities: this.cy.nodes().length - cubes, edges: this.cy.edges().length };
  }
}
