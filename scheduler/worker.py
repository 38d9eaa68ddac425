"""Scheduler workers: processes (or API threads) that claim queued jobs and run them.

``memcubedb worker`` runs :func:`serve_worker`: one or more threads claim jobs from the graph
(:meth:`~memcubedb.scheduler.jobs.JobLedger.claim`: a queued job, or a job whose lease expired
because its worker stopped) and run them with the MemScheduler, and — every
``scheduler.jobs.run_interval_s`` — queue a scheduler ``run`` for each principal owning live
memories. An API process with ``scheduler.jobs.api_works_jobs`` (the default, one-process
deployment) runs a :class:`Worker` on its own threads instead. Any number of workers and APIs
may share one Neo4j: leases make every job run to its commit exactly once.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from types import FrameType

from rich.console import Console

from memcubedb.config.scheduler import JobsConfig
from memcubedb.scheduler.jobs import Job, LeaseLost
from memcubedb.scheduler.memscheduler import MemScheduler
from memcubedb.settings import Settings
from memcubedb.states import LIVE_STATES

log = logging.getLogger("memcubedb.scheduler.worker")


class Worker:
    """Claims and runs jobs on ``threads`` threads until :meth:`stop`.

    Args:
        scheduler: runs the jobs (its ledger's worker id is this worker's).
        config: poll interval, lease and periodic runs (``settings.scheduler.jobs``).
        threads: jobs run at once.
        periodic_runs: also queue a run per principal every ``config.run_interval_s`` seconds.
    """

    def __init__(self, scheduler: MemScheduler, config: JobsConfig, threads: int = 1, periodic_runs: bool = False):
        self.scheduler = scheduler
        self.ledger = scheduler.jobs
        self.config = config
        self.threads = threads
        self.periodic_runs = periodic_runs and config.run_interval_s is not None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []
        self._next_runs = 0.0

    @property
    def worker_id(self) -> str:
        """The id this worker's leases carry."""
        return self.ledger.worker

    def run_once(self) -> Job | None:
        """Claim one job and run it; the job as it ended, or ``None`` when nothing was claimable.
        A failing job is recorded as failed (never raised here)."""
        job = self.ledger.claim()
        if job is None:
            return None
        log.info("worker %s runs job %s (%s, attempt %d)", self.worker_id, job.id, job.kind, job.attempts)
        try:
            self.scheduler.execute(job)
        except LeaseLost:
            log.warning("job %s: lease lost to another worker", job.id)
        except Exception as exc:
            log.exception("job %s (%s) failed", job.id, job.kind)
            self.ledger.fail(job, repr(exc))  # holder only: a no-op when the job already ended
        return self.ledger.get(job.id)

    def _queue_due_runs(self) -> None:
        if not self.periodic_runs or time.monotonic() < self._next_runs:
            return
        interval = float(self.config.run_interval_s or 0.0)
        self._next_runs = time.monotonic() + min(interval, 60.0)
        queued = self.ledger.enqueue_due_runs(interval, list(LIVE_STATES))
        if queued:
            log.info("queued %d periodic scheduler run(s)", len(queued))

    def _loop(self) -> None:
        while not self._stop.is_set():
            job = None
            try:
                self._queue_due_runs()
                job = self.run_once()
            except Exception:  # Neo4j unreachable for a moment: try again after the poll interval
                log.warning("worker %s: claiming a job failed", self.worker_id, exc_info=True)
            if job is None:
                self._wake.wait(self.config.poll_s)
                self._wake.clear()

    def start(self) -> None:
        """Start the worker threads (daemons)."""
        for i in range(self.threads):
            thread = threading.Thread(target=self._loop, name=f"scheduler-worker-{i}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def wake(self) -> None:
        """Look for jobs now instead of at the next poll (a job was just queued)."""
        self._wake.set()

    def stop(self, timeout_s: float | None = None) -> None:
        """Stop claiming; wait up to ``timeout_s`` seconds (``None``: as long as it takes) for the
        jobs running now. A job cut short is taken over by another worker when its lease expires."""
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout_s)


def serve_worker(settings: Settings, console: Console, threads: int = 1, periodic_runs: bool = True) -> None:
    """``memcubedb worker``: run jobs from the configured Neo4j until SIGINT/SIGTERM."""
    from memcubedb.embeddings import make_embedder
    from memcubedb.graph.records import CubeWrite
    from memcubedb.graph.store import GraphStore
    from memcubedb.scheduler.lm import load_lm
    from memcubedb.scheduler.threads import apply_torch_threads
    from memcubedb.scheduler.vault import MemVault
    from memcubedb.search.sentences import embed_writes

    jobs = settings.scheduler.jobs
    torch_threads = apply_torch_threads("worker", jobs.torch_threads)
    store = GraphStore.connect(settings)
    def vectorize(writes: list[CubeWrite]) -> None:  # the embedder loads with the first demotion that needs it
        embed_writes(make_embedder(settings.embedding, settings.embedding_dim), writes)

    scheduler = MemScheduler(store, MemVault(settings.vault_dir), settings.scheduler,
                             lambda: load_lm(settings.scheduler.lm), vectorize=vectorize, role="worker")  # fmt: skip
    worker = Worker(scheduler, jobs, threads=threads, periodic_runs=periodic_runs)
    telemetry = settings.telemetry
    stop_metrics = None
    if telemetry.metrics and telemetry.worker_metrics_port is not None:
        from memcubedb.metrics import JobQueueDepth, serve_metrics

        stop_metrics = serve_metrics(telemetry.worker_metrics_port, telemetry.metrics_host,
                                     [JobQueueDepth(worker.ledger.queue_depth)])  # fmt: skip
        console.print(f"metrics at http://{telemetry.metrics_host}:{telemetry.worker_metrics_port}/metrics")
    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    runs = f"a run per principal every {jobs.run_interval_s:.0f} s" if worker.periodic_runs else "no periodic runs"
    console.print(f"MemCubeDB worker {worker.worker_id} on {settings.bolt_uri}: {threads} job thread(s), "
                  f"{torch_threads} torch thread(s), lease {jobs.lease_s:.0f} s, {runs}", highlight=False)  # fmt: skip
    worker.start()
    while not stopping.wait(1.0):
        pass
    console.print("stopping: waiting for the running job(s) to finish")
    worker.stop()
    if stop_metrics is not None:
        stop_metrics()
    store.close()
