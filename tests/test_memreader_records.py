"""MemReader's records (no database): stable ids, W3C PROV provenance, facts over entities."""

from __future__ import annotations

from pathlib import Path

import pytest

from memcubedb.config.extraction import ExtractionConfig, ResolutionConfig
from memcubedb.extraction.chats import chat_from_json, load_chat
from memcubedb.extraction.documents import Document, load_document
from memcubedb.extraction.reader import MEMREADER_VERSION, MemReader
from memcubedb.extraction.resolution import entity_id
from memcubedb.graph.records import CubeWrite, content_hash, stable_id

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
CONFIG = ExtractionConfig(resolution=ResolutionConfig(embedding_model=None))


@pytest.fixture(scope="module")
def chat_writes() -> list[CubeWrite]:
    return list(MemReader(CONFIG, owner="alice").read([load_chat(SAMPLES / "grafting-day-chat.json")]))


def test_one_cube_per_turn_with_its_source(chat_writes: list[CubeWrite]) -> None:
    chat = load_chat(SAMPLES / "grafting-day-chat.json")
    assert len(chat_writes) == len(chat.turns)
    for write, turn in zip(chat_writes, chat.turns, strict=True):
        source = write.source
        assert source is not None
        assert (source.kind, source.uri, source.turn_id, source.speaker) == (
            "chat_turn", "sample:grafting-day-chat", turn.turn_id, turn.speaker)  # fmt: skip
        assert source.id == stable_id("source", chat.uri, turn.turn_id)
        assert source.content_hash == content_hash(turn.text) == write.cube.descriptive.source_signature
        assert (source.start, source.end) == (0, len(turn.text))
        assert source.timestamp == turn.timestamp
        assert source.seq == chat.turns.index(turn)
        assert write.cube.text == f"{turn.speaker}: {turn.text}"
        assert write.cube.id == stable_id("cube", source.id, source.content_hash)
        assert write.cube.governance.owner == "alice"
        assert write.cube.descriptive.semantic_type == "chat_turn"


def test_activity_and_agent_name_the_pipeline(chat_writes: list[CubeWrite]) -> None:
    activity, agent = chat_writes[0].activity, chat_writes[0].agent
    assert activity.kind == "extraction"
    assert activity.params["pipeline"] == "en_ud_ewt_sm-0.1.0"
    assert activity.params["memreader"] == MEMREADER_VERSION
    assert agent.kind == "software" and "en_ud_ewt_sm-0.1.0" in agent.name
    assert {w.activity.id for w in chat_writes} == {activity.id}


def test_facts_connect_entities_of_the_same_write(chat_writes: list[CubeWrite]) -> None:
    facts = 0
    for write in chat_writes:
        ids = {e.id for e in write.entities}
        for fact in write.facts:
            facts += 1
            assert fact.subject_id in ids and fact.object_id in ids
            assert 0 < fact.confidence <= 1
            assert len(write.source.speaker) + 2 <= fact.start < fact.end <= len(write.cube.text)
        for merge in write.merges:
            assert merge.entity_id in ids
    assert facts >= 8


def test_specific_chat_facts(chat_writes: list[CubeWrite]) -> None:
    found = set()
    for write in chat_writes:
        names = {e.id: e.name for e in write.entities}
        found |= {(names[f.subject_id], f.predicate, names[f.object_id], f.negated) for f in write.facts}
    assert ("Mira", "nephew", "Ciaran", False) in found  # "My nephew Ciaran", said by Mira
    assert ("Tomas", "store in", "cold shed", False) in found  # "I stored …", said by Tomas
    assert ("Aoife", "work on", "Saturdays", True) in found  # negation kept
    assert ("Ciaran", "borrow", "Tomas's grafting knife", False) in found  # "my" → the speaker


def test_relative_dates_use_the_turn_time(chat_writes: list[CubeWrite]) -> None:
    moved = [f for w in chat_writes for f in w.facts if f.predicate == "move to"]
    assert len(moved) == 1 and moved[0].valid_from is not None
    assert moved[0].valid_from.isoformat() == "2024-02-01T00:00:00+00:00"  # "last month", said 2024-03-14


def test_entity_ids_are_stable_names(chat_writes: list[CubeWrite]) -> None:
    entities = {e.name: e for w in chat_writes for e in w.entities}
    assert entities["Aoife"].id == entity_id("Aoife")
    assert entities["Mira"].type == "PERSON"  # a chat participant


def test_reading_twice_gives_identical_records(chat_writes: list[CubeWrite]) -> None:
    again = list(MemReader(CONFIG, owner="alice").read([load_chat(SAMPLES / "grafting-day-chat.json")]))
    strip = {"cube": {"descriptive": {"created_at", "updated_at"}}, "activity": {"started_at"}}
    assert [w.model_dump(exclude=strip) for w in again] == [w.model_dump(exclude=strip) for w in chat_writes]


def test_document_chunks_keep_offsets() -> None:
    document = load_document(SAMPLES / "cider-press-notes.md")
    writes = list(MemReader(CONFIG).read([document]))
    assert len(writes) == 3
    for write in writes:
        source = write.source
        assert source is not None and source.kind == "document" and source.turn_id is None
        assert document.text[source.start : source.end] == write.cube.text
        assert write.cube.governance.owner == CONFIG.default_owner
    ids = {e.name: e.id for w in writes for e in w.entities}  # each entity under the name its text uses
    facts = {(f.subject_id, f.predicate, f.object_id) for w in writes for f in w.facts}
    eoin = entity_id("Eoin Okafor")  # "Eoin" resolves to the entity of "Eoin Okafor"
    assert ids["Eoin"] == eoin
    assert (eoin, "buy", ids["press"]) in facts
    # "the cooperative" is the Larkspur Orchard Cooperative named before it (a definite description by head match)
    assert (ids["Larkspur Orchard Cooperative"], "cellar master", eoin) in facts
    merges = [m for w in writes for m in w.merges]
    assert [(m.alias, m.method) for m in merges] == [("Eoin", "fuzzy")]
    assert merges[0].entity_id == entity_id("Eoin Okafor")


ODD_TEXTS = [
    "😀😀 🎉",
    "https://example.org/a?b=c&d=e",
    "```python\nprint('x')\n```",
    "A" * 5000,
    " ".join(["Word"] * 3000),
    "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG " * 20,
    "I I I you you me my mine",
    "...",
    "\u200b zero-width",
    "it it it he she they",
    "Bob's Bob's Bob's",
    "Jan 5, 2021, 3 Jan, Feb 30, 19999",
]


@pytest.mark.parametrize("text", ODD_TEXTS, ids=[t[:12] for t in ODD_TEXTS])
def test_odd_text_reads_into_valid_records(text: str) -> None:
    chat = chat_from_json([{"speaker": "Ann", "text": text}, {"speaker": "Bea", "text": text}], "chat:odd")
    writes = list(MemReader(CONFIG).read([chat, Document(uri="doc:odd", text=text)]))
    assert len(writes) >= 3
    for write in writes:
        ids = {e.id for e in write.entities}
        assert all(f.subject_id in ids and f.object_id in ids for f in write.facts)
        assert write.source is not None
        # a chat turn's source is the bare turn; its memory text carries the speaker prefix
        said = write.cube.text.removeprefix(f"{write.source.speaker}: ") if write.source.speaker else write.cube.text
        assert write.source.content_hash == content_hash(said)
