"""What the routes work with, built once per app (in its lifespan) and closed with it.

:class:`Services` holds the connected :class:`GraphStore` and the components over it. The
heavy ones — hybrid search (loads the sentence-embedding model), the MemScheduler (loads the
causal LM on first use) — are built on first use, under a lock; the MemReader is built per
request, because it is owned by the calling principal.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from memcubedb.graph.apikeys import ApiKeys
from memcubedb.graph.facts import FactEditor
from memcubedb.graph.interchange import MemDumper, MemLoader
from memcubedb.graph.read_models.explorer import GraphExplorer
from memcubedb.graph.records import CubeWrite
from memcubedb.graph.store import GraphStore
from memcubedb.scheduler.jobs import JobLedger
from memcubedb.settings import Settings

if TYPE_CHECKING:
    from memcubedb.chat.service import ChatService
    from memcubedb.embeddings import Embedder
    from memcubedb.extraction.intent import IntentParser
    from memcubedb.extraction.reader import MemReader
    from memcubedb.scheduler.memscheduler import MemScheduler
    from memcubedb.search.searcher import MemorySearch

T = TypeVar("T")


class Services:
    """The store and the components every route reaches through ``request.app.state.services``."""

    def __init__(self, settings: Settings, store: GraphStore) -> None:
        self.settings = settings
        self.config = settings.api
        self.store = store
        self.keys = ApiKeys(store)
        self.facts = FactEditor(store)
        self.explorer = GraphExplorer(store)
        self.dumper = MemDumper(store)
        self.loader = MemLoader(store)
        self.ledger = JobLedger(store)
        self.jobs = ThreadPoolExecutor(max_workers=self.config.scheduler_workers, thread_name_prefix="api-jobs")
        self._lock = threading.RLock()  # re-entrant: one component's build may use another (chat → search)
        self._built: dict[str, Any] = {}

    @classmethod
    def connect(cls, settings: Settings) -> Services:
        """Connect to Neo4j (migrations applied) and build the services.

        Raises:
            neo4j.exceptions.ServiceUnavailable: nothing answers at ``settings.bolt_uri``.
        """
        return cls(settings, GraphStore.connect(settings))

    def _once(self, name: str, build: Callable[[], T]) -> T:
        with self._lock:
            if name not in self._built:
                self._built[name] = build()
            built: T = self._built[name]
            return built

    @property
    def embedder(self) -> Embedder:
        """The embedder of ``settings.embedding`` (built on first use), shared by search and writes.

        Raises:
            ValueError: its dimension differs from ``settings.embedding_dim`` (the vector indexes').
        """

        def build() -> Embedder:
            from memcubedb.embeddings import make_embedder

            return make_embedder(self.settings.embedding, self.settings.embedding_dim)

        return self._once("embedder", build)

    def vectorize(self, writes: list[CubeWrite]) -> None:
        """Embed new cubes and their sentences inside their write (the ``prepare`` step of
        :meth:`GraphStore.write_cubes`): every write path leaves its cubes vector-searchable."""
        from memcubedb.search.sentences import embed_writes

        embed_writes(self.embedder, writes)

    @property
    def search(self) -> MemorySearch:
        """The hybrid :class:`~memcubedb.search.searcher.MemorySearch` (built on first use)."""

        def build() -> MemorySearch:
            from memcubedb.search.searcher import MemorySearch

            return MemorySearch(self.store, self.embedder, self.config.search_recipe)

        return self._once("search", build)

    @property
    def scheduler(self) -> MemScheduler:
        """The :class:`~memcubedb.scheduler.memscheduler.MemScheduler` (built on first use; the LM
        loads when a job first needs it)."""

        def build() -> MemScheduler:
            from memcubedb.scheduler.lm import load_lm
            from memcubedb.scheduler.memscheduler import MemScheduler
            from memcubedb.scheduler.vault import MemVault

            cfg = self.settings.scheduler
            return MemScheduler(
                self.store, MemVault(self.settings.vault_dir), cfg, lambda: load_lm(cfg.lm), vectorize=self.vectorize
            )

        return self._once("scheduler", build)

    @property
    def chat(self) -> ChatService:
        """Memory-augmented chat (:class:`~memcubedb.chat.service.ChatService`, built on first use;
        ``services.chat.complete(principal, {"messages": [...]})`` is the one call)."""

        embedder = self.search.embedder  # built outside ``_once`` below, whose lock is not re-entrant

        def build() -> ChatService:
            from memcubedb.chat.build import build_chat_service

            return build_chat_service(self.settings, self.store, embedder, self.reader)

        return self._once("chat", build)

    @property
    def intent(self) -> IntentParser:
        """MemReader's intent parser for natural-language memory requests (built on first use)."""

        def build() -> IntentParser:
            from memcubedb.extraction.intent import IntentParser

            return IntentParser()

        return self._once("intent", build)

    def reader(self, owner: str) -> MemReader:
        """A :class:`~memcubedb.extraction.reader.MemReader` writing cubes owned by ``owner``, whose
        mentions resolve (index lookups per batch) among the entities ``owner`` may read."""
        from memcubedb.extraction.reader import MemReader
        from memcubedb.extraction.resolution import EntityResolver
        from memcubedb.graph.entity_lookup import GraphEntityLookup

        config = self.settings.extraction
        resolver = EntityResolver(config.resolution, lookup=GraphEntityLookup(self.store, owner))
        return MemReader(config, resolver=resolver, owner=owner)

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        """Run ``fn(*args)`` on the API's job threads."""
        return self.jobs.submit(fn, *args)

    def close(self) -> None:
        """Wait for running jobs (queued ones are dropped: their durable job records are recovered by
        the next scheduler run), close search (flushes access metrics) and the driver."""
        self.jobs.shutdown(wait=True, cancel_futures=True)
        chat = self._built.get("chat")
        if chat is not None:
            chat.close()
        search = self._built.get("search")
        if search is not None:
            search.close()
        self.store.close()
