"""Load harness: concurrent clients mixing "add a memory" and "search" against the API on loopback.

:func:`api_process` runs ``memcubedb serve`` in its own process (127.0.0.1, a free port, the Neo4j of
the ``MEMCUBEDB_*`` settings); :func:`run_load` drives it with asyncio clients of one
``httpx.AsyncClient``, each looping for a fixed time over ``POST /v1/cubes`` (a new sentence, its own
URI) with probability ``add_share`` and ``POST /v1/search`` otherwise. Used by
``tests/test_reliability_load.py`` and the benchmarks ``bench/load.py`` and ``bench/chat.py``.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx

from memcubedb.settings import Settings
from tests.support.loopback import free_port

PEOPLE = ["Ana", "Bo", "Chen", "Dara", "Emeka", "Farah", "Goran", "Hana", "Ines", "Jonas"]
PLACES = ["Lisbon", "Kyoto", "Tallinn", "Dakar", "Hobart", "Quito", "Oslo", "Pune"]
THINGS = ["the budget", "the roof repair", "a new bicycle", "the orchid show", "tax forms", "a hiking trip"]
QUERIES = ["who went to Kyoto?", "budget", "what did Ana buy?", "orchid show in Oslo", "roof repair", "Hana"]


def sentence(rng: random.Random) -> str:
    """A new memory: who did what where."""
    return f"{rng.choice(PEOPLE)} talked with {rng.choice(PEOPLE)} in {rng.choice(PLACES)} about {rng.choice(THINGS)}."


@dataclass
class OpStats:
    """Latencies (ms) and errors of one kind of request."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    def quantile(self, q: float) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[round(q * 100) - 1]


@dataclass
class LoadResult:
    """What one measurement did: per-operation stats over ``seconds`` with ``clients`` clients."""

    clients: int
    seconds: float
    ops: dict[str, OpStats] = field(default_factory=lambda: {"add": OpStats(), "search": OpStats()})
    error_samples: list[str] = field(default_factory=list)

    @property
    def total(self) -> OpStats:
        out = OpStats()
        for s in self.ops.values():
            out.latencies += s.latencies
            out.errors += s.errors
        return out

    def rows(self) -> Iterator[tuple[str, OpStats]]:
        yield "all", self.total
        yield from self.ops.items()


async def _client(http: httpx.AsyncClient, result: LoadResult, deadline: float, add_share: float, seed: int) -> None:
    rng = random.Random(seed)
    while time.monotonic() < deadline:
        op = "add" if rng.random() < add_share else "search"
        if op == "add":
            request = http.post("/v1/cubes", json={"text": sentence(rng), "uri": f"load://{uuid.uuid4()}"})
        else:
            request = http.post("/v1/search", json={"query": rng.choice(QUERIES), "k": 10})
        start = time.perf_counter()
        try:
            response = await request
            ok = response.status_code in (200, 201)
            detail = f"{response.status_code} {response.text[:120]}"
        except httpx.HTTPError as exc:
            ok, detail = False, type(exc).__name__
        elapsed = (time.perf_counter() - start) * 1000
        stats = result.ops[op]
        if ok:
            stats.latencies.append(elapsed)
        else:
            stats.errors += 1
            if len(result.error_samples) < 5:
                result.error_samples.append(f"{op}: {detail}")


async def run_load(base: str, key: str, clients: int, seconds: float, add_share: float = 0.2) -> LoadResult:
    """``clients`` concurrent clients for ``seconds`` seconds (a bounded loop: no request starts after)."""
    result = LoadResult(clients=clients, seconds=seconds)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120, limits=limits) as http:
        deadline = time.monotonic() + seconds
        await asyncio.gather(*(_client(http, result, deadline, add_share, i) for i in range(clients)))
    return result


async def seed_memories(base: str, key: str, count: int) -> None:
    """Add ``count`` memories (and one search) before measuring: loads the models, gives search data."""
    rng = random.Random(12345)
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=300) as http:
        for i in range(count):
            r = await http.post("/v1/cubes", json={"text": sentence(rng), "uri": f"load-seed://{i}"})
            r.raise_for_status()
        (await http.post("/v1/search", json={"query": "Kyoto", "k": 10})).raise_for_status()


@contextmanager
def cli_process(args: list[str], env: dict[str, str], probe_url: str, name: str,
                stop_timeout_s: float = 30.0, start_timeout_s: float = 180.0) -> Iterator[None]:
    """``python -m memcubedb.api.cli.main *args`` in its own process with environment ``env``;
    returns once ``probe_url`` answers 200 and stops the process (SIGTERM, then SIGKILL after
    ``stop_timeout_s`` seconds) when the block ends. Its output goes to a temporary file, read back
    only when it fails to start.

    Raises:
        RuntimeError: the process exited, or ``probe_url`` did not answer within ``start_timeout_s``
            seconds (the message carries the last 2,000 characters of its output).
    """
    cmd = [sys.executable, "-m", "memcubedb.api.cli.main", *args]
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + start_timeout_s
            while True:
                if proc.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"the {name} exited: {log.read().decode(errors='replace')[-2000:]}")
                try:
                    if httpx.get(probe_url, timeout=5).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the {name} did not answer within {start_timeout_s:.0f} s")
                time.sleep(0.5)
            yield
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=stop_timeout_s)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextmanager
def api_process(settings: Settings, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """``memcubedb serve`` on 127.0.0.1 in its own process (environment: this one's plus
    ``extra_env``); yields the base URL; stops it afterwards. Its log lines (one per request) go
    to a temporary file, read back only when it fails to start."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    args = ["serve", "--host", "127.0.0.1", "--port", str(port)]
    with cli_process(args, {**os.environ, **(extra_env or {})}, base + "/v1/health", "API"):
        yield base
