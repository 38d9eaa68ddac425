"""Knowledge-graph embeddings of the fact triples (pykeen): training, plausibility, persistence.

A pykeen model (TransE, Bordes et al. 2013; RotatE, Sun et al. 2019; ComplEx, Trouillon et al.
2016 — looked up by name in ``pykeen.models.model_resolver``) is trained with pykeen's sLCWA
training loop (negative sampling) on the ``(head, relation, tail)`` labels the caller's graph
holds. :func:`score_triples` turns ``model.score_hrt`` into a plausibility in [0, 1] by ranking
each triple among its head and tail corruptions (:func:`memcubedb.scheduler.scoring.rank_plausibility`).
The trained model is stored in the MemVault as a safetensors state dict, bound to an identity
that names the KGE model and the triple snapshot it was trained on.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from pykeen.models import ERModel, model_resolver
from pykeen.training import SLCWATrainingLoop
from pykeen.triples import TriplesFactory

from memcubedb.config.scheduler import KGEConfig
from memcubedb.scheduler.scoring import LabeledTriple, rank_plausibility
from memcubedb.scheduler.vault import MemVault, ModelIdentity, VaultEntry

KGE_KIND = "kge_model"
"""Vault entry kind of a trained KGE model."""

_SCORE_CHUNK = 128


@dataclass(frozen=True)
class KGEResult:
    """A trained KGE model and what it was trained on.

    Attributes:
        model: the pykeen model (eval mode).
        model_name: pykeen model name, e.g. ``"TransE"``.
        embedding_dim: pykeen ``embedding_dim``.
        entity_to_id / relation_to_id: label → row in the embedding tables.
        losses: mean training loss per epoch, ``epochs`` floats.
        training_ms: wall-clock training time, milliseconds.
        triples_sha256: sha256 of the sorted, de-duplicated training triples (the snapshot).
        num_triples: distinct training triples.
    """

    model: ERModel
    model_name: str
    embedding_dim: int
    entity_to_id: dict[str, int]
    relation_to_id: dict[str, int]
    losses: list[float]
    training_ms: float
    triples_sha256: str
    num_triples: int


@dataclass(frozen=True)
class TripleScore:
    """KGE score of one triple; ``raw_score`` and ``plausibility`` are ``None`` when the head,
    relation or tail was not in the training graph (the model knows nothing about it)."""

    triple: LabeledTriple
    raw_score: float | None
    plausibility: float | None


def triples_sha256(triples: Sequence[LabeledTriple]) -> str:
    """sha256 (hex) of the sorted, de-duplicated triples, each serialised as a JSON array."""
    digest = hashlib.sha256()
    for triple in sorted(set(triples)):
        digest.update(json.dumps(list(triple)).encode() + b"\n")
    return digest.hexdigest()


def needs_retrain(changed: int, total: int, fraction: float) -> bool:
    """Incremental policy: retrain when more than ``fraction`` of the graph's triples changed.

    Args:
        changed: triples added plus triples removed since the last training (count).
        total: triples the current model was trained on (count); 0 means no model yet.
        fraction: threshold in (0, 1], e.g. ``KGEConfig.retrain_fraction``.

    Returns:
        ``changed / total > fraction``; with ``total == 0``, True iff ``changed > 0``.

    Raises:
        ValueError: on negative counts or a fraction outside (0, 1].
    """
    if changed < 0 or total < 0:
        raise ValueError(f"counts must be >= 0, got changed={changed}, total={total}")
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must lie in (0, 1], got {fraction}")
    if total == 0:
        return changed > 0
    return changed / total > fraction


@contextlib.contextmanager
def _frozen_heap() -> Iterator[None]:
    """Exclude the existing heap from garbage collection while pykeen trains.

    pykeen's training loop calls ``gc.collect()`` after every epoch; with torch, transformers and
    pykeen imported that full collection costs ~0.2 s per epoch. ``gc.freeze()`` moves the
    current objects to the permanent generation, so the per-epoch collection only walks objects
    created during training.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def train_kge(triples: Sequence[LabeledTriple], config: KGEConfig) -> KGEResult:
    """Train ``config.model`` on the triples with pykeen's sLCWA loop; tqdm bar over epochs.

    Args:
        triples: (head, relation, tail) labels; duplicates are dropped.
        config: model name, embedding_dim, epochs, batch size, learning rate, negatives, seed.

    Returns:
        the trained model with its id maps, per-epoch losses and training time (ms).

    Raises:
        ValueError: when there are no triples.
    """
    distinct = sorted(set(triples))
    if not distinct:
        raise ValueError("cannot train a KGE model on zero triples")
    factory = TriplesFactory.from_labeled_triples(np.asarray(distinct, dtype=str))
    with torch.random.fork_rng():
        torch.manual_seed(config.seed)
        model = model_resolver.make(
            config.model, triples_factory=factory, embedding_dim=config.embedding_dim, random_seed=config.seed
        )
        on_gpu = model.device.type == "cuda"
        loop = SLCWATrainingLoop(
            model=model,
            triples_factory=factory,
            optimizer="Adam",
            optimizer_kwargs={"lr": config.learning_rate},
            negative_sampler_kwargs={"num_negs_per_pos": config.num_negs_per_pos},
            # batch-size probing guards GPU memory; on CPU it is a wasted extra training pass
            automatic_memory_optimization=on_gpu,
        )
        start = time.perf_counter()
        with _frozen_heap():
            losses = loop.train(
                triples_factory=factory,
                num_epochs=config.epochs,
                batch_size=config.batch_size,
                use_tqdm=True,
                use_tqdm_batch=False,
                pin_memory=on_gpu,
                tqdm_kwargs={"desc": f"KGE {config.model}", "leave": False},
            )
        training_ms = (time.perf_counter() - start) * 1000.0
    model.eval()
    return KGEResult(
        model=model,
        model_name=config.model,
        embedding_dim=config.embedding_dim,
        entity_to_id=dict(factory.entity_to_id),
        relation_to_id=dict(factory.relation_to_id),
        losses=[float(loss) for loss in losses or []],
        training_ms=training_ms,
        triples_sha256=triples_sha256(distinct),
        num_triples=len(distinct),
    )


