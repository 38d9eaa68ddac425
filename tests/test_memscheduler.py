"""MemScheduler end to end on a real Neo4j, real pykeen, a small random Llama and real peft."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import torch

from memcubedb.config.scheduler import JobsConfig, KGEConfig, LoRAConfig, PromotionPolicy, SchedulerConfig
from memcubedb.cube import LifecycleState, MemoryType
from memcubedb.graph.store import GraphStore
from memcubedb.scheduler.kv_templates import generate, generate_with_template, load_kv_template, prompt_ids
from memcubedb.scheduler.lm import LoadedLM, offline_tokenizer, tiny_random_llama
from memcubedb.scheduler.memscheduler import MemScheduler
from memcubedb.scheduler.vault import MemVault
from tests.factories import cube_write

FACTS = [
    ("Mira", "founded", "Larkspur"), ("Mira", "chairs", "Larkspur"), ("Tomas", "grows", "apples"),
    ("Tomas", "grafts", "pears"), ("Eoin", "runs", "stall"), ("Larkspur", "located_in", "Tullow"),
    ("Larkspur", "owns", "press"), ("press", "sits_in", "creamery"), ("Mira", "sister_of", "Eoin"),
    ("Tomas", "joined", "Larkspur"),
]
LEASE_S = 3.0


@pytest.fixture(scope="module")
def lm() -> LoadedLM:
    return tiny_random_llama(offline_tokenizer(), hidden_size=64, num_layers=2, initializer_range=0.3)


def _scheduler(store: GraphStore, tmp_path: Path, lm: LoadedLM) -> MemScheduler:
    config = SchedulerConfig(
        kge=KGEConfig(epochs=30, embedding_dim=16),
        lora=LoRAConfig(epochs=150, learning_rate=5e-3, rank=8, alpha=16),
        promotion=PromotionPolicy(top_k=1, min_score=0.0, lora_min_facts=10, lora_min_plausibility=0.0),
        jobs=JobsConfig(lease_s=LEASE_S, heartbeat_s=0.5),
    )
    return MemScheduler(store, MemVault(tmp_path / "vault"), config, lambda: lm)


def test_end_to_end_promote_encode_demote(store: GraphStore, tmp_path: Path, lm: LoadedLM) -> None:
    writes = [cube_write(f"{s} {p} {o}.", owner="mira", facts=[(s, p, o)], uri=f"doc://{i}")
              for i, (s, p, o) in enumerate(FACTS)]
    store.write_cubes(writes)
    hot = writes[0].cube.id
    store.driver.execute_query("MATCH (c:MemCube {id: $id}) SET c.access_count = 50, c.last_access = datetime()",
                               id=hot, database_=store.db)
    sched = _scheduler(store, tmp_path, lm)

    report = sched.run("mira")

    assert report.kge_trained and report.kge_training_ms is not None
    assert max(report.scores, key=report.scores.__getitem__) == hot
    assert len(report.promoted) == 1
    template_cube = store.get_cube("mira", report.promoted[0])
    assert template_cube.descriptive.memory_type is MemoryType.ACTIVATION
    assert store.get_cube("mira", hot).governance.state is LifecycleState.ACTIVATED
    assert store.read("MATCH (:MemCube {id: $a})-[:PROMOTED_TO]->(t) RETURN t.id AS t", a=hot) == [
        {"t": template_cube.id}
    ]
    template = load_kv_template(sched.vault, lm, template_cube.payload.sha256)  # type: ignore[union-attr]
    with_template = generate_with_template(lm, template, "Who founded Larkspur?", max_new_tokens=8)
    full_ids = torch.cat([template.token_ids, prompt_ids(lm, template, "Who founded Larkspur?")])
    full = generate(lm, full_ids, max_new_tokens=8)
    assert with_template.new_token_ids == full.new_token_ids

    assert len(report.encoded) == 1 and report.facts_encoded == 10
    adapter_id = report.encoded[0]
    encodes = store.read("MATCH (:MemCube {id: $a})-[:ENCODES]->(f:Fact) RETURN count(f) AS n", a=adapter_id)
    assert encodes == [{"n": 10}]
    assert report.facts_reproduced >= 9

    plain_id = sched.demote_adapter("mira", adapter_id, reason="test")
    assert plain_id is not None
    recovered = store.facts_of("mira", plain_id)
    assert len(recovered) >= 9
    assert all(f.confidence > 0 for f in recovered)
    assert store.get_cube("mira", adapter_id).governance.state is LifecycleState.ARCHIVED
    links = store.read(
        "MATCH (a:MemCube {id: $a})-[:DEMOTED_TO]->(p:MemCube)-[:DERIVED_FROM]->(a) "
        "MATCH (p)-[:ASSERTS]->(f:Fact)-[:DERIVED_FROM]->(orig:Fact)<-[:ENCODES]-(a) RETURN count(f) AS n",
        a=adapter_id,
    )
    assert links[0]["n"] == len(recovered)
    assert not sched.vault.path_for(store.get_cube("mira", adapter_id).payload.sha256).exists()  # type: ignore[union-attr]


def test_template_demotion_keeps_text(store: GraphStore, tmp_path: Path, lm: LoadedLM) -> None:
    w = cube_write("Tomas grows apples.", owner="tomas")
    store.write_cubes([w])
    sched = _scheduler(store, tmp_path, lm)
    template_id = sched.promote("tomas", w.cube.id)
    digest = store.get_cube("tomas", template_id).payload.sha256  # type: ignore[union-attr]
    sched.demote_template("tomas", template_id, reason="idle")
    assert not sched.vault.path_for(digest).exists()
    assert store.get_cube("tomas", template_id).governance.state is LifecycleState.ARCHIVED
    source = store.get_cube("tomas", w.cube.id)
    assert source.governance.state is LifecycleState.GENERATED
    assert source.text == "Tomas grows apples."
    # promoted again later (the same text gives the same KV tensors): a new, live template
    again = sched.promote("tomas", w.cube.id)
    assert again != template_id
    assert store.get_cube("tomas", again).governance.state is LifecycleState.GENERATED
    assert store.get_cube("tomas", w.cube.id).governance.state is LifecycleState.ACTIVATED
    assert sched.vault.path_for(digest).exists()
    assert store.get_cube("tomas", template_id).governance.state is LifecycleState.ARCHIVED


def test_killed_promotion_is_taken_over_only_after_its_lease_expired(
    store: GraphStore, tmp_path: Path, lm: LoadedLM
) -> None:
    w = cube_write("Eoin runs the cider stall.", owner="eoin")
    store.write_cubes([w])
    vault_dir = tmp_path / "vault"
    # A separate process records a promotion job (leased for LEASE_S), notes a vault entry and
    # writes it, then is killed (-9) before it commits anything to the graph.
    script = textwrap.dedent(
        f"""
        import os, signal, torch
        from functools import partial
        from memcubedb.settings import Settings
        from memcubedb.config.scheduler import JobsConfig
        from memcubedb.graph.store import GraphStore
        from memcubedb.scheduler.jobs import JobLedger
        from memcubedb.scheduler.vault import MemVault
        from memcubedb.scheduler.lm import offline_tokenizer, tiny_random_llama
        store = GraphStore.connect(Settings(), migrate=False)
        lm = tiny_random_llama(offline_tokenizer(), hidden_size=64, num_layers=2, initializer_range=0.3)
        ledger = JobLedger(store, JobsConfig(lease_s={LEASE_S}, heartbeat_s=0.5))
        job = ledger.start("promotion", "eoin", {{"cube_id": {w.cube.id!r}, "score": 0.9}})
        entry = MemVault({str(vault_dir)!r}).put({{"x": torch.zeros(4)}}, lm.identity, "kv_template",
                                               before_write=partial(ledger.note_digest, job))
        print(job.id, job.worker, entry.digest, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert proc.returncode == -9, proc.stderr
    job_id, killed_worker, orphan_digest = proc.stdout.split()
    sched = _scheduler(store, tmp_path, lm)
    assert sched.vault.path_for(orphan_digest).exists()

    assert sched.recover() == []  # the lease is live: its worker may still be running it
    assert sched.jobs.get(job_id).state == "running" and sched.vault.path_for(orphan_digest).exists()
    time.sleep(LEASE_S + 0.5)
    recovered = sched.recover()

    assert [j.id for j in recovered] == [job_id]
    job = sched.jobs.get(job_id)
    assert (job.state, job.attempts) == ("succeeded", 2)
    assert (job.previous_worker, job.worker) == (killed_worker, sched.jobs.worker)
    assert not sched.vault.path_for(orphan_digest).exists()
    assert store.get_cube("eoin", w.cube.id).governance.state is LifecycleState.ACTIVATED
    assert sched.vault.path_for(job.result["digest"]).exists()  # type: ignore[index]
