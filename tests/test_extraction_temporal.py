"""Time expressions: found by the Matcher, normalised by dateparser against the unit's time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from memcubedb.extraction.spacy_extractor import load_pipeline
from memcubedb.extraction.temporal import TimeTagger, normalise

BASE = datetime(2023, 5, 8, 13, 56)


@pytest.mark.parametrize(
    ("text", "label", "precision"),
    [
        ("yesterday", "2023-05-07", "day"),
        ("last week", "2023-W18", "week"),
        ("last year", "2022", "year"),
        ("March 2024", "2024-03", "month"),
        ("two days ago", "2023-05-06", "day"),
        ("Friday", "2023-05-05", "day"),
        ("1:56 pm on 8 May, 2023", "2023-05-08T13:56", "time"),
    ],
)
def test_normalise_against_a_base(text: str, label: str, precision: str) -> None:
    found = normalise(text, BASE)
    assert found is not None
    assert (found[2], found[1]) == (label, precision)


def test_values_are_period_starts_in_utc() -> None:
    found = normalise("March 2024", BASE)
    assert found is not None and found[0] == datetime(2024, 3, 1, tzinfo=UTC)


def test_an_aware_base_keeps_its_zone() -> None:
    zone = timezone(timedelta(hours=2))
    found = normalise("yesterday", BASE.replace(tzinfo=zone))
    assert found is not None and found[0] == datetime(2023, 5, 7, tzinfo=zone)


def test_relative_without_base_is_not_guessed() -> None:
    assert normalise("yesterday", None) is None
    found = normalise("June 2021", None)
    assert found is not None and found[2] == "2021-06"


def test_tagger_finds_expressions_and_skips_modal_may() -> None:
    nlp = load_pipeline("auto")
    tagger = TimeTagger(nlp.vocab)
    doc = nlp("May I come over? We met two weeks ago, in May, and again on 3 May, 2023.")
    found = {(e.span.text, e.label) for e in tagger.find(doc, BASE)}
    assert ("two weeks ago", "2023-W17") in found
    assert ("May", "2023-05") in found
    assert ("3 May, 2023", "2023-05-03") in found
    assert doc[0].i not in {e.span.start for e in tagger.find(doc, BASE)}
