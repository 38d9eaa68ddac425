"""Crash safety of the MemScheduler's LoRA encoding (the KV-promotion variant is in
``tests/test_memscheduler.py``): a real ``MemScheduler.encode`` in a separate process is killed
with SIGKILL (a) while it trains, (b) right after the adapter reached the vault and the job noted
it, before the graph commit. On restart ``recover()`` rolls the job back and resumes it: exactly
one adapter cube for the facts, its vault entry intact, and no orphan or half-written vault file.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from memcubedb.config.scheduler import LoRAConfig, SchedulerConfig
from memcubedb.cube import MemoryType
from memcubedb.graph.store import GraphStore
from memcubedb.scheduler.lm import LoadedLM, offline_tokenizer, tiny_random_llama
from memcubedb.scheduler.memscheduler import MemScheduler
from memcubedb.scheduler.vault import MemVault
from tests.factories import cube_write

FACTS = [("Mira", "founded", "Larkspur"), ("Tomas", "grows", "apples"), ("Eoin", "runs", "stall"),
         ("Larkspur", "located_in", "Tullow"), ("Mira", "sister_of", "Eoin")]
FACT_IDS = "MATCH (:MemCube {owner: $owner})-[:ASSERTS]->(f:Fact) RETURN collect(f.id) AS ids"
RUNNING_ENCODING = "MATCH (j:Job {kind: 'encoding', state: 'running'}) RETURN count(j) AS n"
ADAPTERS = """
MATCH (c:MemCube {memory_type: 'parametric'})
RETURN c.id AS id, c.vault_digest AS digest, COUNT { (c)-[:ENCODES]->(:Fact) } AS encodes
"""
CHILD = """
import os, signal, sys
from memcubedb.settings import Settings
from memcubedb.graph.store import GraphStore
from memcubedb.config.scheduler import LoRAConfig, SchedulerConfig
from memcubedb.scheduler.lm import offline_tokenizer, tiny_random_llama
from memcubedb.scheduler.memscheduler import MemScheduler
from memcubedb.scheduler.vault import MemVault
vault, epochs, fact_ids, die_after_note = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(","), sys.argv[4] == "1"
store = GraphStore.connect(Settings(), migrate=False)
lm = tiny_random_llama(offline_tokenizer(), hidden_size=64, num_layers=2, initializer_range=0.3)
config = SchedulerConfig(lora=LoRAConfig(epochs=epochs, rank=4, alpha=8, early_stop_loss=0.0))
sched = MemScheduler(store, MemVault(vault), config, lambda: lm)
if die_after_note:
    note = sched.jobs.note_digest
    def note_then_die(job, digest):
        note(job, digest)
        print(digest, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    sched.jobs.note_digest = note_then_die
print("training", flush=True)
sched.encode("mira", fact_ids)
"""


@pytest.fixture(scope="module")
def lm() -> LoadedLM:
    return tiny_random_llama(offline_tokenizer(), hidden_size=64, num_layers=2, initializer_range=0.3)


def _facts(store: GraphStore) -> list[str]:
    store.write_cubes([cube_write(f"{s} {p} {o}.", owner="mira", facts=[(s, p, o)], uri=f"doc://{i}")
                       for i, (s, p, o) in enumerate(FACTS)])
    return sorted(store.read(FACT_IDS, owner="mira")[0]["ids"])


def _child(vault: Path, epochs: int, fact_ids: list[str], die_after_note: bool) -> subprocess.Popen[str]:
    args = [sys.executable, "-c", textwrap.dedent(CHILD), str(vault), str(epochs), ",".join(fact_ids),
            "1" if die_after_note else "0"]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy())


def _recover_and_check(store: GraphStore, vault_dir: Path, lm: LoadedLM, fact_ids: list[str]) -> str:
    """Recover with a scheduler whose LoRA settings differ from the killed one's (so the resumed
    adapter has another digest than any orphan); return the resumed adapter's digest."""
    config = SchedulerConfig(lora=LoRAConfig(epochs=10, rank=4, alpha=8))
    sched = MemScheduler(store, MemVault(vault_dir), config, lambda: lm)
    orphaned = sched.jobs.orphaned()
    assert [j.kind for j in orphaned] == ["encoding"]

    rolled_back = sched.recover()

    assert rolled_back == [orphaned[0].id]
    assert sched.jobs.get(orphaned[0].id).state == "rolled_back"
    assert sched.jobs.orphaned() == []
    resumed = [j for j in sched.jobs.recent("mira") if j.kind == "encoding" and j.state == "succeeded"]
    assert len(resumed) == 1 and sorted(resumed[0].params["fact_ids"]) == fact_ids
    adapters = store.read(ADAPTERS)
    assert len(adapters) == 1 and adapters[0]["encodes"] == len(fact_ids)
    cube = store.get_cube("mira", adapters[0]["id"])
    assert cube.descriptive.memory_type is MemoryType.PARAMETRIC
    # the vault holds exactly what the graph references, every entry verifies, nothing half-written
    assert set(sched.vault.digests()) == sched.jobs.referenced_digests() == {adapters[0]["digest"]}
    assert sched.vault.verify(adapters[0]["digest"])
    assert [p.name for p in vault_dir.rglob("*") if p.is_file() and p.name.startswith(".tmp-")] == []
    return str(adapters[0]["digest"])


def test_encoding_killed_after_the_vault_write_is_rolled_back_and_resumed(
    store: GraphStore, tmp_path: Path, lm: LoadedLM
) -> None:
    fact_ids = _facts(store)
    vault_dir = tmp_path / "vault"
    child = _child(vault_dir, 20, fact_ids, die_after_note=True)
    out, err = child.communicate(timeout=300)
    assert child.returncode == -signal.SIGKILL, err[-2000:]
    orphan = out.split()[-1]
    assert MemVault(vault_dir).verify(orphan)  # the adapter reached the vault; the graph never heard of it
    assert store.read(ADAPTERS) == []
    resumed = _recover_and_check(store, vault_dir, lm, fact_ids)
    assert resumed != orphan and not MemVault(vault_dir).path_for(orphan).exists()


def test_encoding_killed_while_training_is_rolled_back_and_resumed(
    store: GraphStore, tmp_path: Path, lm: LoadedLM
) -> None:
    fact_ids = _facts(store)
    vault_dir = tmp_path / "vault"
    child = _child(vault_dir, 100_000, fact_ids, die_after_note=False)
    try:
        deadline = time.monotonic() + 240
        while store.read(RUNNING_ENCODING)[0]["n"] == 0:
            assert child.poll() is None and time.monotonic() < deadline, child.stderr.read() if child.stderr else ""
            time.sleep(0.1)
        time.sleep(1.0)  # well into the training loop
        assert child.poll() is None
    finally:
        child.kill()  # SIGKILL
        child.communicate(timeout=60)
    assert child.returncode == -signal.SIGKILL
    assert store.read(ADAPTERS) == []
    _recover_and_check(store, vault_dir, lm, fact_ids)
