"""Auth, roles, grants, groups, spaces and API keys through real HTTP."""

from __future__ import annotations

from fastapi.testclient import TestClient

from memcubedb.graph.apikeys import hash_key
from memcubedb.graph.store import GraphStore
from tests.api_helpers import Keys, assert_problem
from tests.factories import cube_write

pytest_plugins = ["tests.api_fixtures"]

KEY_OF = "MATCH (:Principal {id: $principal})-[:HAS_KEY]->(k:ApiKey) RETURN k {.*} AS k"


def test_keys_are_stored_hashed(client: TestClient, keys: Keys, store: GraphStore) -> None:
    stored = store.read(KEY_OF, principal="alice")[0]["k"]
    assert keys.keys["alice"] not in str(stored)
    assert stored["key_hash"] == hash_key(keys.keys["alice"]) and len(stored["key_hash"]) == 64


def test_me_and_roles(client: TestClient, keys: Keys) -> None:
    me = client.get("/v1/me", headers=keys["ana"]).json()
    assert me["principal"] == "ana" and me["role"] == "analyst" and me["groups"] == []
    assert_problem(client.post("/v1/cubes", json={"text": "analysts do not write"}, headers=keys["ana"]), 403)
    assert_problem(client.get("/v1/keys", headers=keys["alice"]), 403)
    assert_problem(client.post("/v1/groups/team/members", json={"member": "carol"}, headers=keys["alice"]), 403)


def test_admin_manages_keys(client: TestClient, keys: Keys) -> None:
    created = client.post("/v1/keys", json={"principal": "dave", "role": "writer", "name": "ci"}, headers=keys["root"])
    assert created.status_code == 201, created.text
    key = created.json()["key"]
    assert client.get("/v1/me", headers={"X-API-Key": key}).json()["principal"] == "dave"
    listed = client.get("/v1/keys", params={"principal": "dave"}, headers=keys["root"]).json()
    assert [k["id"] for k in listed] == [created.json()["id"]] and "key" not in listed[0]
    revoked = client.delete(f"/v1/keys/{created.json()['id']}", headers=keys["root"])
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert_problem(client.get("/v1/me", headers={"X-API-Key": key}), 401)
    assert_problem(client.delete("/v1/keys/nope", headers=keys["root"]), 404)
    assert_problem(client.post("/v1/keys", json={"principal": "x y", "role": "writer"}, headers=keys["root"]), 422,
                   field="body.principal")
    assert_problem(client.post("/v1/keys", json={"principal": "x", "role": "god"}, headers=keys["root"]), 422,
                   field="body.role")


def test_grant_through_group_then_revoke(client: TestClient, keys: Keys, store: GraphStore) -> None:
    cube_id = store.create_cube("alice", cube_write("Team notes.")).id
    assert_problem(client.get(f"/v1/cubes/{cube_id}", headers=keys["carol"]), 404)
    assert client.post("/v1/groups/team/members", json={"member": "carol"}, headers=keys["root"]).status_code == 204
    assert client.get("/v1/me", headers=keys["carol"]).json()["groups"] == ["team"]
    grant = client.post(f"/v1/cubes/{cube_id}/grants", json={"grantee": "team", "right": "CAN_READ"},
                        headers=keys["alice"])
    assert grant.status_code == 204, grant.text
    assert client.get(f"/v1/cubes/{cube_id}", headers=keys["carol"]).json()["governance"]["readers"] == ["team"]
    assert client.delete(f"/v1/cubes/{cube_id}/grants/team/CAN_READ", headers=keys["alice"]).status_code == 204
    assert_problem(client.get(f"/v1/cubes/{cube_id}", headers=keys["carol"]), 404)
    assert client.post("/v1/groups/team/members", json={"member": "carol"}, headers=keys["root"]).status_code == 204
    assert client.delete("/v1/groups/team/members/carol", headers=keys["root"]).status_code == 204
    assert client.get("/v1/me", headers=keys["carol"]).json()["groups"] == []
    assert_problem(client.post("/v1/groups/team/members", json={"member": "team"}, headers=keys["root"]), 422)


def test_only_owners_grant(client: TestClient, keys: Keys, store: GraphStore) -> None:
    cube_id = store.create_cube("alice", cube_write("Alice's plan.", readers=["bob"])).id
    assert_problem(client.post(f"/v1/cubes/{cube_id}/grants", json={"grantee": "bob", "right": "OWNS"},
                               headers=keys["bob"]), 403)
    assert_problem(client.post(f"/v1/cubes/{cube_id}/grants", json={"grantee": "carol"}, headers=keys["carol"]), 403)
    assert_problem(client.post("/v1/cubes/nope/grants", json={"grantee": "bob"}, headers=keys["alice"]), 404)
    assert_problem(client.post(f"/v1/cubes/{cube_id}/grants", json={"grantee": "bob", "right": "ROOT"},
                               headers=keys["alice"]), 422, field="body.right")
    assert_problem(client.delete(f"/v1/cubes/{cube_id}/grants/bob/CAN_READ", headers=keys["bob"]), 403)
    assert client.get(f"/v1/cubes/{cube_id}", headers=keys["alice"]).json()["governance"]["writers"] == []


def test_space_grants(client: TestClient, keys: Keys, store: GraphStore) -> None:
    cube_id = store.create_cube("alice", cube_write("Handbook page.")).id
    assert client.put(f"/v1/cubes/{cube_id}/space", json={"space_id": "handbook"}, headers=keys["alice"]).status_code \
        == 204
    assert_problem(client.put(f"/v1/cubes/{cube_id}/space", json={"space_id": "x"}, headers=keys["bob"]), 404)
    assert_problem(client.post("/v1/spaces/handbook/grants", json={"grantee": "carol"}, headers=keys["alice"]), 403)
    assert client.post("/v1/spaces/handbook/grants", json={"grantee": "carol"}, headers=keys["root"]).status_code == 204
    assert client.get(f"/v1/cubes/{cube_id}", headers=keys["carol"]).status_code == 200
