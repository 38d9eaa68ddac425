"""Pure scoring math of the MemScheduler: plausibility, centrality, recency, promotion, demotion.

Every function here is pure (no I/O, no model, no clock): callers pass ages in seconds and the
scores the KGE model produced. The promotion score follows the retrieval score of Generative
Agents (Park et al., "Generative Agents: Interactive Simulacra of Human Behavior", UIST 2023,
§4.1: ``score = α·recency + β·importance + γ·relevance`` with exponentially decaying recency),
with MemOS's scheduling signals (Li et al., "MemOS: A Memory OS for AI Systems", 2025,
§MemScheduler: access frequency, recency, relevance, and the memory's value to the knowledge
graph) standing in for "importance": KGE plausibility of the cube's facts and the degree
centrality of its entities.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from memcubedb.config.scheduler import DemotionPolicy, ScoringConfig

LabeledTriple = tuple[str, str, str]
"""A fact as (subject/head, predicate/relation, object/tail) labels — pykeen's "labeled triples"
(``TriplesFactory.from_labeled_triples``), what KGE training, scoring and LoRA encoding take. Not
the extracted fact of MemReader (:class:`memcubedb.extraction.triples.Triple`, with offsets,
confidence and rule)."""


def rank_plausibility(true_score: float, candidate_scores: ArrayLike) -> float:
    """Normalised rank of a triple's KGE score among its corruptions, in [0, 1].

    ``candidate_scores`` are the scores of all candidate triples for one side (e.g. every
    ``(h, r, e)`` for each entity ``e``), the true triple included; NaN entries are ignored (use
    NaN to filter out other known-true triples, the "filtered" setting of Bordes et al., 2013).
    The rank is pykeen's *realistic* rank, the mean of the optimistic rank ``1 + #(s > s_true)``
    and the pessimistic rank ``#(s >= s_true)`` (Berrendorf et al., "Interpretable and Fair
    Comparison of Link Prediction or Entity Alignment Methods", 2020), mapped linearly:

        plausibility = 1 - (rank - 1) / (N - 1)

    with ``N`` the number of non-NaN candidates. 1 means the true triple outscores every
    corruption, 0 that every corruption outscores it. This is scale-free, so it is comparable
    across TransE (negative distances), RotatE and ComplEx (unbounded similarities).

    Args:
        true_score: the model's score of the true triple (higher = more plausible).
        candidate_scores: 1-D, N scores (the true triple's own score among them).

    Returns:
        float in [0, 1]; 1.0 when there is at most one candidate.

    Raises:
        ValueError: when ``true_score`` is NaN.
    """
    if math.isnan(true_score):
        raise ValueError("true_score is NaN")
    scores = np.asarray(candidate_scores, dtype=np.float64).ravel()
    scores = scores[~np.isnan(scores)]
    n = scores.size
    if n <= 1:
        return 1.0
    optimistic = 1 + int(np.sum(scores > true_score))
    pessimistic = max(int(np.sum(scores >= true_score)), optimistic)
    rank = (optimistic + pessimistic) / 2.0
    return float(min(1.0, max(0.0, 1.0 - (rank - 1.0) / (n - 1.0))))


def degree_centrality(triples: Iterable[LabeledTriple]) -> dict[str, float]:
    """Freeman degree centrality of each entity in the fact graph, in [0, 1].

    Edges are undirected and de-duplicated (several predicates between two entities count
    once); self-loops are ignored. ``centrality(v) = |neighbours(v)| / (n - 1)`` with ``n`` the
    number of entities (Freeman, "Centrality in social networks", 1978).

    Args:
        triples: (head, relation, tail) labels.

    Returns:
        entity label → centrality; an empty dict for no triples; 0.0 for every entity of a
        one-entity graph.
    """
    neighbours: dict[str, set[str]] = {}
    for head, _, tail in triples:
        head_adjacent = neighbours.setdefault(head, set())
        tail_adjacent = neighbours.setdefault(tail, set())
        if head != tail:
            head_adjacent.add(tail)
            tail_adjacent.add(head)
    n = len(neighbours)
    if n <= 1:
        return dict.fromkeys(neighbours, 0.0)
    return {entity: len(adjacent) / (n - 1) for entity, adjacent in neighbours.items()}


def recency(age_s: float, half_life_s: float) -> float:
    """Exponential recency decay ``0.5 ** (age_s / half_life_s)``, in (0, 1].

    Generative Agents (Park et al., 2023) decay recency by a factor 0.995 per game hour since
    the last retrieval; here the decay is stated as a half-life. Negative ages (clock skew) count
    as 0.

    Args:
        age_s: seconds since the last access (or creation, when never accessed).
        half_life_s: seconds after which the term halves; must be > 0.

    Raises:
        ValueError: when ``half_life_s`` is not positive.
    """
    if half_life_s <= 0:
        raise ValueError(f"half_life_s must be > 0, got {half_life_s}")
    return 0.5 ** (max(age_s, 0.0) / half_life_s)


def access_term(access_count: int, saturation: int) -> float:
    """Log-scaled access count ``min(1, ln(1 + count) / ln(1 + saturation))``, in [0, 1].

    Logarithmic damping of raw counts, as in tf weighting (Salton & Buckley, 1988), so that the
    hundredth access adds less than the second; ``saturation`` accesses score 1.

    Raises:
        ValueError: when ``access_count < 0`` or ``saturation < 1``.
    """
    if access_count < 0:
        raise ValueError(f"access_count must be >= 0, got {access_count}")
    if saturation < 1:
        raise ValueError(f"saturation must be >= 1, got {saturation}")
    return min(1.0, math.log1p(access_count) / math.log1p(saturation))


def mean_or_none(values: Iterable[float]) -> float | None:
    """Arithmetic mean, or ``None`` for no values (a cube without facts has no plausibility)."""
    items = list(values)
    return sum(items) / len(items) if items else None


@dataclass(frozen=True)
class PromotionSignals:
    """Inputs of the promotion score of one MemCube.

    Attributes:
        plausibility: mean KGE plausibility of the cube's facts in [0, 1]; ``None`` without facts.
        centrality: mean degree centrality of the cube's entities in [0, 1]; ``None`` without entities.
        access_count: times the cube was read.
        age_s: seconds since the last access (or creation).
        relevance: similarity to the current queries in [0, 1]; ``None`` when unknown.
    """

    plausibility: float | None
    centrality: float | None
    access_count: int
    age_s: float
    relevance: float | None = None


@dataclass(frozen=True)
class ScoreBreakdown:
    """A promotion score and the terms it was built from (each in [0, 1], ``None`` when absent)."""

    score: float
    plausibility: float | None
    centrality: float | None
    access: float
    recency: float
    relevance: float | None


def promotion_score(signals: PromotionSignals, config: ScoringConfig) -> ScoreBreakdown:
    """Weighted promotion score of a MemCube, in [0, 1].

        score = Σ_i w_i · x_i / Σ_i w_i   over the present terms i

    with the terms ``x`` = plausibility (KGE, :func:`rank_plausibility`), centrality
    (:func:`degree_centrality`), access (:func:`access_term`), recency (:func:`recency`) and
    relevance, and the weights ``w`` from ``config.weights``. Terms that are ``None`` are left
    out and the remaining weights renormalised, so a cube without facts is scored on behaviour
    alone. Sources: Generative Agents' weighted sum of recency, importance and relevance (Park
    et al., 2023) and MemOS's MemScheduler signals (Li et al., 2025).

    Raises:
        ValueError: when a present term lies outside [0, 1], or all present terms weigh 0.
    """
    weights = config.weights
    access = access_term(signals.access_count, config.access_saturation)
    recent = recency(signals.age_s, config.recency_half_life_s)
    terms: dict[str, float | None] = {
        "plausibility": signals.plausibility,
        "centrality": signals.centrality,
        "access": access,
        "recency": recent,
        "relevance": signals.relevance,
    }
    total = 0.0
    weight_sum = 0.0
    for name, value in terms.items():
        if value is None:
            continue
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{name} term must lie in [0, 1], got {value}")
        weight = float(getattr(weights, name))
        total += weight * value
        weight_sum += weight
    if weight_sum <= 0:
        raise ValueError("every present score term has weight 0")
    return ScoreBreakdown(
        score=min(1.0, max(0.0, total / weight_sum)),
        plausibility=signals.plausibility,
        centrality=signals.centrality,
        access=access,
        recency=recent,
        relevance=signals.relevance,
    )


def select_top_k(scores: Mapping[str, float], k: int, min_score: float) -> list[str]:
    """Ids of the ``k`` highest scores that reach ``min_score``, best first (ties by id, ascending).

    Returns:
        at most ``k`` ids.
    """
    eligible = [(cube_id, score) for cube_id, score in scores.items() if score >= min_score]
    eligible.sort(key=lambda item: (-item[1], item[0]))
    return [cube_id for cube_id, _ in eligible[: max(k, 0)]]


@dataclass(frozen=True)
class DemotionDecision:
    """Whether a promoted memory should go back to plaintext, and why (empty reasons = keep)."""

    demote: bool
    reasons: tuple[str, ...]


def demotion_decision(
    score: float,
    idle_s: float,
    contradicted: int,
    encoded: int,
    policy: DemotionPolicy,
) -> DemotionDecision:
    """Demote activation/parametric memory on low score, long idleness or contradicted facts.

    MemOS §MemScheduler demotes memory whose use has dropped; MemOS §MemLifecycle retires
    knowledge the graph no longer supports. Rules (any one suffices):

    * ``score < policy.max_score`` — "low score";
    * ``idle_s > policy.idle_s`` — "idle";
    * ``contradicted / encoded > policy.max_contradicted_fraction`` — "contradicted" (only when
      ``encoded > 0``).

    Args:
        score: the current promotion score in [0, 1].
        idle_s: seconds since the last access.
        contradicted: encoded facts the graph now contradicts (count).
        encoded: facts the memory encodes (count).

    Raises:
        ValueError: when ``contradicted`` is negative or exceeds ``encoded``.
    """
    if not 0 <= contradicted <= max(encoded, 0):
        raise ValueError(f"contradicted must lie in [0, encoded={encoded}], got {contradicted}")
    reasons: list[str] = []
    if score < policy.max_score:
        reasons.append("low score")
    if idle_s > policy.idle_s:
        reasons.append("idle")
    if encoded > 0 and contradicted / encoded > policy.max_contradicted_fraction:
        reasons.append("contradicted")
    return DemotionDecision(demote=bool(reasons), reasons=tuple(reasons))


def is_expired(age_s: float, ttl_s: float | None) -> bool:
    """True when a memory of age ``age_s`` seconds has outlived its TTL (``None`` never expires)."""
    return ttl_s is not None and age_s > ttl_s


def probe_agreement(expected: Sequence[int], decoded: Sequence[int]) -> float:
    """Fraction of the expected object tokens the probe reproduced before its first mistake.

    ``agreement = m / len(expected)`` with ``m`` the length of the common prefix of ``expected``
    and ``decoded`` (token ids). 1.0 means the greedy continuation starts with the exact object.
    This is the confidence a demoted fact is written back with.

    Raises:
        ValueError: when ``expected`` is empty.
    """
    if not expected:
        raise ValueError("expected token ids are empty")
    matched = 0
    for want, got in zip(expected, decoded, strict=False):
        if want != got:
            break
        matched += 1
    return matched / len(expected)