def score_triples(
    result: KGEResult, triples: Sequence[LabeledTriple], known: Sequence[LabeledTriple] = ()
) -> list[TripleScore]:
    """Raw ``score_hrt`` and normalised plausibility of each triple (filtered rank setting).

    plausibility = mean of the head-side and tail-side :func:`rank_plausibility`: the triple's
    ``score_hrt`` ranked among ``score_h`` over all entities as head and ``score_t`` over all
    entities as tail. Other triples known to be true (``known``, and every scored triple) are
    left out of the corruptions (Bordes et al., 2013, "filtered" ranks).

    Args:
        triples: N triples to score.
        known: further true triples to filter out of the corruptions (e.g. the whole graph).

    Returns:
        N :class:`TripleScore`, in input order.
    """
    e2id, r2id = result.entity_to_id, result.relation_to_id
    true_set = set(known) | set(triples)
    tails: dict[tuple[str, str], set[str]] = defaultdict(set)
    heads: dict[tuple[str, str], set[str]] = defaultdict(set)
    for head, relation, tail in true_set:
        tails[(head, relation)].add(tail)
        heads[(relation, tail)].add(head)
    scorable = [i for i, (h, r, t) in enumerate(triples) if h in e2id and r in r2id and t in e2id]
    out = [TripleScore(triple=(h, r, t), raw_score=None, plausibility=None) for h, r, t in triples]
    model = result.model
    for start in range(0, len(scorable), _SCORE_CHUNK):
        chunk = scorable[start : start + _SCORE_CHUNK]
        hrt = torch.tensor([[e2id[triples[i][0]], r2id[triples[i][1]], e2id[triples[i][2]]] for i in chunk])
        with torch.no_grad():
            raw = model.score_hrt(hrt)[:, 0].cpu().numpy().astype(np.float64)
            tail_scores = model.score_t(hrt[:, :2]).cpu().numpy().astype(np.float64)
            head_scores = model.score_h(hrt[:, 1:]).cpu().numpy().astype(np.float64)
        for row, i in enumerate(chunk):
            head, relation, tail = triples[i]
            for other in tails[(head, relation)] - {tail}:
                if other in e2id:
                    tail_scores[row, e2id[other]] = np.nan
            for other in heads[(relation, tail)] - {head}:
                if other in e2id:
                    head_scores[row, e2id[other]] = np.nan
            tail_scores[row, e2id[tail]] = raw[row]
            head_scores[row, e2id[head]] = raw[row]
            plausibility = 0.5 * (
                rank_plausibility(raw[row], tail_scores[row]) + rank_plausibility(raw[row], head_scores[row])
            )
            out[i] = TripleScore(triple=(head, relation, tail), raw_score=float(raw[row]), plausibility=plausibility)
    return out


