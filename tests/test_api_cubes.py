"""/v1/cubes through real HTTP: MemReader adds, reads, lists, versions, deletes, provenance, errors."""

from __future__ import annotations

from fastapi.testclient import TestClient

from memcubedb.graph.store import GraphStore
from tests.api_helpers import Keys, assert_problem
from tests.factories import cube_write

pytest_plugins = ["tests.api_fixtures"]


def test_add_text_extracts_facts_and_is_idempotent(client: TestClient, keys: Keys, store: GraphStore) -> None:
    body = {"text": "Alice works at Acme. Bob lives in Paris.", "tags": ["people"]}
    first = client.post("/v1/cubes", json=body, headers=keys["alice"])
    assert first.status_code == 201, first.text
    added = first.json()
    assert len(added["written"]) == 1 and added["skipped"] == [] and added["facts"] >= 2
    cube = added["cubes"][0]
    assert cube["governance"]["owner"] == "alice"
    assert "people" in cube["descriptive"]["tags"]
    facts = client.get(f"/v1/cubes/{cube['id']}/facts", headers=keys["alice"]).json()
    assert ("Bob", "Paris") in {(f["subject"], f["object"]) for f in facts}
    before = store.counts()
    again = client.post("/v1/cubes", json=body, headers=keys["alice"])
    assert again.status_code == 200
    assert again.json()["written"] == [] and again.json()["skipped"] == [cube["id"]]
    assert store.counts() == before


def test_add_chat_and_document_keep_their_sources(client: TestClient, keys: Keys) -> None:
    chat = {"uri": "chat://support/1", "turns": [
        {"speaker": "Dana", "text": "I moved to Lyon last year.", "turn_id": "d1"},
        {"speaker": "Eve", "text": "Lyon is lovely.", "turn_id": "d2"},
    ]}
    added = client.post("/v1/cubes/chat", json=chat, headers=keys["bob"])
    assert added.status_code == 201, added.text
    assert len(added.json()["written"]) == 2
    prov = client.get(f"/v1/cubes/{added.json()['written'][0]}/provenance", headers=keys["bob"]).json()
    assert prov["sources"][0]["turn_id"] == "d1" and prov["sources"][0]["speaker"] == "Dana"
    assert prov["activities"][0]["kind"] == "extraction"
    assert isinstance(prov["activities"][0]["params"], dict)

    doc = {"uri": "file:///notes/team.md", "format": "markdown", "text": "# Team\n\nCarol joined Acme in 2021."}
    added = client.post("/v1/cubes/document", json=doc, headers=keys["bob"])
    assert added.status_code == 201, added.text
    cube = added.json()["cubes"][0]
    prov = client.get(f"/v1/cubes/{cube['id']}/provenance", headers=keys["bob"]).json()
    source = prov["sources"][0]
    assert source["uri"] == "file:///notes/team.md"
    assert doc["text"][source["start"]:source["end"]] == cube["payload"]["text"]
    assert "Carol joined Acme" in cube["payload"]["text"]


def test_chat_validation_names_the_field(client: TestClient, keys: Keys) -> None:
    bad = {"uri": "chat://x", "turns": [{"speaker": "A", "text": "", "turn_id": "1"}]}
    assert_problem(client.post("/v1/cubes/chat", json=bad, headers=keys["alice"]), 422, field="body.turns.0.text")
    repeated = {"uri": "chat://x", "turns": [{"speaker": "A", "text": "hi", "turn_id": "1"},
                                             {"speaker": "B", "text": "yo", "turn_id": "1"}]}
    problem = assert_problem(client.post("/v1/cubes/chat", json=repeated, headers=keys["alice"]), 422)
    assert "turn_id" in problem["detail"]
    assert_problem(client.post("/v1/cubes", json={"txt": "typo"}, headers=keys["alice"]), 422, field="body.text")


def test_get_list_paginate_and_filter(client: TestClient, keys: Keys, store: GraphStore) -> None:
    store.write_cubes([cube_write(f"Memo number {i}.", uri=f"test://{i}") for i in range(7)])
    store.write_cubes([cube_write("Bob's memo.", owner="bob", uri="test://bob")])
    seen, cursor = [], None
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = client.get("/v1/cubes", params=params, headers=keys["alice"]).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 7
    one = client.get(f"/v1/cubes/{seen[0]}", headers=keys["alice"]).json()
    assert one["payload"]["kind"] == "plaintext" and "embedding" not in one
    assert client.get("/v1/cubes", params={"owner": "bob"}, headers=keys["alice"]).json()["items"] == []
    assert len(client.get("/v1/cubes", params={"owner": "bob"}, headers=keys["bob"]).json()["items"]) == 1
    assert client.get("/v1/cubes", params={"memory_type": "activation"}, headers=keys["alice"]).json()["items"] == []
    assert_problem(client.get("/v1/cubes", params={"limit": 0}, headers=keys["alice"]), 422, field="query.limit")
    assert_problem(client.get("/v1/cubes", params={"cursor": "bogus"}, headers=keys["alice"]), 422)
    assert_problem(client.get("/v1/cubes", params={"state": "sleeping"}, headers=keys["alice"]), 422,
                   field="query.state.0")


