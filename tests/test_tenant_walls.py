"""Entity names behind tenant walls (issue 12, part 3): no name or alias that only another
principal's memories use reaches a caller — entities, facts, graph views, find, export — entity
resolution looks candidates up among what the writer may read, and migration 0011 gives existing
``MENTIONS`` edges their names.
"""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from memcubedb.config.extraction import ResolutionConfig
from memcubedb.extraction.resolution import EntityResolver, entity_id
from memcubedb.extraction.triples import EntityType, Mention
from memcubedb.graph.entity_lookup import GraphEntityLookup
from memcubedb.graph.records import CubeWrite, EntityRecord
from memcubedb.graph.store import GraphStore
from tests import factories as data
from tests.api_helpers import Keys

pytest_plugins = ["tests.api_fixtures"]

ALICE_TEXT = "Zebulon Quackenbush-Oyelaran is the secret informant at Vandermeer Holdings."
BOB_TEXT = "I met Zebulon at lunch yesterday. Vandermeer called me too."
SECRETS = ("Quackenbush", "Oyelaran", "Holdings", "informant")


def _write(text: str, owner: str, entities: list[EntityRecord]) -> CubeWrite:
    write = data.cube_write(text, owner=owner, uri=f"test://{owner}/{len(text)}")
    write.entities = entities
    return write


def _bob_sees(client: TestClient, keys: Keys, words: tuple[str, ...]) -> str:
    """Everything bob's key can read about entities, facts and the graph (and finds for ``words``),
    as one text."""
    bob = keys["bob"]
    got = [
        client.get("/v1/entities", params={"limit": 1000}, headers=bob),
        client.get("/v1/facts", params={"limit": 1000}, headers=bob),
        client.get("/v1/graph/overview", headers=bob),
        client.post("/v1/export", json={}, headers=bob),
        client.post("/v1/search", json={"query": "Zebulon Vandermeer", "k": 20}, headers=bob),
    ]
    for q in words:
        got.append(client.get("/v1/graph/find", params={"q": q}, headers=bob))
    for entity in got[0].json()["items"]:
        got.append(client.get(f"/v1/entities/{entity['id']}", headers=bob))
        got.append(client.post("/v1/graph/neighbourhood", json={"seeds": [entity["id"]]}, headers=bob))
    for r in got:
        assert r.status_code < 300, r.text
    return "\n".join(r.text for r in got)


def test_regression_issue12_zebulon_names_stay_with_alice(client: TestClient, keys: Keys) -> None:
    """alice writes a private memory naming "Zebulon Quackenbush-Oyelaran … Vandermeer Holdings";
    bob then writes "I met Zebulon … Vandermeer called me too." Bob is shown his own words only.
    Then a cube alice shares with bob names someone one way while her private cube names them
    another: bob sees the shared cube's name and nothing of the private one."""
    r = client.post("/v1/cubes", json={"text": ALICE_TEXT, "uri": "notes://alice"}, headers=keys["alice"])
    assert r.status_code == 201, r.text
    r = client.post("/v1/cubes", json={"text": BOB_TEXT, "uri": "notes://bob"}, headers=keys["bob"])
    assert r.status_code == 201, r.text

    seen = _bob_sees(client, keys, ("Quackenbush", "Zebulon", "Vandermeer", "Holdings"))
    leaked = [s for s in SECRETS if s.casefold() in seen.casefold()]
    assert not leaked, f"bob was shown {leaked}"
    names = {e["name"] for e in client.get("/v1/entities", headers=keys["bob"]).json()["items"]}
    assert {"Zebulon", "Vandermeer"} <= names  # bob's own mentions are there, under his names
    assert client.get("/v1/graph/find", params={"q": "Quackenbush"}, headers=keys["bob"]).json() == []
    alice = {e["name"] for e in client.get("/v1/entities", headers=keys["alice"]).json()["items"]}
    assert any("Quackenbush" in n for n in alice) and "Zebulon" not in alice  # bob's words stay his too

    private = "Ottoline Brackenfeld-Zhou runs the Marchetti Cartage ledger."
    shared = "Ottoline brought pastries to the Marchetti meeting."
    client.post("/v1/cubes", json={"text": private, "uri": "notes://p"}, headers=keys["alice"])
    (shared_id,) = client.post("/v1/cubes", json={"text": shared, "uri": "notes://s"}, headers=keys["alice"]).json()[
        "written"
    ]
    grant = {"grantee": "bob", "right": "CAN_READ"}
    r = client.post(f"/v1/cubes/{shared_id}/grants", json=grant, headers=keys["alice"])
    assert r.status_code < 300, r.text
    seen = _bob_sees(client, keys, ("Brackenfeld", "Ottoline", "Marchetti", "Cartage"))
    assert not [s for s in (*SECRETS, "Brackenfeld", "Zhou", "Cartage", "ledger") if s.casefold() in seen.casefold()]
    assert "Ottoline" in seen and "pastries" in seen


