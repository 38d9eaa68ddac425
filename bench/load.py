"""Load benchmark: concurrent clients against API processes on loopback, and a training worker beside them.

Every API is its own process (``memcubedb serve`` on 127.0.0.1, a free port, the Neo4j of the
``MEMCUBEDB_*`` settings; it only enqueues scheduler jobs), stopped at the end. Clients are
asyncio tasks of one ``httpx.AsyncClient`` per API; each loops for ``--seconds``, picking
``POST /v1/cubes`` (a new sentence, its own URI) with probability ``--add-share`` and
``POST /v1/search`` otherwise. Before measuring, ``--seed`` memories are added (which also loads
MemReader and the embedding model in each process). Three tables, each with its baseline from
the same run:

1. **Concurrency** on one API process: 1 client (baseline) vs ``--clients`` clients.
2. **Scale-out**: the same ``--clients`` clients all on API process A (baseline) vs split evenly
   over A and a second process B (same Neo4j).
3. **Search while a worker trains**: search-only load (``--search-clients`` clients) with an idle
   ``memcubedb worker`` (baseline) vs while that worker trains a LoRA adapter on ``--lora-facts``
   of the seeded facts (an encoding job enqueued through the API; measured after
   ``--lora-warmup`` s, once the model is loaded and training; the table says whether training
   lasted the whole window).

Why two API processes may be no faster on a small machine: each request's cost is CPU — the
query embedding (MiniLM), MemReader's spaCy pipeline on adds, Neo4j's own work in its JVM — and
one process already overlaps requests (uvicorn's thread pool; torch, spaCy's Cython and the Bolt
socket waits release the GIL). A second process adds cores only if there are idle ones: on 2
cores shared with Neo4j (and the client), it mostly adds a second copy of the models competing
for the same cores, so the honest result there is "no faster" — the gain appears with free
cores or with API processes on other machines (several processes on one Neo4j is what they
need, which is what this shows to work). Torch intra-op threads per process come from
``MEMCUBEDB_SCHEDULER__JOBS__TORCH_THREADS__*`` so a training worker and the APIs divide the
cores instead of fighting for them (table 3 shows what is left of search latency).

Usage::

    .venv/bin/python bench/load.py [--clients 20] [--seconds 20] [--add-share 0.2] [--seed 100]
                                   [--search-clients 4] [--lora-facts 12] [--lora-epochs 12]

The APIs and the worker write into the configured Neo4j and vault: point
``MEMCUBEDB_NEO4J__BOLT_PORT`` and ``MEMCUBEDB_DATA_DIR`` at private ones. The worker loads the
scheduler's LM (SmolLM2-135M-Instruct by default, ``MEMCUBEDB_SCHEDULER__LM__NAME_OR_PATH``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx

if __package__ in (None, ""):  # run as a file: make the `tests.support` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from memcubedb.graph.apikeys import ApiKeys
from memcubedb.graph.embedded import server
from memcubedb.graph.permissions import Role
from memcubedb.graph.store import GraphStore
from memcubedb.settings import Settings
from tests.support.load import LoadResult, OpStats, api_process, cli_process, run_load, seed_memories
from tests.support.loopback import free_port

#: Every API process only enqueues jobs (the worker of table 3 runs them).
API_ENV = {"MEMCUBEDB_SCHEDULER__JOBS__API_WORKS_JOBS": "false"}
HEADER = f"{'':<22} {'op':<7} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}"


def report(result: LoadResult, label: str) -> None:
    """Print one measurement."""
    for name, s in result.rows():
        if not s.latencies and not s.errors:
            continue
        n = len(s.latencies)
        print(f"{label:<22} {name:<7} {n:>9} {n / result.seconds:>8.1f} {s.quantile(0.5):>8.1f} "
              f"{s.quantile(0.95):>8.1f} {s.quantile(0.99):>8.1f} {s.errors:>7}")  # fmt: skip
    for sample in result.error_samples:
        print(f"{'':<22} error: {sample}")


def merged(results: list[LoadResult]) -> LoadResult:
    """One result of measurements run side by side over the same window."""
    out = LoadResult(clients=sum(r.clients for r in results), seconds=results[0].seconds)
    for r in results:
        for name, s in r.ops.items():
            out.ops.setdefault(name, OpStats()).latencies.extend(s.latencies)
            out.ops[name].errors += s.errors
        out.error_samples += r.error_samples
    return out


async def split_load(bases: list[str], key: str, clients: int, seconds: float, add_share: float) -> LoadResult:
    """``clients`` clients spread evenly over ``bases``, all in the same window."""
    shares = [clients // len(bases) + (i < clients % len(bases)) for i in range(len(bases))]
    runs = [run_load(b, key, n, seconds, add_share) for b, n in zip(bases, shares, strict=True) if n]
    return merged(list(await asyncio.gather(*runs)))


@contextmanager
def worker_process(extra_env: dict[str, str]) -> Iterator[str]:
    """``memcubedb worker --no-periodic`` in its own process with its metrics on a free loopback
    port; yields that base URL; SIGTERM at the end (it finishes its running job first)."""
    port = free_port()
    env = {**os.environ, **extra_env, "MEMCUBEDB_TELEMETRY__WORKER_METRICS_PORT": str(port)}
    url = f"http://127.0.0.1:{port}"
    with cli_process(["worker", "--no-periodic"], env, url + "/metrics", "worker", stop_timeout_s=600):
        yield url


def job_state(http: httpx.Client, job_id: str) -> str:
    """The job's state as the API reports it."""
    r = http.get(f"/v1/scheduler/jobs/{job_id}")
    r.raise_for_status()
    return str(r.json()["state"])


