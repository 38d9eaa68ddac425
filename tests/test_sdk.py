"""The Python SDK (sync and async) and the CLI against a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from memcubedb.api.cli.main import app
from memcubedb.api.client import AsyncMemCubeClient, MemCubeClient, MemCubeError
from memcubedb.api.schemas.cubes import CubeOut
from memcubedb.graph.store import GraphStore
from tests.api_helpers import Keys
from tests.factories import cube_write
from tests.support.loopback import free_port

pytest_plugins = ["tests.api_fixtures"]


def test_sync_client_mirrors_the_api(live_server: str, keys: Keys, store: GraphStore) -> None:
    with MemCubeClient(live_server, keys.keys["alice"]) as mc:
        assert mc.health()["status"] == "ok"
        assert mc.me().principal == "alice"
        added = mc.add_text("Alice works at Acme.", tags=["sdk"])
        cube = added.cubes[0]
        assert isinstance(cube, CubeOut) and cube.descriptive.tags[-1] == "sdk"
        assert mc.get_cube(cube.id).payload.text == "Alice works at Acme."  # type: ignore[union-attr]
        store.write_cubes([cube_write(f"Memo {i}.", uri=f"t://{i}") for i in range(4)])
        assert len(list(mc.iter_cubes(limit=2))) == 5
        fact = mc.add_fact(cube.id, {"name": "Alice"}, "likes", {"name": "tea"})
        edited = mc.edit_fact(cube.id, fact.id, object={"name": "coffee"})
        assert edited.object == "coffee"
        assert {f.predicate for f in mc.cube_facts(cube.id)} >= {"likes"}
        v2 = mc.update_cube(cube.id, text="Alice works at Initech.")
        assert v2.governance.version == 2
        assert mc.provenance(v2.id).ancestors
        hits = mc.search("Initech", recipe="fulltext")
        assert [h.cube_id for h in hits] == [v2.id]
        doc = mc.export(cube_ids=[v2.id])
        assert [c.cube.id for c in doc.cubes] == [v2.id]
        assert mc.import_(doc).skipped == [v2.id]
        with pytest.raises(MemCubeError) as caught:
            mc.get_cube("nope")
        assert caught.value.status == 404 and caught.value.problem.type.endswith("not-found")
        with pytest.raises(MemCubeError) as caught:
            mc.cypher("RETURN 1")
        assert caught.value.status == 403
        mc.delete_cube(v2.id)
        assert mc.get_cube(v2.id).governance.state.value == "deleted"

    with MemCubeClient(live_server, keys.keys["ana"]) as analyst:
        out = analyst.cypher("MATCH (c:MemCube) RETURN count(c) AS n")
        assert out.rows == [{"n": store.counts()["cubes"]}]
        assert "memories_by_source" in {q.name for q in analyst.saved_queries()}
        assert analyst.run_saved("memories_by_source", {"uri_prefix": "t://"}).rows[0]["cubes"] == 1


def test_async_client(live_server: str, keys: Keys) -> None:
    async def scenario() -> None:
        async with AsyncMemCubeClient(live_server, keys.keys["bob"]) as mc:
            added = await mc.add_chat("chat://async", [
                {"speaker": "Bob", "text": "I bought a red bike.", "turn_id": "1"},
                {"speaker": "Eve", "text": "Nice bike!", "turn_id": "2"},
            ])
            assert len(added.written) == 2
            cubes, tasks = [], [mc.get_cube(i) for i in added.written]
            cubes = await asyncio.gather(*tasks)
            assert [c.id for c in cubes] == added.written
            assert [c.id async for c in mc.iter_cubes(limit=1)] == added.written
            page = await mc.find_facts(limit=10)
            assert all(f.cube_ids for f in page.items)
            with pytest.raises(MemCubeError) as caught:
                await mc.create_key("x", "admin")
            assert caught.value.status == 403
        async with AsyncMemCubeClient(live_server, "mcdb_wrong_key") as anonymous:
            with pytest.raises(MemCubeError) as caught:
                await anonymous.me()
            assert caught.value.status == 401

    asyncio.run(scenario())


def test_cli_commands_against_the_server(live_server: str, keys: Keys, store: GraphStore, tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"MEMCUBEDB_API_URL": live_server, "MEMCUBEDB_API_KEY": keys.keys["alice"]}
    cube = store.create_cube("alice", cube_write("Alice plays the cello.", facts=[("Alice", "plays", "cello")]))

    found = runner.invoke(app, ["search", "cello", "--recipe", "fulltext", "--json"], env=env)
    assert found.exit_code == 0, found.output
    assert json.loads(found.output)[0]["cube_id"] == cube.id

    dump = tmp_path / "dump.json"
    exported = runner.invoke(app, ["export", "--out", str(dump)], env=env)
    assert exported.exit_code == 0, exported.output
    assert json.loads(dump.read_text())["cubes"][0]["cube"]["descriptive"]["id"] == cube.id
    imported = runner.invoke(app, ["import", str(dump)], env=env)
    assert imported.exit_code == 0 and "0 MemCubes written, 1 already present" in imported.output
    refused = runner.invoke(app, ["import", str(dump)], env=env | {"MEMCUBEDB_API_KEY": keys.keys["bob"]})
    assert refused.exit_code == 1 and "403" in refused.output

    analyst = env | {"MEMCUBEDB_API_KEY": keys.keys["ana"]}
    rows = runner.invoke(app, ["cypher", "MATCH (c:MemCube {owner: $o}) RETURN c.text AS text", "-p", "o=alice",
                               "--json"], env=analyst)
    assert rows.exit_code == 0, rows.output
    assert json.loads(rows.output)["rows"] == [{"text": "Alice plays the cello."}]
    saved = runner.invoke(app, ["cypher", "--saved", "entities_by_degree", "-p", "limit=1", "--json"], env=analyst)
    assert json.loads(saved.output)["rows"][0]["degree"] == 1
    listed = runner.invoke(app, ["cypher", "--list"], env=analyst)
    assert "contradicting_facts" in listed.output
    write = runner.invoke(app, ["cypher", "CREATE (n:Evil) RETURN n"], env=analyst)
    assert write.exit_code == 1 and "refused by Neo4j" in write.output

    scores = runner.invoke(app, ["schedule", "scores", "--json"], env=env)
    assert scores.exit_code == 0 and json.loads(scores.output) == []
    status = runner.invoke(app, ["schedule", "status", "--json"], env=env)
    assert status.exit_code == 0 and json.loads(status.output) == []
    bad = runner.invoke(app, ["schedule", "promote", "nope"], env=env)
    assert bad.exit_code == 1 and "404" in bad.output

    down = runner.invoke(app, ["search", "x"], env=env | {"MEMCUBEDB_API_URL": f"http://127.0.0.1:{free_port()}"})
    assert down.exit_code == 1 and "memcubedb serve" in down.output


def test_keys_cli_bootstraps_an_admin(store: GraphStore, live_server: str) -> None:
    runner = CliRunner()
    created = runner.invoke(app, ["keys", "create", "--principal", "boss", "--role", "admin", "--name", "ops"])
    assert created.exit_code == 0, created.output
    key = created.stdout.strip().splitlines()[-1]
    with MemCubeClient(live_server, key) as mc:
        assert mc.me().role.value == "admin"
        key_id = mc.list_keys("boss")[0].id
    listed = runner.invoke(app, ["keys", "list", "--principal", "boss"])
    assert key_id in listed.output and key not in listed.output
    assert runner.invoke(app, ["keys", "revoke", key_id]).exit_code == 0
    assert runner.invoke(app, ["keys", "revoke", "nope"]).exit_code == 1
    with MemCubeClient(live_server, key) as mc, pytest.raises(MemCubeError):
        mc.me()
    assert runner.invoke(app, ["keys", "create", "--principal", "x", "--role", "god"]).exit_code == 2


def test_serve_command_runs_uvicorn(store: GraphStore) -> None:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "memcubedb.api.cli.main", "serve", "--port", str(port)],
                            env=os.environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline, "serve did not come up"
                time.sleep(0.5)
        assert health.json()["status"] == "ok"
        spec = httpx.get(f"http://127.0.0.1:{port}/openapi.json").json()
        assert spec["info"]["title"] == "MemCubeDB"
    finally:
        proc.terminate()
        proc.wait(timeout=60)
