"""Building the :class:`~memcubedb.chat.service.ChatService` from the settings."""

from __future__ import annotations

from collections.abc import Callable

from memcubedb.chat.local import LocalBackend
from memcubedb.chat.service import ChatService, Served
from memcubedb.chat.upstream import UpstreamBackend
from memcubedb.embeddings import Embedder
from memcubedb.extraction.reader import MemReader
from memcubedb.graph.store import GraphStore
from memcubedb.scheduler.lm import LoadedLM, load_lm
from memcubedb.scheduler.vault import MemVault
from memcubedb.search.searcher import MemorySearch
from memcubedb.settings import Settings


def build_chat_service(
    settings: Settings,
    store: GraphStore,
    embedder: Embedder,
    reader: Callable[[str], MemReader],
    lm_loader: Callable[[], LoadedLM] | None = None,
) -> ChatService:
    """The chat service of ``settings.chat``: the local backend loads ``settings.scheduler.lm``
    (the model the scheduler builds KV templates and adapters for; its own instance, loaded on
    the first request, so scheduler jobs and chats never share modules) unless ``lm_loader`` is
    given; the upstream backend relays to ``settings.chat.upstream``."""
    config = settings.chat
    if config.backend == "upstream":
        served = Served(UpstreamBackend(config.upstream), config.upstream.model, kv_capable=False)
    else:
        loader = lm_loader or (lambda: load_lm(settings.scheduler.lm))
        backend = LocalBackend(loader, MemVault(settings.vault_dir), config.template_cache_mb << 20,
                               config.max_input_tokens)  # fmt: skip
        served = Served(backend, settings.scheduler.lm.name_or_path, kv_capable=True)
    search = MemorySearch(store, embedder, config.search_recipe, record_access=False)
    return ChatService(store, config, served, search, reader)
