// The node list: every node in view as a button, so the graph can be used from the keyboard.
import { h } from "./dom.js";
import { stateOf, typeOf } from "./encoding.js";

/** Words a screen reader (and a sighted reader) gets for a node. */
export function describe(node) {
  if (node.kind === "entity") return `Entity (${node.type ?? "thing"}): ${node.label}`;
  return `MemCube, ${typeOf(node.memory_type)?.label ?? node.memory_type}, ${stateOf(node.state)?.label ?? node.state}: ${node.label}`;
}

/** Render the list; `onActivate(id)` runs on click or Enter/Space. */
export function renderNodeList(ul, counter, nodes, selectedId, onActivate) {
  counter.textContent = String(nodes.length);
  ul.replaceChildren(...nodes.map((n) => h("li", {},
    h("button", {
      type: "button", class: `node-button node-${n.kind}`, "data-node-id": n.id, "data-kind": n.kind,
      "data-memory-type": n.memory_type, "aria-current": n.id === selectedId ? "true" : null,
      onClick: () => onActivate(n.id), text: describe(n),
    }))));
}
