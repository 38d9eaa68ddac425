"""Search returns each memory once: a cube and its KV template (and an adapter encoding its facts)
collapse to one hit that names the forms the memory has."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from memcubedb.config.scheduler import LoRAConfig, SchedulerConfig
from memcubedb.graph.store import GraphStore
from memcubedb.scheduler.lm import LoadedLM, offline_tokenizer, tiny_random_llama
from memcubedb.scheduler.memscheduler import MemScheduler
from memcubedb.scheduler.vault import MemVault
from tests.api_helpers import Keys

pytest_plugins = ["tests.api_fixtures"]

TEXT = "Tomas Reyes is the head grower and teaches the grafting class."


@pytest.fixture(scope="module")
def lm() -> LoadedLM:
    return tiny_random_llama(offline_tokenizer(), hidden_size=32, num_layers=1)


def _write(client: TestClient, keys: Keys, text: str) -> str:
    r = client.post("/v1/cubes", json={"text": text}, headers=keys["alice"])
    assert r.status_code == 201, r.text
    return r.json()["cubes"][0]["id"]


def _promote(store: GraphStore, tmp_path: Path, lm: LoadedLM, cube_id: str) -> str:
    """Promote alice's cube to a KV template with the tiny model; return the activation cube id."""
    return MemScheduler(store, MemVault(tmp_path / "vault"), SchedulerConfig(), lambda: lm).promote("alice", cube_id)


def _search(client: TestClient, keys: Keys, query: str, recipe: str) -> list[dict]:
    r = client.post("/v1/search", json={"query": query, "k": 10, "recipe": recipe}, headers=keys["alice"])
    assert r.status_code == 200, r.text
    return r.json()["results"]


@pytest.mark.parametrize("recipe", ["hybrid", "conversation", "fulltext"])
def test_promoted_memory_is_one_hit_with_its_forms(
    client: TestClient, keys: Keys, store: GraphStore, tmp_path: Path, lm: LoadedLM, recipe: str
) -> None:
    cube_id = _write(client, keys, TEXT)
    _write(client, keys, "Tomas planted a row of pear trees near the cider press.")
    scheduler = MemScheduler(
        store, MemVault(tmp_path / "vault"), SchedulerConfig(lora=LoRAConfig(epochs=2, rank=2, alpha=4)), lambda: lm
    )
    template_id = scheduler.promote("alice", cube_id)
    assert store.read("MATCH (c:MemCube {id: $id}) RETURN c.text AS t", id=template_id) == [{"t": TEXT}]

    hits = _search(client, keys, "who teaches the grafting class", recipe)
    ids = [h["cube_id"] for h in hits]
    assert len(ids) == len(set(ids)), ids
    assert template_id not in ids
    (hit,) = [h for h in hits if h["text"] == TEXT]
    assert hit["cube_id"] == cube_id and hit["memory_type"] == "plaintext"
    assert hit["forms"] == ["plaintext", "activation"]

    facts = [f.id for f in store.facts_of("alice", cube_id)]
    assert facts
    scheduler.encode("alice", facts)
    (hit,) = [h for h in _search(client, keys, "who teaches the grafting class", recipe) if h["text"] == TEXT]
    assert hit["forms"] == ["plaintext", "activation", "parametric"]


def test_natural_search_returns_each_memory_once(
    client: TestClient, keys: Keys, store: GraphStore, tmp_path: Path, lm: LoadedLM
) -> None:
    cube_id = _write(client, keys, TEXT)
    template_id = _promote(store, tmp_path, lm, cube_id)
    body = {"text": "What do you know about the grafting class?", "execute": True}
    r = client.post("/v1/natural", json=body, headers=keys["alice"])
    found = r.json()["operations"][0]["cube_ids"]
    assert found == [cube_id] and template_id not in found


def test_deleting_a_memory_deletes_its_kv_template_copies(
    client: TestClient, keys: Keys, store: GraphStore, tmp_path: Path, lm: LoadedLM
) -> None:
    cube_id = _write(client, keys, TEXT)
    template_id = _promote(store, tmp_path, lm, cube_id)
    assert client.delete(f"/v1/cubes/{cube_id}", headers=keys["alice"]).status_code == 204
    assert store.get_cube("alice", template_id).governance.state.value == "deleted"
    for recipe in ("hybrid", "fulltext", "conversation"):
        assert _search(client, keys, "who teaches the grafting class", recipe) == []
