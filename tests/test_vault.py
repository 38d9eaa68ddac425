"""MemVault: content addressing, model-identity binding, corruption detection, atomic writes, gc."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest
import torch

from memcubedb.scheduler.vault import (
    CorruptEntryError,
    EntryNotFoundError,
    MemVault,
    ModelIdentity,
    ModelIdentityMismatchError,
)

IDENTITY = ModelIdentity(
    model_name="tiny", revision="sha256:" + "1" * 64, dtype="float32", num_layers=2, tokenizer_hash="a" * 64
)


def _tensors(seed: int = 0) -> dict[str, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    return {
        "layers.0.keys": torch.randn(1, 2, 5, 8, generator=generator),
        "token_ids": torch.arange(5, dtype=torch.long),
    }


def test_put_get_round_trip_is_content_addressed(tmp_path: Path) -> None:
    vault = MemVault(tmp_path)
    tensors = _tensors()
    entry = vault.put(tensors, IDENTITY, "kv_template", {"token_count": "5"})
    assert entry.digest == hashlib.sha256(entry.path.read_bytes()).hexdigest()
    assert entry.size_bytes == entry.path.stat().st_size
    record = vault.get(entry.digest, IDENTITY)
    assert record.metadata == {"token_count": "5"}
    assert record.entry.kind == "kv_template"
    assert record.entry.identity == IDENTITY
    for name, tensor in tensors.items():
        assert torch.equal(record.tensors[name], tensor)
    # the same content twice is one entry; other content is another
    assert vault.put(tensors, IDENTITY, "kv_template", {"token_count": "5"}).digest == entry.digest
    assert vault.put(_tensors(1), IDENTITY, "kv_template", {"token_count": "5"}).digest != entry.digest
    assert len(list(vault.digests())) == 2


def test_identity_is_part_of_the_content(tmp_path: Path) -> None:
    vault = MemVault(tmp_path)
    other = IDENTITY.model_copy(update={"dtype": "bfloat16"})
    assert vault.put(_tensors(), IDENTITY, "k").digest != vault.put(_tensors(), other, "k").digest


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("model_name", "other"),
        ("revision", "sha256:" + "2" * 64),
        ("dtype", "float16"),
        ("num_layers", 3),
        ("tokenizer_hash", "b" * 64),
    ],
)
def test_loading_into_another_model_is_refused(tmp_path: Path, field: str, value: object) -> None:
    vault = MemVault(tmp_path)
    entry = vault.put(_tensors(), IDENTITY, "kv_template")
    with pytest.raises(ModelIdentityMismatchError, match=field):
        vault.get(entry.digest, IDENTITY.model_copy(update={field: value}))


def test_corruption_is_detected(tmp_path: Path) -> None:
    vault = MemVault(tmp_path)
    entry = vault.put(_tensors(), IDENTITY, "kv_template")
    healthy = vault.put(_tensors(1), IDENTITY, "kv_template")
    data = bytearray(entry.path.read_bytes())
    data[-3] ^= 0xFF  # flip bits inside the tensor bytes
    entry.path.write_bytes(bytes(data))
    assert vault.verify(entry.digest) is False
    assert vault.verify(healthy.digest) is True
    assert vault.corrupt_digests() == [entry.digest]
    with pytest.raises(CorruptEntryError):
        vault.get(entry.digest, IDENTITY)
    entry.path.write_bytes(bytes(data[:100]))  # truncated
    with pytest.raises(CorruptEntryError):
        vault.info(entry.digest)


def test_failed_write_leaves_no_partial_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    vault = MemVault(tmp_path)

    def interrupted(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(OSError, match="disk full"):
        vault.put(_tensors(), IDENTITY, "kv_template")
    monkeypatch.undo()
    assert list(vault.digests()) == []
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_missing_and_malformed_digests(tmp_path: Path) -> None:
    vault = MemVault(tmp_path)
    with pytest.raises(EntryNotFoundError):
        vault.get("0" * 64, IDENTITY)
    with pytest.raises(EntryNotFoundError):
        vault.verify("0" * 64)
    with pytest.raises(ValueError):
        vault.get("../../etc/passwd", IDENTITY)


def test_delete_and_gc(tmp_path: Path) -> None:
    vault = MemVault(tmp_path)
    keep = vault.put(_tensors(0), IDENTITY, "k")
    drop = vault.put(_tensors(1), IDENTITY, "k")
    gone = vault.put(_tensors(2), IDENTITY, "k")
    assert vault.delete(gone.digest) is True
    assert vault.delete(gone.digest) is False
    stale = keep.path.parent / ".tmp-stale"
    stale.write_bytes(b"half")
    old = time.time() - 7200
    os.utime(stale, (old, old))
    fresh = keep.path.parent / ".tmp-fresh"
    fresh.write_bytes(b"in progress")
    assert vault.gc(lambda: {keep.digest}) == [drop.digest]
    assert sorted(vault.digests()) == [keep.digest]
    assert not stale.exists() and fresh.exists()
    assert vault.get(keep.digest, IDENTITY).tensors["token_ids"].tolist() == [0, 1, 2, 3, 4]


def test_before_write_sees_the_digest_first_and_discard_removes_unfinished_writes(tmp_path: Path) -> None:
    vault = MemVault(tmp_path)
    seen: list[tuple[str, bool]] = []

    def note(digest: str) -> None:
        seen.append((digest, vault.path_for(digest).exists()))

    entry = vault.put(_tensors(3), IDENTITY, "k", before_write=note)
    assert seen == [(entry.digest, False)]  # told before any byte was written
    other = vault.put(_tensors(4), IDENTITY, "k")
    partial = other.path.parent / f".tmp-{other.digest}-cut"  # a write its process did not finish
    partial.write_bytes(b"half")
    unrelated = other.path.parent / ".tmp-someone-else"
    unrelated.write_bytes(b"in progress")

    assert vault.discard(other.digest) is True

    assert not other.path.exists() and not partial.exists() and unrelated.exists()
    assert vault.discard(other.digest) is False
    assert vault.verify(entry.digest)
