"""kill -9 of a scheduler worker in the middle of a LoRA encoding, and of a scheduler run.

1. Two worker processes on one Neo4j: worker A claims an encoding job and is killed (SIGKILL)
   half-way through writing the adapter to the MemVault. While A lived, worker B left the job
   alone (A's lease was live); once A's lease expired, B took the job over, removed A's partial
   file and finished it: one adapter, committed once, nothing else in the vault or the graph.
2. A process running an encoding is killed while training. A scheduler run while its lease is
   live leaves the facts to it (no second encoding); a run after the lease expired takes the job
   over, re-runs it, and reports it with what it produced (facts encoded, reproduced).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from memcubedb.config.scheduler import JobsConfig, KGEConfig, LoRAConfig, PromotionPolicy, SchedulerConfig
from memcubedb.graph.mapping import native
from memcubedb.graph.store import GraphStore
from memcubedb.scheduler.jobs import JobLedger
from memcubedb.scheduler.lm import LoadedLM, offline_tokenizer, tiny_random_llama
from memcubedb.scheduler.memscheduler import MemScheduler
from memcubedb.scheduler.vault import MemVault
from memcubedb.settings import Settings
from tests.factories import cube_write
from tests.support.cluster import cluster, save_tiny_lm

FACTS = [("Mira", "founded", "Larkspur"), ("Tomas", "grows", "apples"), ("Eoin", "runs", "stall"),
         ("Larkspur", "located_in", "Tullow"), ("Mira", "sister_of", "Eoin")]
FACT_IDS = "MATCH (:MemCube {owner: $owner})-[:ASSERTS]->(f:Fact) RETURN collect(f.id) AS ids"
ADAPTERS = """
MATCH (c:MemCube {memory_type: 'parametric'})
RETURN c.id AS id, c.vault_digest AS digest, COUNT { (c)-[:ENCODES]->(:Fact) } AS encodes
"""
ENCODINGS = "MATCH (a:Activity {kind: 'encoding'}) RETURN count(a) AS n"
LEASE = "MATCH (j:Job {id: $id}) RETURN j.lease_expires_at AS expires, j.claimed_at AS claimed"
LEASE_S = 5.0

#: Worker A: the real `memcubedb worker`, except that its vault writes stop half-way (a temporary
#: file holding half the bytes, as a write cut by the kill leaves it) and hang there.
STALLING_WORKER = """
import sys, tempfile, time
from memcubedb.scheduler import vault

