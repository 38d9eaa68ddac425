// The filter form: memory types, lifecycle states, creation time range, source URI.
import { h } from "./dom.js";
import { DEFAULT_STATES, MEMORY_TYPES, STATES } from "./encoding.js";

function checkbox(name, option, checked) {
  const id = `filter-${name}-${option.value}`;
  return h("div", { class: "check" },
    h("input", { type: "checkbox", id, name, value: option.value, checked }),
    h("label", { for: id, text: option.label }));
}

/** Build the checkboxes; call `onApply(filter)` when the form is submitted or reset. */
export function setupFilters(form, onApply) {
  form.querySelector("#filter-types").append(...MEMORY_TYPES.map((t) => checkbox("memory_type", t, true)));
  form.querySelector("#filter-states").append(
    ...STATES.map((s) => checkbox("state", s, DEFAULT_STATES.includes(s.value))),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    onApply(readFilter(form));
  });
  form.addEventListener("reset", () => setTimeout(() => onApply(readFilter(form)), 0));
  form.addEventListener("change", (e) => {
    if (e.target.type === "checkbox") onApply(readFilter(form));
  });
}

/** The filter the form describes, in the API's GraphFilter shape (null: no restriction). */
export function readFilter(form) {
  const checked = (name) => [...form.querySelectorAll(`input[name='${name}']:checked`)].map((i) => i.value);
  const types = checked("memory_type");
  const states = checked("state");
  const from = form.querySelector("#filter-from").value;
  const to = form.querySelector("#filter-to").value;
  const source = form.querySelector("#filter-source").value.trim();
  return {
    memory_types: types.length === MEMORY_TYPES.length ? null : types,
    states,
    created_from: from ? `${from}T00:00:00Z` : null,
    created_to: to ? `${to}T23:59:59.999Z` : null,
    source: source || null,
  };
}

/** Offer the caller's source URIs as suggestions of the source field. */
export function offerSources(datalist, sources) {
  datalist.replaceChildren(...sources.map((s) => h("option", { value: s.uri, label: `${s.uri} (${s.cubes})` })));
}
