"""KV templates (activation memory) on a small randomly initialised Llama: exactness, immutability,
several templates in sequence, vault round trip and model-identity refusal."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from memcubedb.scheduler import kv_templates as kv
from memcubedb.scheduler.lm import LoadedLM, model_identity, offline_tokenizer, tiny_random_llama
from memcubedb.scheduler.vault import CorruptEntryError, MemVault, ModelIdentityMismatchError

MEMORY_A = "Alice Moreau lives in Lyon and works as a cartographer at the Rhone Survey Office since 2019."
MEMORY_B = "Bob Kiriakou keeps bees on a rooftop in Thessaloniki; his honey won a prize in 2022."
QUESTION = "Where does Alice live, and what does Bob keep?"
TOLERANCE = 1e-4


@pytest.fixture(scope="module", autouse=True)
def _one_thread() -> Iterator[None]:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def lm() -> LoadedLM:
    # a larger init spread than HF's 0.02 makes greedy output varied, so token equality means something
    return tiny_random_llama(offline_tokenizer(), initializer_range=0.3, seed=0)


@pytest.fixture(scope="module")
def template_a(lm: LoadedLM) -> kv.KVTemplate:
    return kv.build_kv_template(lm, MEMORY_A)


@pytest.fixture(scope="module")
def template_b(lm: LoadedLM) -> kv.KVTemplate:
    return kv.build_kv_template(lm, MEMORY_B)


def _snapshot(template: kv.KVTemplate) -> list[torch.Tensor]:
    return [t.clone() for t in (*template.keys, *template.values, template.token_ids)]


def _assert_matches_full_prefill(lm: LoadedLM, template: kv.KVTemplate, memories: list[str], prompt: str) -> None:
    full_ids = kv.full_prompt_ids(lm, memories, prompt)
    assert torch.equal(full_ids, torch.cat([template.token_ids, kv.prompt_ids(lm, template, prompt)]))
    diff = (kv.logits_with_template(lm, template, prompt) - kv.logits_full_prefill(lm, template, prompt)).abs()
    assert float(diff.max()) <= TOLERANCE
    with_template = kv.generate_with_template(lm, template, prompt, max_new_tokens=12)
    from_text = kv.generate(lm, full_ids, max_new_tokens=12)
    assert with_template.new_token_ids == from_text.new_token_ids
    assert len(with_template.new_token_ids) == 12


def test_template_shapes(lm: LoadedLM, template_a: kv.KVTemplate) -> None:
    config = lm.model.config
    assert template_a.num_layers == config.num_hidden_layers
    head_dim = config.hidden_size // config.num_attention_heads
    for key, value in zip(template_a.keys, template_a.values, strict=True):
        assert key.shape == value.shape == (1, config.num_key_value_heads, template_a.token_count, head_dim)
    assert template_a.messages == ({"role": "system", "content": MEMORY_A},)
    assert template_a.size_bytes == 2 * template_a.num_layers * key.numel() * 4


def test_template_equals_full_prefill(lm: LoadedLM, template_a: kv.KVTemplate) -> None:
    _assert_matches_full_prefill(lm, template_a, [MEMORY_A], QUESTION)
    # the greedy output is not degenerate, so equality above is a real check
    assert len(set(kv.generate_with_template(lm, template_a, QUESTION, 12).new_token_ids)) > 3


def test_template_is_never_mutated(lm: LoadedLM, template_a: kv.KVTemplate) -> None:
    before = _snapshot(template_a)
    outputs = [kv.generate_with_template(lm, template_a, QUESTION, 8).new_token_ids for _ in range(3)]
    kv.generate_with_template(lm, template_a, "Something else entirely?", 8)
    kv.logits_with_template(lm, template_a, QUESTION)
    assert outputs[0] == outputs[1] == outputs[2]
    after = _snapshot(template_a)
    assert all(torch.equal(x, y) for x, y in zip(before, after, strict=True))
    assert all(t.shape[2] == template_a.token_count for t in template_a.keys)


def test_each_use_gets_its_own_cache(lm: LoadedLM, template_a: kv.KVTemplate) -> None:
    first, second = template_a.new_cache(lm), template_a.new_cache(lm)
    for i, (key, value) in enumerate(zip(template_a.keys, template_a.values, strict=True)):
        ptrs = {t.data_ptr() for c in (first, second) for t in (c.layers[i].keys, c.layers[i].values)}
        assert len(ptrs | {key.data_ptr(), value.data_ptr()}) == 6  # nothing shared between uses or with the template
        assert torch.equal(first.layers[i].keys, key) and torch.equal(second.layers[i].values, value)


def test_several_templates_in_sequence(lm: LoadedLM, template_a: kv.KVTemplate, template_b: kv.KVTemplate) -> None:
    snapshots = {"a": _snapshot(template_a), "b": _snapshot(template_b)}
    for template, memory in [(template_a, MEMORY_A), (template_b, MEMORY_B), (template_a, MEMORY_A)]:
        _assert_matches_full_prefill(lm, template, [memory], QUESTION)
    assert all(torch.equal(x, y) for x, y in zip(snapshots["a"], _snapshot(template_a), strict=True))
    assert all(torch.equal(x, y) for x, y in zip(snapshots["b"], _snapshot(template_b), strict=True))
    # chained: B's KV computed on top of A's — both memories in context, still exact
    chained = kv.build_kv_template(lm, MEMORY_B, parent=template_a)
    assert chained.token_count > template_a.token_count
    assert torch.equal(chained.token_ids[: template_a.token_count], template_a.token_ids)
    _assert_matches_full_prefill(lm, chained, [MEMORY_A, MEMORY_B], QUESTION)
    assert all(torch.equal(x, y) for x, y in zip(snapshots["a"], _snapshot(template_a), strict=True))


def test_vault_round_trip(lm: LoadedLM, template_a: kv.KVTemplate, tmp_path: Path) -> None:
    vault = MemVault(tmp_path)
    entry = kv.save_kv_template(vault, lm, template_a)
    loaded = kv.load_kv_template(vault, lm, entry.digest)
    assert loaded.messages == template_a.messages
    assert torch.equal(loaded.token_ids, template_a.token_ids)
    assert all(torch.equal(x, y) for x, y in zip(loaded.keys, template_a.keys, strict=True))
    _assert_matches_full_prefill(lm, loaded, [MEMORY_A], QUESTION)


def test_loading_into_another_model_is_refused(lm: LoadedLM, template_a: kv.KVTemplate, tmp_path: Path) -> None:
    vault = MemVault(tmp_path)
    entry = kv.save_kv_template(vault, lm, template_a)
    other_weights = tiny_random_llama(lm.tokenizer, initializer_range=0.3, seed=1)
    with pytest.raises(ModelIdentityMismatchError, match="revision"):
        kv.load_kv_template(vault, other_weights, entry.digest)
    other_tokenizer = copy.deepcopy(lm.tokenizer)
    other_tokenizer.chat_template = "{% for m in messages %}[{{ m['role'] }}] {{ m['content'] }}\n{% endfor %}"
    retokenized = replace(
        lm,
        tokenizer=other_tokenizer,
        identity=model_identity(lm.model, other_tokenizer, lm.identity.model_name, lm.identity.revision),
    )
    with pytest.raises(ModelIdentityMismatchError, match="tokenizer_hash"):
        kv.load_kv_template(vault, retokenized, entry.digest)


def test_corrupted_template_is_refused(lm: LoadedLM, template_a: kv.KVTemplate, tmp_path: Path) -> None:
    vault = MemVault(tmp_path)
    entry = kv.save_kv_template(vault, lm, template_a)
    data = bytearray(entry.path.read_bytes())
    data[len(data) // 2] ^= 0x01
    entry.path.write_bytes(bytes(data))
    with pytest.raises(CorruptEntryError):
        kv.load_kv_template(vault, lm, entry.digest)


def test_input_must_start_with_the_template(lm: LoadedLM, template_a: kv.KVTemplate) -> None:
    wrong = kv.full_prompt_ids(lm, [MEMORY_B], QUESTION)
    with pytest.raises(ValueError, match="template"):
        kv.generate(lm, wrong, 4, template=template_a)


def test_non_prefix_chat_template_is_rejected(lm: LoadedLM) -> None:
    tokenizer = copy.deepcopy(lm.tokenizer)
    # renders the message count first, so a longer conversation does not extend a shorter one
    tokenizer.chat_template = "{{ messages | length }}{% for m in messages %} {{ m['content'] }}{% endfor %}"
    odd = replace(lm, tokenizer=tokenizer)
    template = kv.build_kv_template(odd, MEMORY_A)
    with pytest.raises(kv.ChatTemplateError):
        kv.prompt_ids(odd, template, QUESTION)
