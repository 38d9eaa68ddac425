"""Activation memory: KV templates — the prefilled KV cache of a memory text, reused at generation.

Promotion (MemOS §Memory types, "activation memory"; prefix/prompt caching as in Gim et al.,
"Prompt Cache", MLSys 2024) renders a memory into the model's chat template as a ``system``
message, runs one prefill and keeps the resulting ``past_key_values``. At generation the user
turn is tokenised as the continuation of that rendering and only those tokens are prefilled, on
a fresh cache built from the template's tensors, so the stored template is never mutated and
the logits equal those of prefilling the whole conversation.

Templates chain: a template built with ``parent=`` covers the parent's messages followed by its
own memory (its KV computed on top of the parent's, hence exact), so several memories can be
injected in sequence.

Tensor shapes: per decoder layer, keys and values ``[batch=1, kv_heads, tokens, head_dim]``;
token ids ``[tokens]`` (int64).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import torch
from transformers import DynamicCache

from memcubedb.scheduler.lm import LoadedLM
from memcubedb.scheduler.vault import MemVault, VaultEntry
from memcubedb.tracing import traced

KV_TEMPLATE_KIND = "kv_template"
"""Vault entry kind of a KV template."""

MEMORY_ROLE = "system"
"""Chat role a memory is rendered in."""

Message = dict[str, str]


class ChatTemplateError(ValueError):
    """The tokenizer's chat template does not render a conversation as an extension of its prefix,
    so a KV template of the prefix cannot be continued exactly."""


@dataclass(frozen=True)
class KVTemplate:
    """A prefilled KV cache of memory messages.

    Attributes:
        messages: the chat messages the cache covers (role ``system``, one per memory).
        token_ids: ``[tokens]`` int64, the rendered messages' token ids.
        keys / values: one tensor per decoder layer, ``[1, kv_heads, tokens, head_dim]``.
    """

    messages: tuple[Message, ...]
    token_ids: torch.Tensor
    keys: tuple[torch.Tensor, ...]
    values: tuple[torch.Tensor, ...]

    @property
    def token_count(self) -> int:
        """Tokens covered by the template."""
        return int(self.token_ids.shape[0])

    @property
    def num_layers(self) -> int:
        """Decoder layers (key/value pairs)."""
        return len(self.keys)

    @property
    def size_bytes(self) -> int:
        """Bytes held by the key and value tensors."""
        return sum(t.numel() * t.element_size() for t in (*self.keys, *self.values))

    def new_cache(self, lm: LoadedLM) -> DynamicCache:
        """A fresh ``DynamicCache`` holding copies of the template's tensors (each use gets its own).

        ``DynamicCache.update`` concatenates into new storage (``torch.cat`` onto an empty layer),
        which is the copy: cloning first would copy every tensor twice (93 MB per use at 2,000
        tokens on SmolLM2-135M). ``tests/test_kv_templates.py`` checks that uses never alias or
        mutate the stored tensors.
        """
        cache = DynamicCache(config=lm.model.config)
        for layer, (key, value) in enumerate(zip(self.keys, self.values, strict=True)):
            cache.update(key, value, layer)
        return cache


def render_messages(lm: LoadedLM, messages: list[Message]) -> str:
    """The tokenizer's chat template applied to ``messages`` (text, no generation prompt).

    Raises:
        ValueError: when the tokenizer has no chat template (transformers).
    """
    return str(lm.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=False))


def render_for_generation(lm: LoadedLM, messages: list[Message]) -> str:
    """As :func:`render_messages`, followed by the template's generation prompt (assistant turn)."""
    return str(lm.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True))


def _token_ids(lm: LoadedLM, text: str) -> torch.Tensor:
    """``[tokens]`` int64 ids of text rendered by a chat template (specials are in the text)."""
    return torch.tensor(lm.tokenizer(text, add_special_tokens=False)["input_ids"], dtype=torch.long)


