"""The one job block every promotion, encoding, demotion and scheduler run goes through.

``start (or continue a claimed job) → work under a heartbeat lease → commit the graph results
and mark the job succeeded in ONE transaction, holder only → on error: fail and roll back``.

The work runs outside any transaction (model work takes seconds to minutes) and returns a
:class:`JobWork`: the result recorded on the job, the graph writes that belong to it, and what to
do once they are committed (e.g. delete the vault file of a demoted cube). The commit transaction
starts with :meth:`~memcubedb.scheduler.jobs.JobLedger.finish_in`, so the results of a worker
that lost its lease roll back with the lease check.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from neo4j import ManagedTransaction

from memcubedb.graph.store import GraphStore
from memcubedb.metrics import JOB_SECONDS
from memcubedb.scheduler.jobs import Job, JobLedger, LeaseLost
from memcubedb.scheduler.vault import MemVault

log = logging.getLogger("memcubedb.scheduler.jobs")


@dataclass(frozen=True)
class JobWork:
    """What a job's work produced.

    Attributes:
        result: recorded on the job (JSON) when it succeeds.
        commit: the job's graph writes, run inside the transaction that marks it succeeded.
        after: run once that transaction committed (e.g. removing a demoted cube's vault file).
    """

    result: dict[str, Any]
    commit: Callable[[ManagedTransaction], None] | None = None
    after: Callable[[], None] | None = None


class JobRunner:
    """Runs work as a durable job of ``ledger`` (see the module docstring)."""

    def __init__(self, store: GraphStore, vault: MemVault, ledger: JobLedger) -> None:
        self.store = store
        self.vault = vault
        self.ledger = ledger

    def run(
        self, kind: str, principal: str, params: dict[str, Any], job: Job | None, work: Callable[[Job], JobWork]
    ) -> dict[str, Any]:
        """Run ``work`` as ``job`` (a job this worker claimed), or as a new job recorded here.

        Returns:
            the job's result.

        Raises:
            LeaseLost: the lease was lost (another worker took the job over); nothing committed.
            whatever ``work`` or its commit raises; the job is then marked failed and the vault
            entries it wrote that nothing else uses are removed.
        """
        job = job or self.ledger.start(kind, principal, params)
        done: JobWork | None = None
        started = time.monotonic()
        with self.ledger.lease(job):
            try:
                done = work(job)
                self.store.execute_write(self._commit_in, job, done)
            except LeaseLost:
                if done is None or not self._committed(job):
                    log.warning("job %s (%s): lease lost to another worker; its results were not committed",
                                job.id, job.kind)  # fmt: skip
                    JOB_SECONDS.labels(job.kind, "lost").observe(time.monotonic() - started)
                    raise
            except Exception as exc:
                if self.ledger.fail(job, repr(exc)):
                    self.rollback(job)
                JOB_SECONDS.labels(job.kind, "failed").observe(time.monotonic() - started)
                raise
        JOB_SECONDS.labels(job.kind, "succeeded").observe(time.monotonic() - started)
        if done.after is not None:
            done.after()
        return done.result

    def _commit_in(self, tx: ManagedTransaction, job: Job, done: JobWork) -> None:
        self.ledger.finish_in(tx, job, done.result)
        if done.commit is not None:
            done.commit(tx)

    def _committed(self, job: Job) -> bool:
        """True when this very attempt's commit went through (its acknowledgement was lost and
        the driver retried the transaction, which then found the job ended)."""
        now = self.ledger.get(job.id)
        return now.state == "succeeded" and now.worker == job.worker and now.attempts == job.attempts

    def rollback(self, job: Job) -> list[str]:
        """Remove the vault entries (and unfinished writes) ``job`` recorded that no live cube,
        KGE model or other running job uses; returns their digests."""
        keep = self.ledger.referenced_digests(except_job=job.id)
        dropped = [d for d in dict.fromkeys(self.ledger.digests_of(job)) if d not in keep]
        for digest in dropped:
            self.vault.discard(digest)
        return dropped

