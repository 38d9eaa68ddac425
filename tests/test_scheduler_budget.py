"""The activation budget: selection by score within tokens and bytes, and scheduler runs converging.

The scheduler test runs on a real Neo4j with a small random Llama (hidden 64, 2 layers, std 0.3).
"""

from __future__ import annotations

from pathlib import Path

from memcubedb.config.scheduler import PromotionPolicy, SchedulerConfig
from memcubedb.graph.store import GraphStore
from memcubedb.scheduler.budget import Candidate, kv_bytes_per_token, memory_tokens, plan_activation
from memcubedb.scheduler.lm import offline_tokenizer, tiny_random_llama
from memcubedb.scheduler.memscheduler import MemScheduler
from memcubedb.scheduler.vault import MemVault
from tests.factories import cube_write


def test_plan_fills_by_score_and_displaces_the_lowest_template() -> None:
    pool = [
        Candidate("a", 0.9, 100, 1000, template_id="ta"),
        Candidate("b", 0.5, 100, 1000, template_id="tb"),
        Candidate("c", 0.8, 100, 1000),
        Candidate("d", 0.7, 100, 1000),
        Candidate("e", 0.3, 10, 10),
    ]
    plan = plan_activation(pool, max_tokens=300, max_bytes=10_000, min_score=0.4, max_new=5)
    assert plan.promote == ["c", "d"] and plan.keep == ["ta"] and plan.demote == ["tb"]
    assert (plan.tokens, plan.size_bytes) == (300, 3000)
    capped = plan_activation(pool, max_tokens=300, max_bytes=10_000, min_score=0.4, max_new=1)
    assert capped.promote == ["c"] and capped.keep == ["ta", "tb"] and capped.demote == []
    by_bytes = plan_activation(pool, max_tokens=10_000, max_bytes=2000, min_score=0.0, max_new=5)
    assert by_bytes.keep == ["ta"] and by_bytes.promote == ["c"] and by_bytes.size_bytes == 2000
    by_count = plan_activation(pool, max_tokens=10_000, max_bytes=10_000, min_score=0.0, max_new=5, max_items=2)
    assert by_count.keep == ["ta"] and by_count.promote == ["c"] and by_count.demote == ["tb"]
    tie = plan_activation([Candidate("x", 0.5, 10, 1), Candidate("y", 0.5, 10, 1, "ty")], 10, 10, 0.0, 5)
    assert tie.keep == ["ty"] and tie.promote == []  # an existing template wins a tie: no churn


def test_repeated_runs_converge_within_the_budget(store: GraphStore, tmp_path: Path) -> None:
    lm = tiny_random_llama(offline_tokenizer(), hidden_size=64, num_layers=2, initializer_range=0.3)
    texts = [f"Memo {i}: the courier route {i} passes the old mill at dawn." for i in range(6)]
    writes = [cube_write(t, owner="mira", uri=f"doc://{i}") for i, t in enumerate(texts)]
    store.write_cubes(writes)
    ids = [w.cube.id for w in writes]
    for i, cube_id in enumerate(ids):  # relevance 0.9, 0.8, … 0.4: a strict order of scores
        store.driver.execute_query("MATCH (c:MemCube {id: $id}) SET c.relevance = $r", id=cube_id,
                                   r=0.9 - i / 10, database_=store.db)  # fmt: skip
    per_memory = max(memory_tokens(lm, t) for t in texts)
    policy = PromotionPolicy(top_k=2, min_score=0.0, activation_tokens=3 * per_memory,
                             activation_bytes=1 << 30, activation_share=1.0, lora_min_facts=1000)  # fmt: skip
    sched = MemScheduler(store, MemVault(tmp_path / "vault"), SchedulerConfig(promotion=policy), lambda: lm)

    def activated() -> set[str]:
        rows = store.read("MATCH (s:MemCube)-[:PROMOTED_TO]->(t:MemCube {memory_type: 'activation'}) "
                          "WHERE t.state IN ['generated', 'activated'] RETURN s.id AS id")  # fmt: skip
        return {r["id"] for r in rows}

    first = sched.run("mira")
    assert len(first.promoted) == 2 and activated() == set(ids[:2])
    second = sched.run("mira")
    assert len(second.promoted) == 1 and activated() == set(ids[:3])
    third = sched.run("mira")
    assert third.promoted == [] and third.demoted == [] and activated() == set(ids[:3])

    store.driver.execute_query("MATCH (c:MemCube {id: $id}) SET c.relevance = 1.0, c.access_count = 80, "
                               "c.last_access = datetime()", id=ids[5], database_=store.db)  # fmt: skip
    fourth = sched.run("mira")
    assert len(fourth.promoted) == 1 and len(fourth.demoted) == 1
    assert activated() == {ids[0], ids[1], ids[5]}
    fifth = sched.run("mira")
    assert fifth.promoted == [] and fifth.demoted == []
    live = store.read("MATCH (t:MemCube {memory_type: 'activation'}) WHERE t.state IN ['generated', 'activated'] "
                      "RETURN count(t) AS n")  # fmt: skip
    assert live == [{"n": 3}]
    assert kv_bytes_per_token(lm) == 2 * 2 * 2 * 16 * 4  # layers × (K, V) × kv heads × head dim × fp32
