"""Durable scheduler jobs, recorded in the graph before they start and when they end.

A job is a ``(:Job {id, kind, state, principal, params, pid, host, created_at, started_at,
ended_at, result, error, attempts})`` node. States: ``running`` → ``succeeded`` | ``failed``;
a job found ``running`` whose process is gone (killed, crashed) is *recovered* on the next
start: its partial outputs are rolled back (vault entries it wrote that no MemCube references
are removed; graph results are only ever written in the transaction that marks the job
succeeded, so there is nothing half-written there) and it is marked ``rolled_back``; when the
job kind is resumable it is re-run from its recorded parameters, which is safe because every
output is content-addressed.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from neo4j import ManagedTransaction

from memcubedb.cube import new_id, utcnow
from memcubedb.graph.mapping import native
from memcubedb.graph.store import GraphStore

START_JOB = """
CREATE (j:Job {id: $id, kind: $kind, state: 'running', principal: $principal, params: $params,
               pid: $pid, host: $host, created_at: $now, started_at: $now, attempts: $attempts,
               resumed_from: $resumed_from})
"""

FINISH_JOB = """
MATCH (j:Job {id: $id})
SET j.state = $state, j.ended_at = $now, j.result = $result, j.error = $error
"""

RUNNING_JOBS = "MATCH (j:Job {state: 'running'}) RETURN j {.*} AS job ORDER BY j.started_at"

JOB_BY_ID = "MATCH (j:Job {id: $id}) RETURN j {.*} AS job"

RECENT_JOBS = (
    "MATCH (j:Job) WHERE $principal IS NULL OR j.principal = $principal "
    "RETURN j {.*} AS job ORDER BY j.created_at DESC LIMIT $limit"
)

REFERENCED_DIGESTS = """
MATCH (c:MemCube) WHERE c.memory_type IN ['activation', 'parametric']
  AND NOT c.state IN ['archived', 'expired', 'deleted']
RETURN c.vault_digest AS digest
UNION
MATCH (j:Job {state: 'running'}) UNWIND coalesce(j.vault_digests, []) AS digest RETURN digest
UNION
MATCH (k:KGEModel) RETURN k.vault_digest AS digest
"""

JOB_DIGESTS = "MATCH (j:Job {id: $id}) RETURN coalesce(j.vault_digests, []) AS digests"

ADD_JOB_DIGEST = "MATCH (j:Job {id: $id}) SET j.vault_digests = coalesce(j.vault_digests, []) + [$digest]"


@dataclass(frozen=True)
class Job:
    """A job as recorded in the graph."""

    id: str
    kind: str
    state: str
    principal: str
    params: dict[str, Any]
    pid: int
    host: str
    attempts: int
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
            pid=row["pid"],
            host=row["host"],
            attempts=row.get("attempts") or 1,
            result=json.loads(row["result"]) if row.get("result") else None,
            error=row.get("error"),
        )


def _alive(pid: int, host: str) -> bool:
    if host != socket.gethostname():
        return True  # another machine's job: not ours to judge
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class JobLedger:
    """Records jobs in the graph and recovers the ones a killed process left behind."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store

    def start(
        self, kind: str, principal: str, params: dict[str, Any], resumed_from: str | None = None, attempts: int = 1
    ) -> Job:
        """Record a job as running (before any work is done) and return it."""
        job_id = new_id()
        self.store.driver.execute_query(
            START_JOB,
            id=job_id,
            kind=kind,
            principal=principal,
            params=json.dumps(params, sort_keys=True),
            pid=os.getpid(),
            host=socket.gethostname(),
            now=utcnow(),
            attempts=attempts,
            resumed_from=resumed_from,
            database_=self.store.db,
        )
        return self.get(job_id)

    def note_digest(self, job: Job, digest: str) -> None:
        """Record that ``job`` wrote a vault entry (so recovery can remove it if unreferenced)."""
        self.store.driver.execute_query(ADD_JOB_DIGEST, id=job.id, digest=digest, database_=self.store.db)

    def finish_in(self, tx: ManagedTransaction, job: Job, result: dict[str, Any]) -> None:
        """Mark ``job`` succeeded inside the caller's transaction (results and state commit together)."""
        tx.run(
            FINISH_JOB, id=job.id, state="succeeded", now=utcnow(), result=json.dumps(result, default=str), error=None
        ).consume()

    def fail(self, job: Job, error: str, state: str = "failed") -> None:
        """Mark ``job`` failed (or ``rolled_back``) with an error message."""
        self.store.driver.execute_query(
            FINISH_JOB,
            id=job.id,
            state=state,
            now=utcnow(),
            result=None,
            error=error[:2000],
            database_=self.store.db,
        )

    def digests_of(self, job: Job) -> list[str]:
        """Vault digests ``job`` recorded as written."""
        rows = self.store.read(JOB_DIGESTS, id=job.id)
        return rows[0]["digests"] if rows else []

    def get(self, job_id: str) -> Job:
        """One job by id.

        Raises:
            LookupError: no such job.
        """
        rows = self.store.read(JOB_BY_ID, id=job_id)
        if not rows:
            raise LookupError(f"no job {job_id!r}")
        return Job.from_row(rows[0]["job"])

    def recent(self, principal: str | None = None, limit: int = 20) -> list[Job]:
        """The most recent jobs, newest first (of one principal, or all)."""
        return [Job.from_row(r["job"]) for r in self.store.read(RECENT_JOBS, principal=principal, limit=limit)]

    def orphaned(self) -> list[Job]:
        """Jobs recorded as running whose process no longer exists."""
        jobs = [Job.from_row(r["job"]) for r in self.store.read(RUNNING_JOBS)]
        return [j for j in jobs if not _alive(j.pid, j.host)]

    def referenced_digests(self) -> set[str]:
        """Vault digests still in use: by live activation/parametric cubes, KGE models, running jobs."""
        return {r["digest"] for r in self.store.read(REFERENCED_DIGESTS) if r["digest"]}

    def recover(self, rollback: Callable[[Job], None]) -> list[Job]:
        """Roll back every orphaned job: call ``rollback(job)``, then mark it ``rolled_back``.

        Returns:
            the jobs rolled back (the caller may resume them from ``job.params``).
        """
        recovered = []
        for job in self.orphaned():
            rollback(job)
            self.fail(job, f"process {job.pid} on {job.host} stopped before the job finished", "rolled_back")
            recovered.append(job)
        return recovered