def _extension_ids(lm: LoadedLM, prefix_messages: list[Message], full_text: str) -> torch.Tensor:
    """Token ids ``[n]`` of the part of ``full_text`` that follows the rendering of ``prefix_messages``.

    Raises:
        ChatTemplateError: when ``full_text`` does not start with that rendering.
    """
    prefix = render_messages(lm, prefix_messages) if prefix_messages else ""
    if not full_text.startswith(prefix):
        raise ChatTemplateError(
            "the chat template renders the conversation differently from its prefix; "
            f"prefix ends {prefix[-40:]!r}, conversation begins {full_text[: len(prefix)][-40:]!r}"
        )
    return _token_ids(lm, full_text[len(prefix) :])


@torch.no_grad()
@traced("model.kv_template")
def build_kv_template(lm: LoadedLM, memory_text: str, parent: KVTemplate | None = None) -> KVTemplate:
    """Promote a memory text to a KV template with one prefill.

    Args:
        memory_text: the memory, rendered as a ``system`` message.
        parent: a template to extend; the new one covers ``parent.messages + [memory]``.

    Returns:
        the template; with a parent, its tensors include the parent's tokens first.

    Raises:
        ChatTemplateError: the chat template cannot be continued exactly.
        ValueError: when the memory renders to no tokens.
    """
    prefix = list(parent.messages) if parent else []
    messages = [*prefix, {"role": MEMORY_ROLE, "content": memory_text}]
    new_ids = _extension_ids(lm, prefix, render_messages(lm, messages))
    if new_ids.numel() == 0:
        raise ValueError("the memory renders to zero tokens")
    cache = parent.new_cache(lm) if parent else DynamicCache(config=lm.model.config)
    lm.model(input_ids=new_ids.unsqueeze(0).to(lm.device), past_key_values=cache, use_cache=True)
    token_ids = torch.cat([parent.token_ids, new_ids]) if parent else new_ids
    keys = tuple(layer.keys.detach().clone() for layer in cache.layers)
    values = tuple(layer.values.detach().clone() for layer in cache.layers)
    return KVTemplate(messages=tuple(messages), token_ids=token_ids, keys=keys, values=values)


def prompt_ids(lm: LoadedLM, template: KVTemplate, prompt: str) -> torch.Tensor:
    """``[n]`` ids of the user turn plus generation prompt, continuing the template's rendering."""
    messages = [*template.messages, {"role": "user", "content": prompt}]
    return _extension_ids(lm, list(template.messages), render_for_generation(lm, messages))


def full_prompt_ids(lm: LoadedLM, memory_texts: list[str], prompt: str) -> torch.Tensor:
    """``[tokens]`` ids of the whole conversation (memories as system messages, then the user turn,
    then the generation prompt), tokenised in one go — the no-template baseline."""
    messages = [{"role": MEMORY_ROLE, "content": text} for text in memory_texts]
    messages.append({"role": "user", "content": prompt})
    return _token_ids(lm, render_for_generation(lm, messages))


@torch.no_grad()
def logits_with_template(lm: LoadedLM, template: KVTemplate, prompt: str) -> torch.Tensor:
    """Logits ``[1, n, vocab]`` of the ``n`` prompt tokens, prefilled on a fresh copy of the template."""
    ids = prompt_ids(lm, template, prompt).unsqueeze(0).to(lm.device)
    return lm.model(input_ids=ids, past_key_values=template.new_cache(lm), use_cache=True).logits


@torch.no_grad()
def logits_full_prefill(lm: LoadedLM, template: KVTemplate, prompt: str) -> torch.Tensor:
    """Logits ``[1, n, vocab]`` of the same ``n`` prompt tokens, prefilling template tokens and
    prompt together without a cache (the reference :func:`logits_with_template` must equal)."""
    tail = prompt_ids(lm, template, prompt)
    ids = torch.cat([template.token_ids, tail]).unsqueeze(0).to(lm.device)
    return lm.model(input_ids=ids).logits[:, template.token_count :]


