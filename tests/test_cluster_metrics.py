"""Several processes, watched (issue 16): 2 API processes and a worker on loopback against one Neo4j
(``neo4j://``, :mod:`tests.support.cluster`); concurrent clients send mixed requests to both APIs
and request scheduler runs through both; then ``/metrics`` of every process must agree with what
was sent — per API, per route template and status; searches and their channels; cubes written;
every run on the worker (none on the APIs); an empty queue — and a write through API A is read
through API B with the SDK's bookmarks.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from memcubedb.api.client import CausalBookmarks, MemCubeClient
from memcubedb.graph.apikeys import ApiKeys
from memcubedb.graph.permissions import Role
from memcubedb.graph.store import GraphStore
from memcubedb.settings import Settings
from tests.support.cluster import cluster, save_tiny_lm

REQUESTS = 120
RUNS = 4
CHANNELS = ("vector", "fulltext", "graph")
COUNT = "memcubedb_http_request_duration_seconds_count"


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a Prometheus exposition by (name, labels)."""
    return {(s.name, frozenset(s.labels.items())): float(s.value)
            for family in text_string_to_metric_families(text) for s in family.samples}  # fmt: skip


def value(scrape: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    """Sum of the samples named ``name`` whose labels include ``labels``."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in scrape.items() if n == name and wanted <= ls)


@pytest.fixture(scope="module")
def lm_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_tiny_lm(tmp_path_factory.mktemp("tiny-lm"))


def test_metrics_of_two_apis_and_a_worker_match_what_was_sent(
    store: GraphStore, settings: Settings, lm_dir: Path, tmp_path: Path
) -> None:
    keys = {p: ApiKeys(store).create(p, Role.WRITER, name="cluster metrics")[0] for p in ("ivy", "jon")}
    rng = random.Random(16)
    with cluster(settings, tmp_path / "cluster", lm_dir, apis=2, workers=1) as running:
        apis = running.api_urls
        sent: list[Counter[tuple[str, str, str]]] = [Counter(), Counter()]
        written: list[str] = []

        def one(i: int) -> None:
            api = i % 2
            principal = ("ivy", "jon")[i % 4 // 2]
            headers = {"Authorization": f"Bearer {keys[principal]}"}
            with httpx.Client(base_url=apis[api], headers=headers, timeout=60) as http:
                kind = rng.random()
                if kind < 0.4:
                    r = http.post("/v1/cubes", json={"text": f"{principal} planted tree {i} in the orchard."})
                    route = ("POST", "/v1/cubes")
                    written.extend(r.json()["written"])
                elif kind < 0.8:
                    r = http.post("/v1/search", json={"query": f"who planted tree {i}?", "k": 5})
                    route = ("POST", "/v1/search")
                else:
                    r = http.get(f"/v1/cubes/missing-{i}")
                    route = ("GET", "/v1/cubes/{cube_id}")
                sent[api][(*route, str(r.status_code))] += 1

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(one, range(REQUESTS)))

        jobs = []
        for i in range(RUNS):
            principal = ("ivy", "jon")[i % 2]
            r = httpx.post(f"{apis[i // 2]}/v1/scheduler/run", headers={"Authorization": f"Bearer {keys[principal]}"})
            assert r.status_code == 202, r.text
            sent[i // 2][("POST", "/v1/scheduler/run", "202")] += 1
            jobs.append((i // 2, principal, r.json()["id"]))
        deadline = time.monotonic() + 240
        for api, principal, job_id in jobs:
            auth = {"Authorization": f"Bearer {keys[principal]}"}
            while True:
                r = httpx.get(f"{apis[api]}/v1/scheduler/jobs/{job_id}", headers=auth)
                sent[api][("GET", "/v1/scheduler/jobs/{job_id}", str(r.status_code))] += 1
                if r.json()["state"] not in ("queued", "running"):
                    break
                assert time.monotonic() < deadline, running.workers[0].tail()
                time.sleep(0.5)
            assert r.json()["state"] == "succeeded", (r.json(), running.workers[0].tail())

        chain = CausalBookmarks()  # a write through A, read through B with A's bookmark
        with (
            MemCubeClient(apis[0], keys["ivy"], bookmarks=chain) as a,
            MemCubeClient(apis[1], keys["ivy"], bookmarks=chain) as b,
        ):
            added = a.add_text("Ivy's canary: the Quillmoor bridge opens at dawn.")
            assert chain.tokens and b.get_cube(added.written[0]).payload.text.startswith("Ivy's canary")
        sent[0][("POST", "/v1/cubes", "201")] += 1
        sent[1][("GET", "/v1/cubes/{cube_id}", "200")] += 1
        written.extend(added.written)

        scrapes = [samples(httpx.get(f"{url}/metrics").text) for url in [*apis, *running.worker_metrics_urls]]

    for api in (0, 1):
        for (method, route, status), n in sent[api].items():
            got = value(scrapes[api], COUNT, method=method, route=route, status=status)
            assert got == n, (api, method, route, status, got, n)
        searches = sum(n for (m, route, s), n in sent[api].items() if route == "/v1/search" and s == "200")
        assert value(scrapes[api], "memcubedb_search_duration_seconds_count") == searches
        for channel in CHANNELS:
            assert value(scrapes[api], "memcubedb_search_channel_duration_seconds_count", channel=channel) == searches
        assert value(scrapes[api], "memcubedb_job_duration_seconds_count") == 0  # APIs only enqueue
    cubes = sum(value(s, "memcubedb_cubes_written_total", memory_type="plaintext") for s in scrapes[:2])
    assert cubes == len(written) == len(set(written))
    worker = scrapes[2]
    assert value(worker, "memcubedb_job_duration_seconds_count", kind="run", state="succeeded") == RUNS
    for scrape in scrapes:
        assert value(scrape, "memcubedb_job_queue_depth", state="queued") == 0
        assert value(scrape, "memcubedb_job_queue_depth", state="running") == 0
    print(f"sent per API: {[sum(c.values()) for c in sent]}, cubes written {cubes}, runs on the worker {RUNS}")