def stall(path, data, digest):
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".tmp-{digest}-", dir=path.parent)
    with open(fd, "wb") as handle:
        handle.write(data[: len(data) // 2])
        handle.flush()
    print("PARTIAL", name, flush=True)
    while True:
        time.sleep(1)

vault.MemVault._atomic_write = staticmethod(stall)
from memcubedb.api.cli.main import app
app(["worker", "--no-periodic"])
"""

#: A process encoding facts (long training, lease LEASE_S) until it is killed.
ENCODING_CHILD = """
import sys
from memcubedb.settings import Settings
from memcubedb.config.scheduler import JobsConfig, LoRAConfig, SchedulerConfig
from memcubedb.graph.store import GraphStore
from memcubedb.scheduler.lm import offline_tokenizer, tiny_random_llama
from memcubedb.scheduler.memscheduler import MemScheduler
from memcubedb.scheduler.vault import MemVault
store = GraphStore.connect(Settings(), migrate=False)
lm = tiny_random_llama(offline_tokenizer(), hidden_size=64, num_layers=2, initializer_range=0.3)
config = SchedulerConfig(lora=LoRAConfig(epochs=100_000, rank=4, alpha=8, early_stop_loss=0.0),
                         jobs=JobsConfig(lease_s=float(sys.argv[3]), heartbeat_s=0.5))
sched = MemScheduler(store, MemVault(sys.argv[1]), config, lambda: lm)
print("training", flush=True)
sched.encode("mira", sys.argv[2].split(","))
"""


@pytest.fixture(scope="module")
def lm() -> LoadedLM:
    return tiny_random_llama(offline_tokenizer(), hidden_size=64, num_layers=2, initializer_range=0.3)


def _facts(store: GraphStore) -> list[str]:
    store.write_cubes([cube_write(f"{s} {p} {o}.", owner="mira", facts=[(s, p, o)], uri=f"doc://{i}")
                       for i, (s, p, o) in enumerate(FACTS)])
    return sorted(store.read(FACT_IDS, owner="mira")[0]["ids"])


def _wait(predicate: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def _vault_is_exactly_what_the_graph_uses(vault_dir: Path, ledger: JobLedger) -> set[str]:
    vault = MemVault(vault_dir)
    digests = set(vault.digests())
    assert digests == ledger.referenced_digests()
    assert all(vault.verify(d) for d in digests)
    assert [p.name for p in vault_dir.rglob(".tmp-*")] == []
    return digests


def test_worker_killed_mid_lora_encoding_is_finished_by_another_worker(
    store: GraphStore, settings: Settings, tmp_path: Path
) -> None:
    fact_ids = _facts(store)
    ledger = JobLedger(store)
    job = ledger.enqueue("encoding", "mira", {"fact_ids": fact_ids})
    data_dir = tmp_path / "data"
    lease = {"MEMCUBEDB_SCHEDULER__JOBS__LEASE_S": str(LEASE_S)}
    with cluster(settings, data_dir, save_tiny_lm(tmp_path / "tiny-llama"), apis=0, workers=0,
                 extra_env=lease) as running:  # fmt: skip
        a = running.start_worker(command=[sys.executable, "-c", textwrap.dedent(STALLING_WORKER)])
        _wait(lambda: "PARTIAL" in a.log.read_text(errors="replace"), 120, f"a partial vault write\n{a.tail()}")
        partial = Path(a.log.read_text().split("PARTIAL ", 1)[1].split()[0])
        assert partial.exists() and ledger.get(job.id).state == "running"
        killed_worker = ledger.get(job.id).worker
        b = running.start_worker()
        time.sleep(LEASE_S * 1.5)  # A lives (stalled, heartbeating): B must leave its job alone
        assert ledger.get(job.id).worker == killed_worker

        running.kill(a)
        expires = native(store.read(LEASE, id=job.id)[0]["expires"])  # nobody renews it any more
        _wait(lambda: ledger.get(job.id).state != "running", 120, f"the takeover\n{b.tail()}")

    done = ledger.get(job.id)
    assert done.state == "succeeded", (done, b.tail())
    assert (done.attempts, done.previous_worker) == (2, killed_worker)
    assert done.worker is not None and done.worker.startswith("worker@") and done.worker != killed_worker
    assert native(store.read(LEASE, id=job.id)[0]["claimed"]) >= expires  # taken over only once expired
    assert not partial.exists()
    adapters = store.read(ADAPTERS)
    assert len(adapters) == 1 and adapters[0]["encodes"] == len(fact_ids)
    assert adapters[0]["id"] == done.result["adapter_id"]  # type: ignore[index]
    assert store.read(ENCODINGS) == [{"n": 1}]  # committed once: one Activity, one adapter
    assert _vault_is_exactly_what_the_graph_uses(data_dir / "vault", ledger) == {adapters[0]["digest"]}


def test_killed_encoding_is_left_alone_while_leased_then_resumed_and_reported(
    store: GraphStore, tmp_path: Path, lm: LoadedLM
) -> None:
    fact_ids = _facts(store)
    vault_dir = tmp_path / "vault"
    child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(ENCODING_CHILD), str(vault_dir),
                              ",".join(fact_ids), str(LEASE_S)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=os.environ.copy())  # fmt: skip
    ledger = JobLedger(store)
    try:
        _wait(lambda: any(j.kind == "encoding" for j in ledger.recent("mira")), 120, "the encoding job")
        time.sleep(1.0)  # well into the training loop
        assert child.poll() is None
    finally:
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=60)
    assert child.returncode == -signal.SIGKILL
    killed = next(j for j in ledger.recent("mira") if j.kind == "encoding")
    config = SchedulerConfig(
        kge=KGEConfig(epochs=5, embedding_dim=8), lora=LoRAConfig(epochs=10, rank=4, alpha=8),
        promotion=PromotionPolicy(top_k=0, lora_min_facts=3, lora_min_plausibility=0.0),
        jobs=JobsConfig(lease_s=LEASE_S, heartbeat_s=0.5),
    )  # fmt: skip
    sched = MemScheduler(store, MemVault(vault_dir), config, lambda: lm)

    early = sched.run("mira")  # the killed job's lease is still live

    assert early.recovered_jobs == [] and early.encoded == [] and early.left_to_jobs == len(fact_ids)
    assert ledger.get(killed.id).state == "running" and store.read(ADAPTERS) == []
    time.sleep(LEASE_S + 0.5)

    report = sched.run("mira")

    assert report.recovered_jobs == [killed.id]
    resumed = ledger.get(killed.id)
    assert (resumed.state, resumed.attempts) == ("succeeded", 2)
    assert report.encoded == [resumed.result["adapter_id"]]  # type: ignore[index]
    assert report.facts_encoded == len(fact_ids) and report.facts_reproduced == resumed.result["reproduced"]  # type: ignore[index]
    adapters = store.read(ADAPTERS)
    assert len(adapters) == 1 and adapters[0]["encodes"] == len(fact_ids)
    assert _vault_is_exactly_what_the_graph_uses(vault_dir, ledger) >= {adapters[0]["digest"]}
