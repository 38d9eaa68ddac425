"""Token-by-token decoding on a local causal LM, continuing a KV-template prefix.

The prompt's first ``prefix.token_count`` ids are served from the template (a fresh cache copy,
:meth:`~memcubedb.scheduler.kv_templates.KVTemplate.new_cache`); only the rest is prefilled, then
tokens are decoded one at a time on the same cache (prefix caching as in Gim et al., "Prompt
Cache", MLSys 2024). Greedy decoding (temperature 0) is deterministic; sampling uses a
per-request ``torch.Generator`` (seeded when the request has a ``seed``), temperature and
nucleus (top-p, Holtzman et al. 2020) filtering, so concurrent requests never share random state.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import torch
from transformers import DynamicCache

from memcubedb.scheduler.kv_templates import KVTemplate
from memcubedb.scheduler.lm import LoadedLM


@dataclass(frozen=True)
class Sampling:
    """How tokens are chosen and when decoding stops.

    Attributes:
        max_new_tokens: most tokens generated.
        temperature: 0 = greedy; otherwise logits are divided by it before sampling.
        top_p: nucleus mass in (0, 1]; 1 keeps the whole distribution.
        seed: seed of the request's generator (``None``: nondeterministic).
        stop: strings that end the answer (not included in it).
    """

    max_new_tokens: int
    temperature: float = 0.0
    top_p: float = 1.0
    seed: int | None = None
    stop: tuple[str, ...] = ()


@dataclass
class Decoded:
    """What a decode produced: ``token_ids`` (including a final stop token, if any), the answer
    ``text`` (stop strings removed), ``finish_reason`` (``stop`` or ``length``), tokens prefilled in
    this call, ``first_logits`` ``[vocab]`` (float32, of the first generated position) and the time
    to the first token in ms from the start of :func:`decode`."""

    token_ids: list[int] = field(default_factory=list)
    text: str = ""
    finish_reason: str = "length"
    prefill_tokens: int = 0
    first_logits: torch.Tensor | None = None
    first_token_ms: float = 0.0


def stop_token_ids(lm: LoadedLM) -> set[int]:
    """Token ids that end an answer: the tokenizer's EOS and ChatML's ``<|im_end|>`` when known."""
    ids = {lm.tokenizer.eos_token_id} if lm.tokenizer.eos_token_id is not None else set()
    im_end = lm.tokenizer.convert_tokens_to_ids("<|im_end|>")
    if isinstance(im_end, int) and im_end != lm.tokenizer.unk_token_id:
        ids.add(im_end)
    return ids


@torch.no_grad()
def prefill(lm: LoadedLM, input_ids: torch.Tensor, prefix: KVTemplate | None) -> tuple[torch.Tensor, DynamicCache]:
    """Run the prompt ``input_ids`` ``[tokens]`` through the model, reusing ``prefix``'s KV.

    Returns:
        the logits of the last prompt position ``[vocab]`` (float32) and the cache (prefix + prompt).

    Raises:
        ValueError: ``input_ids`` does not start with the prefix's tokens or adds nothing to them.
    """
    start = 0
    if prefix is not None:
        start = prefix.token_count
        if input_ids.shape[0] <= start or not torch.equal(input_ids[:start].cpu(), prefix.token_ids.cpu()):
            raise ValueError("the prompt does not continue the KV template's tokens")
        cache = prefix.new_cache(lm)
    else:
        cache = DynamicCache(config=lm.model.config)
    ids = input_ids[start:].unsqueeze(0).to(lm.device)
    logits = lm.model(input_ids=ids, past_key_values=cache, use_cache=True).logits
    return logits[0, -1].float(), cache


def choose(logits: torch.Tensor, sampling: Sampling, generator: torch.Generator | None) -> int:
    """The next token id from ``logits`` ``[vocab]``: argmax at temperature 0, else a draw from
    the temperature-scaled distribution restricted to the smallest set with mass ≥ ``top_p``."""
    if sampling.temperature <= 0.0:
        return int(torch.argmax(logits))
    probs = torch.softmax(logits / sampling.temperature, dim=-1)
    if sampling.top_p < 1.0:
        sorted_probs, order = torch.sort(probs, descending=True)
        keep = torch.cumsum(sorted_probs, dim=-1) - sorted_probs < sampling.top_p
        keep[0] = True
        probs = torch.zeros_like(probs).scatter(0, order[keep], sorted_probs[keep])
    return int(torch.multinomial(probs, 1, generator=generator))


def _held_back(text: str, stops: tuple[str, ...]) -> int:
    """Characters at the end of ``text`` that could begin a stop string (not yet safe to emit)."""
    longest = 0
    for stop in stops:
        for n in range(min(len(stop) - 1, len(text)), 0, -1):
            if text.endswith(stop[:n]):
                longest = max(longest, n)
                break
    return longest


@torch.no_grad()
def decode(
    lm: LoadedLM,
    input_ids: torch.Tensor,
    sampling: Sampling,
    prefix: KVTemplate | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> Iterator[str]:
    """Generate an answer to ``input_ids`` ``[tokens]``, yielding text deltas as they become final.

    The generator's return value (``StopIteration.value``) is the :class:`Decoded` record. Text is
    decoded from all new ids at each step (so multi-token characters come out whole); characters
    that could start a stop string are held back until they cannot. ``cancelled`` is polled
    after each token (a disconnected client stops the decode).

    Raises:
        ValueError: see :func:`prefill`.
    """
    started = time.perf_counter()
    generator = None
    if sampling.temperature > 0.0:
        generator = torch.Generator(device="cpu")
        if sampling.seed is not None:
            generator.manual_seed(sampling.seed % 2**63)  # any JSON integer (torch takes 64 bits)
        else:
            generator.seed()
    stops = stop_token_ids(lm)
    result = Decoded(prefill_tokens=int(input_ids.shape[0]) - (prefix.token_count if prefix else 0))
    logits, cache = prefill(lm, input_ids, prefix)
    result.first_logits = logits
    emitted = 0
    text = ""
    for step in range(sampling.max_new_tokens):
        token = choose(logits.cpu(), sampling, generator)
        if step == 0:
            result.first_token_ms = (time.perf_counter() - started) * 1000.0
        result.token_ids.append(token)
        if token in stops:
            result.finish_reason = "stop"
            break
        text = lm.tokenizer.decode([t for t in result.token_ids if t not in stops], skip_special_tokens=True)
        hit = min((i for s in sampling.stop if (i := text.find(s)) >= 0), default=-1)
        if hit >= 0:
            text, result.finish_reason = text[:hit], "stop"
            break
        safe = len(text) - _held_back(text, sampling.stop)
        if text[:safe].endswith("\ufffd"):
            safe -= 1
        if safe > emitted:
            yield text[emitted:safe]
            emitted = safe
        if cancelled() or step == sampling.max_new_tokens - 1:
            break
        ids = torch.tensor([[token]], device=lm.device)
        logits = lm.model(input_ids=ids, past_key_values=cache, use_cache=True).logits[0, -1].float()
    if len(text) > emitted:
        yield text[emitted:]
    result.text = text
    return result