@dataclass(frozen=True)
class Generation:
    """Greedy output: ``new_token_ids`` ``[max_new_tokens]`` or fewer (stops at EOS) and its text."""

    new_token_ids: list[int]
    text: str


@torch.no_grad()
def generate(
    lm: LoadedLM, input_ids: torch.Tensor, max_new_tokens: int, template: KVTemplate | None = None
) -> Generation:
    """Greedy decoding of ``input_ids`` ``[tokens]``; with a template, its tokens must be the first
    ``template.token_count`` ids and only the rest is prefilled (on a fresh cache copy).

    Raises:
        ValueError: when ``input_ids`` does not start with the template's tokens.
    """
    ids = input_ids.unsqueeze(0).to(lm.device)
    kwargs: dict[str, object] = {}
    if template is not None:
        n = template.token_count
        if ids.shape[1] <= n or not torch.equal(ids[0, :n].cpu(), template.token_ids.cpu()):
            raise ValueError("input_ids do not start with the template's tokens (or add nothing to them)")
        kwargs["past_key_values"] = template.new_cache(lm)
    pad = lm.tokenizer.pad_token_id if lm.tokenizer.pad_token_id is not None else lm.tokenizer.eos_token_id
    out = lm.model.generate(
        input_ids=ids,
        attention_mask=torch.ones_like(ids),
        max_new_tokens=max_new_tokens,
        do_sample=False,
        pad_token_id=pad,
        **kwargs,
    )
    new = out[0, ids.shape[1] :].tolist()
    return Generation(new_token_ids=new, text=lm.tokenizer.decode(new, skip_special_tokens=True))


def generate_with_template(lm: LoadedLM, template: KVTemplate, prompt: str, max_new_tokens: int) -> Generation:
    """Answer ``prompt`` with the template's memories in context, prefilling only the prompt."""
    ids = torch.cat([template.token_ids, prompt_ids(lm, template, prompt)])
    return generate(lm, ids, max_new_tokens, template=template)


def save_kv_template(
    vault: MemVault, lm: LoadedLM, template: KVTemplate, before_write: Callable[[str], None] | None = None
) -> VaultEntry:
    """Store a template in the vault bound to ``lm.identity``: tensors ``layers.<i>.keys`` /
    ``layers.<i>.values`` ``[1, kv_heads, tokens, head_dim]`` and ``token_ids`` ``[tokens]``;
    metadata ``messages`` (JSON) and ``token_count``. ``before_write``: see :meth:`MemVault.put`."""
    tensors: dict[str, torch.Tensor] = {"token_ids": template.token_ids}
    for layer, (key, value) in enumerate(zip(template.keys, template.values, strict=True)):
        tensors[f"layers.{layer}.keys"] = key
        tensors[f"layers.{layer}.values"] = value
    metadata = {"messages": json.dumps(list(template.messages)), "token_count": str(template.token_count)}
    return vault.put(tensors, lm.identity, KV_TEMPLATE_KIND, metadata, before_write)


def load_kv_template(vault: MemVault, lm: LoadedLM, digest: str) -> KVTemplate:
    """Load a stored template onto ``lm``'s device.

    Raises:
        EntryNotFoundError, CorruptEntryError: see :meth:`MemVault.get`.
        ModelIdentityMismatchError: the template was made with another model or tokenizer.
        ValueError: the entry is not a KV template.
    """
    record = vault.get(digest, lm.identity)
    if record.entry.kind != KV_TEMPLATE_KIND:
        raise ValueError(f"vault entry {digest[:12]}… is a {record.entry.kind!r}, not a {KV_TEMPLATE_KIND!r}")
    layers = record.entry.identity.num_layers
    device = lm.device
    return KVTemplate(
        messages=tuple(json.loads(record.metadata["messages"])),
        token_ids=record.tensors["token_ids"],
        keys=tuple(record.tensors[f"layers.{i}.keys"].to(device) for i in range(layers)),
        values=tuple(record.tensors[f"layers.{i}.values"].to(device) for i in range(layers)),
    )
