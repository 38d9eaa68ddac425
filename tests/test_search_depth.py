"""Sentence vectors and the depth of the index calls, against a real Neo4j and MiniLM: what a
cube says in one sentence is found, sentences live and die with their cube, and a caller who
may read little of a large graph still gets its memories from every channel."""

from __future__ import annotations

from functools import partial

import pytest

from memcubedb.cube import utcnow
from memcubedb.embeddings import default_embedder
from memcubedb.extraction.chats import Chat
from memcubedb.extraction.reader import MemReader
from memcubedb.graph.store import GraphStore
from memcubedb.search import SearchConfig, SearchFilters, recipe
from memcubedb.search import channels as ch
from memcubedb.search.config import ChannelConfig
from memcubedb.search.searcher import MemorySearch
from memcubedb.search.sentences import embed_writes, sentence_spans
from memcubedb.search.vectors import embed_cubes
from tests.factories import cube_write

SENTENCES_OF = """
MATCH (s:Sentence)-[:PART_OF]->(c:MemCube {id: $id})
RETURN s.start AS start, s.end AS end, size(s.embedding) AS dim ORDER BY s.start
"""
SENTENCE_COUNT = "MATCH (c:MemCube {id: $id}) RETURN c.sentence_count AS n"
ALL_SENTENCES = "MATCH (s:Sentence) RETURN count(s) AS n"

LONG = (
    "Hey, good to hear from you again! The weather has been grey all week. "
    "Last weekend my girlfriend and I went fishing at the lake and caught three trout. "
    "Anyway, how is work going for you?"
)


@pytest.fixture(scope="module")
def embedder():
    return default_embedder()


def test_sentence_spans_trim_and_order() -> None:
    text = "  One here.  Two there!   Three? "
    assert [text[a:b] for a, b in sentence_spans([text])[0]] == ["One here.", "Two there!", "Three?"]
    assert sentence_spans(["", "single sentence"]) == [[], [(0, 15)]]


def test_sweep_writes_sentence_vectors_once(store: GraphStore, embedder) -> None:
    long_id, short_id = store.write_cubes([cube_write(LONG, uri="test://long"), cube_write("Just one.", uri="test://s")])
    assert embed_cubes(store, embedder, progress=False) == 2
    rows = store.read(SENTENCES_OF, id=long_id)
    assert [LONG[r["start"] : r["end"]] for r in rows] == [LONG[a:b] for a, b in sentence_spans([LONG])[0]]
    assert len(rows) == 4 and {r["dim"] for r in rows} == {store.settings.embedding_dim}
    assert store.read(SENTENCES_OF, id=short_id) == []
    assert store.read(SENTENCE_COUNT, id=short_id) == [{"n": 0}]
    assert embed_cubes(store, embedder, progress=False) == 0
    assert store.read(ALL_SENTENCES) == [{"n": 4}]


def test_reader_writes_sentences_with_the_cube(store: GraphStore, embedder) -> None:
    turns = [
        {"speaker": "Andrew", "text": LONG, "turn_id": "D1:1"},
        {"speaker": "Audrey", "text": "Nice!", "turn_id": "D1:2"},
    ]
    chat = Chat(uri="chat://fishing", turns=turns)
    writes = list(MemReader(owner="alice").read([chat]))
    ids = store.write_cubes(writes, prepare=partial(embed_writes, embedder))
    assert [len(w.sentences or []) for w in writes] == [4, 0]
    assert len(store.read(SENTENCES_OF, id=ids[0])) == 4
    assert store.read(SENTENCE_COUNT, id=ids[1]) == [{"n": 0}]


def test_one_sentence_is_enough_to_be_found(store: GraphStore, embedder) -> None:
    ids = store.write_cubes([
        cube_write(LONG, uri="test://long"),
        cube_write("We talked about the lake and the weather on the way to work.", uri="test://other"),
    ])  # fmt: skip
    embed_cubes(store, embedder, progress=False)
    query = "Who went fishing at the lake and caught trout?"
    with MemorySearch(store, embedder, record_access=False) as s:
        best = s.search("alice", query, k=2, config=recipe("sentences"))
    assert best[0].cube_id == ids[0] and best[0].channels == ["vector"]
    # the channel's score is the best of whole text and sentences: here a sentence wins
    scope = ch.scope_params("alice", SearchFilters(), utcnow())
    vector = embedder.embed([query])[0]
    whole = {h.id: h.score for h in ch.vector_channel(store, scope, vector, 2, 1, 10)}
    maxp = {h.id: h.score for h in ch.vector_channel(store, scope, vector, 2, 1, 10, sentences=True)}
    assert maxp[ids[0]] > whole[ids[0]]
    assert maxp[ids[1]] == pytest.approx(whole[ids[1]])  # one sentence: no sentence vector


def test_purge_removes_the_sentences(store: GraphStore, embedder) -> None:
    (cube_id,) = store.write_cubes([cube_write(LONG, uri="test://long")])
    embed_cubes(store, embedder, progress=False)
    store.delete_cube("alice", cube_id)
    store.purge_cube("alice", cube_id)
    assert store.read(ALL_SENTENCES) == [{"n": 0}]


def test_a_caller_who_reads_little_still_gets_all_it_may_read(store: GraphStore, embedder) -> None:
    """Bob's 60 memories outrank Alice's 3 in every index; shallow first calls must deepen."""
    bob = [cube_write(f"Note {i} about the Zephyr rocket engine test and its telemetry.", owner="bob",
                      uri=f"test://b{i}", facts=[("Zephyr", "tested_by", f"Team {i}")]) for i in range(60)]  # fmt: skip
    alice = [cube_write(f"Alice's note {i} on the Zephyr rocket.", uri=f"test://a{i}",
                        facts=[("Zephyr", "seen_by", "Alice")]) for i in range(3)]  # fmt: skip
    store.write_cubes(bob + alice)
    embed_cubes(store, embedder, progress=False)
    mine = {w.cube.id for w in alice}

    def only(channel: str) -> SearchConfig:
        """One channel of 3 candidates, first index call of 3: 60 of Bob's cubes stand in front."""
        def share(name: str) -> dict[str, float | int]:
            return {"limit": 3} if name == channel else {"weight": 0.0}

        return SearchConfig(vector=ChannelConfig(**share("vector")), fulltext=ChannelConfig(**share("fulltext")),
                            graph=ChannelConfig(**share("graph")), overfetch=1)  # fmt: skip

    with MemorySearch(store, embedder, record_access=False) as s:
        for channel in ("vector", "fulltext", "graph"):
            found = {r.cube_id for r in s.search("alice", "Zephyr rocket engine telemetry", k=3, config=only(channel))}
            assert found == mine, channel