def embedding_vectors(result: KGEResult) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Entity and relation embeddings as plain float lists, e.g. for Neo4j node properties.

    Returns:
        (entity label → vector, relation label → vector); vectors have ``d`` floats, ``d`` =
        ``embedding_dim`` for real-valued models (TransE) and ``2·embedding_dim`` for complex
        ones (RotatE, ComplEx: real and imaginary parts interleaved, ``torch.view_as_real``).
    """

    def table(representation: torch.nn.Module) -> list[list[float]]:
        with torch.no_grad():
            weights = representation(indices=None).detach().cpu()
        if weights.is_complex():
            weights = torch.view_as_real(weights).flatten(start_dim=-2)
        return weights.reshape(weights.shape[0], -1).tolist()

    entities = table(result.model.entity_representations[0])
    relations = table(result.model.relation_representations[0])
    return (
        {label: entities[i] for label, i in result.entity_to_id.items()},
        {label: relations[i] for label, i in result.relation_to_id.items()},
    )


def kge_identity(result: KGEResult) -> ModelIdentity:
    """Vault identity of a trained KGE model: name ``pykeen:<model>``, revision = triple snapshot
    hash, ``num_layers`` 0, ``tokenizer_hash`` = sha256 of the entity and relation id maps."""
    maps = json.dumps([result.entity_to_id, result.relation_to_id], sort_keys=True).encode()
    dtype = str(next(result.model.parameters()).dtype).removeprefix("torch.")
    return ModelIdentity(
        model_name=f"pykeen:{result.model_name}",
        revision=f"triples-sha256:{result.triples_sha256}",
        dtype=dtype,
        num_layers=0,
        tokenizer_hash=hashlib.sha256(maps).hexdigest(),
    )


def save_kge(vault: MemVault, result: KGEResult, before_write: Callable[[str], None] | None = None) -> VaultEntry:
    """Store the model's state dict (entity embeddings ``[num_entities, d]``, relation embeddings
    ``[num_relations, d]``, where ``d`` is model-specific, e.g. ``2·dim`` for RotatE/ComplEx real
    views) with the id maps, losses and training time in the metadata. ``before_write``: see
    :meth:`MemVault.put`."""
    metadata = {
        "model_name": result.model_name,
        "embedding_dim": str(result.embedding_dim),
        "entity_to_id": json.dumps(result.entity_to_id),
        "relation_to_id": json.dumps(result.relation_to_id),
        "losses": json.dumps(result.losses),
        "training_ms": repr(result.training_ms),
        "triples_sha256": result.triples_sha256,
        "num_triples": str(result.num_triples),
    }
    return vault.put(result.model.state_dict(), kge_identity(result), KGE_KIND, metadata, before_write)


def load_kge(vault: MemVault, digest: str, identity: ModelIdentity | None = None) -> KGEResult:
    """Rebuild a stored KGE model; its scores equal the saved model's.

    Args:
        identity: the expected identity (from :func:`kge_identity` of the model that was saved);
            ``None`` accepts the identity stored in the entry — KGE models are not tied to an LM.

    Raises:
        EntryNotFoundError, CorruptEntryError, ModelIdentityMismatchError: see :meth:`MemVault.get`.
        ValueError: when the entry is not a KGE model.
    """
    expected = identity or vault.info(digest).identity
    record = vault.get(digest, expected)
    if record.entry.kind != KGE_KIND:
        raise ValueError(f"vault entry {digest[:12]}… is a {record.entry.kind!r}, not a {KGE_KIND!r}")
    meta = record.metadata
    entity_to_id: dict[str, int] = json.loads(meta["entity_to_id"])
    relation_to_id: dict[str, int] = json.loads(meta["relation_to_id"])
    factory = TriplesFactory(
        mapped_triples=torch.empty((0, 3), dtype=torch.long),
        entity_to_id=entity_to_id,
        relation_to_id=relation_to_id,
    )
    model = model_resolver.make(
        meta["model_name"], triples_factory=factory, embedding_dim=int(meta["embedding_dim"]), random_seed=0
    )
    model.load_state_dict(record.tensors)
    model.eval()
    return KGEResult(
        model=model,
        model_name=meta["model_name"],
        embedding_dim=int(meta["embedding_dim"]),
        entity_to_id=entity_to_id,
        relation_to_id=relation_to_id,
        losses=json.loads(meta["losses"]),
        training_ms=float(meta["training_ms"]),
        triples_sha256=meta["triples_sha256"],
        num_triples=int(meta["num_triples"]),
    )
