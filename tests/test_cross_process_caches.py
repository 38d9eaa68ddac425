"""Per-process caches never serve what another process deleted (issue 16).

Two :class:`GraphStore` connections (two drivers, as two processes have): the chat runs on store
A with its per-process caches (KV chains by content digest, the LM); process B deletes a KV
template. A's next chat must not use it — the set of usable templates is read from Neo4j per
request and re-checked just before the model runs (:func:`memcubedb.chat.context.recheck`),
so a request that waited in the queue while B deleted cannot use it either. Canary strings, not
counts: the deleted memory's text must not appear in the rendered context.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from prometheus_client import REGISTRY

from memcubedb.chat.build import build_chat_service
from memcubedb.chat.context import assemble, recheck
from memcubedb.chat.schemas import ChatRequest
from memcubedb.chat.service import ChatService
from memcubedb.embeddings import make_embedder
from memcubedb.graph.store import GraphStore
from memcubedb.scheduler.lm import LoadedLM
from memcubedb.settings import Settings

pytest_plugins = ["tests.api_fixtures", "tests.chat_fixtures"]

CANARY = "Quincewood orchard keeper Zephyrine"
ACTIVATION_ONLY = {"memory_types": ["activation"], "explain": True}


@pytest.fixture
def other_process(store: GraphStore, chat_settings: Settings) -> Iterator[GraphStore]:
    """A second connection to the same Neo4j, standing in for another process."""
    other = GraphStore.connect(chat_settings, migrate=False)
    yield other
    other.close()


@pytest.fixture
def chat(store: GraphStore, chat_settings: Settings, chat_lm: LoadedLM) -> Iterator[ChatService]:
    """The chat service of process A (its own caches), on the tiny random model."""
    embedder = make_embedder(chat_settings.embedding, chat_settings.embedding_dim)
    service = build_chat_service(chat_settings, store, embedder, lambda owner: None, lm_loader=lambda: chat_lm)  # type: ignore[arg-type,return-value]
    yield service
    service.close()


def _kv_prefix_hits() -> float:
    labels = {"cache": "kv_prefix", "result": "hit"}
    return REGISTRY.get_sample_value("memcubedb_model_cache_requests_total", labels) or 0.0


def _ask(chat: ChatService) -> tuple[list[str], str]:
    done = chat.complete("alice", {"messages": [{"role": "user", "content": "Who keeps the orchard?"}],
                                   "max_tokens": 2, "memcubedb": ACTIVATION_ONLY})  # fmt: skip
    report = done.memcubedb
    return [m.id for m in report.memories.activation], report.context or ""


def test_a_template_deleted_by_another_process_is_not_served_from_the_chain_cache(
    chat: ChatService, other_process: GraphStore, memories: object
) -> None:
    template_id = memories.template("alice", f"The {CANARY} teaches grafting.")  # type: ignore[attr-defined]
    hits = _kv_prefix_hits()
    used, context = _ask(chat)
    assert used == [template_id] and CANARY in context
    assert _kv_prefix_hits() == hits
    used, _ = _ask(chat)  # the chain now comes from A's cache
    assert used == [template_id]
    assert _kv_prefix_hits() == hits + 1  # memcubedb_model_cache_requests_total{cache="kv_prefix"}

    other_process.delete_cube("alice", template_id)

    used, context = _ask(chat)
    assert used == [] and CANARY not in context


def test_a_plan_made_before_another_process_deletes_is_rechecked(
    store: GraphStore, chat: ChatService, other_process: GraphStore, memories: object, chat_settings: Settings
) -> None:
    kept = memories.template("alice", "The lighthouse keeper paints the rails.", score=0.5)  # type: ignore[attr-defined]
    gone = memories.template("alice", f"The {CANARY} prunes the quinces.")  # type: ignore[attr-defined]
    request = ChatRequest.model_validate(
        {"messages": [{"role": "user", "content": "hi"}], "memcubedb": ACTIVATION_ONLY}
    )
    planned = assemble(store, None, chat_settings.chat, "alice", request, kv_capable=True)
    assert [r.id for r in planned.templates] == [gone, kept]

    other_process.delete_cube("alice", gone)  # while the request waits for the model

    checked = recheck(store, "alice", planned)
    assert [r.id for r in checked.templates] == [kept]
    assert all(CANARY not in r.text for r in checked.templates)
    assert any("deleted or changed" in note for note in checked.notes)
    assert recheck(store, "bob", planned).templates == []  # never readable by bob
