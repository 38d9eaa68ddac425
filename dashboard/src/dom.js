// Tiny DOM helpers: elements are built with textContent only, never from HTML strings.

/**
 * Create an element.
 * @param {string} tag
 * @param {Record<string, unknown>} [attrs] attributes; `class`, `text`, `on<Event>` are special
 * @param {...(Node|string|null|undefined|false)} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") el.className = String(value);
    else if (name === "text") el.textContent = String(value);
    else if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2).toLowerCase(), value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, ...children);
  return el;
}

/** Append children, skipping empty ones; strings become text nodes. */
export function append(el, ...children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return el;
}

/** Replace an element's children (empty ones skipped, as in `append`). */
export function fill(el, ...children) {
  el.replaceChildren();
  return append(el, ...children);
}

/** A definition list from [term, value] pairs; empty values show an em dash. */
export function dl(pairs, attrs = {}) {
  const list = h("dl", attrs);
  for (const [term, value] of pairs) {
    const shown = value === undefined || value === null || value === "" || (Array.isArray(value) && !value.length)
      ? "—"
      : value;
    list.append(h("dt", { text: term }), h("dd", {}, shown instanceof Node ? shown : String(shown)));
  }
  return list;
}

/** A short, readable form of an ISO timestamp (UTC, minutes). */
export function when(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toISOString().slice(0, 16).replace("T", " ") + " UTC";
}

/** Text cut to `n` characters with an ellipsis. */
export function cut(text, n) {
  const s = String(text ?? "").replace(/\s+/g, " ").trim();
  return s.length > n ? s.slice(0, n - 1) + "…" : s;
}
