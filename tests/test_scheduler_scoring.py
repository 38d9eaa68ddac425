"""Pure scoring math of the MemScheduler (no model, no graph)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from memcubedb.config.scheduler import DemotionPolicy, ScoreWeights, ScoringConfig
from memcubedb.scheduler.scoring import (
    PromotionSignals,
    access_term,
    degree_centrality,
    demotion_decision,
    is_expired,
    mean_or_none,
    probe_agreement,
    promotion_score,
    rank_plausibility,
    recency,
    select_top_k,
)

DAY = 24 * 3600.0


def test_rank_plausibility_ends_and_middle() -> None:
    assert rank_plausibility(5.0, [5.0, 1.0, 2.0, 3.0, 4.0]) == 1.0
    assert rank_plausibility(0.0, [0.0, 1.0, 2.0, 3.0, 4.0]) == 0.0
    # rank 3 of 5 → 1 - 2/4
    assert rank_plausibility(3.0, [1.0, 2.0, 3.0, 4.0, 5.0]) == pytest.approx(0.5)


def test_rank_plausibility_ties_use_realistic_rank() -> None:
    # all tied: optimistic rank 1, pessimistic 4 → realistic 2.5 → 1 - 1.5/3
    assert rank_plausibility(1.0, [1.0, 1.0, 1.0, 1.0]) == pytest.approx(0.5)


def test_rank_plausibility_ignores_filtered_candidates() -> None:
    # the NaN (a known-true corruption) would otherwise outrank the triple
    assert rank_plausibility(2.0, [2.0, float("nan"), 1.0]) == 1.0
    assert rank_plausibility(2.0, [2.0]) == 1.0
    with pytest.raises(ValueError):
        rank_plausibility(float("nan"), [1.0, 2.0])


def test_degree_centrality_star_and_duplicates() -> None:
    triples = [("hub", "knows", leaf) for leaf in ("a", "b", "c", "d")]
    triples += [("hub", "likes", "a"), ("a", "knows", "a")]  # duplicate edge, self-loop
    centrality = degree_centrality(triples)
    assert centrality["hub"] == 1.0
    assert centrality["a"] == pytest.approx(1 / 4)
    assert set(centrality) == {"hub", "a", "b", "c", "d"}
    assert degree_centrality([]) == {}
    assert degree_centrality([("x", "is", "x")]) == {"x": 0.0}


def test_recency_half_life() -> None:
    assert recency(0.0, DAY) == 1.0
    assert recency(DAY, DAY) == pytest.approx(0.5)
    assert recency(3 * DAY, DAY) == pytest.approx(0.125)
    assert recency(-5.0, DAY) == 1.0
    with pytest.raises(ValueError):
        recency(1.0, 0.0)


def test_access_term_log_scaled_and_saturating() -> None:
    assert access_term(0, 100) == 0.0
    assert access_term(100, 100) == pytest.approx(1.0)
    assert access_term(10_000, 100) == 1.0
    assert access_term(9, 99) == pytest.approx(math.log(10) / math.log(100))
    # diminishing returns: the 2nd access adds more than the 51st
    assert access_term(2, 100) - access_term(1, 100) > access_term(51, 100) - access_term(50, 100)
    with pytest.raises(ValueError):
        access_term(-1, 100)


def test_promotion_score_weighted_mean() -> None:
    config = ScoringConfig(
        weights=ScoreWeights(plausibility=1, centrality=1, access=1, recency=1, relevance=0),
        recency_half_life_s=DAY,
        access_saturation=99,
    )
    signals = PromotionSignals(plausibility=0.8, centrality=0.2, access_count=9, age_s=DAY, relevance=0.9)
    result = promotion_score(signals, config)
    assert result.access == pytest.approx(0.5)
    assert result.recency == pytest.approx(0.5)
    assert result.score == pytest.approx((0.8 + 0.2 + 0.5 + 0.5) / 4)


def test_promotion_score_drops_missing_terms_and_renormalises() -> None:
    config = ScoringConfig(weights=ScoreWeights(plausibility=3, centrality=1, access=1, recency=1, relevance=2))
    signals = PromotionSignals(plausibility=None, centrality=None, access_count=0, age_s=0.0, relevance=None)
    result = promotion_score(signals, config)
    # only access (0) and recency (1), each weight 1
    assert result.score == pytest.approx(0.5)
    assert result.plausibility is None and result.relevance is None


def test_promotion_score_orders_hot_above_cold() -> None:
    config = ScoringConfig()
    hot = PromotionSignals(plausibility=0.9, centrality=0.6, access_count=40, age_s=3600.0, relevance=0.8)
    cold = PromotionSignals(plausibility=0.9, centrality=0.6, access_count=1, age_s=60 * DAY, relevance=0.1)
    assert promotion_score(hot, config).score > promotion_score(cold, config).score


def test_promotion_score_rejects_out_of_range_terms() -> None:
    with pytest.raises(ValueError):
        promotion_score(PromotionSignals(1.5, 0.1, 0, 0.0), ScoringConfig())


def test_score_weights_must_not_all_be_zero() -> None:
    with pytest.raises(ValueError):
        ScoreWeights(plausibility=0, centrality=0, access=0, recency=0, relevance=0)


@given(
    plausibility=st.none() | st.floats(0, 1),
    centrality=st.none() | st.floats(0, 1),
    access_count=st.integers(0, 10**6),
    age_s=st.floats(-1e3, 1e9),
    relevance=st.none() | st.floats(0, 1),
)
def test_promotion_score_stays_in_unit_interval(
    plausibility: float | None, centrality: float | None, access_count: int, age_s: float, relevance: float | None
) -> None:
    signals = PromotionSignals(plausibility, centrality, access_count, age_s, relevance)
    assert 0.0 <= promotion_score(signals, ScoringConfig()).score <= 1.0


def test_select_top_k() -> None:
    scores = {"a": 0.9, "b": 0.4, "c": 0.9, "d": 0.7, "e": 0.6}
    assert select_top_k(scores, 3, 0.5) == ["a", "c", "d"]
    assert select_top_k(scores, 10, 0.65) == ["a", "c", "d"]
    assert select_top_k(scores, 0, 0.0) == []


def test_demotion_decision_reasons() -> None:
    policy = DemotionPolicy(max_score=0.2, idle_s=DAY, max_contradicted_fraction=0.2)
    keep = demotion_decision(0.5, 3600.0, 0, 10, policy)
    assert keep.demote is False and keep.reasons == ()
    assert demotion_decision(0.1, 0.0, 0, 10, policy).reasons == ("low score",)
    assert demotion_decision(0.5, 2 * DAY, 0, 10, policy).reasons == ("idle",)
    assert demotion_decision(0.5, 0.0, 3, 10, policy).reasons == ("contradicted",)
    assert demotion_decision(0.5, 0.0, 2, 10, policy).demote is False  # exactly the threshold
    assert demotion_decision(0.1, 2 * DAY, 5, 10, policy).reasons == ("low score", "idle", "contradicted")
    with pytest.raises(ValueError):
        demotion_decision(0.5, 0.0, 11, 10, policy)


def test_is_expired() -> None:
    assert is_expired(2 * DAY, DAY) is True
    assert is_expired(DAY / 2, DAY) is False
    assert is_expired(10**9, None) is False


def test_probe_agreement_and_mean() -> None:
    assert probe_agreement([5, 6, 7], [5, 6, 7, 2]) == 1.0
    assert probe_agreement([5, 6, 7, 8], [5, 6, 9, 8]) == 0.5
    assert probe_agreement([5], []) == 0.0
    with pytest.raises(ValueError):
        probe_agreement([], [1])
    assert mean_or_none([]) is None
    assert mean_or_none([0.2, 0.4]) == pytest.approx(0.3)
