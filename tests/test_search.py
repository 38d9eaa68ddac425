"""Search against a real Neo4j and the real MiniLM embedder: channels, fusion, permissions,
time filters, lifecycle, access metrics and hostile query text."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from memcubedb.cube import LifecycleState, MemCube
from memcubedb.embeddings import default_embedder
from memcubedb.graph.permissions import Right
from memcubedb.graph.records import CubeWrite, FactRecord, SourceRecord, content_hash, stable_id
from memcubedb.graph.store import GraphStore
from memcubedb.search import SearchConfig, SearchFilters, recipe
from memcubedb.search.config import ChannelConfig, GraphConfig
from memcubedb.search.searcher import MemorySearch
from memcubedb.search.vectors import embed_cubes
from tests.factories import ACTIVITY, AGENT, cube_write, entity

T0 = datetime(2023, 5, 8, 13, 56, tzinfo=UTC)

CORPUS = [
    "Alice adopted a small puppy from the shelter last spring.",
    "The quarterly budget meeting moved to Thursday afternoon.",
    "Bob repaired the zygomorphic orchid greenhouse heater.",
    "Our team switched the build system from Make to Bazel.",
    "The hiking trail near the lake was closed after the storm.",
]


def chat_turn(
    text: str, session: str, turn: int, owner: str = "alice", facts=None, speaker: str | None = None
) -> CubeWrite:
    """A chat-turn cube: source uri = session, turn id ``D<session>:<turn>``, position ``seq`` = turn,
    said by ``speaker`` (default: the owner)."""
    uri = f"chat://{session}"
    turn_id = f"D{session}:{turn}"
    source = SourceRecord(
        id=stable_id("source", uri, turn_id), kind="chat_turn", uri=uri, turn_id=turn_id, speaker=speaker or owner,
        timestamp=T0 + timedelta(days=int(session)), content_hash=content_hash(text),
        start=0, end=len(text), seq=turn,
    )
    cube = MemCube.plaintext(text, owner=owner, id=stable_id("cube", source.id, owner), semantic_type="chat_turn")
    ents, recs = {}, []
    for s, p, o in facts or []:
        se, oe = entity(s), entity(o)
        ents[se.id], ents[oe.id] = se, oe
        recs.append(FactRecord(id=stable_id("fact", se.id, p, oe.id), subject_id=se.id, predicate=p, object_id=oe.id))
    return CubeWrite(cube=cube, source=source, activity=ACTIVITY, agent=AGENT, entities=list(ents.values()), facts=recs)


@pytest.fixture(scope="module")
def embedder():
    return default_embedder()


@pytest.fixture
def searcher(store: GraphStore, embedder) -> Iterator[MemorySearch]:
    with MemorySearch(store, embedder) as s:
        yield s


def ingest(store: GraphStore, embedder, writes: list[CubeWrite]) -> list[str]:
    ids = store.write_cubes(writes)
    assert embed_cubes(store, embedder, ids, progress=False) == len(ids)
    return ids


def ids_of(results) -> list[str]:
    return [r.cube_id for r in results]


@pytest.fixture
def corpus(store: GraphStore, embedder) -> list[str]:
    writes = [cube_write(t, uri=f"test://{i}") for i, t in enumerate(CORPUS)]
    writes.append(
        cube_write(
            "She started there in March.", uri="test://acme", facts=[("Alice", "works_at", "Acme Robotics")]
        )
    )
    return ingest(store, embedder, writes)


def test_embed_cubes_writes_vectors_once(store: GraphStore, embedder) -> None:
    ids = store.write_cubes([cube_write(t, uri=f"test://{i}") for i, t in enumerate(CORPUS)])
    assert embed_cubes(store, embedder, progress=False) == len(CORPUS)
    assert embed_cubes(store, embedder, progress=False) == 0
    cube = store.get_cube("alice", ids[0])
    assert cube.embedding is not None and len(cube.embedding) == store.settings.embedding_dim


def test_vector_channel_alone_finds_a_paraphrase(searcher: MemorySearch, corpus: list[str]) -> None:
    results = searcher.search("alice", "Which dog did she get as a pet?", k=3, config=recipe("vector"))
    assert results[0].cube_id == corpus[0]
    assert results[0].channels == ["vector"]
    assert results[0].ranks == {"vector": 1}
    assert results[0].uris == ["test://0"]


def test_fulltext_channel_alone_finds_a_rare_word(searcher: MemorySearch, corpus: list[str]) -> None:
    results = searcher.search("alice", "zygomorphic", k=3, config=recipe("fulltext"))
    assert ids_of(results) == [corpus[2]]
    assert results[0].channels == ["fulltext"]


def test_graph_channel_alone_follows_facts(searcher: MemorySearch, corpus: list[str]) -> None:
    # the answer's text never names Acme Robotics; only its fact does
    results = searcher.search("alice", "Who works for Acme Robotics?", k=3, config=recipe("graph"))
    assert ids_of(results) == [corpus[5]]
    assert results[0].channels == ["graph"]


def test_graph_channel_ranks_the_fact_whose_predicate_the_query_uses_first(store: GraphStore, embedder) -> None:
    # Both cubes assert facts about Melanie; the other one asserts two, so without the predicate
    # walk it would rank first. Neither text says "paint": only the first cube's fact does, as a
    # snake-case predicate (split at "_"; "at" is a stop word).
    painted, busy = ingest(store, embedder, [
        cube_write("Melanie: finished it last weekend with the kids.", uri="test://p",
                   facts=[("Melanie", "paint_at", "sunrise")]),
        cube_write("Melanie: went to the lake and met her sister.", uri="test://b",
                   facts=[("Melanie", "visit", "lake"), ("Melanie", "meet", "sister")]),
    ])  # fmt: skip
    with MemorySearch(store, embedder, record_access=False) as s:
        ranked = ids_of(s.search("alice", "What was Melanie painting?", k=5, config=recipe("graph")))
        plain = recipe("graph").model_copy(update={"graph_expansion": GraphConfig(predicate_weight=0.0)})
        unaware = ids_of(s.search("alice", "What was Melanie painting?", k=5, config=plain))
    assert ranked == [painted, busy]
    assert unaware == [busy, painted]


def test_hybrid_fuses_channels_and_is_deterministic(store: GraphStore, embedder, corpus: list[str]) -> None:
    query = "Alice's puppy from the shelter"
    with MemorySearch(store, embedder, record_access=False) as a, MemorySearch(store, embedder) as b:
        first = a.search("alice", query, k=6)
        again = a.search("alice", query, k=6)
        other = b.search("alice", query, k=6)
    assert first[0].cube_id == corpus[0]
    assert set(first[0].channels) >= {"vector", "fulltext"}
    assert [(r.cube_id, r.score) for r in first] == [(r.cube_id, r.score) for r in again]
    assert [(r.cube_id, r.score) for r in first] == [(r.cube_id, r.score) for r in other]
    assert [r.score for r in first] == sorted((r.score for r in first), reverse=True)


@pytest.mark.parametrize("name", ["hybrid", "hybrid_mmr", "conversation", "vector", "sentences", "fulltext", "graph"])
def test_no_rights_means_no_results_even_for_the_best_match(store: GraphStore, embedder, name: str) -> None:
    secret = "Bob's locker combination is 4711 at the Zurich gym."
    bob = [chat_turn(secret, "1", 2, owner="bob", facts=[("Bob", "uses", "Zurich gym")])]
    alice = [
        chat_turn("I prefer swimming in the morning.", "1", 1, owner="alice"),
        chat_turn("Gyms in the city are crowded.", "1", 3, owner="alice"),
    ]
    ingest(store, embedder, bob + alice)
    bob_id = bob[0].cube.id
    with MemorySearch(store, embedder, config=name) as searcher:
        assert bob_id in ids_of(searcher.search("bob", secret, k=5))
        assert bob_id not in ids_of(searcher.search("alice", secret, k=5))
        assert searcher.search("mallory", secret, k=5) == []
        # a grant makes it visible: the filter is the permission, not the query
        store.permissions.grant("bob", bob_id, "alice", Right.CAN_READ)
        assert bob_id in ids_of(searcher.search("alice", secret, k=5))


def test_group_grant_is_honoured(store: GraphStore, embedder, searcher: MemorySearch) -> None:
    (cube_id,) = ingest(store, embedder, [cube_write("The staging database password rotates weekly.", owner="ops")])
    assert searcher.search("carol", "staging database password", k=3) == []
    store.permissions.add_member("carol", "oncall")
    store.permissions.grant("ops", cube_id, "oncall", Right.CAN_READ)
    assert ids_of(searcher.search("carol", "staging database password", k=3)) == [cube_id]


def test_neighbouring_turns_come_along(store: GraphStore, embedder) -> None:
    turns = [
        chat_turn("How was your weekend?", "1", 1),
        chat_turn("What did you think of the new ramen place downtown?", "1", 2),
        chat_turn("Honestly the best I have had, the broth was amazing.", "1", 3),
        chat_turn("Let us plan the trip to Norway.", "1", 4),
        chat_turn("Ramen again? I had some yesterday.", "2", 1),
    ]
    ids = ingest(store, embedder, turns)
    config = SearchConfig(
        vector=ChannelConfig(weight=0.0), graph=ChannelConfig(weight=0.0), neighbours=ChannelConfig(weight=1.0)
    )
    with MemorySearch(store, embedder, config=config) as searcher:
        results = searcher.search("alice", "new ramen place downtown", k=5)
    by_id = {r.cube_id: r for r in results}
    assert results[0].cube_id == ids[1]
    # the reply (turn 3) and the question before it (turn 1) are found only as neighbours
    assert by_id[ids[2]].channels == ["neighbours"]
    assert by_id[ids[0]].channels == ["neighbours"]
    assert ids[3] not in by_id  # two turns away, window is 1
    assert by_id[ids[2]].turn_ids == ["D1:3"]


def test_neighbours_respect_permissions(store: GraphStore, embedder) -> None:
    turns = [
        chat_turn("Where should we hold the offsite in October?", "1", 1, owner="alice"),
        chat_turn("The offsite budget is confidential: 80k.", "1", 2, owner="bob"),
    ]
    ids = ingest(store, embedder, turns)
    with MemorySearch(store, embedder, config="conversation") as searcher:
        results = searcher.search("alice", "offsite in October", k=5)
    assert ids[0] in ids_of(results)
    assert ids[1] not in ids_of(results)


def test_speaker_prior_prefers_what_the_named_speaker_said(store: GraphStore, embedder) -> None:
    turns = [("Dana", "I finally finished the pottery class at the studio."),
             ("Eli", "I finished a pottery class at the studio too."),
             ("Dana", "The weather was lovely on the coast.")]
    ids = ingest(store, embedder, [chat_turn(t, "7", i, speaker=who) for i, (who, t) in enumerate(turns)])
    with MemorySearch(store, embedder, SearchConfig(speaker_boost=2.0), record_access=False) as s:
        assert ids_of(s.search("alice", "Which pottery class did Dana finish?", k=2))[0] == ids[0]
        assert ids_of(s.search("alice", "Which pottery class did Eli finish?", k=2))[0] == ids[1]
        assert ids_of(s.search("alice", "Which pottery class did Eli finish?", k=2, config=SearchConfig()))[:2] \
            == ids_of(s.search("alice", "Which pottery class did Dana finish?", k=2, config=SearchConfig()))[:2]


def test_source_time_filter(store: GraphStore, embedder, searcher: MemorySearch) -> None:
    turns = [chat_turn(f"We talked about tennis lessons, part {i}.", str(i), 1) for i in range(1, 5)]
    ids = ingest(store, embedder, turns)
    window = SearchFilters(occurred_from=T0 + timedelta(days=2), occurred_to=T0 + timedelta(days=3, hours=1))
    results = searcher.search("alice", "tennis lessons", k=10, filters=window)
    assert sorted(ids_of(results)) == sorted(ids[1:3])
    assert all(window.occurred_from <= r.occurred_at <= window.occurred_to for r in results)
    late = SearchFilters(occurred_from=T0 + timedelta(days=4))
    after = searcher.search("alice", "tennis lessons", k=10, filters=late)
    assert ids_of(after) == [ids[3]]
    with pytest.raises(ValueError):
        SearchFilters(occurred_from=T0 + timedelta(days=2), occurred_to=T0)


def test_valid_at_filter_drops_stale_facts(store: GraphStore, embedder, searcher: MemorySearch) -> None:
    old = cube_write("Alice lives in Lisbon.", uri="test://old", facts=[("Alice", "lives_in", "Lisbon")])
    old.facts[0].valid_to = datetime(2022, 1, 1, tzinfo=UTC)
    new = cube_write("Alice lives in Porto.", uri="test://new", facts=[("Alice", "lives_in", "Porto")])
    new.facts[0].valid_from = datetime(2022, 1, 1, tzinfo=UTC)
    ids = ingest(store, embedder, [old, new])
    both = ids_of(searcher.search("alice", "Where does Alice live?", k=5))
    assert sorted(both) == sorted(ids)
    at_2021 = SearchFilters(valid_at=datetime(2021, 6, 1, tzinfo=UTC))
    assert ids_of(searcher.search("alice", "Where does Alice live?", k=5, filters=at_2021)) == [ids[0]]
    at_2023 = SearchFilters(valid_at=datetime(2023, 6, 1, tzinfo=UTC))
    assert ids_of(searcher.search("alice", "Where does Alice live?", k=5, filters=at_2023)) == [ids[1]]


def test_only_live_latest_versions(store: GraphStore, embedder, searcher: MemorySearch, corpus: list[str]) -> None:
    store.delete_cube("alice", corpus[2])
    assert corpus[2] not in ids_of(searcher.search("alice", "zygomorphic orchid greenhouse", k=10))
    newer = store.update_cube("alice", corpus[0], text="Alice adopted a grey kitten from the shelter.")
    embed_cubes(store, searcher.embedder, [newer.id], progress=False)
    found = ids_of(searcher.search("alice", "adopted from the shelter", k=10))
    assert newer.id in found and corpus[0] not in found
    store.set_state("alice", corpus[1], LifecycleState.EXPIRED)
    assert corpus[1] not in ids_of(searcher.search("alice", "quarterly budget meeting", k=10))


def test_access_metrics_are_bumped_after_flush(store: GraphStore, embedder, corpus: list[str]) -> None:
    with MemorySearch(store, embedder) as searcher:
        before = store.get_cube("alice", corpus[2]).behaviour
        results = searcher.search("alice", "zygomorphic orchid", k=1)
        searcher.search("alice", "zygomorphic orchid", k=1)
        assert ids_of(results) == [corpus[2]]
        assert searcher.recorder is not None and searcher.recorder.flush()
    after = store.get_cube("alice", corpus[2]).behaviour
    assert before.access_count == 0 and before.last_access is None
    assert after.access_count == 2
    assert after.last_access is not None
    untouched = store.get_cube("alice", corpus[3]).behaviour
    assert untouched.access_count == 0


@pytest.mark.parametrize(
    "query",
    ['C++ && "unterminated', "title:(x OR", "a\\b/c~2^3", "*?!{}[]", "AND OR NOT", "-", "ünïcödé + 日本語 :)"],
)
def test_lucene_special_characters_never_break_a_search(searcher: MemorySearch, corpus: list[str], query: str) -> None:
    results = searcher.search("alice", query, k=3)
    assert len(results) <= 3


def test_blank_query_and_bad_k(searcher: MemorySearch, corpus: list[str]) -> None:
    assert searcher.search("alice", "   ", k=3) == []
    with pytest.raises(ValueError):
        searcher.search("alice", "puppy", k=0)
