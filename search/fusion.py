"""Pure ranking math for search: reciprocal rank fusion and maximal marginal relevance.

No I/O here; every function is deterministic — equal scores are broken by ascending id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray


def reciprocal_rank_fusion(
    rankings: Mapping[str, Sequence[str]],
    weights: Mapping[str, float],
    k: float = 60.0,
) -> list[tuple[str, float]]:
    """Fuse ranked id lists by weighted reciprocal rank fusion.

    ``score(d) = Σ_c w_c / (k + rank_c(d))`` over the channels ``c`` whose list contains ``d``,
    ranks starting at 1 (Cormack, Clarke & Büttcher, "Reciprocal Rank Fusion outperforms
    Condorcet and individual Rank Learning Methods", SIGIR 2009). A channel missing from
    ``weights`` counts with weight 1; an id repeated within one list keeps its best rank.

    Args:
        rankings: channel name → ids, best first.
        weights: channel name → weight ``w_c ≥ 0``.
        k: the RRF constant (``> 0``).

    Returns:
        ``(id, score)`` pairs, highest score first, ties broken by ascending id.

    Raises:
        ValueError: ``k ≤ 0`` or a negative weight.
    """
    if k <= 0:
        raise ValueError("the RRF constant k must be positive")
    scores: dict[str, float] = {}
    for channel, ids in rankings.items():
        w = weights.get(channel, 1.0)
        if w < 0:
            raise ValueError(f"negative weight for channel {channel!r}")
        seen: set[str] = set()
        for rank, doc in enumerate(ids, start=1):
            if doc in seen:
                continue
            seen.add(doc)
            scores[doc] = scores.get(doc, 0.0) + w / (k + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def speaker_prior(
    fused: Sequence[tuple[str, float]],
    speakers: Mapping[str, set[str]],
    named: set[str],
    boost: float,
) -> list[tuple[str, float]]:
    """Raise the fused score of memories said by a speaker the query names.

    ``score'(d) = score(d) · (1 + boost)`` when one of ``speakers[d]`` (the speakers of the chat
    turns ``d`` was read from) is in ``named``, else ``score(d)``; re-sorted, ties by ascending id.
    A question about a person is mostly answered by what that person said: in the LoCoMo dev set
    (Maharana et al., ACL 2024) 96 % of the evidence turns of questions naming one speaker are
    that speaker's.

    Args:
        fused: ``(id, score)`` pairs from :func:`reciprocal_rank_fusion`.
        speakers: id → speakers of its sources (ids without chat sources may be missing).
        named: the speakers the query names.
        boost: ``≥ 0``; 0 or no named speaker returns ``fused`` re-sorted, unchanged in score.

    Raises:
        ValueError: a negative ``boost``.
    """
    if boost < 0:
        raise ValueError("the speaker boost must not be negative")
    scored = [(doc, s * (1.0 + boost) if named & speakers.get(doc, set()) else s) for doc, s in fused]
    return sorted(scored, key=lambda item: (-item[1], item[0]))


def ranks_by_channel(rankings: Mapping[str, Sequence[str]]) -> dict[str, dict[str, int]]:
    """Invert channel rankings: id → {channel: 1-based rank} (the best rank when repeated)."""
    out: dict[str, dict[str, int]] = {}
    for channel, ids in rankings.items():
        for rank, doc in enumerate(ids, start=1):
            out.setdefault(doc, {}).setdefault(channel, rank)
    return out


def maximal_marginal_relevance(
    ids: Sequence[str],
    relevance: Sequence[float],
    vectors: NDArray[np.floating],
    lam: float,
    top_k: int,
) -> list[str]:
    """Re-rank for diversity by maximal marginal relevance.

    Greedily picks ``argmax_d λ·rel(d) − (1−λ)·max_{s∈S} cos(d, s)`` (Carbonell & Goldstein,
    "The use of MMR, diversity-based reranking for reordering documents and producing
    summaries", SIGIR 1998). ``rel`` is divided by its maximum so both terms lie in ``[0, 1]``
    for non-negative scores. Equal objective values are broken by the input order, which the
    caller has already made deterministic.

    Args:
        ids: candidate ids, ``n`` of them.
        relevance: their relevance scores, ``n`` floats.
        vectors: ``[n, dim]`` L2-normalised embeddings (rows in the order of ``ids``).
        lam: λ in ``[0, 1]``.
        top_k: how many to select.

    Returns:
        at most ``top_k`` ids in selection order.

    Raises:
        ValueError: mismatched lengths or λ outside ``[0, 1]``.
    """
    n = len(ids)
    if len(relevance) != n or vectors.shape[0] != n:
        raise ValueError("ids, relevance and vectors must have the same length")
    if not 0.0 <= lam <= 1.0:
        raise ValueError("MMR lambda must lie in [0, 1]")
    if n == 0 or top_k <= 0:
        return []
    rel = np.asarray(relevance, dtype=np.float64)
    top = rel.max()
    if top > 0:
        rel = rel / top
    sims = np.asarray(vectors, dtype=np.float64) @ np.asarray(vectors, dtype=np.float64).T
    selected: list[int] = []
    max_sim = np.full(n, -np.inf)
    available = np.ones(n, dtype=bool)
    for _ in range(min(top_k, n)):
        penalty = np.where(np.isfinite(max_sim), max_sim, 0.0)
        objective = lam * rel - (1.0 - lam) * penalty
        objective[~available] = -np.inf
        best = int(np.argmax(objective))
        selected.append(best)
        available[best] = False
        max_sim = np.maximum(max_sim, sims[best])
    return [ids[i] for i in selected]
