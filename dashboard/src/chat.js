// The chat panel: memory-augmented answers (POST /v1/chat/completions), each with the memories it
// used by type; every memory opens its details and provenance in the detail panel.
import { api } from "./api.js";
import { fill, h } from "./dom.js";

const TYPES = [
  ["activation", "Activation (KV template)"],
  ["plaintext", "Plaintext"],
  ["parametric", "Parametric (LoRA adapter)"],
];

const VIA = {
  kv_prefix: "cached KV prefix",
  memory_block: "memory block",
  text_fallback: "text (template not usable)",
  adapter: "adapter applied",
};

/** The "memories used" part of one answer: a list per memory type, each id a button. */
function usedMemories(report, onOpen) {
  const groups = TYPES.filter(([kind]) => report.memories[kind].length).map(([kind, label]) =>
    h("div", { class: "chat-used", "data-memory-type": kind },
      h("h4", { text: `${label} (${report.memories[kind].length})` }),
      h("ul", {}, ...report.memories[kind].map((m) =>
        h("li", {},
          h("button", { type: "button", class: "link", "data-memory-id": m.id, onClick: () => onOpen(m.id), text: m.id }),
          h("span", { class: "muted", text: ` score ${Number(m.score).toFixed(3)} · ${VIA[m.via] ?? m.via}` }))))));
  const tokens = `prefill ${report.prefill_tokens} tokens, cached ${report.cached_tokens}` +
    (report.ttft_ms == null ? "" : `, first token after ${Math.round(report.ttft_ms)} ms`);
  return h("div", { class: "chat-memories" },
    groups.length ? groups : h("p", { class: "hint", text: "No memory used." }),
    h("p", { class: "muted chat-tokens", text: tokens }),
    ...report.notes.map((note) => h("p", { class: "muted", text: `Note: ${note}` })));
}

/**
 * Wire the chat panel.
 * @param {{form: HTMLFormElement, input: HTMLTextAreaElement, log: HTMLElement, reset: HTMLElement}} els
 * @param {{onOpen: (id: string) => void, guarded: (work: () => Promise<unknown>) => Promise<unknown>}} hooks
 */
export function setupChat(els, { onOpen, guarded }) {
  let history = [];
  els.reset.addEventListener("click", () => {
    history = [];
    fill(els.log);
  });
  els.form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = els.input.value.trim();
    if (!text) return;
    els.input.value = "";
    history.push({ role: "user", content: text });
    els.log.append(h("li", { class: "chat-user" }, h("strong", { text: "You: " }), text));
    const pending = h("li", { class: "chat-answer", "aria-busy": "true", text: "Generating…" });
    els.log.append(pending);
    const button = els.form.querySelector("button[type=submit]");
    button.disabled = true;
    const done = await guarded(async () => {
      const completion = await api.chat(history);
      const answer = completion.choices[0].message.content;
      history.push({ role: "assistant", content: answer });
      fill(pending, h("strong", { text: "Answer: " }), h("span", { class: "chat-text", text: answer }),
        usedMemories(completion.memcubedb, onOpen));
      pending.removeAttribute("aria-busy");
      return true;
    });
    if (!done) {
      history.pop();
      pending.remove();
    }
    button.disabled = false;
  });
}
