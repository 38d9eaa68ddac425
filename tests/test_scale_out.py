"""Scale-out: 2 API processes and 2 scheduler workers on one Neo4j (``neo4j://`` scheme).

500 mixed requests (adds, searches, reads of one's own earlier writes through the other API)
from 16 concurrent clients spread over both APIs, and 20 scheduler runs requested through both.
Then: every acknowledged write is readable through the other API; every job ran exactly once
(one claim, succeeded, runs of one principal never overlapping); the graph holds exactly what
the jobs committed (one template per promotion job, disjoint encodings); the vault holds exactly
what the graph uses.
"""

from __future__ import annotations

import itertools
import random
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from memcubedb.graph.apikeys import ApiKeys
from memcubedb.graph.mapping import native
from memcubedb.graph.permissions import Role
from memcubedb.graph.store import GraphStore
from memcubedb.scheduler.jobs import Job, JobLedger
from memcubedb.scheduler.vault import MemVault
from memcubedb.settings import Settings
from tests.support.cluster import cluster, save_tiny_lm

PRINCIPALS = ["ana", "bruno", "chen", "dara"]
REQUESTS = 500
RUNS = 20
CLIENTS = 16
NAMES = ["Mira", "Tomas", "Eoin", "Aoife", "Ciaran", "Nuala", "Padraig", "Siobhan"]
PLACES = ["Tullow", "Carlow", "Bagenalstown", "Leighlin", "Borris"]
CROPS = ["apples", "pears", "plums", "damsons", "quinces"]
#: Promote and encode readily, so that the runs do model work on the workers.
RUN_POLICY = {
    "MEMCUBEDB_SCHEDULER__PROMOTION__TOP_K": "2",
    "MEMCUBEDB_SCHEDULER__PROMOTION__MIN_SCORE": "0.0",
    "MEMCUBEDB_SCHEDULER__PROMOTION__LORA_MIN_FACTS": "3",
    "MEMCUBEDB_SCHEDULER__PROMOTION__LORA_MIN_PLAUSIBILITY": "0.0",
    # adapters stay (no demotion by score or contradiction): each run encodes only facts not yet encoded
    "MEMCUBEDB_SCHEDULER__DEMOTION__MAX_SCORE": "0.0",
    "MEMCUBEDB_SCHEDULER__DEMOTION__MAX_CONTRADICTED_FRACTION": "1.0",
    # no takeover is expected here: a lease long enough that a loaded machine's late heartbeat never loses it
    "MEMCUBEDB_SCHEDULER__JOBS__LEASE_S": "30",
    "MEMCUBEDB_SCHEDULER__JOBS__HEARTBEAT_S": "1",
}
JOBS = "MATCH (j:Job) RETURN j {.*} AS job"
TEMPLATES = """
MATCH (src:MemCube)-[:PROMOTED_TO]->(t:MemCube {memory_type: 'activation'})
RETURN t.id AS id, src.id AS source_id, t.state AS state
"""
ADAPTERS = "MATCH (a:MemCube {memory_type: 'parametric'}) RETURN a.id AS id"
#: Per owner, how many live adapters encode each fact (a fact two principals assert is theirs twice).
LIVE_ENCODED = """
MATCH (a:MemCube {memory_type: 'parametric'})-[:ENCODES]->(f:Fact)
WHERE NOT a.state IN ['archived', 'expired', 'deleted']
RETURN a.owner AS owner, f.id AS fact_id, count(a) AS adapters
"""


@dataclass
class Op:
    """One request of the mix: ``kind`` add | search | read | run, sent to API ``api`` (0 or 1)."""

    kind: str
    principal: str
    api: int


