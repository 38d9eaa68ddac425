"""Entity resolution, staged cheapest first; every merge comes back as a ``MergeRecord``.

1. **exact** — the normalised name (NFKC, case-folded, leading article and trailing
   possessive dropped, punctuation and spaces collapsed) equals a known name or alias;
2. **fuzzy** (named mentions only) — RapidFuzz ``fuzz.ratio`` (typos: "Melany" → "Melanie"),
   or ``fuzz.token_set_ratio`` when the mention's words are a subset of the candidate's (a
   shorter alias: "Acme" → "Acme Corp", "Bob" → "Bob Smith"), reaches ``fuzzy_threshold`` for
   exactly one best candidate of a compatible type;
3. **embedding** (named mentions only) — cosine similarity of all-MiniLM-L6-v2 name embeddings
   reaches ``embedding_threshold`` for exactly one best candidate ("NYC" → "New York City").

A mention that resolves nowhere becomes a new entity with id ``stable_id("entity", normalised
name)``. Ambiguous matches (a tie between two entities) never merge.

Known entities come from an :class:`EntityLookup` asked once per batch
(:meth:`EntityResolver.prepare`) for the candidates of that batch's mentions — in the graph,
:class:`memcubedb.graph.entity_lookup.GraphEntityLookup`: index lookups among the entities the
writer may read, named only as the writer's readable memories name them — and from what this
run resolved before. Nothing loads every entity, so the cost of a write does not grow with the
size of the graph, and no other tenant's name can match, merge or be copied.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz, process

from memcubedb.config.extraction import ResolutionConfig
from memcubedb.embeddings import Embedder, default_embedder
from memcubedb.extraction.triples import NAME_TYPES, EntityType, Mention
from memcubedb.graph.records import Entity, EntityRecord, MergeRecord, stable_id

_ARTICLE = re.compile(r"^(the|a|an)\s+")
_POSSESSIVE = re.compile(r"(’s|'s|’|')$")
_PUNCT = re.compile(r"[^\w\s'&+-]")
_SPACE = re.compile(r"\s+")


def normalise_name(name: str) -> str:
    """The key names are compared by: "The  ACME Corp.'s" → "acme corp"."""
    text = unicodedata.normalize("NFKC", name).casefold().strip()
    text = _ARTICLE.sub("", text)
    text = _POSSESSIVE.sub("", text)
    text = _PUNCT.sub(" ", text)
    return _SPACE.sub(" ", text).strip() or name.casefold().strip()


def entity_id(name: str) -> str:
    """The stable id of the entity with canonical ``name``: ``stable_id("entity", normalised)``."""
    return stable_id("entity", normalise_name(name))


class EntityLookup(Protocol):
    """Where the resolver finds known entities: candidates for a batch's mentions."""

    def candidates(
        self, norms: Sequence[str], names: Sequence[str], vectors: Sequence[Sequence[float]] = ()
    ) -> list[Entity]:
        """Entities whose ``norm_name`` is one of ``norms``, whose names share words with one of
        ``names``, or whose name embedding is near one of ``vectors``; each with the names the
        writer may see."""
        ...


@dataclass
class _Known:
    id: str
    name: str
    type: EntityType
    aliases: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class Resolution:
    """The entity a mention resolved to and, when the mention's name differs, the merge."""

    entity: EntityRecord
    merge: MergeRecord | None


def _compatible(a: EntityType, b: EntityType) -> bool:
    return a == b or EntityType.OTHER in (a, b)