def test_unreadable_cube_is_404_for_others(client: TestClient, keys: Keys, store: GraphStore) -> None:
    cube_id = store.create_cube("alice", cube_write("Alice's secret plan.")).id
    for path in (f"/v1/cubes/{cube_id}", f"/v1/cubes/{cube_id}/provenance", f"/v1/cubes/{cube_id}/facts"):
        assert_problem(client.get(path, headers=keys["bob"]), 404)
    assert_problem(client.patch(f"/v1/cubes/{cube_id}", json={"text": "mine now"}, headers=keys["bob"]), 404)
    assert_problem(client.delete(f"/v1/cubes/{cube_id}", headers=keys["bob"]), 404)
    assert client.get(f"/v1/cubes/{cube_id}", headers=keys["alice"]).json()["payload"]["text"] == "Alice's secret plan."


def test_update_makes_a_version_and_superseded_is_409(client: TestClient, keys: Keys, store: GraphStore) -> None:
    v1 = store.create_cube("alice", cube_write("Alice lives in Paris.")).id
    r = client.patch(f"/v1/cubes/{v1}", json={"text": "Alice lives in Lyon.", "priority": 80}, headers=keys["alice"])
    assert r.status_code == 200, r.text
    v2 = r.json()
    assert v2["id"] != v1 and v2["governance"]["version"] == 2 and v2["governance"]["priority"] == 80
    assert v2["behaviour"]["lineage"] == [v1]
    assert client.get(f"/v1/cubes/{v1}", headers=keys["alice"]).json()["payload"]["text"] == "Alice lives in Paris."
    prov = client.get(f"/v1/cubes/{v2['id']}/provenance", headers=keys["alice"]).json()
    assert {"id": v1, "relation": "SUPERSEDES"} in prov["ancestors"] or \
        {"id": v1, "relation": "DERIVED_FROM"} in prov["ancestors"]
    conflict = assert_problem(client.patch(f"/v1/cubes/{v1}", json={"text": "again"}, headers=keys["alice"]), 409)
    assert v2["id"] in conflict["detail"]
    assert_problem(client.patch(f"/v1/cubes/{v2['id']}", json={}, headers=keys["alice"]), 422)
    assert_problem(client.patch(f"/v1/cubes/{v2['id']}", json={"priority": 101}, headers=keys["alice"]), 422,
                   field="body.priority")


def test_reader_may_not_write_nor_writer_without_grant(client: TestClient, keys: Keys, store: GraphStore) -> None:
    cube_id = store.create_cube("alice", cube_write("Shared notes.", readers=["bob", "carol"])).id
    assert_problem(client.post("/v1/cubes", json={"text": "x"}, headers=keys["carol"]), 403)
    assert client.get(f"/v1/cubes/{cube_id}", headers=keys["bob"]).status_code == 200
    assert_problem(client.patch(f"/v1/cubes/{cube_id}", json={"text": "edited"}, headers=keys["bob"]), 403)
    assert_problem(client.delete(f"/v1/cubes/{cube_id}", headers=keys["bob"]), 403)
    assert client.get(f"/v1/cubes/{cube_id}", headers=keys["alice"]).json()["governance"]["state"] == "generated"


def test_delete_then_purge(client: TestClient, keys: Keys, store: GraphStore) -> None:
    cube_id = store.create_cube("alice", cube_write("Old memo.", facts=[("Memo", "mentions", "Budget")])).id
    assert client.delete(f"/v1/cubes/{cube_id}", headers=keys["alice"]).status_code == 204
    assert client.get(f"/v1/cubes/{cube_id}", headers=keys["alice"]).json()["governance"]["state"] == "deleted"
    assert client.get("/v1/cubes", headers=keys["alice"]).json()["items"] == []
    assert client.delete(f"/v1/cubes/{cube_id}", params={"purge": True}, headers=keys["alice"]).status_code == 204
    assert_problem(client.get(f"/v1/cubes/{cube_id}", headers=keys["alice"]), 404)
    assert store.counts()["facts"] == 0


def test_auth_failures_and_body_limit(client: TestClient, keys: Keys, store: GraphStore) -> None:
    body = assert_problem(client.get("/v1/cubes"), 401)
    assert "Bearer" in str(body["detail"])
    assert_problem(client.get("/v1/cubes", headers={"Authorization": "Bearer mcdb_nope_nope"}), 401)
    assert client.get("/v1/cubes", headers={"X-API-Key": keys.keys["alice"]}).status_code == 200
    before = store.counts()
    too_big = client.post("/v1/cubes", json={"text": "x" * (300 * 1024)}, headers=keys["alice"])
    assert_problem(too_big, 413)
    chunked = client.post("/v1/cubes", content=iter([b'{"text": "', b"y" * (300 * 1024), b'"}']),
                          headers=keys["alice"] | {"content-type": "application/json"})
    assert_problem(chunked, 413)
    assert store.counts() == before
    assert_problem(client.get("/v1/nowhere", headers=keys["alice"]), 404)


def test_an_id_ending_in_a_slash_is_unknown_not_redirected(client: TestClient, keys: Keys) -> None:
    # "%2F" decodes to "/": the path no longer names a route, and must not redirect to "/v1/cubes/x*"
    response = client.get("/v1/cubes/x*%2F", headers=keys["alice"], follow_redirects=False)
    assert_problem(response, 404)
