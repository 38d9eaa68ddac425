"""Every saved analyst query of cypher/queries runs through the API on a fixture graph and returns
the rows that graph implies. The graph is written with the store, the fact editor and the
MemScheduler's own linking queries, so the shapes are the ones the real components produce."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from memcubedb.api.app import create_app
from memcubedb.cube import KVTemplatePayload, LifecycleState, LoRAAdapterPayload, MemCube, utcnow
from memcubedb.cypher import saved_queries
from memcubedb.cypher import scheduler as g
from memcubedb.graph.apikeys import ApiKeys
from memcubedb.graph.facts import FactEditor
from memcubedb.graph.permissions import Role
from memcubedb.graph.records import ActivityRecord, AgentRecord, CubeWrite, MergeRecord
from memcubedb.graph.store import GraphStore
from memcubedb.settings import Settings
from tests.conftest import WIPE
from tests.factories import cube_write, entity

README = Path(__file__).resolve().parent.parent / "cypher" / "README.md"
SET_USE = "MATCH (c:MemCube {id: $id}) SET c.access_count = $count, c.last_access = $at"
AGENT = AgentRecord(id="agent:memscheduler", kind="software", name="MemScheduler")


def _scheduler_cube(payload: Any, owner: str, derived_from: list[str]) -> CubeWrite:
    cube = MemCube(descriptive={"memory_type": payload.kind}, governance={"owner": owner}, payload=payload)
    activity = ActivityRecord(kind="promotion" if payload.kind == "activation" else "encoding", name=payload.kind)
    return CubeWrite(cube=cube, activity=activity, agent=AGENT, derived_from=derived_from)


def build_graph(store: GraphStore) -> dict[str, str]:
    """The fixture graph; returns the ids the assertions need."""
    ids: dict[str, str] = {}
    paris = cube_write("Alice lives in Paris.", facts=[("Alice", "lives_in", "Paris")], uri="doc://handbook")
    lyon = cube_write("Alice lives in Lyon.", facts=[("Alice", "lives_in", "Lyon")], uri="doc://handbook#2")
    tea = cube_write("Bob likes tea.", facts=[("Bob", "likes", "tea"), ("Bob", "knows", "Alice")],
                     uri="chat://s1")
    tea.merges.append(MergeRecord(alias="Bobby", entity_id=entity("Bob").id, method="fuzzy", score=0.82))
    ghost = cube_write("A ghost haunts the attic.", facts=[("Ghost", "haunts", "Attic")], uri="doc://old")
    old = MemCube.plaintext("A memo that should have expired.", owner="alice",
                            created_at=utcnow() - timedelta(days=2))
    old.governance.ttl_s = 3600
    expired = CubeWrite(cube=old, activity=tea.activity, agent=tea.agent)
    store.write_cubes([paris, lyon, tea, ghost, expired])
    ids.update(paris=paris.cube.id, lyon=lyon.cube.id, tea=tea.cube.id, expired=old.id)

    editor = FactEditor(store)
    ids["not_tea"] = editor.add_fact("alice", tea.cube.id, entity("Bob").id, "likes", entity("tea").id,
                                     negated=True, confidence=0.4).id
    ids["paris_fact"] = store.facts_of("alice", paris.cube.id)[0].id
    ids["v2"] = store.update_cube("alice", lyon.cube.id, text="Alice lives in Lyon since 2020.").id

    store.delete_cube("alice", ghost.cube.id)
    store.purge_cube("alice", ghost.cube.id)

    now = utcnow()
    store.driver.execute_query(SET_USE, id=tea.cube.id, count=12, at=now, database_=store.db)
    store.driver.execute_query(SET_USE, id=paris.cube.id, count=3, at=now - timedelta(days=1), database_=store.db)
    store.driver.execute_query(g.RECORD_SCORES, rows=[{"id": tea.cube.id, "score": 0.9, "history": "[]"}],
                               now=now, database_=store.db)

    template = _scheduler_cube(KVTemplatePayload(text="Alice lives in Paris.", model_id="tiny", layers=2,
                                                 token_count=7, sha256="a" * 64), "alice", [paris.cube.id])
    adapter = _scheduler_cube(LoRAAdapterPayload(base_model="tiny", rank=4, facts_encoded=[ids["paris_fact"]],
                                                 sha256="b" * 64), "alice", [])
    store.write_cubes([template, adapter])
    store.driver.execute_query(
        g.LINK_PROMOTION, source_id=paris.cube.id, template_id=template.cube.id, score=0.77, now=now,
        database_=store.db,
    )
    store.set_state("alice", paris.cube.id, LifecycleState.ACTIVATED)
    store.driver.execute_query(g.LINK_ENCODING, adapter_id=adapter.cube.id, fact_ids=[ids["paris_fact"]],
                               database_=store.db)
    store.driver.execute_query(SET_USE, id=adapter.cube.id, count=1, at=now - timedelta(days=90), database_=store.db)
    ids.update(template=template.cube.id, adapter=adapter.cube.id)

    store.permissions.add_member("carol", "team")
    store.permissions.add_member("team", "org")
    store.permissions.grant("alice", tea.cube.id, "org", "CAN_READ")
    store.permissions.add_to_space("alice", paris.cube.id, "handbook")
    store.permissions.grant_space("handbook", "carol", "CAN_READ")
    return ids


@pytest.fixture(scope="module")
def graph(_session_store: GraphStore, settings: Settings) -> Iterator[tuple[TestClient, dict[str, str], dict]]:
    store = _session_store
    with store.driver.session(database=store.db) as s:
        s.run(WIPE).consume()
    store.migrate()
    ids = build_graph(store)
    key = ApiKeys(store).create("ana", Role.ANALYST)[0]
    with TestClient(create_app(settings)) as client:
        yield client, ids, {"Authorization": f"Bearer {key}"}


def run(graph: tuple[TestClient, dict[str, str], dict], query: str, /, **params: Any) -> list[dict[str, Any]]:
    client, _, headers = graph
    response = client.post(f"/v1/cypher/queries/{query}", json={"parameters": params}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["truncated"] is False
    return body["rows"]


def test_every_saved_query_has_a_header_and_a_test() -> None:
    queries = saved_queries()
    assert len(queries) >= 12
    source = Path(__file__).read_text()
    readme = README.read_text()
    for name, q in queries.items():
        assert re.search(r"^Purpose: \S", q.header, re.M), name
        assert re.search(r"^Parameters: \S", q.header, re.M), name
        assert re.search(r"^Columns: \S", q.header, re.M), name
        assert f'"{name}"' in source, f"no test runs {name}"
        assert f"`{name}`" in readme, f"cypher/README.md does not list {name}"


def test_memories_by_source(graph) -> None:
    rows = run(graph, "memories_by_source", uri_prefix="doc://")
    assert [(r["uri"], r["cubes"], r["facts"]) for r in rows] == [
        ("doc://handbook#2", 2, 1), ("doc://handbook", 1, 1),
    ]
    assert {r["uri"] for r in run(graph, "memories_by_source")} == {"doc://handbook", "doc://handbook#2", "chat://s1"}


def test_fact_provenance_chain(graph) -> None:
    ids = graph[1]
    rows = run(graph, "fact_provenance_chain", fact_id=ids["paris_fact"])
    assert len(rows) == 1
    row = rows[0]
    assert row["triple"] == "Alice lives_in Paris"
    assert (row["cube_id"], row["source_uri"], row["activity_kind"], row["agent"]) == (
        ids["paris"], "doc://handbook", "extraction", "tests")
    negated = run(graph, "fact_provenance_chain", fact_id=ids["not_tea"])[0]
    assert negated["triple"] == "Bob not likes tea" and negated["activity_kind"] == "edit"


def test_contradicting_facts(graph) -> None:
    rows = run(graph, "contradicting_facts")
    found = {(r["subject"], r["predicate"], frozenset((r["object_a"], r["object_b"])), r["kind"]) for r in rows}
    assert found == {
        ("Alice", "lives_in", frozenset({"Paris", "Lyon"}), "different_object"),
        ("Bob", "likes", frozenset({"tea"}), "negation"),
    }
    assert [r["predicate"] for r in run(graph, "contradicting_facts", predicates=["likes"])] == ["likes"]


def test_entities_by_degree(graph) -> None:
    rows = run(graph, "entities_by_degree", limit=3)
    assert rows[0]["name"] == "Alice" and rows[0]["degree"] == 3 and rows[0]["neighbours"] == 3
    assert {r["name"] for r in run(graph, "entities_by_degree", type="NOPE")} == set()


def test_promotion_candidates(graph) -> None:
    ids = graph[1]
    rows = run(graph, "promotion_candidates")
    assert [r["cube_id"] for r in rows] == [ids["tea"]]  # paris is promoted already, the rest unused
    assert rows[0]["score"] == 0.9 and rows[0]["access_count"] == 12 and rows[0]["facts"] == 3
    assert run(graph, "promotion_candidates", min_access=13) == []


def test_adapters_due_for_demotion(graph) -> None:
    rows = run(graph, "adapters_due_for_demotion")
    assert [(r["cube_id"], r["facts_encoded"], r["contradicted"], r["reason"]) for r in rows] == [
        (graph[1]["adapter"], 1, 1, "contradicted")]
    assert rows[0]["idle_days"] >= 89


def test_access_heatmap_by_day(graph) -> None:
    rows = run(graph, "access_heatmap_by_day")
    assert [(r["memory_type"], r["cubes"], r["accesses"]) for r in rows] == [("plaintext", 1, 3), ("plaintext", 1, 12)]
    assert rows[0]["day"] < rows[1]["day"]
    assert len(run(graph, "access_heatmap_by_day", days=365)) == 3  # the adapter's use 90 days ago


def test_orphaned_entities(graph) -> None:
    assert {r["name"] for r in run(graph, "orphaned_entities")} == {"Ghost", "Attic"}


def test_readable_by_principal(graph) -> None:
    ids = graph[1]
    rows = run(graph, "readable_by_principal", principal="carol")
    assert {(r["cube_id"], r["grant"], r["via_principal"], r["via_space"]) for r in rows} == {
        (ids["tea"], "CAN_READ", "org", None), (ids["paris"], "CAN_READ", "carol", "handbook"),
    }
    assert run(graph, "readable_by_principal", principal="nobody") == []


def test_version_history(graph) -> None:
    ids = graph[1]
    rows = run(graph, "version_history", cube_id=ids["lyon"])
    assert [(r["cube_id"], r["version"]) for r in rows] == [(ids["lyon"], 1), (ids["v2"], 2)]
    assert rows[1]["made_by_activity"] == "edit" and rows[1]["made_by"] == "alice"
    assert run(graph, "version_history", cube_id=ids["v2"]) == rows


def test_scheduler_moves(graph) -> None:
    ids = graph[1]
    rows = run(graph, "scheduler_moves")
    assert {(r["move"], r["from_id"], r["to_id"]) for r in rows} == {
        ("promotion", ids["paris"], ids["template"]), ("encoding", None, ids["adapter"]),
    }
    promotion = next(r for r in rows if r["move"] == "promotion")
    assert promotion["score"] == 0.77 and promotion["to_type"] == "activation"


def test_predicate_histogram(graph) -> None:
    rows = {r["predicate"]: r for r in run(graph, "predicate_histogram")}
    assert (rows["likes"]["facts"], rows["likes"]["negated"]) == (2, 1)
    assert rows["lives_in"]["facts"] == 2 and rows["lives_in"]["cubes"] == 2
    assert "haunts" not in rows


def test_entity_neighbourhood(graph) -> None:
    rows = run(graph, "entity_neighbourhood", name="ALICE")
    assert {(r["direction"], r["predicate"], r["other"]) for r in rows} == {
        ("out", "lives_in", "Paris"), ("out", "lives_in", "Lyon"), ("in", "knows", "Bob"),
    }


def test_group_members(graph) -> None:
    rows = run(graph, "group_members", group="org")
    assert [(r["member"], r["depth"], r["via"]) for r in rows] == [("team", 1, []), ("carol", 2, ["team"])]


def test_entity_merges(graph) -> None:
    rows = run(graph, "entity_merges", method="fuzzy")
    assert [(r["entity"], r["alias"], r["score"]) for r in rows] == [("Bob", "Bobby", 0.82)]
    assert run(graph, "entity_merges", max_score=0.5) == []


def test_expired_but_live(graph) -> None:
    rows = run(graph, "expired_but_live")
    assert [r["cube_id"] for r in rows] == [graph[1]["expired"]]
    assert rows[0]["overdue_s"] > 2 * 24 * 3600 - 3600 - 60


def test_low_confidence_facts(graph) -> None:
    rows = run(graph, "low_confidence_facts")
    assert [(r["subject"], r["predicate"], r["negated"], r["object"], r["confidence"]) for r in rows] == [
        ("Bob", "likes", True, "tea", 0.4)]