class EntityResolver:
    """Resolves mentions against known entities (from a lookup, given ones, and this run's).

    Args:
        config: thresholds and the embedding model (``embedding_model=None`` skips stage 3).
        known: entities to resolve against from the start (e.g. a fixed vocabulary).
        embedder: override the sentence embedder (default: the configured model, loaded lazily).
        lookup: where :meth:`prepare` finds the candidates of each batch (e.g. the graph).
    """

    def __init__(
        self, config: ResolutionConfig | None = None, known: Iterable[Entity | EntityRecord] = (),
        embedder: Embedder | None = None, lookup: EntityLookup | None = None,
    ) -> None:  # fmt: skip
        self.config = config or ResolutionConfig()
        self._embedder = embedder
        self._lookup = lookup
        self._entities: dict[str, _Known] = {}
        self._by_norm: dict[str, str] = {}
        self._named_norms: list[str] = []
        self._named_ids: list[str] = []
        self._vectors: dict[str, NDArray[np.float32]] = {}
        self.learn(known)

    def learn(self, entities: Iterable[Entity | EntityRecord]) -> None:
        """Add entities known elsewhere (e.g. already in the graph) with their aliases."""
        for entity in entities:
            self._add(entity.id, entity.name, _parse_type(entity.type), entity.aliases)

    def __len__(self) -> int:
        return len(self._entities)

    # --- registry -----------------------------------------------------------------------------

    def _add(self, eid: str, name: str, kind: EntityType, aliases: Iterable[str] = ()) -> _Known:
        known = self._entities.get(eid)
        if known is None:
            known = self._entities[eid] = _Known(eid, name, kind)
        for text in (name, *aliases):
            self._alias(known, text)
        return known

    def _alias(self, known: _Known, text: str) -> None:
        if text != known.name:
            known.aliases.add(text)
        norm = normalise_name(text)
        if norm not in self._by_norm:
            self._by_norm[norm] = known.id
            if known.type in NAME_TYPES:
                self._named_norms.append(norm)
                self._named_ids.append(known.id)

    # --- embeddings ---------------------------------------------------------------------------

    def _embedding_enabled(self) -> bool:
        return self._embedder is not None or self.config.embedding_model is not None

    def _model(self) -> Embedder:
        if self._embedder is None:
            self._embedder = default_embedder(self.config.embedding_model or "all-MiniLM-L6-v2")
        return self._embedder

    def prepare(self, mentions: Iterable[Mention]) -> None:
        """Call before resolving a batch: look up the candidates of its mentions (when a lookup is
        set), then embed, in one batch, the names the embedding stage may need."""
        mentions = list(mentions)
        if self._lookup is not None:
            self._look_up(mentions)
        if not self._embedding_enabled():
            return
        wanted = {normalise_name(m.name) for m in mentions if m.named and m.type in NAME_TYPES}
        wanted = {n for n in wanted if n not in self._by_norm}
        if wanted:
            wanted |= set(self._named_norms)
        self._embed([n for n in wanted if n not in self._vectors])

    def _look_up(self, mentions: list[Mention]) -> None:
        """Learn the lookup's candidates for the mentions not resolved exactly yet: exact and
        full-text first, then (named mentions still unmatched, embedding stage on) by vector."""
        assert self._lookup is not None
        fresh = {normalise_name(m.name): m for m in mentions}
        fresh = {n: m for n, m in fresh.items() if n not in self._by_norm}
        if not fresh:
            return
        norms = sorted({*fresh, *(m.name.casefold() for m in fresh.values())})
        named = sorted(n for n, m in fresh.items() if m.named and m.type in NAME_TYPES)
        self.learn(self._lookup.candidates(norms, named))
        unmatched = [n for n in named if n not in self._by_norm]
        if unmatched and self._embedding_enabled():
            self._embed([n for n in unmatched if n not in self._vectors])
            self.learn(self._lookup.candidates((), (), [self._vectors[n].tolist() for n in unmatched]))

    def _embed(self, norms: list[str]) -> None:
        if not norms:
            return
        model = self._model()
        import torch

        previous = torch.get_num_threads()
        torch.set_num_threads(self.config.embedding_threads)
        try:
            vectors = model.embed(norms)
        finally:
            torch.set_num_threads(previous)
        for norm, vector in zip(norms, vectors, strict=True):
            self._vectors[norm] = vector

    # --- stages -------------------------------------------------------------------------------

    def _candidates(self, kind: EntityType) -> tuple[list[str], list[str]]:
        pairs = [
            (n, i)
            for n, i in zip(self._named_norms, self._named_ids, strict=True)
            if _compatible(self._entities[i].type, kind)
        ]
        return [n for n, _ in pairs], [i for _, i in pairs]

    def _fuzzy(self, norm: str, kind: EntityType) -> tuple[str, float] | None:
        norms, ids = self._candidates(kind)
        if len(norm) < 3 or not norms:
            return None
        threshold = self.config.fuzzy_threshold
        scores = process.cdist([norm], norms, scorer=fuzz.ratio)[0]
        subset = process.cdist([norm], norms, scorer=fuzz.token_set_ratio, score_cutoff=threshold)[0]
        words = set(norm.split())
        for k in np.flatnonzero(subset > scores):
            if words <= set(norms[k].split()):  # only a shorter form is an alias: "Acme" of "Acme Corp"
                scores[k] = subset[k]
        return _unique_best(scores, ids, threshold, scale=100.0)

    def _embedding(self, norm: str, kind: EntityType) -> tuple[str, float] | None:
        if not self._embedding_enabled():
            return None
        norms, ids = self._candidates(kind)
        if not norms:
            return None
        self._embed([n for n in [norm, *norms] if n not in self._vectors])
        matrix = np.stack([self._vectors[n] for n in norms])
        scores = matrix @ self._vectors[norm]
        return _unique_best(scores, ids, self.config.embedding_threshold, scale=1.0)

    # --- public -------------------------------------------------------------------------------

    def resolve(self, mention: Mention) -> Resolution:
        """Resolve one mention (and remember it, so later mentions resolve to the same entity)."""
        norm = normalise_name(mention.name)
        found = self._by_norm.get(norm)
        method, score = "exact", 1.0
        if found is None and mention.named and mention.type in NAME_TYPES:
            hit = self._fuzzy(norm, mention.type)
            method = "fuzzy"
            if hit is None:
                hit, method = self._embedding(norm, mention.type), "embedding"
            if hit is not None:
                found, score = hit
        if found is None:
            known = self._add(entity_id(mention.name), mention.name, mention.type)
            vector = self._vectors.get(norm)
            record = self._record(known, [])
            if vector is not None:  # the embedding stage embedded it: stored for later lookups
                record = record.model_copy(update={"embedding": [float(x) for x in vector]})
            return Resolution(record, None)
        known = self._entities[found]
        if known.type == EntityType.OTHER and mention.type not in {EntityType.OTHER, EntityType.CONCEPT}:
            known.type = mention.type
        if mention.name == known.name:
            return Resolution(self._record(known, []), None)
        self._alias(known, mention.name)
        merge = MergeRecord(alias=mention.name, entity_id=known.id, method=method, score=round(score, 4))  # type: ignore[arg-type]
        return Resolution(self._record(known, [mention.name]), merge)

    @staticmethod
    def _record(known: _Known, aliases: list[str]) -> EntityRecord:
        return EntityRecord(id=known.id, name=known.name, type=known.type.value, aliases=aliases)


def _parse_type(value: str) -> EntityType:
    try:
        return EntityType(value)
    except ValueError:
        return EntityType.OTHER


def _unique_best(
    scores: NDArray[np.float32], ids: list[str], threshold: float, scale: float
) -> tuple[str, float] | None:
    """The single best-scoring id at or above ``threshold``; ``None`` when none or a tie between ids."""
    order = np.argsort(-scores)
    best = int(order[0])
    if scores[best] < threshold:
        return None
    for other in order[1:]:
        if scores[int(other)] < scores[best]:
            break
        if ids[int(other)] != ids[best]:
            return None
    return ids[best], float(min(1.0, scores[best] / scale))
