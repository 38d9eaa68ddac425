"""The activation budget: which memories are KV templates, so repeated scheduler runs converge.

MemOS §MemScheduler keeps activation memory bounded: a principal's KV templates may hold at
most ``promotion.activation_tokens`` tokens, ``promotion.activation_bytes`` bytes in the
vault, and ``promotion.activation_share`` of its plaintext memories (so that "hot" stays a
minority however small the store). Each run ranks every candidate — the existing templates (by their source memory's
current score) and the plaintext memories not yet promoted (at least ``promotion.min_score``) —
best score first, and fills the budget greedily; new promotions are capped at
``promotion.top_k`` per run. Templates left outside are displaced (demoted), promoted memories
inside stay. With unchanged scores a second run selects the same set: nothing moves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from memcubedb.scheduler.kv_templates import MEMORY_ROLE, render_messages
from memcubedb.scheduler.lm import LoadedLM


@dataclass(frozen=True)
class Candidate:
    """A memory competing for activation: its plaintext cube id, current score in [0, 1], size in
    tokens and vault bytes, and its live template id (``None``: not promoted yet)."""

    cube_id: str
    score: float
    tokens: int
    size_bytes: int
    template_id: str | None = None


@dataclass(frozen=True)
class ActivationPlan:
    """What a run does: cube ids to promote (best first), template ids to demote, template ids kept;
    ``tokens`` / ``size_bytes``: the selected set's total."""

    promote: list[str]
    demote: list[str]
    keep: list[str]
    tokens: int
    size_bytes: int


def plan_activation(
    candidates: Sequence[Candidate], max_tokens: int, max_bytes: int, min_score: float, max_new: int,
    max_items: int | None = None,
) -> ActivationPlan:
    """Fill the budget by score (ties: existing templates first, then cube id).

    A candidate is taken when it fits the remaining tokens and bytes and fewer than ``max_items``
    (``None``: no limit) are taken; a not-yet-promoted one also needs ``score >= min_score`` and a
    free slot of the ``max_new`` promotions of this run.
    """
    order = sorted(candidates, key=lambda c: (-c.score, c.template_id is None, c.cube_id))
    tokens = size = new = 0
    promote: list[str] = []
    keep: list[str] = []
    for c in order:
        fresh = c.template_id is None
        if fresh and (c.score < min_score or new >= max_new):
            continue
        full = max_items is not None and len(promote) + len(keep) >= max_items
        if full or tokens + c.tokens > max_tokens or size + c.size_bytes > max_bytes:
            continue
        tokens, size = tokens + c.tokens, size + c.size_bytes
        if fresh:
            new += 1
            promote.append(c.cube_id)
        else:
            keep.append(c.template_id)  # type: ignore[arg-type]
    demote = [c.template_id for c in order if c.template_id is not None and c.template_id not in keep]
    return ActivationPlan(promote=promote, demote=demote, keep=keep, tokens=tokens, size_bytes=size)


def kv_bytes_per_token(lm: LoadedLM) -> int:
    """Bytes of keys and values one token takes: 2 × layers × kv heads × head dim × dtype size."""
    config = lm.model.config.get_text_config()
    heads = config.num_attention_heads
    kv_heads = getattr(config, "num_key_value_heads", None) or heads
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // heads
    element = next(lm.model.parameters()).element_size()
    return 2 * config.num_hidden_layers * kv_heads * head_dim * element


def memory_tokens(lm: LoadedLM, text: str) -> int:
    """Tokens of a memory rendered as its KV template would be (one ``system`` message)."""
    rendered = render_messages(lm, [{"role": MEMORY_ROLE, "content": text}])
    return len(lm.tokenizer(rendered, add_special_tokens=False)["input_ids"])
