// The visual encoding, shared by the graph style, the legend and the filters.
// Colours are a colour-blind-safe set (blue, orange, purple) and every colour also has a shape
// or a label, so nothing depends on colour alone.

export const MEMORY_TYPES = [
  { value: "plaintext", label: "Plaintext", color: "#1f6feb" },
  { value: "activation", label: "Activation (KV template)", color: "#d9480f" },
  { value: "parametric", label: "Parametric (LoRA adapter)", color: "#7b2cbf" },
];

export const STATES = [
  { value: "generated", label: "Generated", shape: "ellipse" },
  { value: "activated", label: "Activated", shape: "diamond" },
  { value: "merged", label: "Merged", shape: "hexagon" },
  { value: "archived", label: "Archived", shape: "barrel" },
  { value: "expired", label: "Expired", shape: "triangle" },
  { value: "deleted", label: "Deleted", shape: "vee" },
];

/** States shown unless the user asks otherwise (the server's default: all but deleted). */
export const DEFAULT_STATES = STATES.filter((s) => s.value !== "deleted").map((s) => s.value);

export const ENTITY = { label: "Entity", color: "#e9ecef", border: "#495057", shape: "round-rectangle" };

export const EDGE_TYPES = {
  RELATES: { label: "Fact (subject → object)", color: "#343a40", style: "solid", width: 2 },
  MENTIONS: { label: "Mentions", color: "#adb5bd", style: "dotted", width: 1 },
  PROMOTED_TO: { label: "Promoted to", color: "#d9480f", style: "solid", width: 3 },
  DEMOTED_TO: { label: "Demoted to", color: "#1f6feb", style: "dashed", width: 3 },
  ENCODES: { label: "Facts encoded from", color: "#7b2cbf", style: "dashed", width: 2 },
  DERIVED_FROM: { label: "Derived from", color: "#868e96", style: "solid", width: 1.5 },
  SUPERSEDES: { label: "Supersedes (new version)", color: "#2b8a3e", style: "solid", width: 2 },
};

export const typeOf = (value) => MEMORY_TYPES.find((t) => t.value === value);
export const stateOf = (value) => STATES.find((s) => s.value === value);

/** Words for a provenance relation, read from the cube towards its ancestor. */
export const RELATION_WORDS = {
  PROMOTED_TO: "promoted from",
  DEMOTED_TO: "demoted from",
  DERIVED_FROM: "derived from",
  SUPERSEDES: "new version of",
  ENCODES: "encodes facts of",
};
