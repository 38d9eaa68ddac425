"""Facts and entities through real HTTP: read, find, assert, edit, retract; permissions inside the store."""

from __future__ import annotations

from fastapi.testclient import TestClient

from memcubedb.graph.store import GraphStore
from tests.api_helpers import Keys, assert_problem
from tests.factories import cube_write, entity

pytest_plugins = ["tests.api_fixtures"]

EDITS = "MATCH (a:Activity {kind: 'edit'})-[:USED]->(:MemCube {id: $id}) RETURN a.name AS name ORDER BY a.started_at"


def test_read_and_find_facts_and_entities(client: TestClient, keys: Keys, store: GraphStore) -> None:
    mine = store.create_cube("alice", cube_write("Alice works at Acme.", facts=[("Alice", "works_at", "Acme")]))
    store.create_cube("bob", cube_write("Bob owns Zeta.", owner="bob", facts=[("Bob", "owns", "Zeta")], uri="t://b"))
    facts = client.get(f"/v1/cubes/{mine.id}/facts", headers=keys["alice"]).json()
    assert [(f["subject"], f["predicate"], f["object"]) for f in facts] == [("Alice", "works_at", "Acme")]
    fact_id = facts[0]["id"]
    assert client.get(f"/v1/facts/{fact_id}", headers=keys["alice"]).json()["cube_ids"] == [mine.id]
    assert_problem(client.get(f"/v1/facts/{fact_id}", headers=keys["bob"]), 404)
    found = client.get("/v1/facts", params={"predicate": "works_at"}, headers=keys["alice"]).json()
    assert [f["id"] for f in found["items"]] == [fact_id] and found["next_after"] is None
    assert client.get("/v1/facts", params={"predicate": "owns"}, headers=keys["alice"]).json()["items"] == []
    by_entity = client.get("/v1/facts", params={"entity_id": entity("Acme").id}, headers=keys["alice"]).json()
    assert [f["id"] for f in by_entity["items"]] == [fact_id]
    names = {e["name"] for e in client.get("/v1/entities", headers=keys["alice"]).json()["items"]}
    assert names == {"Alice", "Acme"}
    assert client.get(f"/v1/entities/{entity('Acme').id}", headers=keys["alice"]).json()["name"] == "Acme"
    assert_problem(client.get(f"/v1/entities/{entity('Zeta').id}", headers=keys["alice"]), 404)


def test_fact_pages(client: TestClient, keys: Keys, store: GraphStore) -> None:
    store.create_cube("alice", cube_write("Many.", facts=[("A", "knows", f"P{i}") for i in range(5)]))
    page1 = client.get("/v1/facts", params={"limit": 3}, headers=keys["alice"]).json()
    page2 = client.get("/v1/facts", params={"limit": 3, "after": page1["next_after"]}, headers=keys["alice"]).json()
    assert len(page1["items"]) == 3 and len(page2["items"]) == 2 and page2["next_after"] is None
    assert not {f["id"] for f in page1["items"]} & {f["id"] for f in page2["items"]}


def test_assert_edit_retract_with_provenance(client: TestClient, keys: Keys, store: GraphStore) -> None:
    cube = store.create_cube("alice", cube_write("Alice works at Acme.", facts=[("Alice", "works_at", "Acme")]))
    alice_id = entity("Alice").id
    added = client.post(f"/v1/cubes/{cube.id}/facts", headers=keys["alice"], json={
        "subject": {"id": alice_id}, "predicate": "lives_in", "object": {"name": "Lyon", "type": "PLACE"},
    })
    assert added.status_code == 201, added.text
    fact = added.json()
    assert (fact["subject"], fact["predicate"], fact["object"]) == ("Alice", "lives_in", "Lyon")
    assert fact["cube_ids"] == [cube.id]

    edited = client.patch(f"/v1/cubes/{cube.id}/facts/{fact['id']}", json={"object": {"name": "Paris"}},
                          headers=keys["alice"])
    assert edited.status_code == 200, edited.text
    assert edited.json()["object"] == "Paris" and edited.json()["id"] != fact["id"]
    triples = {(f["subject"], f["predicate"], f["object"])
               for f in client.get(f"/v1/cubes/{cube.id}/facts", headers=keys["alice"]).json()}
    assert triples == {("Alice", "works_at", "Acme"), ("Alice", "lives_in", "Paris")}
    assert_problem(client.get(f"/v1/facts/{fact['id']}", headers=keys["alice"]), 404)

    negated = client.patch(f"/v1/cubes/{cube.id}/facts/{edited.json()['id']}", json={"negated": True},
                           headers=keys["alice"]).json()
    assert negated["negated"] is True
    assert client.delete(f"/v1/cubes/{cube.id}/facts/{negated['id']}", headers=keys["alice"]).status_code == 204
    assert len(client.get(f"/v1/cubes/{cube.id}/facts", headers=keys["alice"]).json()) == 1
    names = [r["name"] for r in store.read(EDITS, id=cube.id)]
    assert names == ["add_fact", "replace_fact", "replace_fact", "retract_fact"]


def test_fact_edit_errors(client: TestClient, keys: Keys, store: GraphStore) -> None:
    cube = store.create_cube("alice", cube_write("Alice works at Acme.", facts=[("Alice", "works_at", "Acme")],
                                                 readers=["bob"]))
    fact_id = store.facts_of("alice", cube.id)[0].id
    new = {"subject": {"name": "Alice"}, "predicate": "likes", "object": {"name": "tea"}}
    before = store.counts()
    assert_problem(client.post(f"/v1/cubes/{cube.id}/facts", json=new, headers=keys["bob"]), 403)
    assert_problem(client.post(f"/v1/cubes/{cube.id}/facts", json=new, headers=keys["carol"]), 403)
    assert_problem(client.delete(f"/v1/cubes/{cube.id}/facts/{fact_id}", headers=keys["bob"]), 403)
    assert_problem(client.post("/v1/cubes/nope/facts", json=new, headers=keys["alice"]), 404)
    assert_problem(client.delete(f"/v1/cubes/{cube.id}/facts/nope", headers=keys["alice"]), 404)
    unknown = {"subject": {"id": "no-such-entity"}, "predicate": "likes", "object": {"name": "tea"}}
    assert_problem(client.post(f"/v1/cubes/{cube.id}/facts", json=unknown, headers=keys["alice"]), 422)
    both = {"subject": {"id": "x", "name": "y"}, "predicate": "likes", "object": {"name": "tea"}}
    assert_problem(client.post(f"/v1/cubes/{cube.id}/facts", json=both, headers=keys["alice"]), 422,
                   field="body.subject")
    assert_problem(client.patch(f"/v1/cubes/{cube.id}/facts/{fact_id}", json={}, headers=keys["alice"]), 422)
    same = assert_problem(client.patch(f"/v1/cubes/{cube.id}/facts/{fact_id}", json={"predicate": "works_at"},
                                       headers=keys["alice"]), 422)
    assert "identical" in str(same["detail"])
    assert_problem(client.patch(f"/v1/cubes/{cube.id}/facts/{fact_id}", json={"confidence": 2},
                                headers=keys["alice"]), 422, field="body.confidence")
    assert store.counts() == before
