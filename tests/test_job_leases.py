"""Job leases on the real Neo4j: atomic claims, heartbeats, takeover of expired leases only,
holder-only commits, one run per principal at a time, periodic runs queued once."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from memcubedb.config.scheduler import JobsConfig
from memcubedb.graph.store import GraphStore
from memcubedb.scheduler.jobs import Job, JobLedger, LeaseLost, worker_id
from memcubedb.states import LIVE_STATES
from tests.factories import cube_write

LEASE_S = 3.0
CONFIG = JobsConfig(lease_s=LEASE_S, heartbeat_s=0.5)
MARKER = "CREATE (:LeaseTestMarker {job: $job, worker: $worker})"
MARKERS = "MATCH (m:LeaseTestMarker) RETURN m.job AS job, m.worker AS worker"


def _ledger(store: GraphStore, name: str) -> JobLedger:
    return JobLedger(store, CONFIG, worker_id(name))


def _commit(store: GraphStore, ledger: JobLedger, job: Job) -> None:
    """A job's result write and its finish in one transaction, as the job block does."""

    def work(tx: Any) -> None:
        ledger.finish_in(tx, job, {"by": ledger.worker})
        tx.run(MARKER, job=job.id, worker=ledger.worker).consume()

    store.execute_write(work)


def test_concurrent_claims_take_each_job_exactly_once(store: GraphStore) -> None:
    queued = {_ledger(store, "api").enqueue("promotion", "alice", {"cube_id": f"c{i}"}).id for i in range(12)}
    ledgers = [_ledger(store, f"w{i}") for i in range(4)]

    def drain(ledger: JobLedger) -> list[Job]:
        taken = []
        while (job := ledger.claim()) is not None:
            taken.append(job)
        return taken

    with ThreadPoolExecutor(len(ledgers)) as pool:
        claimed = [job for jobs in pool.map(drain, ledgers) for job in jobs]

    assert sorted(j.id for j in claimed) == sorted(queued)  # every job once, none twice
    for job in claimed:
        stored = ledgers[0].get(job.id)
        assert (stored.state, stored.worker, stored.attempts) == ("running", job.worker, 1)
    assert len({j.worker for j in claimed}) >= 2


def test_a_live_lease_is_never_taken_over_an_expired_one_is(store: GraphStore) -> None:
    a, b = _ledger(store, "a"), _ledger(store, "b")
    a.enqueue("encoding", "alice", {"fact_ids": ["f1"]})
    job = a.claim()
    assert job is not None and b.claim() is None
    time.sleep(LEASE_S * 0.75)
    assert a.heartbeat(job)  # renewed: live for another LEASE_S
    time.sleep(LEASE_S * 0.5)  # past the first expiry, inside the renewed lease
    assert b.claim() is None and b.claim(expired_only=True) is None
    assert a.get(job.id).worker == a.worker

    time.sleep(LEASE_S + 0.3)  # no heartbeat: the lease expires
    taken = b.claim(expired_only=True)

    assert taken is not None and taken.id == job.id
    assert (taken.worker, taken.previous_worker, taken.attempts, taken.state) == (b.worker, a.worker, 2, "running")
    assert not a.heartbeat(job)  # the old holder cannot extend it any more


def test_lease_context_keeps_the_job_from_being_taken_over(store: GraphStore) -> None:
    a, b = _ledger(store, "a"), _ledger(store, "b")
    a.enqueue("promotion", "alice", {"cube_id": "c1"})
    job = a.claim()
    assert job is not None
    with a.lease(job) as lost:
        time.sleep(LEASE_S * 2)
        assert b.claim() is None and not lost.is_set()
    time.sleep(LEASE_S + 0.3)
    assert b.claim() is not None


def test_only_the_lease_holder_commits_results(store: GraphStore) -> None:
    a, b = _ledger(store, "a"), _ledger(store, "b")
    a.enqueue("promotion", "alice", {"cube_id": "c1"})
    stale = a.claim()
    assert stale is not None
    time.sleep(LEASE_S + 0.3)
    fresh = b.claim()
    assert fresh is not None and fresh.id == stale.id

    with pytest.raises(LeaseLost):
        _commit(store, a, stale)  # the old holder's results roll back with the failed lease check
    assert store.read(MARKERS) == []
    assert not a.fail(stale, "late failure")  # nor may it fail the job
    assert b.get(fresh.id).state == "running"

    _commit(store, b, fresh)

    assert store.read(MARKERS) == [{"job": fresh.id, "worker": b.worker}]
    done = b.get(fresh.id)
    assert (done.state, done.worker, done.result) == ("succeeded", b.worker, {"by": b.worker})
    with pytest.raises(LeaseLost):
        _commit(store, b, fresh)  # a job commits once


def test_one_run_per_principal_at_a_time(store: GraphStore) -> None:
    api = _ledger(store, "api")
    first, second = api.enqueue("run", "alice", {}), api.enqueue("run", "alice", {})
    other = api.enqueue("run", "bob", {})
    a, b, c = _ledger(store, "a"), _ledger(store, "b"), _ledger(store, "c")

    got_a, got_b = a.claim(), b.claim()

    assert got_a is not None and got_a.id == first.id
    assert got_b is not None and got_b.id == other.id  # alice's second run waits for her first
    assert c.claim() is None
    _commit(store, a, got_a)
    got_c = c.claim()
    assert got_c is not None and got_c.id == second.id


def test_periodic_runs_are_queued_once_per_principal(store: GraphStore) -> None:
    store.write_cubes([cube_write("Alice keeps bees.", owner="alice"), cube_write("Bob grows leeks.", owner="bob")])
    a, b = _ledger(store, "a"), _ledger(store, "b")
    live = list(LIVE_STATES)

    queued = a.enqueue_due_runs(3600.0, live) + b.enqueue_due_runs(3600.0, live)

    assert len(queued) == 2
    assert sorted(j.principal for j in a.recent() if j.kind == "run") == ["alice", "bob"]
    assert a.queue_depth() == {"queued": 2, "running": 0}


def test_a_job_whose_worker_keeps_stopping_is_failed_not_taken_over_forever(store: GraphStore) -> None:
    config = JobsConfig(lease_s=1.0, heartbeat_s=0.5, max_attempts=2)
    a, b, c = (JobLedger(store, config, worker_id(n)) for n in "abc")
    a.enqueue("encoding", "alice", {"fact_ids": ["f1"]})
    assert a.claim() is not None
    time.sleep(1.3)
    assert b.claim() is not None  # attempt 2: the last one
    time.sleep(1.3)

    assert c.claim() is None

    [job] = c.recent()
    assert (job.state, job.attempts, job.worker) == ("failed", 2, b.worker)
    assert job.error is not None and "2 attempts" in job.error
