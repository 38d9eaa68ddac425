"""MemLifecycle: every (state, transition) and (state, operation) pair against the one table in
:mod:`memcubedb.states`, through the store, the MemScheduler and the HTTP API."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from memcubedb.config.scheduler import SchedulerConfig
from memcubedb.cube import LifecycleState
from memcubedb.graph.store import GraphStore
from memcubedb.scheduler.lm import LoadedLM, offline_tokenizer, tiny_random_llama
from memcubedb.scheduler.memscheduler import MemScheduler
from memcubedb.scheduler.vault import MemVault
from memcubedb.states import LIVE, OPERATIONS, TRANSITIONS, Operation, TransitionError
from tests.api_helpers import Keys, assert_problem
from tests.factories import cube_write

pytest_plugins = ["tests.api_fixtures"]

STATES = list(LifecycleState)
#: Test set-up only: put a cube in a state without going through the state machine.
FORCE_STATE = "MATCH (c:MemCube {id: $id}) SET c.state = $state"
STATE_OF = "MATCH (c:MemCube {id: $id}) RETURN c.state AS state"
TRANSITIONS_OF = "MATCH (:MemCube {id: $id})-[t:TRANSITIONED]->(:Activity) RETURN t.from AS f, t.to AS t"


def _cube_in(store: GraphStore, state: LifecycleState, text: str = "Alice keeps bees on the roof.") -> str:
    write = cube_write(text, owner="alice", uri=f"test://{state.value}/{text}")
    store.write_cubes([write])
    store.driver.execute_query(FORCE_STATE, id=write.cube.id, state=state.value, database_=store.db)
    return write.cube.id


def _state(store: GraphStore, cube_id: str) -> str:
    return store.read(STATE_OF, id=cube_id)[0]["state"]


@pytest.mark.parametrize("target", STATES, ids=lambda s: s.value)
@pytest.mark.parametrize("current", STATES, ids=lambda s: s.value)
def test_every_transition_follows_the_table(store: GraphStore, current: LifecycleState, target: LifecycleState) -> None:
    cube_id = _cube_in(store, current)
    if target in TRANSITIONS[current]:
        assert store.set_state("alice", cube_id, target) is current
        assert _state(store, cube_id) == target.value
        assert store.read(TRANSITIONS_OF, id=cube_id) == [{"f": current.value, "t": target.value}]
    else:
        with pytest.raises(TransitionError, match=current.value):
            store.set_state("alice", cube_id, target)
        assert _state(store, cube_id) == current.value
        assert store.read(TRANSITIONS_OF, id=cube_id) == []


@pytest.mark.parametrize("current", STATES, ids=lambda s: s.value)
def test_edit_follows_the_table(store: GraphStore, current: LifecycleState) -> None:
    cube_id = _cube_in(store, current)
    if current in OPERATIONS[Operation.EDIT]:
        new = store.update_cube("alice", cube_id, text="Alice keeps two hives on the roof.")
        assert new.text == "Alice keeps two hives on the roof."
    else:
        with pytest.raises(TransitionError, match=current.value):
            store.update_cube("alice", cube_id, text="revived?")
        assert store.read("MATCH (n:MemCube)-[:SUPERSEDES]->(:MemCube {id: $id}) RETURN n", id=cube_id) == []


@pytest.fixture(scope="module")
def lm() -> LoadedLM:
    return tiny_random_llama(offline_tokenizer(), hidden_size=32, num_layers=1)


@pytest.mark.parametrize("current", STATES, ids=lambda s: s.value)
def test_promotion_follows_the_table(store: GraphStore, tmp_path: Path, lm: LoadedLM, current: LifecycleState) -> None:
    cube_id = _cube_in(store, current)
    scheduler = MemScheduler(store, MemVault(tmp_path / "vault"), SchedulerConfig(), lambda: lm)
    if current in OPERATIONS[Operation.PROMOTE]:
        scheduler.promote("alice", cube_id)
        expected = LifecycleState.ACTIVATED if current is LifecycleState.GENERATED else current
        assert _state(store, cube_id) == expected.value
    else:
        with pytest.raises(TransitionError, match=current.value):
            scheduler.promote("alice", cube_id)
        assert _state(store, cube_id) == current.value
        assert store.read("MATCH (:MemCube {id: $id})-[:PROMOTED_TO]->(t) RETURN t", id=cube_id) == []


def test_promotion_checks_the_state_inside_its_transaction(store: GraphStore, tmp_path: Path, lm: LoadedLM) -> None:
    """A cube deleted while its KV template is being built stays deleted; the job fails."""
    cube_id = _cube_in(store, LifecycleState.GENERATED)
    scheduler = MemScheduler(store, MemVault(tmp_path / "vault"), SchedulerConfig(), lambda: lm)
    real_lm = scheduler.lm

    def delete_then_build() -> LoadedLM:
        store.delete_cube("alice", cube_id)
        return real_lm

    scheduler._lm, scheduler._lm_loader = None, delete_then_build
    with pytest.raises(TransitionError, match="deleted"):
        scheduler.promote("alice", cube_id)
    assert _state(store, cube_id) == "deleted"
    assert store.read("MATCH (:MemCube {id: $id})-[:PROMOTED_TO]->(t) RETURN t", id=cube_id) == []
    assert [j.state for j in scheduler.jobs.recent("alice")] == ["failed"]


def test_deleted_memory_cannot_be_promoted_or_edited_over_http(client: TestClient, keys: Keys) -> None:
    """The day-one case: write, delete, promote → 409 naming the state; search stays empty."""
    r = client.post("/v1/cubes", json={"text": "A throwaway note about gravel."}, headers=keys["alice"])
    cube_id = r.json()["cubes"][0]["id"]
    assert client.delete(f"/v1/cubes/{cube_id}", headers=keys["alice"]).status_code == 204
    body = assert_problem(client.post("/v1/scheduler/promote", json={"cube_id": cube_id}, headers=keys["alice"]), 409)
    assert "deleted" in body["detail"] and body["type"].endswith("lifecycle-state")
    body = assert_problem(client.patch(f"/v1/cubes/{cube_id}", json={"text": "gravel, again"},
                                       headers=keys["alice"]), 409)
    assert "deleted" in body["detail"]
    hits = client.post("/v1/search", json={"query": "gravel"}, headers=keys["alice"]).json()["results"]
    assert hits == []


def test_facts_of_deleted_memories_cannot_be_encoded(client: TestClient, keys: Keys, store: GraphStore) -> None:
    r = client.post("/v1/cubes", json={"text": "Marta founded Larkspur Cider."}, headers=keys["alice"])
    cube_id = r.json()["cubes"][0]["id"]
    fact_ids = [f.id for f in store.facts_of("alice", cube_id)]
    assert fact_ids
    client.delete(f"/v1/cubes/{cube_id}", headers=keys["alice"])
    body = assert_problem(client.post("/v1/scheduler/encode", json={"fact_ids": fact_ids}, headers=keys["alice"]), 409)
    assert "deleted" in body["detail"]


def test_live_is_one_definition() -> None:
    assert {s.value for s in LIVE} == {"generated", "activated", "merged"}
    assert OPERATIONS[Operation.PROMOTE] == LIVE
    assert all(LifecycleState.DELETED not in allowed for allowed in OPERATIONS.values())
    assert TRANSITIONS[LifecycleState.DELETED] == frozenset()


def test_no_query_spells_out_a_set_of_lifecycle_states() -> None:
    """Queries take which states count (live, kept) as a parameter from memcubedb/states.py
    (``c.state IN $live``); a literal list of state names would be a second definition."""
    root = Path(__file__).resolve().parents[1]
    listed = re.compile(r"\[\s*'(?:" + "|".join(s.value for s in LifecycleState) + r")'")
    found = [f"{path.relative_to(root)}:{n}: {line.strip()}"
             for folder in ("api", "chat", "cypher", "extraction", "graph", "memcubedb", "scheduler", "search")
             for path in sorted((root / folder).rglob("*.py"))
             for n, line in enumerate(path.read_text().splitlines(), 1) if listed.search(line)]  # fmt: skip
    assert found == []
