// Text with character spans highlighted as <mark> elements.
import { h } from "./dom.js";

/**
 * Split `text` into plain runs and <mark> runs for the given [start, end) spans.
 * Overlapping spans are merged; spans outside the text are clipped.
 * @param {string} text
 * @param {{start: number, end: number, title?: string}[]} spans
 * @returns {DocumentFragment}
 */
export function highlighted(text, spans) {
  const frag = document.createDocumentFragment();
  const sorted = spans
    .map((s) => ({ ...s, start: Math.max(0, s.start ?? 0), end: Math.min(text.length, s.end ?? 0) }))
    .filter((s) => s.end > s.start)
    .sort((a, b) => a.start - b.start);
  const merged = [];
  for (const s of sorted) {
    const last = merged[merged.length - 1];
    if (last && s.start <= last.end) {
      last.end = Math.max(last.end, s.end);
      if (s.title) last.title = last.title ? `${last.title}; ${s.title}` : s.title;
    } else merged.push({ ...s });
  }
  let at = 0;
  for (const s of merged) {
    if (s.start > at) frag.append(text.slice(at, s.start));
    frag.append(h("mark", { title: s.title, "data-start": s.start, "data-end": s.end, text: text.slice(s.start, s.end) }));
    at = s.end;
  }
  if (at < text.length) frag.append(text.slice(at));
  return frag;
}
