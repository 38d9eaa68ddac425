"""MemVault: content-addressed storage of tensors (KV templates) and adapters (LoRA) in safetensors.

Each entry is one safetensors file named by the sha256 of its bytes,
``<root>/objects/<first 2 hex>/<sha256>.safetensors``. The file's ``__metadata__`` header holds
one key, ``memcubedb``, whose value is canonical JSON (sorted keys) with the entry kind, the
:class:`ModelIdentity` the tensors belong to and the caller's string metadata, so the hash
covers the binding too. (One key, because safetensors writes a multi-key metadata map in hash
order, which would make equal content hash differently.) Writes go to a temporary
file in the same directory, are fsync'ed and moved into place with ``os.replace`` (atomic on
POSIX), so a reader never sees a half-written entry. Every load re-hashes the bytes
(:class:`CorruptEntryError` on mismatch) and compares the stored identity with the caller's
model (:class:`ModelIdentityMismatchError` on any difference): a KV cache or adapter computed
with one model is meaningless in another.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import struct
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import torch
from pydantic import BaseModel, ConfigDict, Field
from safetensors.torch import load as load_safetensors
from safetensors.torch import save as save_safetensors

_DIGEST = re.compile(r"^[0-9a-f]{64}$")
_HEADER_KEY = "memcubedb"
_SUFFIX = ".safetensors"
_TEMP_PREFIX = ".tmp-"


class VaultError(Exception):
    """Base class of MemVault errors."""


class EntryNotFoundError(VaultError, KeyError):
    """No entry with that digest exists in the vault."""


class CorruptEntryError(VaultError):
    """An entry's bytes no longer hash to its name (disk corruption, tampering, truncation)."""


class ModelIdentityMismatchError(VaultError):
    """An entry was made for a different model than the one it is being loaded into."""


