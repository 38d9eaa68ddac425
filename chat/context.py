"""Context assembly for one chat request, acting as the caller (the graph/search side; no model).

MemOS §MemScheduler, at inference: (1) the caller's live, readable KV templates, best score
first, within the activation budget (``chat.max_prefix_tokens``) → the cached prefix;
(2) hybrid search over the conversation (the last ``chat.query_turns`` user turns) → the memory
block, top ``chat.memory_k`` plaintext memories not already in the prefix, each marked with its
MemCube id; (3) the caller's active LoRA adapter. Every query filters by read permission.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from memcubedb.chat.prefix import TemplateRef, plan
from memcubedb.chat.schemas import ChatRequest, MemoryTypeName
from memcubedb.config.chat import ChatConfig
from memcubedb.cypher import chat as q
from memcubedb.graph.store import GraphStore
from memcubedb.search import SearchFilters, SearchResult
from memcubedb.search.searcher import MemorySearch
from memcubedb.states import LIVE_STATES

MEMORY_BLOCK_HEADER = "Memories that may help (each marked with its MemCube id):"


@dataclass(frozen=True)
class AdapterRef:
    """The caller's active LoRA adapter: parametric cube id, vault digest, base model name, score."""

    id: str
    digest: str
    base_model: str
    score: float


@dataclass
class ContextPlan:
    """What one request will use: templates for the prefix, plaintext hits for the memory block,
    the adapter, and notes about what was left out."""

    templates: list[TemplateRef] = field(default_factory=list)
    plaintext: list[SearchResult] = field(default_factory=list)
    adapter: AdapterRef | None = None
    notes: list[str] = field(default_factory=list)


def memory_block(items: list[tuple[str, str]]) -> str:
    """The memory block text: a header, then one ``[<cube id>] <text>`` line per memory."""
    return "\n".join([MEMORY_BLOCK_HEADER, *(f"[{cube_id}] {text}" for cube_id, text in items)])


def live_templates(store: GraphStore, principal: str) -> list[TemplateRef]:
    """The principal's readable live KV templates, best score first."""
    refs = []
    for row in store.read(q.ACTIVATION_MEMORIES, principal=principal, live=list(LIVE_STATES)):
        payload = json.loads(row["payload"])
        refs.append(
            TemplateRef(
                id=row["id"],
                text=row["text"],
                digest=row["digest"],
                score=float(row["score"]),
                source_ids=tuple(row["source_ids"]),
                token_count=int(payload["token_count"]),
            )
        )
    return refs


def active_adapter(store: GraphStore, principal: str) -> AdapterRef | None:
    """The principal's active adapter (newest readable live parametric cube), if any."""
    rows = store.read(q.ACTIVE_ADAPTER, principal=principal, live=list(LIVE_STATES))
    if not rows:
        return None
    row = rows[0]
    return AdapterRef(id=row["id"], digest=row["digest"], base_model=row["base_model"], score=float(row["score"]))


def assemble(
    store: GraphStore,
    search: MemorySearch | None,
    config: ChatConfig,
    principal: str,
    request: ChatRequest,
    kv_capable: bool,
) -> ContextPlan:
    """The memories one request will use (see the module docstring).

    Args:
        search: a searcher that does not record access (the service records what is used);
            ``None`` when plaintext memory is off for this request.
        kv_capable: whether the backend can use KV templates and adapters (``False`` upstream:
            then both are noted as not used).
    """
    types: set[MemoryTypeName] = set(request.memcubedb.memory_types)
    result = ContextPlan()
    if kv_capable and "activation" in types:
        taken, over = plan(live_templates(store, principal), config.max_prefix_tokens)
        result.templates = taken
        if over:
            result.notes.append(
                f"{len(over)} KV template(s) over the activation budget of {config.max_prefix_tokens} tokens not used: "
                + ", ".join(r.id for r in over)
            )
    if kv_capable and "parametric" in types:
        result.adapter = active_adapter(store, principal)
    if not kv_capable:
        result.notes.append("the upstream backend cannot use activation or parametric memory: plaintext memory only")
    query = request.query(config.query_turns)
    if search is not None and "plaintext" in types and config.memory_k > 0 and query.strip():
        in_prefix = {i for r in result.templates for i in (r.id, *r.source_ids)}
        prefix_texts = {r.text for r in result.templates}
        hits = search.search(
            principal,
            query,
            config.memory_k + len(in_prefix),
            SearchFilters(memory_types=["plaintext"]),
        )
        fresh = [h for h in hits if h.cube_id not in in_prefix and h.text not in prefix_texts]
        result.plaintext = fresh[: config.memory_k]
    return result


def recheck(store: GraphStore, principal: str, planned: ContextPlan) -> ContextPlan:
    """``planned`` without what stopped being usable since it was assembled: memories deleted,
    expired, superseded or no longer readable by ``principal`` (by this process or another), and
    templates or adapters whose vault digest no longer matches. One read, run just before the model
    starts — a request may wait in the queue for seconds, and the backend's caches (KV chains and
    adapters, keyed by content digest) would otherwise serve such a memory from memory.
    """
    refs = [*(r.id for r in planned.templates), *(h.cube_id for h in planned.plaintext)]
    if planned.adapter is not None:
        refs.append(planned.adapter.id)
    if not refs:
        return planned
    usable = {r["id"]: r["digest"] for r in store.read(q.STILL_USABLE, principal=principal, ids=refs,
                                                       live=list(LIVE_STATES))}  # fmt: skip
    templates = [r for r in planned.templates if usable.get(r.id, "") == r.digest]
    plaintext = [h for h in planned.plaintext if h.cube_id in usable]
    adapter = planned.adapter
    if adapter is not None and usable.get(adapter.id, "") != adapter.digest:
        adapter = None
    dropped = len(refs) - len(templates) - len(plaintext) - (adapter is not None)
    notes = list(planned.notes)
    if dropped:
        notes.append(f"{dropped} memory(ies) deleted or changed while the request waited; not used")
    return ContextPlan(templates=templates, plaintext=plaintext, adapter=adapter, notes=notes)

