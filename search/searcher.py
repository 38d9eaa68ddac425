"""MemorySearch: hybrid, permission-filtered retrieval over the memory graph.

One search embeds the query, runs the configured channels concurrently (vector, full-text,
graph; each filters by permission inside its query and returns text and provenance with its
hits), turns each hit into the memory it belongs to (a KV-template copy into the cube it was
promoted from, so each memory is returned once, with the forms it has), fuses their rankings
by weighted reciprocal rank fusion, optionally adds the neighbouring turns of the best hits (a
second fusion round), optionally re-ranks by MMR, and hands the returned ids to the
:class:`~memcubedb.search.metrics.AccessRecorder`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context
from typing import Any

import numpy as np

from memcubedb.cube import utcnow
from memcubedb.embeddings import Embedder
from memcubedb.graph.mapping import native
from memcubedb.graph.store import GraphStore
from memcubedb.metrics import SEARCH_CHANNEL_SECONDS, SEARCH_SECONDS
from memcubedb.search import channels as ch
from memcubedb.search.config import Channel, SearchConfig, recipe
from memcubedb.search.fusion import (
    maximal_marginal_relevance,
    ranks_by_channel,
    reciprocal_rank_fusion,
    speaker_prior,
)
from memcubedb.search.metrics import AccessRecorder
from memcubedb.search.models import SearchFilters, SearchResult
from memcubedb.search.text import named_speakers
from memcubedb.tracing import span

#: How many fused candidates MMR chooses from, as a multiple of ``k``.
MMR_POOL = 3


def _timed(channel: str, run: Callable[[], ch.Ranked]) -> ch.Ranked:
    """``run()`` inside a ``search.channel`` span, its time observed per channel."""
    with span("search.channel", **{"memcubedb.channel": channel}), SEARCH_CHANNEL_SECONDS.labels(channel).time():
        return run()


class MemorySearch:
    """Search the memories a principal may read.

    Args:
        store: the graph store.
        embedder: turns the query into a vector (must match ``settings.embedding_dim``).
        config: a :class:`SearchConfig` or the name of a recipe (see ``RECIPES``).
        recorder: where access metrics go (shared between searchers); ``None`` creates one,
            closed by :meth:`close`.
        record_access: bump ``access_count``/``last_access`` of returned cubes (``False``: no
            recorder at all).

    Use as a context manager, or call :meth:`close` (flushes pending metrics).
    """

    def __init__(
        self,
        store: GraphStore,
        embedder: Embedder,
        config: SearchConfig | str = "hybrid",
        recorder: AccessRecorder | None = None,
        record_access: bool = True,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.config = recipe(config) if isinstance(config, str) else config
        self._own_recorder = record_access and recorder is None
        self.recorder = (recorder or AccessRecorder(store)) if record_access else None
        self._pool = ThreadPoolExecutor(max_workers=len(Channel), thread_name_prefix="memcubedb-search")

    def __enter__(self) -> MemorySearch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the channel threads and write pending access metrics."""
        self._pool.shutdown(wait=True)
        if self.recorder is not None and self._own_recorder:
            self.recorder.close()

    def search(
        self,
        principal: str,
        query: str,
        k: int = 10,
        filters: SearchFilters | None = None,
        *,
        config: SearchConfig | None = None,
        vector: Sequence[float] | None = None,
    ) -> list[SearchResult]:
        """The ``k`` memories best matching ``query`` among those ``principal`` may read.

        Args:
            principal: id of the calling principal; its grants (direct, via groups, via
                spaces) are checked inside every query.
            query: natural-language query text.
            k: number of results, 1..1000.
            filters: time, validity and memory-type filters (:class:`SearchFilters`).
            config: overrides the searcher's config for this call.
            vector: a precomputed query embedding (``embedding_dim`` floats); by default the
                query is embedded with the searcher's embedder.

        Returns:
            at most ``k`` results, best first; fewer when fewer are visible. A query without
            any word and no ``vector`` returns ``[]``.

        Raises:
            ValueError: ``k`` outside 1..1000.
            neo4j.exceptions.Neo4jError / ServiceUnavailable: the database failed.
        """
        if not 1 <= k <= 1000:
            raise ValueError("k must be within 1..1000")
        cfg = config or self.config
        if not query.strip() and vector is None:
            return []
        with span("search", **{"memcubedb.k": k}), SEARCH_SECONDS.time():
            return self._search(principal, query, k, filters, cfg, vector)

    def _search(
        self, principal: str, query: str, k: int, filters: SearchFilters | None, cfg: SearchConfig,
        vector: Sequence[float] | None,
    ) -> list[SearchResult]:  # fmt: skip
        scope = ch.scope_params(principal, filters or SearchFilters(), utcnow())
        forms: dict[str, list[str]] = {}
        hits = self._memories(scope, self._first_stage(cfg, scope, query, k, vector), forms)
        rankings = {name: [h.id for h in found] for name, found in hits.items()}
        fused = _fuse(cfg, query, rankings, hits)
        nb_cfg = cfg.channel(Channel.NEIGHBOURS)
        if nb_cfg.weight > 0 and fused:
            seeds = [doc for doc, _ in fused[: cfg.neighbour_expansion.seeds]]
            found = _timed(
                Channel.NEIGHBOURS.value,
                lambda: ch.neighbour_channel(self.store, scope, seeds, max(nb_cfg.limit, k), cfg.neighbour_expansion),
            )
            hits.update(self._memories(scope, {Channel.NEIGHBOURS.value: found}, forms))
            rankings[Channel.NEIGHBOURS.value] = [h.id for h in hits[Channel.NEIGHBOURS.value]]
            fused = _fuse(cfg, query, rankings, hits)
        results = self._finish(cfg, scope, fused, rankings, hits, k, forms)
        if self.recorder is not None and results:
            self.recorder.record([r.cube_id for r in results])
        return results

    def _memories(
        self, scope: dict[str, Any], hits: dict[str, ch.Ranked], forms: dict[str, list[str]]
    ) -> dict[str, ch.Ranked]:
        """Each channel's hits as memories: a KV-template copy becomes the cube it was promoted
        from, and a memory found twice in one channel keeps its best rank — so the results hold
        each memory once. Fills ``forms`` (memory id → its memory types)."""
        memory_of = ch.memories_of(self.store, scope, [h.id for found in hits.values() for h in found])
        out: dict[str, ch.Ranked] = {}
        for name, found in hits.items():
            ranked: dict[str, ch.ChannelHit] = {}
            for hit in found:
                memory, kinds = memory_of.get(hit.id, (hit, [hit.memory_type]))
                forms[memory.id] = kinds
                if memory.id not in ranked:
                    ranked[memory.id] = ch.ChannelHit(
                        memory.id, hit.score, memory.text, memory.memory_type, memory.sources
                    )
            out[name] = list(ranked.values())
        return out

    def _first_stage(
        self, cfg: SearchConfig, scope: dict[str, Any], query: str, k: int, vector: Sequence[float] | None
    ) -> dict[str, ch.Ranked]:
        jobs: dict[str, Callable[[], ch.Ranked]] = {}
        over, deepest = cfg.overfetch, cfg.max_fetch
        if cfg.vector.weight > 0:
            if vector is not None:
                vec = vector
            else:
                with span("model.embed", **{"memcubedb.texts": 1}):
                    vec = self.embedder.embed([query])[0]
            limit_v = max(cfg.vector.limit, k)
            jobs[Channel.VECTOR.value] = lambda: ch.vector_channel(
                self.store, scope, vec, limit_v, over, deepest, cfg.sentences
            )
        if cfg.fulltext.weight > 0:
            limit_f = max(cfg.fulltext.limit, k)
            jobs[Channel.FULLTEXT.value] = lambda: ch.fulltext_channel(self.store, scope, query, limit_f, over, deepest)
        if cfg.graph.weight > 0:
            limit_g = max(cfg.graph.limit, k)
            jobs[Channel.GRAPH.value] = lambda: ch.graph_channel(
                self.store, scope, query, limit_g, over, cfg.graph_expansion
            )
        # each channel runs in the caller's context (request bookmarks, trace parent) on a pool thread
        futures = {name: self._pool.submit(copy_context().run, _timed, name, job) for name, job in jobs.items()}
        return {name: f.result() for name, f in futures.items()}

    def _finish(
        self,
        cfg: SearchConfig,
        scope: dict[str, Any],
        fused: list[tuple[str, float]],
        rankings: dict[str, list[str]],
        hits: dict[str, ch.Ranked],
        k: int,
        forms: dict[str, list[str]],
    ) -> list[SearchResult]:
        score = dict(fused)
        if cfg.mmr_lambda is not None:
            pool = [doc for doc, _ in fused[: k * MMR_POOL]]
            vectors = ch.embeddings_of(self.store, scope, pool)
            pool = [doc for doc in pool if doc in vectors]
            matrix = np.asarray([vectors[doc] for doc in pool], dtype=np.float32)
            relevance = [score[d] for d in pool]
            chosen = maximal_marginal_relevance(pool, relevance, matrix, cfg.mmr_lambda, k) if pool else []
        else:
            chosen = [doc for doc, _ in fused[:k]]
        found = {h.id: h for name in reversed(list(hits)) for h in hits[name]}
        ranks = ranks_by_channel(rankings)
        order = [c.value for c in Channel]
        out = []
        for doc in chosen:
            hit = found[doc]
            times = [native(s["timestamp"]) for s in hit.sources if s.get("timestamp") is not None]
            sources = sorted(hit.sources, key=lambda s: s["id"])
            out.append(
                SearchResult(
                    cube_id=doc,
                    text=hit.text,
                    score=score[doc],
                    channels=[c for c in order if c in ranks.get(doc, {})],
                    ranks=ranks.get(doc, {}),
                    memory_type=hit.memory_type,
                    forms=forms.get(doc, [hit.memory_type]),
                    source_ids=[s["id"] for s in sources],
                    turn_ids=[s["turn_id"] for s in sources if s.get("turn_id") is not None],
                    uris=sorted({s["uri"] for s in sources if s.get("uri") is not None}),
                    occurred_at=min(times) if times else None,
                )
            )
        return out


def _fuse(
    cfg: SearchConfig, query: str, rankings: dict[str, list[str]], hits: dict[str, ch.Ranked]
) -> list[tuple[str, float]]:
    """Weighted RRF of the channel rankings, then the speaker prior when the config asks for it."""
    weights = {c.value: cfg.channel(c).weight for c in Channel}
    fused = reciprocal_rank_fusion(rankings, weights, cfg.rrf_k)
    if cfg.speaker_boost <= 0:
        return fused
    speakers = {h.id: {s["speaker"] for s in h.sources if s.get("speaker")} for found in hits.values() for h in found}
    named = named_speakers(query, set().union(*speakers.values()))
    return speaker_prior(fused, speakers, named, cfg.speaker_boost)
