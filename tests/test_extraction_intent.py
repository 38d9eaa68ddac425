"""Intent parsing of natural-language memory requests into typed operation chains."""

from __future__ import annotations

import pytest

from memcubedb.extraction.intent import IntentParser
from memcubedb.extraction.operations import AddMemory, DeleteMemory, SearchMemory, UpdateMemory


@pytest.fixture(scope="module")
def parser() -> IntentParser:
    return IntentParser()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Remember that my sister Carol lives in Paris.", [AddMemory(text="my sister Carol lives in Paris")]),
        ("Please forget what I said about Bob.", [DeleteMemory(about="Bob")]),
        ("What do you know about Acme?", [SearchMemory(query="Acme")]),
        ("Actually, it's Lisbon, not Paris.", [UpdateMemory(text="Lisbon", replaces="Paris")]),
        ("Correction: the party starts at 8pm.", [UpdateMemory(text="the party starts at 8pm")]),
        ("Don't forget that the meeting is on Friday.", [AddMemory(text="the meeting is on Friday")]),
        ("Could you remember that Bob likes tea?", [AddMemory(text="Bob likes tea")]),
        (
            "Remember that I moved to Denver in May, and forget what I told you about my old job.",
            [AddMemory(text="I moved to Denver in May"), DeleteMemory(about="my old job")],
        ),
        (
            "Note that Omar chairs the club. Also, what do you remember about Dana?",
            [AddMemory(text="Omar chairs the club"), SearchMemory(query="Dana")],
        ),
    ],
)
def test_requests_become_operation_chains(parser: IntentParser, text: str, expected: list[object]) -> None:
    assert parser.parse(text) == expected


@pytest.mark.parametrize("text", ["The weather is nice today.", "I remember when we went to Rome.", ""])
def test_statements_are_not_requests(parser: IntentParser, text: str) -> None:
    assert parser.parse(text) == []


def test_operations_serialise_with_their_kind(parser: IntentParser) -> None:
    (op,) = parser.parse("Forget everything about the old flat.")
    assert op.model_dump() == {"op": "delete", "about": "the old flat"}
