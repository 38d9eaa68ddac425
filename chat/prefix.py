"""Activation memory at generation: the caller's KV templates chained into one cached prefix.

A template is valid only for the exact weights that computed it (MemOS §MemScheduler; the vault
binds each entry to a :class:`~memcubedb.scheduler.vault.ModelIdentity`). The working-memory
chain covers the templates' memories as consecutive ``system`` messages: the first is loaded
from the vault as stored (identity checked); each further one is computed on top of the chain
(:func:`~memcubedb.scheduler.kv_templates.build_kv_template` with ``parent=``, exact by
construction) and the chain is kept in a byte-bounded LRU, so the next request with the same
memories prefills none of them. With a LoRA adapter applied, the stored templates (computed
without it) are never used: the chain is rebuilt with the adapter attached, cached under the
adapter's digest, and the response says so.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from memcubedb.metrics import cache_lookup
from memcubedb.scheduler.kv_templates import KVTemplate, build_kv_template, load_kv_template
from memcubedb.scheduler.lm import LoadedLM
from memcubedb.scheduler.vault import MemVault, VaultError


@dataclass(frozen=True)
class TemplateRef:
    """A live KV template the caller may read: activation cube id, memory text, vault digest,
    promotion score, the plaintext cubes it was promoted from and its stored token count."""

    id: str
    text: str
    digest: str
    score: float
    source_ids: tuple[str, ...]
    token_count: int


@dataclass
class Prefix:
    """The chain used for one request: ``template`` (``None`` when no template is used), the refs
    it covers in order, tokens served from stored/cached KV (``cached_tokens``), tokens computed
    now (``built_tokens``) and notes for the response."""

    template: KVTemplate | None = None
    refs: list[TemplateRef] = field(default_factory=list)
    cached_tokens: int = 0
    built_tokens: int = 0
    notes: list[str] = field(default_factory=list)


class PrefixCache:
    """Chains by key (model identity, adapter digest, template digests), least recently used
    dropped first once their tensors pass ``max_bytes``. Thread-safe."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple[str, ...], KVTemplate] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[str, ...]) -> KVTemplate | None:
        """The cached chain, marked as recently used; ``None`` if absent."""
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple[str, ...], template: KVTemplate) -> None:
        """Cache a chain, evicting the least recently used ones beyond the byte bound."""
        with self._lock:
            if key in self._items or template.size_bytes > self.max_bytes:
                return
            self._items[key] = template
            self._bytes += template.size_bytes
            while self._bytes > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= dropped.size_bytes


def plan(refs: list[TemplateRef], max_tokens: int) -> tuple[list[TemplateRef], list[TemplateRef]]:
    """Split score-ordered refs into (in the prefix, over the token budget): refs are taken in
    order while their stored token counts sum to at most ``max_tokens``."""
    taken: list[TemplateRef] = []
    total = 0
    for i, ref in enumerate(refs):
        if total + ref.token_count > max_tokens:
            return taken, refs[i:]
        taken.append(ref)
        total += ref.token_count
    return taken, []


def chain_key(lm: LoadedLM, adapter_digest: str | None, refs: list[TemplateRef]) -> tuple[str, ...]:
    """Cache key of a chain: model identity, adapter digest (``""`` for none), template digests."""
    return (lm.identity.model_dump_json(), adapter_digest or "", *(r.digest for r in refs))


def build_prefix(
    lm: LoadedLM, vault: MemVault, cache: PrefixCache, refs: list[TemplateRef], adapter: tuple[str, str] | None
) -> Prefix:
    """The KV prefix covering ``refs`` in order, for ``lm`` as it is now (with ``adapter`` =
    (adapter cube id, vault digest) attached by the caller, or ``None``).

    Reuses the longest cached chain that starts the same way; otherwise, without an adapter,
    loads the first template from the vault (a template of another model, or a missing or corrupt
    entry, is rebuilt from its text and noted); computes the rest on top. Every intermediate
    chain is cached. Must run where the model is not used concurrently.
    """
    result = Prefix(refs=list(refs))
    if not refs:
        return result
    digest = adapter[1] if adapter else None
    start, current = 0, None
    for n in range(len(refs), 0, -1):
        current = cache.get(chain_key(lm, digest, refs[:n]))
        if current is not None:
            start = n
            result.cached_tokens = current.token_count
            break
    cache_lookup("kv_prefix", current is not None)
    if current is None and adapter is None:
        first = refs[0]
        try:
            current = load_kv_template(vault, lm, first.digest)
            result.cached_tokens = current.token_count
            start = 1
            cache.put(chain_key(lm, None, refs[:1]), current)
        except (VaultError, ValueError) as exc:
            result.notes.append(f"KV template {first.id} cannot be used as stored ({exc}); rebuilt from its text")
    if adapter is not None and start < len(refs):
        result.notes.append(
            f"KV templates are computed without adapter {adapter[0]}; {len(refs) - start} of them were rebuilt "
            "with it applied (prefilled now, cached for the next request)"
        )
    before = current.token_count if current is not None else 0
    for i in range(start, len(refs)):
        current = build_kv_template(lm, refs[i].text, parent=current)
        cache.put(chain_key(lm, digest, refs[: i + 1]), current)
    assert current is not None
    result.built_tokens = current.token_count - before
    result.template = current
    return result
