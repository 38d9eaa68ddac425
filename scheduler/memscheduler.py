"""MemScheduler: moves knowledge between plaintext, activation and parametric memory.

After MemOS §MemScheduler. One :meth:`MemScheduler.run` acting as a principal:

1. take over the promotions, encodings and demotions whose worker stopped (lease expired: roll
   back what the last attempt left in the vault, re-run the job from its parameters);
2. apply the TTL policy (MemLifecycle);
3. (re)train graph embeddings (pykeen) on the principal's readable facts when they changed
   by more than ``kge.retrain_fraction``;
4. score plaintext MemCubes (:func:`scoring.promotion_score`) and record the scores;
5. fill the activation budget by score: promote the best-scored cubes to KV templates and demote
   the templates they displace (:mod:`scheduler.budget`; repeated runs converge);
6. encode stable, plausible facts into a LoRA adapter (parametric memory);
7. demote templates and adapters whose score fell or whose facts the graph now contradicts.

The run itself and each promotion, encoding and demotion in it are durable, leased jobs
(:mod:`scheduler.jobs`), all through one job block (:class:`~memcubedb.scheduler.job_runner.JobRunner`):
recorded before they start, their graph results committed in the transaction that marks them
succeeded, by the holder of their lease only. A run leaves alone the cubes and facts that queued or
running jobs of other workers are about to move.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from neo4j import ManagedTransaction

from memcubedb.config.scheduler import SchedulerConfig
from memcubedb.cube import (
    Descriptive,
    Governance,
    KVTemplatePayload,
    LifecycleState,
    LoRAAdapterPayload,
    MemCube,
    MemoryType,
    new_id,
    utcnow,
)
from memcubedb.cypher import scheduler as g
from memcubedb.graph.mapping import native
from memcubedb.graph.records import ActivityRecord, AgentRecord, CubeWrite, EntityRecord, FactRecord, stable_id
from memcubedb.graph.store import GraphStore, Prepare
from memcubedb.metrics import cache_lookup
from memcubedb.scheduler import budget, scoring
from memcubedb.scheduler import kge as kge_mod
from memcubedb.scheduler.job_runner import JobRunner, JobWork
from memcubedb.scheduler.jobs import Job, JobLedger, LeaseLost, worker_id
from memcubedb.scheduler.kv_templates import build_kv_template, save_kv_template
from memcubedb.scheduler.lifecycle import MemLifecycle
from memcubedb.scheduler.lm import LoadedLM
from memcubedb.scheduler.lora import encode_facts, load_adapter, probe, save_adapter
from memcubedb.scheduler.vault import MemVault
from memcubedb.states import LIVE_STATES, Operation, check_operation
from memcubedb.tracing import span

AGENT = AgentRecord(id="agent:memscheduler", kind="software", name="MemScheduler")
RECOVERABLE = ("promotion", "encoding", "demotion")
"""Job kinds a scheduler run takes over when their lease expired (a run's own job is left to the workers)."""

log = logging.getLogger("memcubedb.scheduler")


@dataclass
class RunReport:
    """What one scheduler run did (ids of the cubes involved; times in ms).

    ``recovered_jobs`` are the jobs taken over from stopped workers and re-run here; what they
    produced is counted with the run's own moves (``promoted``, ``encoded``, ``facts_encoded``,
    ``facts_reproduced``, ``demoted``). ``left_to_jobs`` counts the cubes and facts this run left to
    queued or running jobs of other workers.
    """

    recovered_jobs: list[str] = field(default_factory=list)
    left_to_jobs: int = 0
    expired: list[str] = field(default_factory=list)
    kge_trained: bool = False
    kge_training_ms: float | None = None
    scores: dict[str, float] = field(default_factory=dict)
    promoted: list[str] = field(default_factory=list)
    encoded: list[str] = field(default_factory=list)
    facts_encoded: int = 0
    facts_reproduced: int = 0
    demoted: list[str] = field(default_factory=list)


def _age_s(now: datetime, *times: Any) -> float:
    latest = max((native(t) for t in times if t is not None), default=now)
    return max(0.0, (now - latest).total_seconds())


class MemScheduler:
    """The scheduler for one store, vault and configuration; the LM is loaded on first use."""

    def __init__(
        self, store: GraphStore, vault: MemVault, config: SchedulerConfig, lm_loader: Callable[[], LoadedLM],
        vectorize: Prepare | None = None, role: str = "process",
    ) -> None:  # fmt: skip
        """``vectorize`` embeds the plaintext cubes a demotion writes (the ``prepare`` step of
        :meth:`GraphStore.write_cubes`), so they are vector-searchable like every other write;
        ``role`` names this process in its worker id (``api``, ``worker``…)."""
        self.store = store
        self.vectorize = vectorize
        self.vault = vault
        self.config = config
        self.jobs = JobLedger(store, config.jobs, worker_id(role))
        self.runner = JobRunner(store, vault, self.jobs)
        self.lifecycle = MemLifecycle(store, config.ttl)
        self._lm_loader = lm_loader
        self._lm: LoadedLM | None = None

    def _read(self, query: str, principal: str) -> list[dict[str, Any]]:
        """One of :mod:`~memcubedb.cypher.scheduler`' reads as ``principal`` over live cubes."""
        return self.store.read(query, principal=principal, live=list(LIVE_STATES))

    @property
    def lm(self) -> LoadedLM:
        """The causal LM (loaded once, on first use; look-ups counted as ``lm`` cache hits/misses)."""
        cache_lookup("lm", self._lm is not None)
        if self._lm is None:
            with span("model.load"):
                self._lm = self._lm_loader()
        return self._lm

    # --- graph embeddings and scores ----------------------------------------------------

    def fact_triples(self, principal: str) -> list[dict[str, Any]]:
        """The principal's readable, live, non-negated facts as rows (fact_id, head, relation, tail)."""
        return [r for r in self._read(g.FACT_TRIPLES, principal) if not r["negated"]]

    def train_graph_embeddings(
        self, principal: str, force: bool = False, job: Job | None = None
    ) -> kge_mod.KGEResult | None:
        """Train (or reuse) the KGE model on the principal's facts; ``None`` when there are no facts.

        Retrains when forced, when no model exists, or when the triple count changed by more
        than ``kge.retrain_fraction`` (:func:`kge.needs_retrain`) or the snapshot hash differs
        and the fraction rule says so. Inside a run, ``job`` records the new model's vault digest
        before it is written.
        """
        rows = self.fact_triples(principal)
        triples = sorted({(r["head"], r["relation"], r["tail"]) for r in rows})
        if not triples:
            return None
        last = self.store.read(g.LAST_KGE_MODEL, principal=principal)
        if last and not force:
            model = last[0]["model"]
            changed = abs(len(triples) - model["num_triples"])
            if model["triples_sha256"] == kge_mod.triples_sha256(triples) or not kge_mod.needs_retrain(
                changed, max(len(triples), 1), self.config.kge.retrain_fraction
            ):
                return kge_mod.load_kge(self.vault, model["vault_digest"])
        result = kge_mod.train_kge(triples, self.config.kge)
        entry = kge_mod.save_kge(self.vault, result, partial(self.jobs.note_digest, job) if job else None)
        self.store.write(
            g.RECORD_KGE_MODEL,
            id=stable_id("kge", principal),
            principal=principal,
            model=result.model_name,
            digest=entry.digest,
            triples_sha256=result.triples_sha256,
            num_triples=result.num_triples,
            now=utcnow(),
            training_ms=result.training_ms,
            final_loss=result.losses[-1] if result.losses else None,
        )
        replaced = last[0]["model"]["vault_digest"] if last else None
        if replaced not in (None, entry.digest) and replaced not in self.jobs.referenced_digests():
            self.vault.delete(replaced)  # the model this one replaces, unless another principal's is identical
        return result

    def score_cubes(self, principal: str, kge: kge_mod.KGEResult | None, now: datetime) -> dict[str, float]:
        """Promotion score of every live plaintext cube the principal may write; recorded on the cubes."""
        facts = {r["fact_id"]: (r["head"], r["relation"], r["tail"]) for r in self.fact_triples(principal)}
        plaus: dict[str, float | None] = {}
        if kge is not None and facts:
            scored = kge_mod.score_triples(kge, list(facts.values()))
            by_triple = {s.triple: s.plausibility for s in scored}
            plaus = {fid: by_triple.get(t) for fid, t in facts.items()}
        centrality = scoring.degree_centrality(facts.values())
        scores: dict[str, float] = {}
        rows = []
        for c in self._read(g.PROMOTION_CANDIDATES, principal):
            triples = [facts[f] for f in c["fact_ids"] if f in facts]
            signals = scoring.PromotionSignals(
                plausibility=scoring.mean_or_none(p for f in c["fact_ids"] if (p := plaus.get(f)) is not None),
                centrality=scoring.mean_or_none(centrality.get(e, 0.0) for t in triples for e in (t[0], t[2])),
                access_count=c["access_count"] or 0,
                age_s=_age_s(now, c["last_access"], c["created_at"]),
                relevance=c["relevance"],
            )
            breakdown = scoring.promotion_score(signals, self.config.scoring)
            scores[c["id"]] = breakdown.score
            history = json.dumps([{"at": now.isoformat(), "score": breakdown.score, "reason": "promotion"}])
            rows.append({"id": c["id"], "score": breakdown.score, "history": history})
        self.store.write(g.RECORD_SCORES, rows=rows, now=now)
        return scores

    # --- promotion: plaintext → activation ----------------------------------------------

    def promote(self, principal: str, cube_id: str, score: float = 0.0, job: Job | None = None) -> str:
        """Build, store and link the KV template of one plaintext cube; return the activation cube id.

        The source's lifecycle state is checked again inside the transaction that links the
        template: a cube deleted or expired meanwhile is never brought back (``generated`` moves to
        ``activated``; ``activated`` and ``merged`` stay as they are). ``job``: a claimed job to run
        this as (default: a new job recorded here).

        Raises:
            NotFound / PermissionDenied: the cube is not the principal's to promote.
            TransitionError: the cube is not live (:data:`memcubedb.states.OPERATIONS`).
        """

        def work(job: Job) -> JobWork:
            source = self.store.get_cube(principal, cube_id)
            check_operation(cube_id, source.governance.state, Operation.PROMOTE)
            template = build_kv_template(self.lm, source.text)
            entry = save_kv_template(self.vault, self.lm, template, partial(self.jobs.note_digest, job))
            cube = MemCube(
                descriptive=Descriptive(
                    # per job: a cube promoted again after a demotion gets a new template, not the archived one
                    id=stable_id("activation", cube_id, entry.digest, job.id),
                    memory_type=MemoryType.ACTIVATION,
                    semantic_type="kv_template",
                    source_signature=source.descriptive.source_signature,
                ),
                governance=Governance(
                    owner=source.governance.owner,
                    readers=source.governance.readers,
                    writers=source.governance.writers,
                    priority=source.governance.priority,
                ),
                payload=KVTemplatePayload(
                    text=source.text,
                    model_id=self.lm.identity.model_name,
                    layers=template.num_layers,
                    token_count=template.token_count,
                    sha256=entry.digest,
                ),
            )
            cube.behaviour.lineage = [cube_id]
            activity = ActivityRecord(
                kind="promotion", name="kv_template", params={"score": f"{score:.4f}", "job_id": job.id}
            )

            def commit(tx: ManagedTransaction) -> None:
                state = self.store.require_in(tx, principal, cube_id, Operation.PROMOTE)
                self.store.write_cubes_in(
                    tx, [CubeWrite(cube=cube, activity=activity, agent=AGENT, derived_from=[cube_id])]
                )
                now = utcnow()
                tx.run(g.LINK_PROMOTION, source_id=cube_id, template_id=cube.id, score=score, now=now).consume()
                if state is LifecycleState.GENERATED:
                    self.store.transition_in(tx, principal, cube_id, LifecycleState.ACTIVATED, now)

            return JobWork({"template_id": cube.id, "digest": entry.digest}, commit)

        result = self.runner.run("promotion", principal, {"cube_id": cube_id, "score": score}, job, work)
        return str(result["template_id"])

    # --- encoding: facts → parametric ---------------------------------------------------

    def encode(self, principal: str, fact_ids: list[str], job: Job | None = None) -> tuple[str, int]:
        """Encode facts into a LoRA adapter; return (parametric cube id, facts the adapted model reproduces).

        Raises:
            ValueError: none of ``fact_ids`` is a readable fact of the principal.
        """

        def work(job: Job) -> JobWork:
            rows = {r["fact_id"]: r for r in self.fact_triples(principal) if r["fact_id"] in set(fact_ids)}
            if not rows:
                raise ValueError("no readable facts to encode")
            ids = sorted(rows)
            triples = [(rows[f]["head"], rows[f]["relation"], rows[f]["tail"]) for f in ids]
            encoding = encode_facts(self.lm, triples, self.config.lora)
            report = probe(
                self.lm, encoding.adapter, self.config.lora.probe_extra_tokens, self.config.demotion.min_probe_agreement
            )
            entry = save_adapter(self.vault, encoding.adapter, partial(self.jobs.note_digest, job))
            cube = MemCube(
                descriptive=Descriptive(
                    id=stable_id("parametric", entry.digest),
                    memory_type=MemoryType.PARAMETRIC,
                    semantic_type="lora_adapter",
                ),
                governance=Governance(owner=principal),
                payload=LoRAAdapterPayload(
                    base_model=self.lm.identity.model_name,
                    rank=encoding.adapter.rank,
                    facts_encoded=ids,
                    sha256=entry.digest,
                ),
            )
            activity = ActivityRecord(
                kind="encoding",
                name="lora",
                params={
                    "facts": str(len(ids)),
                    "reproduced": str(report.recovered),
                    "training_ms": f"{encoding.training_ms:.0f}",
                    "job_id": job.id,
                },
            )

            def commit(tx: ManagedTransaction) -> None:
                self.store.write_cubes_in(tx, [CubeWrite(cube=cube, activity=activity, agent=AGENT)])
                tx.run(g.LINK_ENCODING, adapter_id=cube.id, fact_ids=ids).consume()

            return JobWork({"adapter_id": cube.id, "facts": len(ids), "reproduced": report.recovered}, commit)

        result = self.runner.run("encoding", principal, {"fact_ids": sorted(set(fact_ids))}, job, work)
        return str(result["adapter_id"]), int(result["reproduced"])

    # --- demotion: activation/parametric → plaintext ------------------------------------

    def demote(self, principal: str, cube_id: str, reason: str, job: Job | None = None) -> dict[str, Any]:
        """Demote a KV template (:meth:`demote_template`) or a LoRA adapter (:meth:`demote_adapter`);
        returns the job's result.

        Raises:
            LookupError: ``cube_id`` is no live template or adapter the principal may write.
        """
        if any(t["id"] == cube_id for t in self._read(g.TEMPLATES, principal)):
            return self._demote_template(principal, cube_id, reason, job)
        return self._demote_adapter(principal, cube_id, reason, job)

    def demote_adapter(self, principal: str, adapter_id: str, reason: str, job: Job | None = None) -> str | None:
        """Probe an adapter, write the facts it still reproduces back as editable triples, retire it.

        Returns:
            the id of the plaintext cube holding the recovered facts (``None`` if none recovered;
            the adapter is retired either way).
        """
        return self._demote_adapter(principal, adapter_id, reason, job)["plaintext_id"]

    def _demote_adapter(self, principal: str, adapter_id: str, reason: str, job: Job | None) -> dict[str, Any]:
        def work(job: Job) -> JobWork:
            row = next((a for a in self._read(g.ADAPTERS, principal) if a["id"] == adapter_id), None)
            if row is None:
                raise LookupError(f"no live adapter {adapter_id!r} writable by {principal!r}")
            adapter = load_adapter(self.vault, self.lm, row["digest"])
            report = probe(
                self.lm, adapter, self.config.lora.probe_extra_tokens, self.config.demotion.min_probe_agreement
            )
            by_triple = {(f["head"], f["relation"], f["tail"]): f for f in row["facts"]}
            recovered = [
                (by_triple[r.fact], r.agreement) for r in report.results if r.recovered and r.fact in by_triple
            ]
            write = self._recovered_write(principal, adapter_id, reason, job, row, recovered)

            def commit(tx: ManagedTransaction) -> None:
                self.store.require_in(tx, principal, adapter_id, Operation.DEMOTE)
                now = utcnow()
                if write is not None:
                    self.store.write_cubes_in(tx, [write], self.vectorize)
                    links = [{"recovered_id": fr.id, "original_id": f["fact_id"]}
                             for fr, (f, _) in zip(write.facts, recovered, strict=True)]  # fmt: skip
                    tx.run(g.LINK_RECOVERED_FACTS, rows=links).consume()
                    tx.run(
                        g.LINK_DEMOTION, old_id=adapter_id, new_id=write.cube.id, now=now, reason=reason
                    ).consume()
                self.store.transition_in(tx, principal, adapter_id, LifecycleState.ARCHIVED, now)

            result = {"recovered": len(recovered), "plaintext_id": write.cube.id if write is not None else None}
            return JobWork(result, commit, after=partial(self.vault.delete, row["digest"]))

        return self.runner.run("demotion", principal, {"cube_id": adapter_id, "reason": reason}, job, work)

    def _recovered_write(
        self, principal: str, adapter_id: str, reason: str, job: Job, row: dict[str, Any],
        recovered: list[tuple[dict[str, Any], float]],
    ) -> CubeWrite | None:  # fmt: skip
        """The plaintext cube (with its facts) holding what an adapter's probe recovered."""
        if not recovered:
            return None
        text = " ".join(f"{f['head']} {f['relation']} {f['tail']}." for f, _ in recovered)
        cube = MemCube.plaintext(
            text, owner=principal, id=stable_id("demoted", adapter_id), semantic_type="demoted_facts"
        )
        cube.behaviour.lineage = [adapter_id]
        entities = {f["subject_id"]: EntityRecord(id=f["subject_id"], name=f["head"]) for f, _ in recovered}
        entities.update({f["object_id"]: EntityRecord(id=f["object_id"], name=f["tail"]) for f, _ in recovered})
        facts = [
            FactRecord(
                id=stable_id("demoted-fact", adapter_id, f["fact_id"]),
                subject_id=f["subject_id"],
                predicate=f["relation"],
                object_id=f["object_id"],
                confidence=agreement,
            )
            for f, agreement in recovered
        ]
        params = {"reason": reason, "recovered": str(len(recovered)), "encoded": str(len(row["facts"]))}
        activity = ActivityRecord(kind="demotion", name="lora_probe", params=params | {"job_id": job.id})
        return CubeWrite(cube=cube, activity=activity, agent=AGENT, entities=list(entities.values()), facts=facts,
                         derived_from=[adapter_id])  # fmt: skip

    def demote_template(self, principal: str, template_id: str, reason: str, job: Job | None = None) -> None:
        """Drop a KV template's tensors, keep the text: the activation cube is archived and its
        plaintext source goes back to ``generated``. A ``demotion`` Activity that ``USED`` the
        template records it, at the instant of its ``DEMOTED_TO`` link (the dashboard's timeline)."""
        self._demote_template(principal, template_id, reason, job)

    def _demote_template(self, principal: str, template_id: str, reason: str, job: Job | None) -> dict[str, Any]:
        def work(job: Job) -> JobWork:
            row = next((t for t in self._read(g.TEMPLATES, principal) if t["id"] == template_id), None)
            if row is None:
                raise LookupError(f"no live KV template {template_id!r} writable by {principal!r}")
            source_id, activity_id = row["source_id"], new_id()

            def commit(tx: ManagedTransaction) -> None:
                self.store.require_in(tx, principal, template_id, Operation.DEMOTE)
                now = utcnow()
                tx.run(g.LINK_DEMOTION, old_id=template_id, new_id=source_id, now=now, reason=reason).consume()
                tx.run(g.RECORD_TEMPLATE_DEMOTION, template_id=template_id, activity_id=activity_id, now=now,
                       params=json.dumps({"reason": reason, "job_id": job.id}, sort_keys=True),
                       agent=AGENT.model_dump()).consume()  # fmt: skip
                self.store.transition_in(tx, principal, template_id, LifecycleState.ARCHIVED, now)
                live = list(LIVE_STATES)
                others = tx.run(g.LIVE_TEMPLATES_OF, source_id=source_id, live=live).single(strict=True)["n"]
                if others == 0 and self.store.state_in(tx, principal, source_id) is LifecycleState.ACTIVATED:
                    self.store.transition_in(tx, principal, source_id, LifecycleState.GENERATED, now)

            result = {"archived": template_id, "source_id": source_id}
            return JobWork(result, commit, after=partial(self.vault.delete, row["digest"]))

        return self.runner.run("demotion", principal, {"cube_id": template_id, "reason": reason}, job, work)

    # --- jobs: execution, recovery and the full run -------------------------------------

    def execute(self, job: Job) -> None:
        """Run a job this worker claimed, by its kind, from its recorded parameters (a worker's entry
        point). A job taken over from a stopped worker first loses what that attempt left in the vault.

        Raises:
            LeaseLost: another worker took the job over meanwhile.
            ValueError: an unknown job kind (the job is marked failed).
            whatever the job's work raises (the job is marked failed).
        """
        if job.previous_worker is not None:
            dropped = self.runner.rollback(job)
            log.info("job %s (%s) taken over from %s; removed %d vault entries of its last attempt",
                     job.id, job.kind, job.previous_worker, len(dropped))  # fmt: skip
        p = job.params
        if job.kind == "promotion":
            self.promote(job.principal, p["cube_id"], float(p.get("score", 0.0)), job=job)
        elif job.kind == "encoding":
            self.encode(job.principal, list(p["fact_ids"]), job=job)
        elif job.kind == "demotion":
            self.demote(job.principal, p["cube_id"], str(p.get("reason", "")), job=job)
        elif job.kind == "run":
            self.run(job.principal, job=job)
        else:
            message = f"unknown job kind {job.kind!r}"
            self.jobs.fail(job, message)
            raise ValueError(message)

    def recover(self) -> list[Job]:
        """Take over the promotions, encodings and demotions whose lease expired (their worker
        stopped), re-run each here, then collect vault garbage. A job whose lease is live is left
        to its worker.

        Returns:
            the jobs taken over, as they ended (succeeded or failed).
        """
        recovered = []
        while (job := self.jobs.claim(RECOVERABLE, expired_only=True)) is not None:
            try:
                self.execute(job)
            except LeaseLost:
                log.warning("job %s was taken over again while this run re-ran it", job.id)
            except Exception as exc:
                log.exception("job %s (%s) failed when re-run", job.id, job.kind)
                self.jobs.fail(job, repr(exc))  # holder only: a no-op when the job block already failed it
            recovered.append(self.jobs.get(job.id))
        self.vault.gc(self.jobs.referenced_digests)
        return recovered

    def run(self, principal: str, job: Job | None = None) -> RunReport:
        """One full scheduler pass for a principal (see the module docstring), as a ``run`` job
        (``job``: one this worker claimed; default a new job). Its result is the report."""
        report = RunReport()

        def work(job: Job) -> JobWork:
            for done in self.recover():
                report.recovered_jobs.append(done.id)
                _count_recovered(report, done)
            busy = _busy(self.jobs.pending(principal))
            now = utcnow()
            report.expired = self.lifecycle.expire_due(principal, now)
            kge = self.train_graph_embeddings(principal, job=job)
            if kge is not None:
                report.kge_trained, report.kge_training_ms = True, kge.training_ms
            report.scores = self.score_cubes(principal, kge, now)
            self._fill_activation_budget(principal, report, busy)
            self._encode_stable(principal, kge, report, busy)
            self._demote_due(principal, now, report, busy)
            return JobWork(dataclasses.asdict(report))

        self.runner.run("run", principal, {}, job, work)
        return report

    def _fill_activation_budget(self, principal: str, report: RunReport, busy: set[str]) -> None:
        """Make the activation set the best-scored memories that fit the principal's budget
        (:mod:`memcubedb.scheduler.budget`): displaced templates are demoted first, then the new
        ones promoted. Fresh candidates are the ``4 × top_k`` best above the floor; cubes that
        queued or running jobs are moving (``busy``) are left to them."""
        policy = self.config.promotion
        candidates = {r["id"]: r for r in self._read(g.PROMOTION_CANDIDATES, principal)}
        templates = [t for t in self._read(g.TEMPLATES, principal) if t["id"] not in busy]
        fresh = {cid: s for cid, s in report.scores.items() if not candidates[cid]["templates"] and cid not in busy}
        report.left_to_jobs += sum(1 for cid in report.scores if cid in busy)
        shortlist = scoring.select_top_k(fresh, 4 * policy.top_k, policy.min_score)
        if not templates and not shortlist:
            return
        per_token = budget.kv_bytes_per_token(self.lm)
        pool = []
        for t in templates:
            payload = self.store.get_cube(principal, t["id"]).payload
            path = self.vault.path_for(t["digest"])
            pool.append(budget.Candidate(
                t["source_id"], report.scores.get(t["source_id"], 0.0), getattr(payload, "token_count", 0),
                path.stat().st_size if path.exists() else 0, template_id=t["id"],
            ))  # fmt: skip
        for cube_id in shortlist:
            tokens = budget.memory_tokens(self.lm, candidates[cube_id]["text"])
            pool.append(budget.Candidate(cube_id, fresh[cube_id], tokens, tokens * per_token))
        plan = budget.plan_activation(pool, policy.activation_tokens, policy.activation_bytes, policy.min_score,
                                      policy.top_k, int(policy.activation_share * len(candidates)))  # fmt: skip
        for template_id in plan.demote:
            self.demote_template(principal, template_id, "displaced by higher-scored memories (activation budget)")
            report.demoted.append(template_id)
        for cube_id in plan.promote:
            report.promoted.append(self.promote(principal, cube_id, fresh[cube_id]))

    def _encode_stable(
        self, principal: str, kge: kge_mod.KGEResult | None, report: RunReport, busy: set[str]
    ) -> None:
        policy = self.config.promotion
        encoded = {f["fact_id"] for a in self._read(g.ADAPTERS, principal) for f in a["facts"]}
        candidates = [r for r in self.fact_triples(principal) if r["fact_id"] not in encoded]
        rows = [r for r in candidates if r["fact_id"] not in busy]
        report.left_to_jobs += len(candidates) - len(rows)
        if kge is None or len(rows) < policy.lora_min_facts:
            return
        scored = kge_mod.score_triples(kge, [(r["head"], r["relation"], r["tail"]) for r in rows])
        stable = [
            r["fact_id"]
            for r, s in zip(rows, scored, strict=True)
            if s.plausibility is not None and s.plausibility >= policy.lora_min_plausibility
        ]
        if len(stable) >= policy.lora_min_facts:
            adapter_id, reproduced = self.encode(principal, stable)
            report.encoded.append(adapter_id)
            report.facts_encoded += len(stable)
            report.facts_reproduced += reproduced

    def _demotion(
        self, row: dict[str, Any], now: datetime, contradicted: int, encoded: int
    ) -> scoring.DemotionDecision:
        """Demotion decision for a template/adapter row: behaviour-only score, idleness, contradictions."""
        signals = scoring.PromotionSignals(
            plausibility=None,
            centrality=None,
            access_count=row["access_count"] or 0,
            age_s=_age_s(now, row["last_access"], row["created_at"]),
        )
        score = scoring.promotion_score(signals, self.config.scoring).score
        return scoring.demotion_decision(score, signals.age_s, contradicted, encoded, self.config.demotion)

    def _demote_due(self, principal: str, now: datetime, report: RunReport, busy: set[str]) -> None:
        for adapter in self._read(g.ADAPTERS, principal):
            if adapter["id"] in busy:
                continue
            contradicted = sum(r["contradicted"] for r in self.store.read(g.CONTRADICTED, facts=adapter["facts"]))
            decision = self._demotion(adapter, now, contradicted, len(adapter["facts"]))
            if decision.demote:
                self.demote_adapter(principal, adapter["id"], "; ".join(decision.reasons))
                report.demoted.append(adapter["id"])
        for template in self._read(g.TEMPLATES, principal):
            if template["id"] in busy:
                continue
            decision = self._demotion(template, now, 0, 0)
            if decision.demote:
                self.demote_template(principal, template["id"], "; ".join(decision.reasons))
                report.demoted.append(template["id"])


def _busy(pending: list[Job]) -> set[str]:
    """Cube and fact ids that queued or running jobs are about to move."""
    busy: set[str] = set()
    for job in pending:
        busy.update([job.params["cube_id"]] if "cube_id" in job.params else job.params.get("fact_ids", []))
    return busy


def _count_recovered(report: RunReport, job: Job) -> None:
    """Count what a job taken over and re-run produced with the run's own moves."""
    result = job.result or {}
    if job.state != "succeeded":
        return
    if job.kind == "promotion":
        report.promoted.append(result["template_id"])
    elif job.kind == "encoding":
        report.encoded.append(result["adapter_id"])
        report.facts_encoded += int(result.get("facts", len(job.params.get("fact_ids", []))))
        report.facts_reproduced += int(result.get("reproduced", 0))
    elif job.kind == "demotion":
        report.demoted.append(job.params["cube_id"])
