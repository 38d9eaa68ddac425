"""Generation with memory, model side: KV-template prefix exactness, adapter binding, decoding.

A small randomly initialised Llama (``tiny_random_llama``, hidden 64, 2 layers, weights std 0.3,
float32) with the offline WordPiece tokenizer and a ChatML template: real transformers code.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from memcubedb.chat.generation import Sampling, decode, prefill
from memcubedb.chat.local import prompt_ids
from memcubedb.chat.prefix import PrefixCache, TemplateRef, build_prefix, plan
from memcubedb.config.scheduler import LoRAConfig
from memcubedb.scheduler.kv_templates import build_kv_template, save_kv_template
from memcubedb.scheduler.lm import LoadedLM, offline_tokenizer, tiny_random_llama
from memcubedb.scheduler.lora import LoRAAdapter, attached, encode_facts, save_adapter
from memcubedb.scheduler.vault import MemVault

MEMORIES = [
    "Alice works at Acme Corporation in Berlin since 2019.",
    "Bob's favourite tea is a smoky lapsang souchong.",
    "The quarterly review meeting moved to Thursday afternoon.",
]
CONVERSATION = [
    {"role": "system", "content": "Answer briefly."},
    {"role": "user", "content": "Where does Alice work?"},
]


@pytest.fixture(scope="module")
def lm() -> LoadedLM:
    return tiny_random_llama(offline_tokenizer(), initializer_range=0.3, seed=0)


@pytest.fixture
def vault(tmp_path: Path) -> MemVault:
    return MemVault(tmp_path / "vault")


def _refs(lm: LoadedLM, vault: MemVault) -> list[TemplateRef]:
    """The memories promoted one by one (each template stored standalone, as the scheduler does)."""
    refs = []
    for i, text in enumerate(MEMORIES):
        template = build_kv_template(lm, text)
        entry = save_kv_template(vault, lm, template)
        refs.append(TemplateRef(f"act-{i}", text, entry.digest, 1.0 - i / 10, (f"src-{i}",), template.token_count))
    return refs


def _run(lm: LoadedLM, ids: torch.Tensor, prefix: object, sampling: Sampling) -> tuple[str, list[int]]:
    steps = decode(lm, ids, sampling, prefix)  # type: ignore[arg-type]
    pieces = []
    while True:
        try:
            pieces.append(next(steps))
        except StopIteration as stop:
            return "".join(pieces), stop.value.token_ids


def test_kv_prefix_gives_the_logits_and_greedy_answer_of_prefilling_the_same_text(
    lm: LoadedLM, vault: MemVault
) -> None:
    cache = PrefixCache(1 << 30)
    prefix = build_prefix(lm, vault, cache, _refs(lm, vault), None)
    assert prefix.template is not None and prefix.cached_tokens > 0 and prefix.built_tokens > 0
    ids, text = prompt_ids(lm, prefix.template, CONVERSATION)
    memory_messages = [{"role": "system", "content": m} for m in MEMORIES]
    assert text == lm.tokenizer.apply_chat_template([*memory_messages, *CONVERSATION], tokenize=False,
                                                    add_generation_prompt=True)  # fmt: skip
    cached, _ = prefill(lm, ids, prefix.template)
    full, _ = prefill(lm, ids, None)
    delta = float((cached - full).abs().max())
    print(f"max |Δlogit| KV prefix vs full prefill (fp32): {delta:.2e}")
    assert delta < 1e-3
    greedy = Sampling(max_new_tokens=12)
    assert _run(lm, ids, prefix.template, greedy) == _run(lm, ids, None, greedy)

    again = build_prefix(lm, vault, cache, prefix.refs, None)
    assert again.template is prefix.template and again.built_tokens == 0
    assert again.cached_tokens == prefix.template.token_count


def test_a_template_built_without_the_adapter_is_not_used_with_it(lm: LoadedLM, vault: MemVault) -> None:
    refs = _refs(lm, vault)[:2]
    config = LoRAConfig(rank=4, alpha=8, epochs=3, seed=1)
    adapter: LoRAAdapter = encode_facts(lm, [("Zorblat", "lives in", "Quenn")], config).adapter
    digest = save_adapter(vault, adapter).digest
    cache = PrefixCache(1 << 30)
    base = build_prefix(lm, vault, cache, refs, None)
    assert base.template is not None
    ids, _ = prompt_ids(lm, base.template, CONVERSATION)
    with attached(lm, adapter):
        adapted = build_prefix(lm, vault, cache, refs, ("adapter-1", digest))
        assert adapted.template is not None and adapted.template is not base.template
        assert adapted.cached_tokens == 0 and adapted.built_tokens == adapted.template.token_count
        assert any("without adapter adapter-1" in n for n in adapted.notes)
        assert torch.equal(adapted.template.token_ids, base.template.token_ids)
        with_adapter, _ = prefill(lm, ids, adapted.template)
        full, _ = prefill(lm, ids, None)
        stale, _ = prefill(lm, ids, base.template)
    assert float((with_adapter - full).abs().max()) < 1e-3
    assert float((stale - full).abs().max()) > 1e-3  # the base template would have been wrong
    assert build_prefix(lm, vault, cache, refs, ("adapter-1", digest)).template is adapted.template


def test_a_template_of_another_model_is_rebuilt_and_noted(lm: LoadedLM, vault: MemVault) -> None:
    other = tiny_random_llama(lm.tokenizer, initializer_range=0.3, seed=7)
    template = build_kv_template(other, MEMORIES[0])
    digest = save_kv_template(vault, other, template).digest
    ref = TemplateRef("act-x", MEMORIES[0], digest, 0.9, (), template.token_count)
    prefix = build_prefix(lm, vault, PrefixCache(1 << 30), [ref], None)
    assert prefix.cached_tokens == 0 and prefix.built_tokens == template.token_count
    assert any("act-x" in n and "rebuilt" in n for n in prefix.notes)
    assert prefix.template is not None
    ids, _ = prompt_ids(lm, prefix.template, CONVERSATION)
    assert float((prefill(lm, ids, prefix.template)[0] - prefill(lm, ids, None)[0]).abs().max()) < 1e-3


def test_budget_takes_templates_in_order_until_full() -> None:
    refs = [TemplateRef(f"t{i}", "x", "d", 1.0, (), n) for i, n in enumerate([40, 30, 50])]
    assert plan(refs, 75) == (refs[:2], refs[2:])
    assert plan(refs, 10) == ([], refs)
    assert plan(refs, 120) == (refs, [])


def test_stop_strings_seeded_sampling_and_length(lm: LoadedLM) -> None:
    ids, _ = prompt_ids(lm, None, CONVERSATION)
    free, tokens = _run(lm, ids, None, Sampling(max_new_tokens=16))
    assert len(tokens) == 16 and len(free) > 6
    stop = free[3:6]
    cut, _ = _run(lm, ids, None, Sampling(max_new_tokens=16, stop=(stop,)))
    assert cut == free[: free.index(stop)] and stop not in cut
    first = _run(lm, ids, None, Sampling(max_new_tokens=10, temperature=1.0, top_p=0.9, seed=3))
    assert first == _run(lm, ids, None, Sampling(max_new_tokens=10, temperature=1.0, top_p=0.9, seed=3))
    draws = {_run(lm, ids, None, Sampling(max_new_tokens=10, temperature=1.5, seed=s))[0] for s in range(4)}
    assert len(draws) > 1
