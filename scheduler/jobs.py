"""Durable scheduler jobs with leases, recorded in the graph before any work is done.

A job is a ``(:Job {id, kind, state, principal, params, created_at, started_at, ended_at, result,
error, attempts, worker, previous_worker, claimed_at, heartbeat_at, lease_expires_at,
vault_digests})`` node.
States: ``queued`` → ``running`` → ``succeeded`` | ``failed``. Kinds: ``promotion``, ``encoding``,
``demotion`` and ``run`` (a full MemScheduler pass for the job's principal).

**Leases** (after the lease protocol of Gray & Cheriton, "Leases", SOSP 1989, as job queues on a
database use it). A worker *claims* a job atomically: the claim transaction locks the job node
(``SET j._lock`` — Neo4j's documented write-lock idiom — before any property is read, so the
checks below see the last committed values) and only then checks that the job is ``queued``, or
``running`` with ``lease_expires_at`` in the past; it sets ``worker`` (the claimant's id),
``attempts + 1``, ``heartbeat_at`` and ``lease_expires_at = now + lease_s``. Times are the Neo4j
server's clock (``datetime()``), so the workers' clocks do not matter. While the work runs a
heartbeat thread extends the lease every ``heartbeat_s`` (holder only). A lease that is still live is
never taken over. Claims also take one ``(:JobClaimLock)`` node so that at most one ``run`` job per
principal runs at a time.

**Holder-only commit.** A job's graph results are written in the transaction that marks it
succeeded (:meth:`JobLedger.finish_in`), which first locks the job and checks that the caller
still holds the lease (same ``worker`` and ``attempts``, state ``running``); otherwise it raises
:class:`LeaseLost` and the whole transaction — results included — rolls back. So a worker that
lost its lease (killed, partitioned, paused past the lease) can never commit over the worker that
took the job over, and nothing half-written reaches the graph.

**Vault bookkeeping.** A job notes each vault digest *before* the file is written
(:meth:`JobLedger.note_digest`), so partial or orphaned files of a killed attempt are known: the
worker that takes the job over deletes those no live cube, KGE model or other running job uses,
with their unfinished temporary files, before it re-runs the job from its recorded ``params``
(safe: every output is content-addressed and every graph write idempotent).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from neo4j import ManagedTransaction

from memcubedb.config.scheduler import JobsConfig
from memcubedb.cube import new_id, utcnow
from memcubedb.cypher import scheduler as q
from memcubedb.graph.mapping import native
from memcubedb.graph.store import GraphStore
from memcubedb.states import LIVE_STATES

log = logging.getLogger("memcubedb.scheduler.jobs")

KINDS = ("promotion", "encoding", "demotion", "run")
"""Job kinds a worker runs (:meth:`memcubedb.scheduler.memscheduler.MemScheduler.execute`)."""


class LeaseLost(RuntimeError):
    """The worker no longer holds the job's lease (it expired and another worker took the job
    over, or the job ended); nothing of this attempt was committed."""


def worker_id(role: str) -> str:
    """A worker id unique per process: ``<role>@<host>:<pid>:<random>``."""
    return f"{role}@{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class Job:
    """A job as recorded in the graph; ``worker`` and ``attempts`` identify the lease holder."""

    id: str
    kind: str
    state: str
    principal: str
    params: dict[str, Any]
    attempts: int
    worker: str | None = None
    previous_worker: str | None = None
    result: dict[str, Any] | None = None
    error: str | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Job:
        """Build from the node's properties."""
        row = {k: native(v) for k, v in row.items()}
        return cls(
            id=row["id"],
            kind=row["kind"],
            state=row["state"],
            principal=row["principal"],
            params=json.loads(row.get("params") or "{}"),
            attempts=row.get("attempts") or 0,
            worker=row.get("worker"),
            previous_worker=row.get("previous_worker"),
            result=json.loads(row["result"]) if row.get("result") else None,
            error=row.get("error"),
        )


