"""The pure parts of search: reciprocal rank fusion, MMR, Lucene escaping, n-grams, recipes."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from memcubedb.search.config import RECIPES, Channel, recipe
from memcubedb.search.fusion import (
    maximal_marginal_relevance,
    ranks_by_channel,
    reciprocal_rank_fusion,
    speaker_prior,
)
from memcubedb.search.text import (
    LUCENE_SPECIAL,
    content_words,
    escape_lucene,
    lucene_query,
    named_speakers,
    ngrams,
)


def test_rrf_formula_and_weights() -> None:
    fused = dict(reciprocal_rank_fusion({"a": ["x", "y"], "b": ["y"]}, {"a": 1.0, "b": 2.0}, k=60))
    assert fused["x"] == pytest.approx(1 / 61)
    assert fused["y"] == pytest.approx(1 / 62 + 2 / 61)


def test_rrf_ties_break_by_id_whatever_the_input_order() -> None:
    one = reciprocal_rank_fusion({"a": ["m", "c"], "b": ["c", "m"]}, {}, k=60)
    two = reciprocal_rank_fusion({"b": ["c", "m"], "a": ["m", "c"]}, {}, k=60)
    assert one == two
    assert [d for d, _ in one] == ["c", "m"]


def test_rrf_zero_weight_channel_only_adds_nothing() -> None:
    fused = reciprocal_rank_fusion({"a": ["x"], "b": ["z", "x"]}, {"b": 0.0})
    assert [d for d, _ in fused] == ["x", "z"]
    assert dict(fused)["z"] == 0.0


def test_rrf_rejects_bad_parameters() -> None:
    with pytest.raises(ValueError):
        reciprocal_rank_fusion({"a": ["x"]}, {}, k=0)
    with pytest.raises(ValueError):
        reciprocal_rank_fusion({"a": ["x"]}, {"a": -1.0})


def test_ranks_by_channel_keeps_best_rank() -> None:
    assert ranks_by_channel({"a": ["x", "y", "x"], "b": ["y"]}) == {"x": {"a": 1}, "y": {"a": 2, "b": 1}}


def test_mmr_prefers_a_novel_document_over_a_near_duplicate() -> None:
    vectors = np.array([[1.0, 0.0], [0.999, 0.0447], [0.0, 1.0]], dtype=np.float32)
    ids, rel = ["a", "a_dup", "b"], [1.0, 0.95, 0.6]
    assert maximal_marginal_relevance(ids, rel, vectors, lam=1.0, top_k=2) == ["a", "a_dup"]
    assert maximal_marginal_relevance(ids, rel, vectors, lam=0.5, top_k=2) == ["a", "b"]
    with pytest.raises(ValueError):
        maximal_marginal_relevance(ids, rel[:2], vectors, lam=0.5, top_k=2)


def test_escape_lucene_escapes_every_special_character() -> None:
    escaped = escape_lucene("".join(sorted(LUCENE_SPECIAL)))
    assert escaped == "".join("\\" + ch for ch in sorted(LUCENE_SPECIAL))


@settings(deadline=None)  # the first call imports spaCy's stop list (seconds on a busy machine)
@given(st.text(max_size=60))
def test_lucene_query_has_no_unescaped_special_characters_and_no_operators(text: str) -> None:
    query = lucene_query(text)
    bare = re.sub(r"\\.", "", query)  # drop every escape pair
    assert not any(ch in LUCENE_SPECIAL for ch in bare)
    assert not any(w in {"AND", "OR", "NOT"} for w in query.split())


def test_ngrams_drop_possessives_and_fold_case() -> None:
    assert ngrams("Caroline's LGBTQ group", 2) == ["caroline", "lgbtq", "group", "caroline lgbtq", "lgbtq group"]


def test_recipes_are_valid_and_named() -> None:
    assert recipe("hybrid") is RECIPES["hybrid"]
    assert RECIPES["vector"].active() == [Channel.VECTOR]
    assert Channel.NEIGHBOURS in RECIPES["conversation"].active()
    with pytest.raises(KeyError, match="known"):
        recipe("nope")


def test_named_speakers_by_full_name_or_first_name() -> None:
    speakers = {"Caroline Ortiz", "Melanie", "Mel Brooks"}
    assert named_speakers("What did Caroline's sister say?", speakers) == {"Caroline Ortiz"}
    assert named_speakers("how does MELANIE relax", speakers) == {"Melanie"}
    assert named_speakers("Did Mel Brooks and Melanie meet?", speakers) == {"Mel Brooks", "Melanie"}
    assert named_speakers("What is a carol?", speakers) == set()  # whole words only


def test_speaker_prior_lifts_the_named_speakers_turns() -> None:
    fused = [("a", 0.30), ("b", 0.25), ("c", 0.18)]
    speakers = {"a": {"Bo"}, "b": {"Ann"}, "c": {"Ann"}}
    assert speaker_prior(fused, speakers, {"Ann"}, 0.5) == [("b", pytest.approx(0.375)), ("a", 0.30),
                                                             ("c", pytest.approx(0.27))]
    assert speaker_prior(fused, speakers, set(), 0.5) == fused
    assert speaker_prior(fused, {}, {"Ann"}, 0.5) == fused  # memories without chat sources keep their score
    with pytest.raises(ValueError, match="negative"):
        speaker_prior(fused, speakers, {"Ann"}, -0.1)


def test_lucene_query_drops_function_words_unless_nothing_else_is_left() -> None:
    assert lucene_query("What books has Melanie read?") == "books melanie read"
    assert lucene_query("What did she do?") == "what did she do"


def test_content_words_drop_stop_words_short_words_and_repeats() -> None:
    assert content_words("What did Melanie's kids paint? Melanie painted a sunrise, ok?") == [
        "melanie", "kids", "paint", "painted", "sunrise",
    ]  # fmt: skip
    assert content_words("what is it?") == []
