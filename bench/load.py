"""Load benchmark: concurrent clients mixing "add a memory" and "search" against the API on loopback.

The API runs as its own process (``memcubedb serve`` on 127.0.0.1, a free port, the Neo4j of the
``MEMCUBEDB_*`` settings), stopped at the end. Clients are asyncio tasks of one ``httpx.AsyncClient``;
each loops for a fixed time, picking ``POST /v1/cubes`` (a new sentence, its own URI) with
probability ``--add-share`` and ``POST /v1/search`` otherwise. Before the measurement, ``--seed``
memories are added (which also loads MemReader and the embedding model).

Baseline, same run, same server: the same mix from **one** client (no concurrency), so the figures
show what 50 concurrent clients add to throughput and latency.

Usage::

    .venv/bin/python bench/load.py [--clients 50] [--seconds 60] [--add-share 0.2] [--seed 200]

Prints requests, throughput (requests/s), p50/p95/p99 latency (ms) and errors, per operation.
The API writes into the configured Neo4j: point ``MEMCUBEDB_NEO4J__BOLT_PORT`` and
``MEMCUBEDB_DATA_DIR`` at a private one.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import uuid
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the `tests.support` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from memcubedb.graph.apikeys import ApiKeys, Role
from memcubedb.graph.embedded import server
from memcubedb.graph.store import GraphStore
from memcubedb.settings import Settings
from tests.support.load import LoadResult, api_process, run_load, seed_memories


def report(result: LoadResult, label: str) -> None:
    """Print one measurement."""
    for name, s in result.rows():
        n = len(s.latencies)
        print(f"{label:<12} {name:<7} {n:>9} {n / result.seconds:>8.1f} {s.quantile(0.5):>8.1f} "
              f"{s.quantile(0.95):>8.1f} {s.quantile(0.99):>8.1f} {s.errors:>7}")
    for sample in result.error_samples:
        print(f"{'':<12} error: {sample}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0, help="duration of each measurement, s")
    parser.add_argument("--add-share", type=float, default=0.2, help="share of requests that add a memory")
    parser.add_argument("--seed", type=int, default=200, help="memories added before measuring")
    args = parser.parse_args()

    settings = Settings()
    with server.running(settings):
        store = GraphStore.connect(settings)
        key = ApiKeys(store).create(f"load-{uuid.uuid4().hex[:8]}", Role.WRITER, name="load")[0]
        store.close()
        with api_process(settings) as base:
            asyncio.run(seed_memories(base, key, args.seed))
            baseline = asyncio.run(run_load(base, key, 1, args.seconds, args.add_share))
            loaded = asyncio.run(run_load(base, key, args.clients, args.seconds, args.add_share))
    print(f"load on the API at 127.0.0.1 (Neo4j {settings.bolt_uri}), {args.seconds:g} s per measurement, "
          f"{args.add_share:.0%} adds / {1 - args.add_share:.0%} searches, {os.cpu_count()} CPUs")
    print(f"{'':<12} {'op':<7} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    report(baseline, "1 client")
    report(loaded, f"{args.clients} clients")


if __name__ == "__main__":
    main()
