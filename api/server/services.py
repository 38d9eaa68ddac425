"""What the routes work with, built once per app (in its lifespan) and closed with it.

:class:`Services` holds the connected :class:`GraphStore` and the components over it. The
heavy ones — hybrid search (loads the sentence-embedding model), the MemScheduler (loads the
causal LM on first use) — are built on first use, under a lock; the MemReader is built per
request, because it is owned by the calling principal. When ``scheduler.jobs.api_works_jobs`` is
on (the default: one process does everything), a scheduler :class:`~memcubedb.scheduler.worker.Worker`
on ``api.scheduler_workers`` threads runs the jobs the routes queue; otherwise ``memcubedb worker``
processes do.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
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
    from memcubedb.scheduler.worker import Worker
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
        self.ledger = JobLedger(store, settings.scheduler.jobs)
        self.worker: Worker | None = None
        self._lock = threading.RLock()  # re-entrant: one component's build may use another (chat → search)
        self._built: dict[str, Any] = {}

    @classmethod
    def connect(cls, settings: Settings) -> Services:
        """Connect to Neo4j (migrations applied) and build the services.

        Raises:
            neo4j.exceptions.ServiceUnavailable: nothing answers at ``settings.bolt_uri``.
        """
        services = cls(settings, GraphStore.connect(settings))
        if settings.scheduler.jobs.api_works_jobs:
            services.start_worker()
        return services

    def start_worker(self) -> None:
        """Run queued scheduler jobs on this process's own threads (``api.scheduler_workers``)."""
        from memcubedb.scheduler.worker import Worker

        self.worker = Worker(self.scheduler, self.settings.scheduler.jobs, threads=self.config.scheduler_workers)
        self.worker.start()

    def wake_worker(self) -> None:
        """Tell this process's worker (if any) that a job was just queued."""
        if self.worker is not None:
            self.worker.wake()

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
                self.store, MemVault(self.settings.vault_dir), cfg, lambda: load_lm(cfg.lm), vectorize=self.vectorize,
                role="api",
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

    def close(self) -> None:
        """Stop this process's worker, waiting for the jobs it runs (queued jobs stay queued for the
        next worker), close search (flushes access metrics) and the driver."""
        if self.worker is not None:
            self.worker.stop()
        chat = self._built.get("chat")
        if chat is not None:
            chat.close()
        search = self._built.get("search")
        if search is not None:
            search.close()
        self.store.close()
