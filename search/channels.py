"""The retrieval channels: one function per named query of :mod:`memcubedb.cypher.search`.

The vector and full-text channels ask their index for ``limit * overfetch`` candidates and
filter them by permission, lifecycle state, version and time inside the same query; when the
filters leave fewer than ``limit`` and the index had more, the call is repeated with
:data:`GROWTH` times as many candidates, up to ``max_fetch`` (:func:`_fetch_visible`). The graph
channel filters during its walk. Every channel returns at most ``limit`` :class:`ChannelHit` records
(id, score, text, memory type, sources), best first, ties by id — everything a result needs,
so no second round trip follows.

Raises (every channel): ``neo4j.exceptions.Neo4jError`` when the database rejects the query
(e.g. the vector has the wrong dimension) and ``neo4j.exceptions.ServiceUnavailable`` when
the server is gone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from memcubedb.cypher import search as q
from memcubedb.graph.store import GraphStore
from memcubedb.search.config import GraphConfig, NeighbourConfig
from memcubedb.search.models import SearchFilters
from memcubedb.search.text import content_words, lucene_query, ngrams, stop_words
from memcubedb.states import LIVE_STATES


@dataclass(frozen=True, slots=True)
class ChannelHit:
    """One cube found by a channel: its id, the channel's score, text, memory type and its
    sources (dicts with ``id``, ``turn_id``, ``uri``, ``timestamp``)."""

    id: str
    score: float
    text: str
    memory_type: str
    sources: list[dict[str, Any]]


Ranked = list[ChannelHit]

#: Factor by which an index call's candidate count grows when the filters left too few.
GROWTH = 4


def _hits(rows: list[dict[str, Any]]) -> Ranked:
    return [ChannelHit(r["id"], float(r["score"]), r["text"] or "", r["memory_type"], r["sources"]) for r in rows]


def _fetch_visible(
    store: GraphStore, query: str, limit: int, overfetch: int, max_fetch: int, **params: Any
) -> list[dict[str, Any]]:
    """Run an index channel ``query``, deepening the index call until ``limit`` visible hits remain.

    The first call fetches ``limit * overfetch`` candidates; while fewer than ``limit`` pass the
    filters, the index returned all it was asked for (``fetched``) and ``max_fetch`` is not
    reached, the call is repeated with :data:`GROWTH` times as many. A caller who may read most
    of the graph pays one shallow call; one who may read little pays a few deeper ones, never
    more than ``max_fetch`` candidates (post-filtering an approximate index cannot promise more).
    """
    fetch = min(limit * overfetch, max_fetch)
    while True:
        rows = store.read(query, fetch=fetch, limit=limit, **params)
        exhausted = bool(rows) and rows[0]["fetched"] < fetch
        if len(rows) >= limit or exhausted or fetch >= max_fetch:
            return rows
        fetch = min(fetch * GROWTH, max_fetch)


def scope_params(principal: str, filters: SearchFilters, now: datetime) -> dict[str, Any]:
    """The parameters every channel query of :mod:`memcubedb.cypher.search` takes: the caller and the filters."""
    return {
        "principal": principal,
        "states": list(LIVE_STATES),
        "now": now,
        "memory_types": filters.memory_types,
        "occurred_from": filters.occurred_from,
        "occurred_to": filters.occurred_to,
        "valid_at": filters.valid_at,
    }


def vector_channel(
    store: GraphStore,
    scope: dict[str, Any],
    vector: Sequence[float],
    limit: int,
    overfetch: int,
    max_fetch: int,
    sentences: bool = False,
) -> Ranked:
    """Nearest cubes by cosine similarity of embeddings (Neo4j vector index ``memcube_embedding``).

    Args:
        vector: the query embedding, ``settings.embedding_dim`` floats, L2-normalised.
        sentences: also search the sentence vectors (index ``sentence_embedding``) and score a
            cube by its best match, whole text or one sentence (:mod:`memcubedb.search.sentences`).

    Returns:
        hits scored by cosine mapped to ``[0, 1]`` (Neo4j reports ``(1 + cos) / 2``).
    """
    floats = list(map(float, vector))
    query = q.VECTOR_SENTENCES_CHANNEL if sentences else q.VECTOR_CHANNEL
    return _hits(_fetch_visible(store, query, limit, overfetch, max_fetch, vector=floats, **scope))


def fulltext_channel(
    store: GraphStore, scope: dict[str, Any], text: str, limit: int, overfetch: int, max_fetch: int
) -> Ranked:
    """Cubes sharing words with ``text``, ranked by Lucene's BM25 (full-text index ``memcube_text``).

    The text is turned into an escaped OR-query of its words (:func:`~memcubedb.search.text.lucene_query`),
    so no user input can break the query. Text without words gives ``[]``.
    """
    lucene = lucene_query(text)
    if not lucene:
        return []
    return _hits(_fetch_visible(store, q.FULLTEXT_CHANNEL, limit, overfetch, max_fetch, lucene=lucene, **scope))


def graph_channel(
    store: GraphStore, scope: dict[str, Any], text: str, limit: int, overfetch: int, cfg: GraphConfig
) -> Ranked:
    """Cubes reached from the entities the query names, through facts and ``RELATES`` edges.

    Entities are matched by their case-folded name against the query's word n-grams
    (``n ≤ cfg.max_ngram``). A cube scores ``Σ_entities weight · 1/ln(e + mentions(entity))``
    summed over how it is linked (asserts a fact about it, mentions it, asserts a fact about a
    ``RELATES`` neighbour, asserts a fact about it whose predicate the query uses: a predicate
    word off the stop list begins one of the query's :func:`~memcubedb.search.text.content_words`).
    Text naming no known entity gives ``[]``.
    """
    names = ngrams(text, cfg.max_ngram)
    if not names:
        return []
    rows = store.read(
        q.GRAPH_CHANNEL,
        names=names,
        assert_weight=cfg.assert_weight,
        mention_weight=cfg.mention_weight,
        related_weight=cfg.related_weight,
        predicate_weight=cfg.predicate_weight,
        words=content_words(text),
        stop_words=sorted(stop_words()),
        fetch=limit * overfetch,
        limit=limit,
        **scope,
    )
    return _hits(rows)


def neighbour_channel(
    store: GraphStore, scope: dict[str, Any], seeds: Sequence[str], limit: int, cfg: NeighbourConfig
) -> Ranked:
    """Cubes from the turns around the seed cubes in the same session (provenance expansion).

    A seed's neighbours are the cubes read from the sources at most ``cfg.window`` turns
    before or after the seed's source with the same ``uri``, by turn position ``seq``; sources
    without a ``seq`` have no neighbours. Seeds themselves are excluded.

    Returns:
        hits scored ``1 / (seed position + distance)``, ranked by the position of the seed that
        reached them (0-based), then by distance in turns, then by id.
    """
    if not seeds:
        return []
    return _hits(store.read(q.NEIGHBOUR_CHANNEL, seeds=list(seeds), window=cfg.window, limit=limit, **scope))


def embeddings_of(store: GraphStore, scope: dict[str, Any], ids: Sequence[str]) -> dict[str, list[float]]:
    """The stored embeddings (``embedding_dim`` floats) of those ``ids`` still visible to the
    principal and embedded, keyed by cube id (used by MMR)."""
    if not ids:
        return {}
    rows = store.read(q.EMBEDDINGS_OF, ids=list(ids), **scope)
    return {r["id"]: r["embedding"] for r in rows if r["embedding"] is not None}


def memories_of(
    store: GraphStore, scope: dict[str, Any], ids: Sequence[str]
) -> dict[str, tuple[ChannelHit, list[str]]]:
    """Each hit id → (the memory it belongs to, as a :class:`ChannelHit` with score 0, and that memory's
    forms: memory types among ``plaintext``, ``activation``, ``parametric``).

    A KV-template copy belongs to the cube it was promoted from when the caller may see that
    cube; any other hit is its own memory. One query for all ``ids``.
    """
    if not ids:
        return {}
    out = {}
    for r in store.read(q.MEMORIES_OF_HITS, ids=list(dict.fromkeys(ids)), **scope):
        memory = _hits([r])[0]
        forms = [memory.memory_type]
        forms += [f for f in ("activation", "parametric") if r[f] and f not in forms]
        out[r["hit_id"]] = (memory, forms)
    return out