class ModelIdentity(BaseModel):
    """What a KV template or adapter was computed with; two models must match on every field.

    Attributes:
        model_name: Hugging Face id, local path or registry name of the model.
        revision: model revision (commit hash) or the sha256 of the weights / weight file.
        dtype: torch dtype name of the weights, e.g. ``"float32"``.
        num_layers: decoder layers (KV templates hold one key/value pair per layer).
        tokenizer_hash: sha256 of the tokenizer's vocabulary, specials and chat template.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    model_name: str = Field(min_length=1)
    revision: str = Field(min_length=1)
    dtype: str = Field(min_length=1)
    num_layers: int = Field(ge=0)
    tokenizer_hash: str

    def differences(self, other: ModelIdentity) -> dict[str, tuple[object, object]]:
        """Fields that differ: name → (this value, other value); empty when identical."""
        mine, theirs = self.model_dump(), other.model_dump()
        return {key: (mine[key], theirs[key]) for key in mine if mine[key] != theirs[key]}


@dataclass(frozen=True)
class VaultEntry:
    """Where an entry lives. ``size_bytes`` is the file size in bytes."""

    digest: str
    path: Path
    kind: str
    identity: ModelIdentity
    size_bytes: int


@dataclass(frozen=True)
class VaultRecord:
    """A loaded, verified entry: its tensors (CPU), caller metadata and identity."""

    entry: VaultEntry
    tensors: dict[str, torch.Tensor]
    metadata: dict[str, str]


@dataclass(frozen=True)
class _Header:
    kind: str
    identity: ModelIdentity
    metadata: dict[str, str]


def _encode_header(kind: str, identity: ModelIdentity, metadata: dict[str, str]) -> dict[str, str]:
    body = {"kind": kind, "identity": identity.model_dump(), "metadata": metadata}
    return {_HEADER_KEY: json.dumps(body, sort_keys=True, separators=(",", ":"))}


def _read_header(data: bytes) -> _Header:
    """The MemVault header of a safetensors blob (8-byte little-endian header length, JSON header).

    Raises:
        CorruptEntryError: when the header cannot be parsed or lacks the MemVault fields.
    """
    try:
        (header_len,) = struct.unpack("<Q", data[:8])
        header = json.loads(data[8 : 8 + header_len])
        body = json.loads(header["__metadata__"][_HEADER_KEY])
        return _Header(
            kind=str(body["kind"]),
            identity=ModelIdentity.model_validate(body["identity"]),
            metadata={str(k): str(v) for k, v in body["metadata"].items()},
        )
    except (struct.error, ValueError, KeyError, TypeError) as exc:
        raise CorruptEntryError(f"unreadable MemVault safetensors header: {exc}") from exc


class MemVault:
    """Content-addressed store under ``root`` (created on first write).

    Args:
        root: directory of the vault, e.g. ``settings.vault_dir``.
    """

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self._objects = self.root / "objects"

    def path_for(self, digest: str) -> Path:
        """File path of an entry (whether or not it exists).

        Raises:
            ValueError: when ``digest`` is not 64 lowercase hex characters.
        """
        if not _DIGEST.match(digest):
            raise ValueError(f"not a sha256 hex digest: {digest!r}")
        return self._objects / digest[:2] / f"{digest}{_SUFFIX}"

    def put(
        self,
        tensors: Mapping[str, torch.Tensor],
        identity: ModelIdentity,
        kind: str,
        metadata: Mapping[str, str] | None = None,
        before_write: Callable[[str], None] | None = None,
    ) -> VaultEntry:
        """Store tensors bound to ``identity``; storing identical content twice is a no-op.

        Args:
            tensors: name → tensor (any shape; made contiguous and moved to CPU).
            identity: the model the tensors belong to.
            kind: entry kind, e.g. ``"kv_template"`` or ``"lora_adapter"``.
            metadata: extra metadata, strings to strings.
            before_write: called with the digest before any byte is written (a durable job
                records it there, so a write its process did not finish can be removed).

        Returns:
            the entry, whose ``digest`` is the sha256 of the file bytes (equal content, equal digest).
        """
        header = _encode_header(kind, identity, dict(metadata or {}))
        prepared = {name: tensor.detach().to("cpu").contiguous() for name, tensor in tensors.items()}
        data = save_safetensors(prepared, metadata=header)
        digest = hashlib.sha256(data).hexdigest()
        path = self.path_for(digest)
        if before_write is not None:
            before_write(digest)
        if not (path.exists() and self._hash_file(path) == digest):
            self._atomic_write(path, data, digest)
        return VaultEntry(digest=digest, path=path, kind=kind, identity=identity, size_bytes=len(data))

    def get(self, digest: str, identity: ModelIdentity) -> VaultRecord:
        """Load an entry after verifying its hash and that it belongs to ``identity``.

        Raises:
            EntryNotFoundError: no such entry.
            CorruptEntryError: the bytes do not hash to ``digest``.
            ModelIdentityMismatchError: the entry was made for another model (message lists the
                differing fields).
        """
        data = self._read_verified(digest)
        header = _read_header(data)
        stored = header.identity
        diff = stored.differences(identity)
        if diff:
            details = "; ".join(f"{key}: entry has {a!r}, model has {b!r}" for key, (a, b) in diff.items())
            raise ModelIdentityMismatchError(
                f"vault entry {digest[:12]}… was made for model {stored.model_name!r} and cannot be "
                f"loaded into {identity.model_name!r} ({details})"
            )
        entry = VaultEntry(
            digest=digest, path=self.path_for(digest), kind=header.kind, identity=stored, size_bytes=len(data)
        )
        return VaultRecord(entry=entry, tensors=load_safetensors(data), metadata=header.metadata)

    def info(self, digest: str) -> VaultEntry:
        """An entry's kind, identity and size, read from its header (hash verified).

        Raises:
            EntryNotFoundError, CorruptEntryError: as :meth:`get`.
        """
        data = self._read_verified(digest)
        header = _read_header(data)
        return VaultEntry(
            digest=digest, path=self.path_for(digest), kind=header.kind, identity=header.identity, size_bytes=len(data)
        )

    def verify(self, digest: str) -> bool:
        """True when the entry exists and its bytes hash to ``digest``.

        Raises:
            EntryNotFoundError: no such entry.
        """
        path = self.path_for(digest)
        if not path.exists():
            raise EntryNotFoundError(digest)
        return self._hash_file(path) == digest

    def digests(self) -> Iterator[str]:
        """Digests of all stored entries (temporary files excluded), in no particular order."""
        if not self._objects.exists():
            return
        for path in self._objects.glob(f"??/*{_SUFFIX}"):
            if not path.name.startswith(_TEMP_PREFIX) and _DIGEST.match(path.stem):
                yield path.stem

    def corrupt_digests(self) -> list[str]:
        """Digests whose files no longer hash to their names (run it as a periodic scrub)."""
        return sorted(digest for digest in self.digests() if not self.verify(digest))

    def delete(self, digest: str) -> bool:
        """Remove an entry; returns False when it did not exist."""
        path = self.path_for(digest)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        with contextlib.suppress(OSError):
            path.parent.rmdir()
        return True

    def discard(self, digest: str) -> bool:
        """Remove an entry and any unfinished write of it (its temporary files): the partial
        output of a writer that was killed. Returns False when neither existed."""
        removed = False
        for temp in self.path_for(digest).parent.glob(f"{_TEMP_PREFIX}{digest}-*"):
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
                removed = True
        return self.delete(digest) or removed

    def gc(self, keep: Callable[[], set[str]], temp_age_s: float = 3600.0) -> list[str]:
        """Delete every entry not in ``keep()``, and temporary files older than ``temp_age_s``.

        Args:
            keep: returns the digests still referenced (e.g. by MemCube nodes in the graph); it is
                called after the vault was listed, so an entry written meanwhile by a writer that
                recorded its digest first is never taken for garbage.
            temp_age_s: age in seconds past which a temporary file counts as left over by an
                interrupted write (younger ones may belong to a write in progress).

        Returns:
            the deleted digests, sorted.
        """
        listed = set(self.digests())
        kept = keep()
        removed = sorted(listed - kept)
        for digest in removed:
            self.delete(digest)
        if self._objects.exists():
            cutoff = time.time() - temp_age_s
            for temp in self._objects.glob(f"??/{_TEMP_PREFIX}*"):
                with contextlib.suppress(FileNotFoundError):
                    if temp.stat().st_mtime <= cutoff:
                        temp.unlink()
        return removed

    def _read_verified(self, digest: str) -> bytes:
        path = self.path_for(digest)
        try:
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise EntryNotFoundError(digest) from exc
        actual = hashlib.sha256(data).hexdigest()
        if actual != digest:
            raise CorruptEntryError(f"vault entry {path} hashes to {actual}, expected {digest}")
        return data

    @staticmethod
    def _hash_file(path: Path) -> str:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()

    @staticmethod
    def _atomic_write(path: Path, data: bytes, digest: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(prefix=f"{_TEMP_PREFIX}{digest}-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp_name, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp_name)
            raise
