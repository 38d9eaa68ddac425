"""Declarative search configuration and its named presets ("recipes").

A :class:`SearchConfig` says which retrieval channels run, how many candidates each one
fetches, how their rankings are fused (reciprocal rank fusion, Cormack et al. 2009, with a
weight per channel) and whether the fused list is re-ranked for diversity (maximal marginal
relevance, Carbonell & Goldstein 1998). Callers pick a recipe from :data:`RECIPES` or build a
config; nothing is threaded through calls as flags.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Channel(StrEnum):
    """The retrieval channels.

    * ``vector`` — cosine similarity of sentence embeddings (Neo4j vector index ``memcube_embedding``);
    * ``fulltext`` — BM25 over the cube text (Neo4j/Lucene full-text index ``memcube_text``);
    * ``graph`` — entities named in the query, expanded through facts and ``RELATES`` edges to
      the MemCubes that assert or mention them, first those asserting a fact about the entity
      with a predicate the query uses;
    * ``neighbours`` — turns next to the best hits in the same session, along provenance
      (``EXTRACTED_FROM`` sources sharing a ``uri``, ordered by turn position ``seq``).
    """

    VECTOR = "vector"
    FULLTEXT = "fulltext"
    GRAPH = "graph"
    NEIGHBOURS = "neighbours"


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChannelConfig(_Config):
    """One channel's share of the search.

    Attributes:
        weight: multiplier of the channel's reciprocal-rank contribution; 0 switches it off.
        limit: candidates the channel hands to fusion (after permission filtering).
    """

    weight: float = Field(default=1.0, ge=0.0)
    limit: int = Field(default=10, ge=1, le=1000)


class GraphConfig(_Config):
    """How the graph channel weighs what it reaches from a query entity.

    Attributes:
        max_ngram: longest word n-gram of the query matched against entity names.
        assert_weight: weight of a cube asserting a fact whose subject/object is the entity.
        mention_weight: weight of a cube that mentions the entity.
        related_weight: weight of a cube asserting a fact about an entity one ``RELATES`` hop away.
        predicate_weight: weight of a cube asserting a fact about the entity whose predicate
            the query uses: a predicate word (not a stop word) begins a content word of the
            query ("paint" of (Melanie, paint, sunrise) for "What did Melanie paint?" or "When
            was Melanie painting?"), so the memory that says what the query asks about the
            entity ranks above those that merely name it. 16 was chosen by a sweep (0, 2, 4, 8,
            16, 32) on the 6-conversation LoCoMo dev set with the ``conversation`` recipe:
            recall@10 0.714 → 0.722 (graph channel off: 0.712); 32 gave the same.
    """

    max_ngram: int = Field(default=3, ge=1, le=6)
    assert_weight: float = Field(default=2.0, ge=0.0)
    mention_weight: float = Field(default=1.0, ge=0.0)
    related_weight: float = Field(default=0.5, ge=0.0)
    predicate_weight: float = Field(default=16.0, ge=0.0)


class NeighbourConfig(_Config):
    """Expansion along provenance to the turns around the best hits.

    Attributes:
        seeds: how many of the top fused results are expanded.
        window: turns taken on each side of a seed in its session.
    """

    seeds: int = Field(default=10, ge=1, le=200)
    window: int = Field(default=1, ge=1, le=10)


class SearchConfig(_Config):
    """Everything that shapes one search.

    Attributes:
        vector / fulltext / graph / neighbours: per-channel weight and candidate limit.
        overfetch: the index calls first fetch ``limit * overfetch`` candidates, so that enough
            remain after the permission, state and time predicates filter them inside the query;
            the graph channel keeps at most ``limit * overfetch`` cubes per walk.
        max_fetch: the deepest index call: when the filters leave fewer than ``limit``
            candidates, the call is repeated with 4× as many, up to this many.
        rrf_k: the constant ``k`` of reciprocal rank fusion, ``score = Σ w / (k + rank)``
            (Cormack, Clarke & Büttcher 2009 use 60).
        mmr_lambda: ``None`` for no diversity re-ranking; otherwise the λ of MMR in ``[0, 1]``
            (1 = pure relevance, 0 = pure novelty).
        speaker_boost: fused scores of chat memories said by a speaker the query names are
            multiplied by ``1 + speaker_boost`` (see :func:`~memcubedb.search.fusion.speaker_prior`);
            0 switches it off.
        sentences: the vector channel also matches the sentence vectors of multi-sentence
            memories and scores a cube by its best match, whole text or one sentence (MaxP, see
            :mod:`memcubedb.search.sentences`): a second vector-index call per search, best for chat
            turns and long memories.
        graph_expansion: weights of the graph channel.
        neighbour_expansion: shape of the neighbouring-turn expansion.
    """

    vector: ChannelConfig = ChannelConfig()
    fulltext: ChannelConfig = ChannelConfig()
    graph: ChannelConfig = ChannelConfig(weight=0.5)
    neighbours: ChannelConfig = ChannelConfig(weight=0.0)
    overfetch: int = Field(default=2, ge=1, le=100)
    max_fetch: int = Field(default=4000, ge=1, le=100_000)
    rrf_k: float = Field(default=60.0, gt=0.0)
    mmr_lambda: float | None = Field(default=None, ge=0.0, le=1.0)
    speaker_boost: float = Field(default=0.0, ge=0.0)
    sentences: bool = False
    graph_expansion: GraphConfig = GraphConfig()
    neighbour_expansion: NeighbourConfig = NeighbourConfig()

    def channel(self, name: Channel) -> ChannelConfig:
        """The settings of one channel."""
        return getattr(self, name.value)

    def active(self) -> list[Channel]:
        """Channels with a positive weight, in declaration order."""
        return [c for c in Channel if self.channel(c).weight > 0]


_OFF = ChannelConfig(weight=0.0)

#: Named presets. ``hybrid`` is the default (three channels of 10 candidates, one index call
#: each); ``conversation`` is for chat memories: it matches sentence vectors too, takes 50
#: candidates a channel, adds the turns up to two positions around the 5 best hits (an answer
#: often sits in the reply next to the turn the question matches), uses a small RRF constant
#: (sharp preference for top ranks) and doubles the score of turns said by a speaker the query
#: names. Its values were chosen by grid sweeps of weights, ``rrf_k``, seeds, window and
#: ``speaker_boost`` (0.3 / 1 / 3), re-run when sentence vectors came in, on the
#: 6-conversation LoCoMo dev set that ``bench/locomo.py`` also reports on (no held-out split:
#: treat its figures as tuned); the single-channel recipes exist for evaluation and debugging.
RECIPES: dict[str, SearchConfig] = {
    "hybrid": SearchConfig(),
    "hybrid_mmr": SearchConfig(mmr_lambda=0.7),
    "conversation": SearchConfig(
        vector=ChannelConfig(limit=50),
        fulltext=ChannelConfig(limit=50),
        graph=ChannelConfig(weight=0.5, limit=50),
        neighbours=ChannelConfig(weight=1.0, limit=50),
        rrf_k=5.0,
        neighbour_expansion=NeighbourConfig(seeds=5, window=2),
        speaker_boost=1.0,
        sentences=True,
    ),
    "vector": SearchConfig(fulltext=_OFF, graph=_OFF),
    "sentences": SearchConfig(fulltext=_OFF, graph=_OFF, sentences=True),
    "fulltext": SearchConfig(vector=_OFF, graph=_OFF),
    "graph": SearchConfig(vector=_OFF, fulltext=_OFF, graph=ChannelConfig(weight=1.0)),
}


def recipe(name: str) -> SearchConfig:
    """The preset called ``name``.

    Raises:
        KeyError: no such recipe (the message lists the known ones).
    """
    try:
        return RECIPES[name]
    except KeyError:
        raise KeyError(f"unknown search recipe {name!r}; known: {sorted(RECIPES)}") from None
