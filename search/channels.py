"""The retrieval channels: one function per named query of :mod:`memcubedb.search.queries`.

Every channel runs one read transaction that asks its index for ``limit * overfetch``
candidates and filters them by permission, lifecycle state, version and time inside the same
query, then returns at most ``limit`` :class:`Hit` records (id, score, text, memory type, sources),
best first, ties by id — everything a result needs, so no second round trip follows.

Raises (every channel): ``neo4j.exceptions.Neo4jError`` when the database rejects the query
(e.g. the vector has the wrong dimension) and ``neo4j.exceptions.ServiceUnavailable`` when
the server is gone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from memcubedb.graph.store import GraphStore
from memcubedb.search import queries as q
from memcubedb.search.config import GraphConfig, NeighbourConfig
from memcubedb.search.models import LIVE_STATES, SearchFilters
from memcubedb.search.text import lucene_query, ngrams


@dataclass(frozen=True, slots=True)
class Hit:
    """One cube found by a channel: its id, the channel's score, text, memory type and its
    sources (dicts with ``id``, ``turn_id``, ``uri``, ``timestamp``)."""

    id: str
    score: float
    text: str
    memory_type: str
    sources: list[dict[str, Any]]


Ranked = list[Hit]


def _hits(rows: list[dict[str, Any]]) -> Ranked:
    return [Hit(r["id"], float(r["score"]), r["text"] or "", r["memory_type"], r["sources"]) for r in rows]


def scope_params(principal: str, filters: SearchFilters, now: datetime) -> dict[str, Any]:
    """The parameters of :data:`~memcubedb.search.queries.VISIBLE` for one search."""
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
    store: GraphStore, scope: dict[str, Any], vector: Sequence[float], limit: int, overfetch: int
) -> Ranked:
    """Nearest cubes by cosine similarity of embeddings (Neo4j vector index ``memcube_embedding``).

    Args:
        vector: the query embedding, ``settings.embedding_dim`` floats, L2-normalised.

    Returns:
        hits scored by cosine mapped to ``[0, 1]`` (Neo4j reports ``(1 + cos) / 2``).
    """
    rows = store.read(q.VECTOR_CHANNEL, vector=list(map(float, vector)), fetch=limit * overfetch, limit=limit, **scope)
    return _hits(rows)


def fulltext_channel(store: GraphStore, scope: dict[str, Any], text: str, limit: int, overfetch: int) -> Ranked:
    """Cubes sharing words with ``text``, ranked by Lucene's BM25 (full-text index ``memcube_text``).

    The text is turned into an escaped OR-query of its words (:func:`~memcubedb.search.text.lucene_query`),
    so no user input can break the query. Text without words gives ``[]``.
    """
    lucene = lucene_query(text)
    if not lucene:
        return []
    rows = store.read(q.FULLTEXT_CHANNEL, lucene=lucene, fetch=limit * overfetch, limit=limit, **scope)
    return _hits(rows)


def graph_channel(
    store: GraphStore, scope: dict[str, Any], text: str, limit: int, overfetch: int, cfg: GraphConfig
) -> Ranked:
    """Cubes reached from the entities the query names, through facts and ``RELATES`` edges.

    Entities are matched by their case-folded name against the query's word n-grams
    (``n ≤ cfg.max_ngram``). A cube scores ``Σ_entities weight · 1/ln(e + mentions(entity))``
    with the weight of how it is linked (asserts a fact about it, mentions it, asserts a fact
    about a ``RELATES`` neighbour). Text naming no known entity gives ``[]``.
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