def test_resolution_looks_up_only_what_the_writer_may_read(store: GraphStore) -> None:
    """A writer's mention merges into an entity named in its own memories, never into one that only
    another tenant's memories name; the candidates carry only the writer's names."""
    full = data.entity("Zebulon Quackenbush")
    store.write_cubes([_write("Zebulon Quackenbush runs the ledger.", "alice", [full])])
    mention = Mention(text="Zebulon", name="Zebulon", type=EntityType.PERSON, start=0, end=7, named=True)

    bob = EntityResolver(ResolutionConfig(embedding_model=None), lookup=GraphEntityLookup(store, "bob"))
    bob.prepare([mention])
    found = bob.resolve(mention)
    assert found.entity.id == entity_id("Zebulon") and found.merge is None and len(bob) == 1

    alice = EntityResolver(ResolutionConfig(embedding_model=None), lookup=GraphEntityLookup(store, "alice"))
    alice.prepare([mention])
    merged = alice.resolve(mention)
    assert merged.entity.id == full.id and merged.merge is not None and merged.merge.method == "fuzzy"

    assert GraphEntityLookup(store, "bob").candidates(["zebulon quackenbush"], ["zebulon"]) == []
    (seen,) = GraphEntityLookup(store, "alice").candidates([], ["zebulon"])
    assert (seen.id, seen.name, seen.aliases) == (full.id, "Zebulon Quackenbush", [])


def test_embedding_stage_finds_stored_entities_through_the_vector_index(store: GraphStore) -> None:
    """A new named entity is stored with its name embedding; a later request's "NYC" finds "New York
    City" through the entity_embedding index — for its owner, not for another tenant."""
    def mention(name: str) -> Mention:
        return Mention(text=name, name=name, type=EntityType.PLACE, start=0, end=len(name), named=True)

    city, nyc = mention("New York City"), mention("NYC")
    first = EntityResolver(ResolutionConfig(), lookup=GraphEntityLookup(store, "alice"))
    first.prepare([city])
    record = first.resolve(city).entity
    assert record.embedding is not None and len(record.embedding) == store.settings.embedding_dim
    store.write_cubes([_write("New York City never sleeps.", "alice", [record])])

    again = EntityResolver(ResolutionConfig(), lookup=GraphEntityLookup(store, "alice"))
    again.prepare([nyc])
    found = again.resolve(nyc)
    assert found.entity.id == record.id and found.merge is not None and found.merge.method == "embedding"
    bob = EntityResolver(ResolutionConfig(), lookup=GraphEntityLookup(store, "bob"))
    bob.prepare([nyc])
    assert bob.resolve(nyc).entity.id != record.id


LEGACY = """
UNWIND $rows AS row
MATCH (c:MemCube {id: row.cube}), (e:Entity {id: row.entity})
MERGE (c)-[m:MENTIONS]->(e) REMOVE m.names
SET e.aliases = row.aliases
"""
FORGET_0011 = "MATCH (m:SchemaMigration {version: 11}) DELETE m"
NAMES = "MATCH (c:MemCube)-[m:MENTIONS]->(e:Entity) RETURN c.id AS cube, e.id AS entity, m.names AS names"


def test_migration_0011_gives_existing_mentions_their_names(store: GraphStore) -> None:
    """Edges written before 0011 have no names: the migration takes the entity's name and aliases
    that the cube's text contains, the entity's name when the cube is its only mention, else none."""
    acme = EntityRecord(id=entity_id("Acme Corp"), name="Acme Corp", type="ORG")
    solo = EntityRecord(id=entity_id("Larkspur"), name="Larkspur", type="ORG")
    a = _write("Acme hired a new chef.", "alice", [acme])
    b = _write("They hired a new chef at the Corp.", "bob", [acme])
    c = _write("The florist closed early.", "bob", [solo])
    store.write_cubes([a, b, c])
    rows = [{"cube": w.cube.id, "entity": w.entities[0].id, "aliases": ["Acme"] if w is not c else []}
            for w in (a, b, c)]
    with store.session() as s:
        s.run(LEGACY, rows=rows).consume()
        s.run(FORGET_0011).consume()
    assert {r["names"] for r in store.read(NAMES)} == {None}

    assert store.migrate() == ["0011_mention_names"]
    names = {(r["cube"], r["entity"]): r["names"] for r in store.read(NAMES)}
    assert names == {(a.cube.id, acme.id): ["Acme"], (b.cube.id, acme.id): [], (c.cube.id, solo.id): ["Larkspur"]}
    assert json.dumps([e.model_dump() for e in store.visible_entities("bob")]).count("Acme") == 0


def test_regression_sources_are_per_owner(client: TestClient, keys: Keys) -> None:
    """Alice and bob each add a chat under the same URI and turn id: bob's provenance, search hits,
    export and graph view never show alice's speaker or timestamp (one Source node per owner)."""
    canary = "Quillonvexaby"
    alice = {"uri": "chat://standup", "turns": [
        {"speaker": canary, "text": "The launch slipped to March.", "turn_id": "1",
         "timestamp": "2031-07-09T10:00:00Z"},
    ]}  # fmt: skip
    bob = {"uri": "chat://standup", "turns": [{"speaker": "Bob", "text": "Lunch is at noon today.", "turn_id": "1"}]}
    assert client.post("/v1/cubes/chat", json=alice, headers=keys["alice"]).status_code == 201
    r = client.post("/v1/cubes/chat", json=bob, headers=keys["bob"])
    assert r.status_code == 201, r.text
    cube_id = r.json()["cubes"][0]["id"]
    answers = [
        client.get(f"/v1/cubes/{cube_id}/provenance", headers=keys["bob"]),
        client.post("/v1/search", json={"query": "lunch at noon"}, headers=keys["bob"]),
        client.post("/v1/export", json={"cube_ids": [cube_id]}, headers=keys["bob"]),
        client.get(f"/v1/graph/cubes/{cube_id}", headers=keys["bob"]),
        client.get("/v1/graph/sources", headers=keys["bob"]),
    ]
    for answer in answers:
        assert answer.status_code == 200, answer.text
        assert canary not in answer.text and "2031-07-09" not in answer.text, answer.request.url
    provenance = answers[0].json()
    assert [s["speaker"] for s in provenance["sources"]] == ["Bob"]