def _mix(rng: random.Random) -> list[Op]:
    kinds = rng.choices(["add", "search", "read"], weights=[3, 3, 4], k=REQUESTS)
    ops = [Op(kind, PRINCIPALS[i % len(PRINCIPALS)], rng.randrange(2)) for i, kind in enumerate(kinds)]
    for n in range(RUNS):  # spread over the stream, alternating APIs, every principal in turn
        ops.insert(n * (len(ops) // RUNS) + n, Op("run", PRINCIPALS[n % len(PRINCIPALS)], n % 2))
    return ops


class Clients:
    """Sends the mix; records what was acknowledged."""

    def __init__(self, urls: list[str], keys: dict[str, str]) -> None:
        self.urls, self.keys = urls, keys
        # a connection per request: no race between reusing a kept-alive connection and the server closing it
        self.http = httpx.Client(timeout=120.0, limits=httpx.Limits(max_keepalive_connections=0))
        self.sent = 0
        self.acked: list[tuple[int, str, str, str]] = []  # (api, principal, cube id, canary)
        self.runs: list[tuple[int, str, str]] = []  # (api, principal, job id)
        self.statuses: dict[str, list[int]] = {}

    def send(self, op: Op, rng: random.Random) -> None:
        base, headers = self.urls[op.api], {"X-API-Key": self.keys[op.principal]}
        if op.kind == "add":
            canary = f"canary-{uuid.uuid4().hex[:12]}"
            text = f"{rng.choice(NAMES)} grows {rng.choice(CROPS)} in {rng.choice(PLACES)}. Note {canary}."
            r = self.http.post(f"{base}/v1/cubes", json={"text": text}, headers=headers)
            if r.status_code in (200, 201):
                self.acked.append((op.api, op.principal, r.json()["cubes"][0]["id"], canary))
        elif op.kind == "search":
            r = self.http.post(f"{base}/v1/search", json={"query": f"who grows {rng.choice(CROPS)}?", "k": 5},
                               headers=headers)  # fmt: skip
        elif op.kind == "read":
            mine = [a for a in self.acked if a[1] == op.principal]
            if not mine:
                r = self.http.get(f"{base}/v1/cubes", headers=headers)
            else:
                api, _, cube_id, canary = rng.choice(mine)
                r = self.http.get(f"{self.urls[1 - api]}/v1/cubes/{cube_id}", headers=headers)
                assert r.status_code == 200 and canary in r.text, r.text[:500]
        else:
            r = self.http.post(f"{base}/v1/scheduler/run", headers=headers)
            assert r.status_code == 202, r.text
            self.runs.append((op.api, op.principal, r.json()["id"]))
        self.sent += 1
        self.statuses.setdefault(op.kind, []).append(r.status_code)

    def job(self, api: int, principal: str, job_id: str) -> dict[str, Any]:
        r = self.http.get(f"{self.urls[api]}/v1/scheduler/jobs/{job_id}", headers={"X-API-Key": self.keys[principal]})
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body


def test_two_apis_two_workers_every_job_once_every_write_readable(
    store: GraphStore, settings: Settings, tmp_path: Path
) -> None:
    keys = {p: ApiKeys(store).create(p, Role.WRITER, name="scale-out")[0] for p in PRINCIPALS}
    data_dir = tmp_path / "data"
    began = time.monotonic()
    with cluster(settings, data_dir, save_tiny_lm(tmp_path / "tiny-llama"), apis=2, workers=2,
                 extra_env=RUN_POLICY) as running:  # fmt: skip
        startup_s = time.monotonic() - began
        clients = Clients(running.api_urls, keys)
        ops = _mix(random.Random(16))
        started = time.monotonic()
        with ThreadPoolExecutor(CLIENTS) as pool:
            list(pool.map(lambda i: clients.send(ops[i], random.Random(i)), range(len(ops))))

        assert clients.sent == REQUESTS + RUNS
        assert all(s in (200, 201) for s in clients.statuses["add"]), clients.statuses["add"]
        assert all(s == 200 for s in clients.statuses["search"] + clients.statuses["read"])
        # every acknowledged write, read back through the other API
        def read_back(acked: tuple[int, str, str, str]) -> None:
            api, principal, cube_id, canary = acked
            r = clients.http.get(f"{running.api_urls[1 - api]}/v1/cubes/{cube_id}",
                                 headers={"X-API-Key": keys[principal]})  # fmt: skip
            assert r.status_code == 200 and canary in r.text, (cube_id, r.text[:300])

        with ThreadPoolExecutor(CLIENTS) as pool:
            list(pool.map(read_back, clients.acked))
        assert len(clients.acked) == len(clients.statuses["add"])

        requests_s = time.monotonic() - started
        deadline = time.monotonic() + 300
        while any(clients.job(*run)["state"] in ("queued", "running") for run in clients.runs):
            assert time.monotonic() < deadline, [w.tail() for w in running.workers]
            time.sleep(1.0)

        runs_s = time.monotonic() - started
        print(f"\ncluster up in {startup_s:.0f} s; requests done in {requests_s:.0f} s, runs in {runs_s:.0f} s")
        rows = [r["job"] for r in store.read(JOBS)]
        jobs = [Job.from_row(r) for r in rows]
        times = {r["id"]: (native(r["started_at"]), native(r["ended_at"])) for r in rows}
        by_kind: dict[str, list[Job]] = {}
        for job in jobs:
            by_kind.setdefault(job.kind, []).append(job)
        # every job ran exactly once: one claim, by one of the two workers, to success
        failed = [j for j in jobs if j.state != "succeeded" or j.attempts != 1]
        assert failed == [], [w.tail() for w in running.workers]
        workers = {j.worker for j in jobs}
        assert len(workers) == 2 and all(w is not None and w.startswith("worker@") for w in workers)
        assert sorted(j.id for j in by_kind["run"]) == sorted(job_id for _, _, job_id in clients.runs)
        for principal in PRINCIPALS:  # one principal's runs never overlap
            runs = sorted(times[j.id] for j in by_kind["run"] if j.principal == principal)
            assert all(a[1] <= b[0] for a, b in itertools.pairwise(runs)), runs
        # the graph holds exactly what the jobs committed
        templates = [j.result["template_id"] for j in by_kind.get("promotion", []) if j.result]
        assert templates and len(set(templates)) == len(templates)
        assert set(templates) == {t["id"] for t in store.read(TEMPLATES)}
        assert all(r["adapters"] == 1 for r in store.read(LIVE_ENCODED))
        for principal in PRINCIPALS:  # a principal's encodings are disjoint: no run re-encodes a fact
            encoded = [set(j.params["fact_ids"]) for j in by_kind.get("encoding", []) if j.principal == principal]
            assert sum(len(e) for e in encoded) == len(set().union(*encoded))
        adapters = [j.result["adapter_id"] for j in by_kind["encoding"] if j.result]
        assert len(set(adapters)) == len(adapters) == len(store.read(ADAPTERS))
        # the vault holds exactly what the graph uses, every entry intact, nothing half-written
        vault = MemVault(data_dir / "vault")
        digests = set(vault.digests())
        unused = {d: vault.info(d).kind for d in digests - JobLedger(store).referenced_digests()}
        assert unused == {} and digests == JobLedger(store).referenced_digests()
        assert all(vault.verify(d) for d in digests)
        assert list((data_dir / "vault").rglob(".tmp-*")) == []
        print(f"\nscale-out: {clients.sent} requests sent ({REQUESTS} mixed + {RUNS} runs), "
              f"{len(clients.acked)} writes acknowledged and read back through the other API; jobs: "
              + ", ".join(f"{k} {len(v)}" for k, v in sorted(by_kind.items()))
              + f"; by worker: {sorted(sum(j.worker == w for j in jobs) for w in workers)}; "
              f"vault entries {len(digests)}")  # fmt: skip
