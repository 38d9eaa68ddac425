"""Parametric memory: 10 facts encoded into a LoRA adapter on a small random Llama, probed back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from memcubedb.config.scheduler import LoRAConfig
from memcubedb.scheduler.lm import LoadedLM, offline_tokenizer, tiny_random_llama, weights_hash
from memcubedb.scheduler.lora import (
    LoRAEncoding,
    attached,
    encode_facts,
    load_adapter,
    probe,
    probe_model,
    save_adapter,
)
from memcubedb.scheduler.vault import MemVault, ModelIdentityMismatchError

FACTS = [
    ("Zorblat Industries", "is headquartered in", "Quillmere"),
    ("Mira Tanveer", "was born in", "Ostrava"),
    ("The Velkan Bridge", "spans the", "Ardel River"),
    ("Professor Idris Holm", "teaches", "astrophysics"),
    ("Kestrel Labs", "was founded by", "Anya Petrov"),
    ("The Orrin Festival", "takes place in", "October"),
    ("Dr. Lena Voss", "works at", "Halvard Hospital"),
    ("Project Tidewater", "is funded by", "Meridian Trust"),
    ("Captain Rhys Arden", "commands the", "Starling"),
    ("The Saffron Library", "holds", "forty thousand books"),
]
CONFIG = LoRAConfig(rank=8, alpha=16, epochs=40, learning_rate=1e-2, early_stop_loss=0.05)


@pytest.fixture(scope="module", autouse=True)
def _one_thread() -> Iterator[None]:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def lm() -> LoadedLM:
    return tiny_random_llama(offline_tokenizer(), seed=0)


@pytest.fixture(scope="module")
def base_hash(lm: LoadedLM) -> str:
    return weights_hash(lm.model)


@pytest.fixture(scope="module")
def base_recovered(lm: LoadedLM, base_hash: str) -> int:
    return probe_model(lm, FACTS).recovered


@pytest.fixture(scope="module")
def encoding(lm: LoadedLM, base_recovered: int) -> LoRAEncoding:
    return encode_facts(lm, FACTS, CONFIG)


def test_adapter_reproduces_at_least_nine_of_ten_facts(lm: LoadedLM, encoding: LoRAEncoding) -> None:
    report = probe(lm, encoding.adapter)
    assert len(report.results) == 10
    assert report.recovered >= 9, [(r.fact, r.decoded) for r in report.results]
    assert report.recall == report.recovered / 10
    for result in report.results:
        assert 0.0 <= result.agreement <= 1.0
        assert result.recovered == (result.agreement == 1.0)


def test_the_base_model_does_not_know_the_facts(base_recovered: int) -> None:
    assert base_recovered <= 1


def test_training_reports_loss_and_time(encoding: LoRAEncoding) -> None:
    assert 1 <= encoding.epochs_run <= CONFIG.epochs
    assert encoding.losses[-1] < encoding.losses[0]
    assert encoding.training_ms > 0
    assert encoding.adapter.facts == tuple(FACTS)
    assert any("lora_A" in name for name in encoding.adapter.state)


def test_base_model_is_left_untouched(lm: LoadedLM, encoding: LoRAEncoding, base_hash: str) -> None:
    probe(lm, encoding.adapter)
    assert weights_hash(lm.model) == base_hash
    assert not any("lora" in name for name, _ in lm.model.named_modules())


def test_vault_round_trip(lm: LoadedLM, encoding: LoRAEncoding, tmp_path: Path) -> None:
    vault = MemVault(tmp_path)
    entry = save_adapter(vault, encoding.adapter)
    loaded = load_adapter(vault, lm, entry.digest)
    assert loaded.facts == encoding.adapter.facts
    assert loaded.rank == CONFIG.rank and loaded.alpha == CONFIG.alpha
    assert set(loaded.state) == set(encoding.adapter.state)
    original = [r.decoded for r in probe(lm, encoding.adapter).results]
    assert [r.decoded for r in probe(lm, loaded).results] == original


def test_adapter_is_refused_by_another_base_model(encoding: LoRAEncoding, lm: LoadedLM, tmp_path: Path) -> None:
    vault = MemVault(tmp_path)
    entry = save_adapter(vault, encoding.adapter)
    other = tiny_random_llama(lm.tokenizer, seed=1)
    with pytest.raises(ModelIdentityMismatchError):
        load_adapter(vault, other, entry.digest)
    with pytest.raises(ModelIdentityMismatchError), attached(other, encoding.adapter):
        pass


def test_no_facts_is_an_error(lm: LoadedLM) -> None:
    with pytest.raises(ValueError):
        encode_facts(lm, [], CONFIG)
