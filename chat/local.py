"""The local backend: generation on the Hugging Face causal LM the scheduler builds memory for.

It uses all three memory types: the KV-template prefix (:mod:`memcubedb.chat.prefix`), the memory
block in the prompt, and the caller's LoRA adapter, attached for the one generation and removed
afterwards (:func:`memcubedb.scheduler.lora.attached`). :meth:`LocalBackend.run` must be called
from one thread at a time (the service's single model worker): attaching an adapter changes the
shared model's modules, so serialising generations is what keeps one principal's adapter out of
another's answer.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from memcubedb.chat.context import ContextPlan, memory_block
from memcubedb.chat.errors import PromptTooLong
from memcubedb.chat.generation import Sampling, decode
from memcubedb.chat.prefix import Prefix, PrefixCache, TemplateRef, build_prefix
from memcubedb.metrics import cache_lookup
from memcubedb.scheduler.kv_templates import ChatTemplateError, KVTemplate, render_for_generation, render_messages
from memcubedb.scheduler.lm import LoadedLM
from memcubedb.scheduler.lora import LoRAAdapter, attached, load_adapter
from memcubedb.scheduler.vault import MemVault, VaultError
from memcubedb.tracing import span

ADAPTER_CACHE = 8
"""Loaded adapters kept in memory (least recently used dropped first)."""

Emit = Callable[[str, str], None]
"""``emit(kind, value)``: ``("ready", "")`` once the prompt is built and accepted, then
``("delta", text)`` per piece of answer text."""


@dataclass
class Outcome:
    """What one generation used and produced (token counts in tokens, times in ms)."""

    text: str = ""
    finish_reason: str = "length"
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    prefill_tokens: int = 0
    ttft_ms: float | None = None
    prefix: list[TemplateRef] = field(default_factory=list)
    fallback: list[TemplateRef] = field(default_factory=list)
    adapter: str | None = None
    notes: list[str] = field(default_factory=list)
    context: str = ""


def prompt_ids(lm: LoadedLM, prefix: KVTemplate | None, rest: list[dict[str, str]]) -> tuple[torch.Tensor, str]:
    """``[tokens]`` ids and rendered text of prefix messages + ``rest`` + the generation prompt;
    the first ``prefix.token_count`` ids are the prefix's own (what its KV was computed on).

    Raises:
        ChatTemplateError: the chat template does not render the conversation as an extension of the prefix.
    """
    head_messages = list(prefix.messages) if prefix is not None else []
    full = render_for_generation(lm, [*head_messages, *rest])
    head = render_messages(lm, head_messages) if head_messages else ""
    if not full.startswith(head):
        raise ChatTemplateError("the chat template renders the conversation differently from the KV prefix")
    tail = torch.tensor(lm.tokenizer(full[len(head) :], add_special_tokens=False)["input_ids"], dtype=torch.long)
    ids = torch.cat([prefix.token_ids.cpu(), tail]) if prefix is not None else tail
    return ids, full


class LocalBackend:
    """Generation on one shared causal LM (loaded on first use by ``lm_loader``)."""

    def __init__(
        self, lm_loader: Callable[[], LoadedLM], vault: MemVault, cache_bytes: int, max_input_tokens: int
    ) -> None:
        self._loader = lm_loader
        self._lm: LoadedLM | None = None
        self._lock = threading.Lock()
        self.vault = vault
        self.prefixes = PrefixCache(cache_bytes)
        self.max_input_tokens = max_input_tokens
        self._adapters: OrderedDict[str, LoRAAdapter] = OrderedDict()

    @property
    def lm(self) -> LoadedLM:
        """The model (loaded once; look-ups counted as ``lm`` cache hits/misses)."""
        with self._lock:
            cache_lookup("lm", self._lm is not None)
            if self._lm is None:
                with span("model.load"):
                    self._lm = self._loader()
            return self._lm

    def close(self) -> None:
        """Drop the model, the cached prefixes and adapters (memory is freed once unreferenced)."""
        with self._lock:
            self._lm = None
        self.prefixes = PrefixCache(self.prefixes.max_bytes)
        self._adapters.clear()

    def _adapter(self, digest: str) -> LoRAAdapter:
        found = self._adapters.get(digest)
        cache_lookup("adapter", found is not None)
        if found is None:
            found = load_adapter(self.vault, self.lm, digest)
            self._adapters[digest] = found
            while len(self._adapters) > ADAPTER_CACHE:
                self._adapters.popitem(last=False)
        self._adapters.move_to_end(digest)
        return found

    def run(
        self,
        plan: ContextPlan,
        conversation: list[dict[str, str]],
        sampling: Sampling,
        emit: Emit,
        cancelled: Callable[[], bool],
        started: float,
    ) -> Outcome:
        """Generate one answer with the planned memories (``started``: ``time.perf_counter()`` at
        the request's arrival, for the time to first token).

        Raises:
            PromptTooLong: the rendered prompt has more than ``max_input_tokens`` tokens.
        """
        with span("model.generate"):
            return self._run(plan, conversation, sampling, emit, cancelled, started)

    def _run(
        self, plan: ContextPlan, conversation: list[dict[str, str]], sampling: Sampling, emit: Emit,
        cancelled: Callable[[], bool], started: float,
    ) -> Outcome:  # fmt: skip
        lm = self.lm
        out = Outcome(notes=list(plan.notes))
        adapter = None
        if plan.adapter is not None:
            try:
                adapter = self._adapter(plan.adapter.digest)
                out.adapter = plan.adapter.id
            except (VaultError, ValueError) as exc:
                out.notes.append(f"adapter {plan.adapter.id} not applied: {exc}")
        binding = (plan.adapter.id, plan.adapter.digest) if adapter is not None and plan.adapter else None
        with attached(lm, adapter) if adapter is not None else contextlib.nullcontext():
            try:
                prefix = build_prefix(lm, self.vault, self.prefixes, plan.templates, binding)
            except ChatTemplateError as exc:
                prefix = Prefix()
                out.fallback = list(plan.templates)
                out.notes.append(f"KV templates given as text: {exc}")
            out.notes.extend(prefix.notes)
            out.prefix = prefix.refs
            items = [(r.id, r.text) for r in out.fallback] + [(h.cube_id, h.text) for h in plan.plaintext]
            rest = [{"role": "system", "content": memory_block(items)}] if items else []
            ids, out.context = prompt_ids(lm, prefix.template, [*rest, *conversation])
            if ids.shape[0] > self.max_input_tokens:
                raise PromptTooLong(
                    f"the prompt has {ids.shape[0]} tokens (memories included); the limit is {self.max_input_tokens}"
                )
            emit("ready", "")
            decode_start = time.perf_counter()
            steps = decode(lm, ids, sampling, prefix.template, cancelled)
            while True:
                try:
                    emit("delta", next(steps))
                except StopIteration as stop:
                    decoded = stop.value
                    break
        out.text, out.finish_reason = decoded.text, decoded.finish_reason
        out.prompt_tokens = int(ids.shape[0])
        out.completion_tokens = len(decoded.token_ids)
        out.cached_tokens = prefix.cached_tokens
        out.prefill_tokens = prefix.built_tokens + decoded.prefill_tokens
        if decoded.token_ids:
            out.ttft_ms = (decode_start - started) * 1000.0 + decoded.first_token_ms
        return out
