"""N API processes and M scheduler workers on loopback against one Neo4j, for tests.

Each API is ``memcubedb serve`` (uvicorn) on a free 127.0.0.1 port with
``scheduler.jobs.api_works_jobs`` off; each worker is ``memcubedb worker --no-periodic`` with its
Prometheus metrics on a free loopback port. Every process reaches the test's Neo4j through the
``neo4j://`` routing scheme (``neo4j.scheme``), shares one data directory (so one MemVault) and
loads the scheduler's LM from ``lm_dir`` (a small random model saved with ``save_pretrained``).
The processes live until the ``with`` block ends, so a test can scrape or kill them at any point.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from memcubedb.settings import Settings
from tests.support.loopback import free_port

CLI = [sys.executable, "-m", "memcubedb.api.cli.main"]

#: Settings every process of a test cluster gets: short leases, quick polls, one torch thread,
#: tiny KGE and LoRA runs, plain-text logs.
FAST_JOBS = {
    "MEMCUBEDB_SCHEDULER__JOBS__LEASE_S": "3",
    "MEMCUBEDB_SCHEDULER__JOBS__HEARTBEAT_S": "0.5",
    "MEMCUBEDB_SCHEDULER__JOBS__POLL_S": "0.2",
    "MEMCUBEDB_SCHEDULER__JOBS__TORCH_THREADS__API": "1",
    "MEMCUBEDB_SCHEDULER__JOBS__TORCH_THREADS__WORKER": "1",
    "MEMCUBEDB_SCHEDULER__KGE__EPOCHS": "5",
    "MEMCUBEDB_SCHEDULER__KGE__EMBEDDING_DIM": "8",
    "MEMCUBEDB_SCHEDULER__LORA__EPOCHS": "5",
    "MEMCUBEDB_SCHEDULER__LORA__RANK": "4",
    "MEMCUBEDB_SCHEDULER__LORA__ALPHA": "8",
    "MEMCUBEDB_TELEMETRY__LOG_FORMAT": "text",
}


@dataclass
class Process:
    """One process of the cluster: its handle, where it logs, and its HTTP base URL (an API's, or
    a worker's metrics listener)."""

    popen: subprocess.Popen[bytes]
    log: Path
    url: str
    ready_url: str

    def tail(self, chars: int = 3000) -> str:
        """The end of the process's log (for assertion messages)."""
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


@dataclass
class Cluster:
    """The running processes: ``apis`` (base URLs in :attr:`api_urls`) and ``workers`` (metrics
    base URLs in :attr:`worker_metrics_urls`; ``GET <url>/metrics``)."""

    env: dict[str, str]
    data_dir: Path
    apis: list[Process] = field(default_factory=list)
    workers: list[Process] = field(default_factory=list)

    @property
    def api_urls(self) -> list[str]:
        """Base URLs of the APIs, e.g. ``http://127.0.0.1:PORT``."""
        return [p.url for p in self.apis]

    @property
    def worker_metrics_urls(self) -> list[str]:
        """Base URLs of the workers' metrics listeners."""
        return [p.url for p in self.workers]

    def start_api(self, start_timeout_s: float | None = 180.0) -> Process:
        """Start one more API process and wait until ``/v1/health`` answers (``None``: do not wait)."""
        port = free_port()
        args = [*CLI, "serve", "--host", "127.0.0.1", "--port", str(port)]
        no_jobs = {"MEMCUBEDB_SCHEDULER__JOBS__API_WORKS_JOBS": "false"}
        proc = self._spawn(args, f"api-{len(self.apis)}", no_jobs, f"http://127.0.0.1:{port}", "/v1/health")
        if start_timeout_s is not None:
            _wait_http(proc, start_timeout_s)
        self.apis.append(proc)
        return proc

    def start_worker(
        self, start_timeout_s: float | None = 180.0, command: list[str] | None = None,
        env: dict[str, str] | None = None,
    ) -> Process:  # fmt: skip
        """Start one more worker (``memcubedb worker --no-periodic``, or ``command``) and wait until
        its metrics listener answers (``None``: do not wait)."""
        port = free_port()
        extra = {"MEMCUBEDB_TELEMETRY__WORKER_METRICS_PORT": str(port), **(env or {})}
        proc = self._spawn(command or [*CLI, "worker", "--no-periodic"], f"worker-{len(self.workers)}", extra,
                           f"http://127.0.0.1:{port}", "/metrics")  # fmt: skip
        if start_timeout_s is not None:
            _wait_http(proc, start_timeout_s)
        self.workers.append(proc)
        return proc

    def kill(self, proc: Process) -> None:
        """SIGKILL a process and reap it."""
        proc.popen.send_signal(signal.SIGKILL)
        proc.popen.wait(timeout=30)

    def _spawn(self, args: list[str], name: str, extra: dict[str, str], url: str, ready_path: str) -> Process:
        log = self.data_dir / f"{name}.log"
        handle = log.open("wb")
        popen = subprocess.Popen(args, env={**self.env, **extra}, stdout=handle, stderr=subprocess.STDOUT)
        handle.close()
        return Process(popen=popen, log=log, url=url, ready_url=url + ready_path)

    def stop(self) -> None:
        """SIGTERM every process still running (workers finish their job), then SIGKILL stragglers."""
        procs = [p for p in self.apis + self.workers if p.popen.poll() is None]
        for proc in procs:
            proc.popen.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.popen.kill()
                proc.popen.wait(timeout=30)


def cluster_env(
    settings: Settings, data_dir: Path, lm_dir: Path, extra: dict[str, str] | None = None
) -> dict[str, str]:
    """The environment of every cluster process: the test's Neo4j through ``neo4j://`` (credentials
    passed on), a shared data directory (one vault), the LM of ``lm_dir``, :data:`FAST_JOBS`."""
    user, password = settings.neo4j_auth or ("neo4j", "")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MEMCUBEDB_", "NEO4J_"))}
    env.update({
        "MEMCUBEDB_DATA_DIR": str(data_dir),
        "MEMCUBEDB_NEO4J__HOST": settings.neo4j.host,
        "MEMCUBEDB_NEO4J__BOLT_PORT": str(settings.neo4j.bolt_port),
        "MEMCUBEDB_NEO4J__SCHEME": "neo4j",
        "NEO4J_USER": user,
        "NEO4J_PASSWORD": password,
        "MEMCUBEDB_SCHEDULER__LM__NAME_OR_PATH": str(lm_dir),
        **FAST_JOBS,
        **(extra or {}),
    })  # fmt: skip
    return env


@contextmanager
def cluster(
    settings: Settings, data_dir: Path, lm_dir: Path, apis: int = 2, workers: int = 2,
    extra_env: dict[str, str] | None = None,
) -> Iterator[Cluster]:  # fmt: skip
    """Start ``apis`` API processes and ``workers`` workers (see the module docstring); stop them
    all when the block ends.

    Raises:
        RuntimeError: a process exited or did not answer within its start timeout.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    running = Cluster(env=cluster_env(settings, data_dir, lm_dir, extra_env), data_dir=data_dir)
    try:
        for _ in range(apis):  # all start at once (each loads torch, spaCy, the embedder), then wait
            running.start_api(start_timeout_s=None)
        for _ in range(workers):
            running.start_worker(start_timeout_s=None)
        for proc in running.apis + running.workers:
            _wait_http(proc, 240.0)
        yield running
    finally:
        running.stop()


def _wait_http(proc: Process, timeout_s: float) -> None:
    url = proc.ready_url
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.popen.poll() is not None:
            raise RuntimeError(f"{proc.log.name} exited with {proc.popen.returncode}:\n{proc.tail()}")
        try:
            if httpx.get(url, timeout=2.0).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    proc.popen.kill()
    raise RuntimeError(f"{proc.log.name} did not answer at {url} within {timeout_s} s:\n{proc.tail()}")


def save_tiny_lm(path: Path) -> Path:
    """A small randomly initialised Llama and its tokenizer saved at ``path`` as a local Hugging
    Face model (what ``scheduler.lm.name_or_path`` of every cluster process loads)."""
    from memcubedb.scheduler.lm import offline_tokenizer, tiny_random_llama

    lm = tiny_random_llama(offline_tokenizer(), hidden_size=64, num_layers=2, initializer_range=0.3)
    lm.model.save_pretrained(path)
    lm.tokenizer.save_pretrained(path)
    return path