class JobLedger:
    """Records, leases and ends jobs in the graph on behalf of one worker (``worker``).

    Args:
        store: the graph store.
        config: lease length and heartbeat interval (``settings.scheduler.jobs``).
        worker: this process's worker id (default :func:`worker_id` with role ``"process"``).
    """

    def __init__(self, store: GraphStore, config: JobsConfig | None = None, worker: str | None = None) -> None:
        self.store = store
        self.config = config or JobsConfig()
        self.worker = worker or worker_id("process")

    # --- recording ----------------------------------------------------------------------

    def enqueue(self, kind: str, principal: str, params: dict[str, Any]) -> Job:
        """Record a ``queued`` job for any worker to claim.

        Raises:
            ValueError: ``kind`` is not one of :data:`KINDS`.
        """
        if kind not in KINDS:
            raise ValueError(f"unknown job kind {kind!r}; expected one of {KINDS}")
        rows = self.store.write(q.ENQUEUE_JOB, id=new_id(), kind=kind, principal=principal,
                                params=json.dumps(params, sort_keys=True), now=utcnow())  # fmt: skip
        return Job.from_row(rows[0]["job"])

    def start(self, kind: str, principal: str, params: dict[str, Any]) -> Job:
        """Record a job as ``running`` with this worker holding its lease (work done in place)."""
        rows = self.store.write(q.START_JOB, id=new_id(), kind=kind, principal=principal,
                                params=json.dumps(params, sort_keys=True), now=utcnow(), worker=self.worker,
                                lease_s=self.config.lease_s)  # fmt: skip
        return Job.from_row(rows[0]["job"])

    def claim(self, kinds: tuple[str, ...] = KINDS, expired_only: bool = False) -> Job | None:
        """Take the lease of the oldest claimable job: an expired lease first, then a queued job
        (unless ``expired_only``). ``None`` when there is none. A job whose lease expired after
        ``max_attempts`` claims is marked failed instead.

        Atomic across processes: the claim lock, then the job's own lock, then the checks.
        """
        params = {"kinds": list(kinds), "expired_only": expired_only, "max_attempts": self.config.max_attempts}
        exhausted = self.store.read(q.EXHAUSTED, max_attempts=self.config.max_attempts)
        if not exhausted and not self.store.read(q.CLAIMABLE, limit=1, **params):
            return None

        def claim_in(tx: ManagedTransaction) -> Job | None:
            tx.run(q.CLAIM_LOCK, worker=self.worker).consume()
            for row in exhausted:
                tx.run(q.FAIL_EXHAUSTED, id=row["id"], now=utcnow(), max_attempts=self.config.max_attempts).consume()
            for row in tx.run(q.CLAIMABLE, limit=16, **params).data():
                taken = tx.run(q.CLAIM_JOB, id=row["id"], worker=self.worker, now=utcnow(),
                               lease_s=self.config.lease_s, **params).single()  # fmt: skip
                if taken is not None:
                    return Job.from_row(taken["job"])
            return None

        return self.store.execute_write(claim_in)

    def enqueue_due_runs(self, interval_s: float, live_states: list[str]) -> list[str]:
        """Queue a ``run`` for each principal owning live memories whose last run is older than
        ``interval_s`` seconds (none twice: done under the claim lock); returns the new job ids."""

        def enqueue_in(tx: ManagedTransaction) -> list[str]:
            tx.run(q.CLAIM_LOCK, worker=self.worker).consume()
            rows = tx.run(q.ENQUEUE_DUE_RUNS, live=live_states, now=utcnow(), interval_s=interval_s).data()
            return [r["id"] for r in rows]

        return self.store.execute_write(enqueue_in)

    def heartbeat(self, job: Job) -> bool:
        """Extend ``job``'s lease by ``lease_s``; False when this worker no longer holds it."""
        rows = self.store.write(q.HEARTBEAT, id=job.id, worker=job.worker, attempts=job.attempts,
                                lease_s=self.config.lease_s)  # fmt: skip
        return bool(rows)

    @contextmanager
    def lease(self, job: Job) -> Iterator[threading.Event]:
        """Keep ``job``'s lease alive while the block runs (a heartbeat thread every
        ``heartbeat_s`` s); yields an event that is set when the lease was lost."""
        lost, stop = threading.Event(), threading.Event()

        def beat() -> None:
            while not stop.wait(self.config.heartbeat_s):
                try:
                    if not self.heartbeat(job):
                        lost.set()
                        return
                except Exception:  # a heartbeat that fails to reach Neo4j is retried on the next beat
                    log.warning("heartbeat of job %s failed", job.id, exc_info=True)

        thread = threading.Thread(target=beat, name=f"lease-{job.id[:8]}", daemon=True)
        thread.start()
        try:
            yield lost
        finally:
            stop.set()
            thread.join()

    def note_digest(self, job: Job, digest: str) -> None:
        """Record that ``job`` is about to write a vault entry (call before the write, so the
        entry of a killed attempt is known and can be removed)."""
        self.store.write(q.ADD_JOB_DIGEST, id=job.id, digest=digest)

    def finish_in(self, tx: ManagedTransaction, job: Job, result: dict[str, Any]) -> None:
        """Mark ``job`` succeeded inside the caller's transaction, which also writes its results.

        Raises:
            LeaseLost: this worker no longer holds the lease; the caller's transaction must roll
                back (raising out of a transaction function does).
        """
        row = tx.run(q.FINISH_JOB, id=job.id, worker=job.worker, attempts=job.attempts, state="succeeded",
                     now=utcnow(), result=json.dumps(result, default=str), error=None).single()  # fmt: skip
        if row is None:
            raise LeaseLost(f"job {job.id} ({job.kind}) is no longer leased to {job.worker}")

    def fail(self, job: Job, error: str) -> bool:
        """Mark ``job`` failed with an error message (holder only); False when the lease was lost."""
        rows = self.store.write(q.FINISH_JOB, id=job.id, worker=job.worker, attempts=job.attempts, state="failed",
                                now=utcnow(), result=None, error=error[:2000])  # fmt: skip
        return bool(rows)

    # --- reading ------------------------------------------------------------------------

    def digests_of(self, job: Job) -> list[str]:
        """Vault digests ``job`` recorded (in every attempt)."""
        rows = self.store.read(q.JOB_DIGESTS, id=job.id)
        return rows[0]["digests"] if rows else []

    def get(self, job_id: str) -> Job:
        """One job by id.

        Raises:
            LookupError: no such job.
        """
        rows = self.store.read(q.JOB_BY_ID, id=job_id)
        if not rows:
            raise LookupError(f"no job {job_id!r}")
        return Job.from_row(rows[0]["job"])

    def recent(self, principal: str | None = None, limit: int = 20) -> list[Job]:
        """The most recent jobs, newest first (of one principal, or all)."""
        return [Job.from_row(r["job"]) for r in self.store.read(q.RECENT_JOBS, principal=principal, limit=limit)]

    def pending(self, principal: str) -> list[Job]:
        """The principal's queued and running promotions, encodings and demotions."""
        return [Job.from_row(r["job"]) for r in self.store.read(q.PENDING_JOBS, principal=principal)]

    def queue_depth(self) -> dict[str, int]:
        """Jobs queued and running (every worker's): ``{"queued": n, "running": m}``."""
        depth = {"queued": 0, "running": 0}
        depth.update({r["state"]: r["n"] for r in self.store.read(q.QUEUE_DEPTH)})
        return depth

    def referenced_digests(self, except_job: str | None = None) -> set[str]:
        """Vault digests still in use: by live activation/parametric cubes, KGE models, and running
        jobs other than ``except_job``."""
        rows = self.store.read(q.REFERENCED_DIGESTS, except_job=except_job or "", live=list(LIVE_STATES))
        return {r["digest"] for r in rows if r["digest"]}