def lora_contention(base: str, key: str, args: argparse.Namespace) -> tuple[LoadResult, LoadResult, str]:
    """Search-only load with an idle worker, then while it trains a LoRA adapter; returns both
    results and a line on the training job (whether it covered the whole measurement)."""
    worker_env = {
        "MEMCUBEDB_SCHEDULER__LORA__EPOCHS": str(args.lora_epochs),
        "MEMCUBEDB_SCHEDULER__LORA__EARLY_STOP_LOSS": "0",
    }
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=120) as http:
        facts = [f["id"] for f in http.get("/v1/facts", params={"limit": args.lora_facts}).json()["items"]]
        if not facts:
            raise RuntimeError("the seeded memories gave no facts to encode")
        with worker_process(worker_env):
            idle = asyncio.run(run_load(base, key, args.search_clients, args.seconds, 0.0))
            r = http.post("/v1/scheduler/encode", json={"fact_ids": facts})
            r.raise_for_status()
            job_id = r.json()["id"]
            while job_state(http, job_id) == "queued":
                time.sleep(0.2)
            started = time.monotonic()
            time.sleep(args.lora_warmup)
            busy = asyncio.run(run_load(base, key, args.search_clients, args.seconds, 0.0))
            covered = job_state(http, job_id) == "running"
            deadline = time.monotonic() + 900
            while (state := job_state(http, job_id)) == "running" and time.monotonic() < deadline:
                time.sleep(1.0)
            took = time.monotonic() - started
    coverage = "covered" if covered else "did NOT cover"
    note = (f"LoRA job on {len(facts)} facts, {args.lora_epochs} epochs: {state} after {took:.0f} s "
            f"(model load + training); training {coverage} the whole window")  # fmt: skip
    return idle, busy, note


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20.0, help="duration of each measurement, s")
    parser.add_argument("--add-share", type=float, default=0.2, help="share of requests that add a memory")
    parser.add_argument("--seed", type=int, default=100, help="memories added before measuring")
    parser.add_argument("--search-clients", type=int, default=4, help="clients of table 3 (search only)")
    parser.add_argument("--lora-facts", type=int, default=12, help="facts the LoRA job of table 3 encodes")
    parser.add_argument("--lora-epochs", type=int, default=12, help="epochs of that job (no early stop)")
    parser.add_argument("--lora-warmup", type=float, default=15.0, help="s between the job starting and measuring")
    args = parser.parse_args()

    settings = Settings()
    with server.running(settings):
        store = GraphStore.connect(settings)
        key = ApiKeys(store).create(f"load-{uuid.uuid4().hex[:8]}", Role.WRITER, name="load")[0]
        store.close()
        with ExitStack() as stack:
            a = stack.enter_context(api_process(settings, API_ENV))
            b = stack.enter_context(api_process(settings, API_ENV))
            asyncio.run(seed_memories(a, key, args.seed))
            asyncio.run(seed_memories(b, key, 1))  # loads B's models too
            one = asyncio.run(run_load(a, key, 1, args.seconds, args.add_share))
            many = asyncio.run(run_load(a, key, args.clients, args.seconds, args.add_share))
            two = asyncio.run(split_load([a, b], key, args.clients, args.seconds, args.add_share))
            idle, busy, note = lora_contention(a, key, args)

    print(f"load on API processes at 127.0.0.1 (Neo4j {settings.bolt_uri}), {args.seconds:g} s per measurement, "
          f"{os.cpu_count()} CPUs on this machine (shared by Neo4j, the APIs, the worker and the clients)")
    print(f"\n1. concurrency, one API process, {args.add_share:.0%} adds / {1 - args.add_share:.0%} searches")
    print(HEADER)
    report(one, "1 client")
    report(many, f"{args.clients} clients")
    print(f"\n2. scale-out, {args.clients} clients, same mix")
    print(HEADER)
    report(many, "1 API process")
    report(two, "2 API processes")
    gain = len(two.total.latencies) / max(len(many.total.latencies), 1)
    print(f"{'':<22} throughput ×{gain:.2f} with the second process"
          + ("" if gain >= 1.2 else f" — no real gain: {os.cpu_count()} cores already busy (see the docstring)"))
    print(f"\n3. search only, {args.search_clients} clients, beside a `memcubedb worker`")
    print(HEADER)
    report(idle, "worker idle")
    report(busy, "worker training LoRA")
    print(f"{'':<22} {note}")


if __name__ == "__main__":
    main()
