"""Search, export/import, graph views, natural-language requests, health and the scheduler through
real HTTP, on the real Neo4j (and, for promotion, a real randomly initialised Llama saved to disk)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from memcubedb.api.app import create_app
from memcubedb.graph.store import GraphStore
from memcubedb.settings import Settings
from tests.api_helpers import Keys, assert_problem
from tests.factories import cube_write, entity

pytest_plugins = ["tests.api_fixtures"]

SET_SCORE = "MATCH (c:MemCube {id: $id}) SET c.score = $score, c.scored_at = datetime()"


def test_health_needs_no_key(client: TestClient) -> None:
    body = client.get("/v1/health").json()
    assert body["status"] == "ok" and body["neo4j"].startswith("5.")


def test_search_finds_only_readable_memories(client: TestClient, keys: Keys, store: GraphStore) -> None:
    store.write_cubes([
        cube_write("Alice works at Acme as an engineer.", facts=[("Alice", "works_at", "Acme")], uri="t://a"),
        cube_write("Bob works at Acme in sales.", owner="bob", uri="t://b"),
    ])
    found = client.post("/v1/search", json={"query": "who works at Acme", "k": 5, "recipe": "fulltext"},
                        headers=keys["alice"])
    assert found.status_code == 200, found.text
    results = found.json()["results"]
    assert [r["text"] for r in results] == ["Alice works at Acme as an engineer."]
    assert results[0]["channels"] == ["fulltext"] and results[0]["uris"] == ["t://a"]
    assert client.post("/v1/search", json={"query": "Bob sales"}, headers=keys["carol"]).json()["results"] == []
    assert_problem(client.post("/v1/search", json={"query": "x", "recipe": "magic"}, headers=keys["alice"]), 422)
    assert_problem(client.post("/v1/search", json={"query": "x", "k": 0}, headers=keys["alice"]), 422, field="body.k")
    bad_range = {"query": "x",
                 "filters": {"occurred_from": "2024-02-01T00:00:00Z", "occurred_to": "2024-01-01T00:00:00Z"}}
    assert_problem(client.post("/v1/search", json=bad_range, headers=keys["alice"]), 422)


def test_export_then_import_round_trip(client: TestClient, keys: Keys, store: GraphStore) -> None:
    v1 = store.create_cube("alice", cube_write("Alice lives in Paris.", facts=[("Alice", "lives_in", "Paris")]))
    v2 = store.update_cube("alice", v1.id, text="Alice lives in Lyon.")
    other = store.create_cube("alice", cube_write("Acme hired Bob.", facts=[("Acme", "hired", "Bob")], uri="t://2"))
    doc = client.post("/v1/export", json={}, headers=keys["alice"]).json()
    assert doc["format"] == "memcubedb/interchange" and doc["exported_by"] == "alice"
    by_id = {c["cube"]["descriptive"]["id"]: c for c in doc["cubes"]}
    assert set(by_id) == {v1.id, v2.id, other.id}
    assert by_id[v2.id]["supersedes"] == [v1.id] and by_id[v2.id]["derived_from"] == [v1.id]
    assert by_id[v1.id]["source"]["uri"] == "test://doc" and by_id[v1.id]["activity"]["kind"] == "extraction"
    assert [f["predicate"] for f in by_id[v1.id]["facts"]] == ["lives_in"]
    assert {e["name"] for e in by_id[v1.id]["entities"]} == {"Alice", "Paris"}
    latest = client.post("/v1/export", json={"include_versions": False}, headers=keys["alice"]).json()
    assert {c["cube"]["descriptive"]["id"] for c in latest["cubes"]} == {v2.id, other.id}
    assert client.post("/v1/export", json={"cube_ids": [v1.id]}, headers=keys["bob"]).json()["cubes"] == []

    for cube_id in (v2.id, v1.id, other.id):
        assert client.delete(f"/v1/cubes/{cube_id}", params={"purge": True}, headers=keys["alice"]).status_code == 204
    assert store.counts()["cubes"] == 0 and store.counts()["facts"] == 0
    assert_problem(client.post("/v1/import", json=doc, headers=keys["bob"]), 403)
    assert_problem(client.post("/v1/import", params={"keep_owners": True}, json=doc, headers=keys["bob"]), 403)
    assert store.counts()["cubes"] == 0

    loaded = client.post("/v1/import", json=doc, headers=keys["alice"])
    assert loaded.status_code == 201, loaded.text
    assert sorted(loaded.json()["written"]) == sorted(by_id) and loaded.json()["skipped"] == []
    assert store.counts()["facts"] == 2
    assert store.get_cube("alice", v2.id).text == "Alice lives in Lyon."
    assert [c.id for c in store.list_cubes("alice")] == [v2.id, other.id]
    prov = client.get(f"/v1/cubes/{v1.id}/provenance", headers=keys["alice"]).json()
    assert prov["sources"][0]["uri"] == "test://doc"
    again = client.post("/v1/import", json=doc, headers=keys["alice"])
    assert again.status_code == 200 and again.json()["written"] == []


def test_import_is_all_or_nothing(client: TestClient, keys: Keys, store: GraphStore) -> None:
    good = cube_write("Fine memo.", owner="bob", facts=[("A", "knows", "B")], uri="t://good")
    bad = cube_write("Broken memo.", owner="bob", uri="t://bad")
    bad_json = bad.model_dump(mode="json")
    bad_json["facts"] = [{"id": "dangling", "subject_id": "nope", "predicate": "x", "object_id": "nope2"}]
    doc = {"cubes": [good.model_dump(mode="json"), bad_json]}
    before = store.counts()
    assert_problem(client.post("/v1/import", json=doc, headers=keys["bob"]), 422)
    assert store.counts() == before
    assert_problem(client.post("/v1/import", json={"cubes": [good.model_dump(mode="json")] * 2},
                               headers=keys["bob"]), 422)
    assert_problem(client.post("/v1/import", json={"cubes": [{"cube": {}}]}, headers=keys["bob"]), 422,
                   field="body.cubes.0.cube.governance")
    assert_problem(client.post("/v1/import", json={"cubes": []}, headers=keys["carol"]), 403)
    taken = client.post("/v1/import", params={"take_ownership": True}, json={"cubes": [good.model_dump(mode="json")]},
                        headers=keys["alice"])
    assert taken.status_code == 201 and store.get_cube("alice", good.cube.id).governance.owner == "alice"


def test_graph_views_are_bounded_and_filtered(client: TestClient, keys: Keys, store: GraphStore) -> None:
    mine = store.create_cube("alice", cube_write("Alice works at Acme.", facts=[("Alice", "works_at", "Acme")]))
    store.create_cube("bob", cube_write("Bob's secret.", owner="bob", facts=[("Bob", "owns", "Zeta")], uri="t://b"))
    overview = client.get("/v1/graph/overview", headers=keys["alice"]).json()
    ids = {n["id"] for n in overview["nodes"]}
    assert mine.id in ids and entity("Alice").id in ids and entity("Zeta").id not in ids
    assert any(e["type"] == "RELATES" and e["predicate"] == "works_at" for e in overview["edges"])
    assert set(overview["omitted"]) == {"cubes", "entities", "facts", "edges"}
    small = client.post("/v1/graph/neighbourhood", json={"seeds": [mine.id], "limit": 1}, headers=keys["alice"]).json()
    assert len(small["nodes"]) == 2 and small["omitted"]["entities"] == 1 and small["seeds"] == [mine.id]
    hits = client.get("/v1/graph/find", params={"q": "Acme"}, headers=keys["alice"]).json()
    assert mine.id in {h["id"] for h in hits}
    assert client.get("/v1/graph/find", params={"q": "Zeta"}, headers=keys["alice"]).json() == []
    detail = client.get(f"/v1/graph/cubes/{mine.id}", headers=keys["alice"]).json()
    assert detail["cube"]["descriptive"]["id"] == mine.id
    assert_problem(client.get(f"/v1/graph/cubes/{mine.id}", headers=keys["bob"]), 404)
    assert client.get("/v1/graph/timeline", headers=keys["alice"]).json()["events"] == []
    assert [s["uri"] for s in client.get("/v1/graph/sources", headers=keys["alice"]).json()] == ["test://doc"]
    assert_problem(client.get("/v1/graph/overview", params={"memory_type": "liquid"}, headers=keys["alice"]), 422,
                   field="query.memory_type.0")


def test_natural_language_requests(client: TestClient, keys: Keys, store: GraphStore) -> None:
    parsed = client.post("/v1/natural", json={"text": "Remember that Alice moved to Lyon."}, headers=keys["alice"])
    assert parsed.status_code == 200, parsed.text
    assert [o["operation"] for o in parsed.json()["operations"]] == [{"op": "add", "text": "Alice moved to Lyon"}]
    assert parsed.json()["operations"][0]["executed"] is False and store.counts()["cubes"] == 0

    added = client.post("/v1/natural", json={"text": "Remember that Alice moved to Lyon.", "execute": True},
                        headers=keys["alice"]).json()["operations"][0]
    assert added["executed"] and len(added["cube_ids"]) == 1
    cube_id = added["cube_ids"][0]
    assert client.get(f"/v1/cubes/{cube_id}", headers=keys["alice"]).json()["payload"]["text"] == "Alice moved to Lyon"

    fixed = client.post("/v1/natural", json={"text": "Actually it's Paris, not Lyon.", "execute": True},
                        headers=keys["alice"]).json()["operations"][0]
    assert fixed["operation"] == {"op": "update", "text": "Paris", "replaces": "Lyon"} and fixed["executed"]
    new_id = fixed["cube_ids"][0]
    assert client.get(f"/v1/cubes/{new_id}", headers=keys["alice"]).json()["payload"]["text"] == "Alice moved to Paris"

    found = client.post("/v1/natural", json={"text": "What do you know about Alice?", "execute": True},
                        headers=keys["bob"]).json()["operations"][0]
    assert found["operation"] == {"op": "search", "query": "Alice"} and found["cube_ids"] == []
    assert_problem(client.post("/v1/natural", json={"text": "Forget what I said about Paris.", "execute": True},
                               headers=keys["carol"]), 403)
    gone = client.post("/v1/natural", json={"text": "Forget what I said about Paris.", "execute": True},
                       headers=keys["alice"]).json()["operations"][0]
    assert gone["cube_ids"] == [new_id]
    assert client.get(f"/v1/cubes/{new_id}", headers=keys["alice"]).json()["governance"]["state"] == "deleted"
    assert client.post("/v1/natural", json={"text": "Nice weather today."}, headers=keys["carol"]).json()[
        "operations"] == []
    assert_problem(client.post("/v1/natural", json={"text": ""}, headers=keys["alice"]), 422, field="body.text")
    assert_problem(client.post("/v1/natural", json={"text": "hi"}), 401)


def test_scheduler_routes_without_the_lm(client: TestClient, keys: Keys, store: GraphStore) -> None:
    cube = store.create_cube("alice", cube_write("Alice likes tea.", readers=["bob"]))
    store.driver.execute_query(SET_SCORE, id=cube.id, score=0.7, database_=store.db)
    scores = client.get("/v1/scheduler/scores", headers=keys["alice"]).json()
    assert [(s["cube_id"], s["score"]) for s in scores] == [(cube.id, 0.7)]
    assert client.get("/v1/scheduler/scores", headers=keys["carol"]).json() == []
    assert client.get("/v1/scheduler/jobs", headers=keys["alice"]).json() == []
    assert_problem(client.post("/v1/scheduler/promote", json={"cube_id": "nope"}, headers=keys["alice"]), 404)
    assert_problem(client.post("/v1/scheduler/promote", json={"cube_id": cube.id}, headers=keys["bob"]), 403)
    assert_problem(client.post("/v1/scheduler/promote", json={"cube_id": cube.id}, headers=keys["carol"]), 403)
    assert_problem(client.post("/v1/scheduler/demote", json={"cube_id": cube.id}, headers=keys["alice"]), 409)
    assert_problem(client.post("/v1/scheduler/encode", json={"fact_ids": ["nope"]}, headers=keys["alice"]), 422)
    assert_problem(client.post("/v1/scheduler/encode", json={"fact_ids": []}, headers=keys["alice"]), 422,
                   field="body.fact_ids")
    assert_problem(client.get("/v1/scheduler/jobs/nope", headers=keys["alice"]), 404)


@pytest.fixture
def tiny_lm_dir(tmp_path: Path) -> Path:
    """A small randomly initialised Llama and its tokenizer saved as a local Hugging Face model."""
    from memcubedb.scheduler.lm import offline_tokenizer, tiny_random_llama

    lm = tiny_random_llama(offline_tokenizer(), hidden_size=64, num_layers=2)
    lm.model.save_pretrained(tmp_path / "tiny-llama")
    lm.tokenizer.save_pretrained(tmp_path / "tiny-llama")
    return tmp_path / "tiny-llama"


def test_promote_then_demote_through_jobs(
    api_settings: Settings, keys: Keys, store: GraphStore, tiny_lm_dir: Path, tmp_path: Path
) -> None:
    scheduler = api_settings.scheduler.model_copy(
        update={"lm": api_settings.scheduler.lm.model_copy(update={"name_or_path": str(tiny_lm_dir)})}
    )
    auth = api_settings.neo4j_auth or ("neo4j", "")
    # a private vault under tmp_path, on the same Neo4j (whose password lives in the test data dir)
    settings = api_settings.model_copy(update={"scheduler": scheduler, "data_dir": tmp_path / "data",
                                               "neo4j_user": auth[0], "neo4j_password": auth[1]})
    cube = store.create_cube("alice", cube_write("Alice likes green tea with honey."))
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        r = client.post("/v1/scheduler/promote", json={"cube_id": cube.id, "score": 0.9}, headers=keys["alice"])
        assert r.status_code == 202, r.text
        assert r.headers["location"] == f"/v1/scheduler/jobs/{r.json()['id']}"
        job = _wait(client, r.json()["id"], keys["alice"])
        assert job["state"] == "succeeded", job
        template_id = job["result"]["template_id"]
        template = client.get(f"/v1/cubes/{template_id}", headers=keys["alice"]).json()
        assert template["payload"]["kind"] == "activation" and template["payload"]["token_count"] > 0
        assert client.get(f"/v1/cubes/{cube.id}", headers=keys["alice"]).json()["governance"]["state"] == "activated"
        assert_problem(client.get(f"/v1/scheduler/jobs/{job['id']}", headers=keys["bob"]), 404)
        assert job["id"] in {j["id"] for j in client.get("/v1/scheduler/jobs", headers=keys["root"]).json()}

        r = client.post("/v1/scheduler/demote", json={"cube_id": template_id}, headers=keys["alice"])
        assert r.status_code == 202, r.text
        done = _wait(client, r.json()["id"], keys["alice"])
        assert done["state"] == "succeeded" and done["kind"] == "demotion", done
        assert client.get(f"/v1/cubes/{template_id}", headers=keys["alice"]).json()["governance"]["state"] == "archived"


def _wait(client: TestClient, job_id: str, headers: dict[str, str], timeout_s: float = 300) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job = client.get(f"/v1/scheduler/jobs/{job_id}", headers=headers).json()
        if job["state"] not in ("queued", "running"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still running after {timeout_s} s")
