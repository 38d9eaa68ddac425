"""The graph store against a real Neo4j: CRUD, versions, permissions, atomic batches."""

from __future__ import annotations

import pytest

from memcubedb.cube import LifecycleState
from memcubedb.graph.permissions import PermissionDenied, Right
from memcubedb.graph.records import FactRecord
from memcubedb.graph.store import GraphStore, NotFound, WriteRejected
from tests.factories import cube_write


def test_store_runs_on_real_neo4j(store: GraphStore) -> None:
    rows = store.read("CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition")
    assert rows[0]["name"] == "Neo4j Kernel"
    assert rows[0]["versions"][0].startswith("5.")


def test_create_get_and_facts(store: GraphStore) -> None:
    w = cube_write("Alice works at Acme.", facts=[("Alice", "works_at", "Acme")])
    cube = store.create_cube("alice", w)
    assert cube.text == "Alice works at Acme."
    assert cube.governance.owner == "alice"
    facts = store.facts_of("alice", cube.id)
    assert [(f.subject, f.predicate, f.object) for f in facts] == [("Alice", "works_at", "Acme")]
    prov = store.provenance("alice", cube.id)
    assert prov["sources"][0]["uri"] == "test://doc"
    assert prov["sources"][0]["end"] == len("Alice works at Acme.")
    assert prov["activities"][0]["kind"] == "extraction"
    assert prov["agents"][0]["id"] == "agent:test"


def test_reingest_is_idempotent(store: GraphStore) -> None:
    w = cube_write("Bob likes tea.", owner="bob", facts=[("Bob", "likes", "tea")])
    assert store.write_cubes([w]) == [w.cube.id]
    before = store.counts()
    assert store.write_cubes([w]) == []
    assert store.counts() == before


def test_no_read_without_grant(store: GraphStore) -> None:
    secret = store.create_cube("alice", cube_write("Alice's secret plan.", facts=[("Alice", "has", "plan")]))
    with pytest.raises(NotFound):
        store.get_cube("mallory", secret.id)
    assert store.list_cubes("mallory") == []
    assert store.facts_of("mallory", secret.id) == []
    assert store.visible_entities("mallory") == []
    with pytest.raises(NotFound):
        store.provenance("mallory", secret.id)
    with pytest.raises(NotFound):
        store.update_cube("mallory", secret.id, text="hacked")
    assert store.get_cube("alice", secret.id).text == "Alice's secret plan."


def test_read_through_nested_group_and_revoke(store: GraphStore) -> None:
    cube = store.create_cube("alice", cube_write("Team notes."))
    store.permissions.add_member("carol", "team")
    store.permissions.add_member("team", "org")
    store.permissions.grant("alice", cube.id, "org", Right.CAN_READ)
    assert store.get_cube("carol", cube.id).id == cube.id
    assert [c.id for c in store.list_cubes("carol")] == [cube.id]
    with pytest.raises(PermissionDenied):
        store.update_cube("carol", cube.id, text="edited by a reader")
    with pytest.raises(PermissionDenied):
        store.permissions.grant("carol", cube.id, "carol", Right.OWNS)
    store.permissions.revoke("alice", cube.id, "org", Right.CAN_READ)
    with pytest.raises(NotFound):
        store.get_cube("carol", cube.id)


def test_update_keeps_old_version(store: GraphStore) -> None:
    v1 = store.create_cube("alice", cube_write("Alice lives in Paris."))
    store.permissions.grant("alice", v1.id, "bob", Right.CAN_WRITE)
    v2 = store.update_cube("bob", v1.id, text="Alice lives in Lyon.")
    assert v2.governance.version == 2
    assert v2.behaviour.lineage == [v1.id]
    assert store.get_cube("alice", v1.id).text == "Alice lives in Paris."
    rows = store.read(
        "MATCH (n:MemCube {id: $new})-[:SUPERSEDES]->(o:MemCube) RETURN o.id AS old", new=v2.id
    )
    assert rows == [{"old": v1.id}]
    assert [c.id for c in store.list_cubes("alice")] == [v2.id]
    assert {c.id for c in store.list_cubes("alice", latest_only=False)} == {v1.id, v2.id}
    assert store.get_cube("bob", v2.id).governance.writers == ["bob"]
    with pytest.raises(PermissionDenied):
        store.update_cube("alice", v1.id, text="a second successor")


def test_delete_then_purge(store: GraphStore) -> None:
    cube = store.create_cube("alice", cube_write("Old memo.", facts=[("Memo", "mentions", "Budget")]))
    store.delete_cube("alice", cube.id)
    assert store.get_cube("alice", cube.id).governance.state is LifecycleState.DELETED
    assert store.list_cubes("alice") == []
    store.purge_cube("alice", cube.id)
    with pytest.raises(NotFound):
        store.get_cube("alice", cube.id)
    assert store.counts()["facts"] == 0


def test_failed_batch_writes_nothing(store: GraphStore) -> None:
    good = [cube_write(f"Note {i}.", facts=[(f"P{i}", "knows", f"Q{i}")]) for i in range(3)]
    bad = cube_write("Broken note.")
    bad.facts.append(FactRecord(id="dangling", subject_id="nope", predicate="x", object_id="nope2"))
    before = store.counts()
    with pytest.raises(WriteRejected):
        store.write_cubes([*good, bad])
    assert store.counts() == before


def test_list_pagination(store: GraphStore) -> None:
    store.write_cubes([cube_write(f"Memo number {i}.") for i in range(7)])
    page1 = store.list_cubes("alice", limit=4)
    page2 = store.list_cubes("alice", limit=4, after=page1[-1])
    assert len(page1) == 4 and len(page2) == 3
    assert not {c.id for c in page1} & {c.id for c in page2}


def test_same_cube_twice_in_one_batch_written_once(store: GraphStore) -> None:
    w = cube_write("Repeated memo.", facts=[("Memo", "repeats", "Twice")])
    assert store.write_cubes([w, w]) == [w.cube.id]
    assert store.counts()["cubes"] == 1
