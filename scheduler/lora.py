"""Parametric memory: facts encoded into a LoRA adapter (peft), and the probe that reads them back.

Encoding (MemOS §Memory types, "parametric memory"; LoRA: Hu et al., "LoRA: Low-Rank Adaptation
of Large Language Models", ICLR 2022) trains a LoRA adapter on the base model so that, given
``"<subject> <predicate>"``, it continues with ``" <object>"``: each fact becomes the token
sequence ``subject-predicate ids + object ids (+ EOS)`` and the loss (cross-entropy) covers the
object and EOS tokens only. Demotion probes the adapted model with the same prompt, decodes
greedily and compares the tokens with the expected object
(:func:`memcubedb.scheduler.scoring.probe_agreement`).

The base model is restored after every use (``PeftModel.unload``): the adapter lives as a
detached state dict, stored in the MemVault bound to the base model's identity.
"""

from __future__ import annotations

import contextlib
import json
import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

import torch
from peft import LoraConfig, PeftModel, get_peft_model, get_peft_model_state_dict, set_peft_model_state_dict
from tqdm.auto import tqdm

from memcubedb.config.scheduler import LoRAConfig
from memcubedb.scheduler.lm import LoadedLM
from memcubedb.scheduler.scoring import LabeledTriple, probe_agreement
from memcubedb.scheduler.vault import MemVault, ModelIdentity, ModelIdentityMismatchError, VaultEntry
from memcubedb.tracing import traced

LORA_KIND = "lora_adapter"
"""Vault entry kind of a LoRA adapter."""

_IGNORE = -100


@dataclass(frozen=True)
class LoRAAdapter:
    """A trained adapter, detached from the model.

    Attributes:
        base_identity: the base model it was trained on.
        rank / alpha / dropout / target_modules: the peft ``LoraConfig`` it was built with.
        state: peft adapter state dict (``lora_A`` ``[rank, in]``, ``lora_B`` ``[out, rank]`` per module).
        facts: the encoded (subject, predicate, object) triples.
    """

    base_identity: ModelIdentity
    rank: int
    alpha: int
    dropout: float
    target_modules: list[str] | str
    state: dict[str, torch.Tensor]
    facts: tuple[LabeledTriple, ...]

    def peft_config(self) -> LoraConfig:
        """The peft ``LoraConfig`` that recreates the adapter's modules."""
        return LoraConfig(
            r=self.rank,
            lora_alpha=self.alpha,
            lora_dropout=self.dropout,
            target_modules=self.target_modules,
            task_type="CAUSAL_LM",
        )


@dataclass(frozen=True)
class LoRAEncoding:
    """Result of :func:`encode_facts`: the adapter, mean loss per epoch run, time in ms."""

    adapter: LoRAAdapter
    losses: list[float]
    training_ms: float

    @property
    def epochs_run(self) -> int:
        """Epochs trained (fewer than configured when the loss reached ``early_stop_loss``)."""
        return len(self.losses)


@dataclass(frozen=True)
class ProbeResult:
    """One probed fact: the greedy continuation and its agreement with the expected object in [0, 1]."""

    fact: LabeledTriple
    decoded: str
    agreement: float
    recovered: bool


@dataclass(frozen=True)
class ProbeReport:
    """All probed facts; ``recovered`` counts facts reproduced, ``recall = recovered / len(results)``."""

    results: list[ProbeResult]

    @property
    def recovered(self) -> int:
        """Facts whose object the model reproduced."""
        return sum(result.recovered for result in self.results)

    @property
    def recall(self) -> float:
        """Fraction of probed facts recovered (0.0 for none probed)."""
        return self.recovered / len(self.results) if self.results else 0.0


def fact_prompt(subject: str, predicate: str) -> str:
    """The probe prompt of a fact: ``"<subject> <predicate>"``."""
    return f"{subject} {predicate}"


def _fact_ids(lm: LoadedLM, fact: LabeledTriple) -> tuple[list[int], list[int]]:
    """(prompt ids, object ids) of a fact; the object is tokenised with its leading space."""
    subject, predicate, obj = fact
    tok = lm.tokenizer
    prompt = tok(fact_prompt(subject, predicate), add_special_tokens=False)["input_ids"]
    target = tok(f" {obj}", add_special_tokens=False)["input_ids"]
    if not prompt or not target:
        raise ValueError(f"fact {fact!r} renders to an empty prompt or object")
    return list(prompt), list(target)


def _training_batch(lm: LoadedLM, facts: Sequence[LabeledTriple]) -> dict[str, torch.Tensor]:
    """Right-padded ``input_ids``, ``attention_mask``, ``labels`` ``[len(facts), longest]``;
    labels are -100 except on object and EOS tokens."""
    eos = lm.tokenizer.eos_token_id
    pad = lm.tokenizer.pad_token_id if lm.tokenizer.pad_token_id is not None else (eos if eos is not None else 0)
    rows: list[tuple[list[int], list[int]]] = []
    for fact in facts:
        prompt, target = _fact_ids(lm, fact)
        tail = [*target, eos] if eos is not None else target
        rows.append(([*prompt, *tail], [_IGNORE] * len(prompt) + tail))
    width = max(len(ids) for ids, _ in rows)
    input_ids = torch.full((len(rows), width), pad, dtype=torch.long)
    labels = torch.full((len(rows), width), _IGNORE, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, (ids, lab) in enumerate(rows):
        input_ids[i, : len(ids)] = torch.tensor(ids)
        labels[i, : len(lab)] = torch.tensor(lab)
        mask[i, : len(ids)] = 1
    device = lm.device
    return {"input_ids": input_ids.to(device), "attention_mask": mask.to(device), "labels": labels.to(device)}


@contextlib.contextmanager
def _peft_wrapped(lm: LoadedLM, config: LoraConfig) -> Iterator[PeftModel]:
    """Wrap ``lm.model`` with fresh LoRA modules; restore the bare base model on exit."""
    peft_model = get_peft_model(lm.model, config)
    try:
        yield peft_model
    finally:
        peft_model.unload()
        lm.model.eval()


@traced("model.lora_train")
def encode_facts(lm: LoadedLM, facts: Sequence[LabeledTriple], config: LoRAConfig) -> LoRAEncoding:
    """Train a LoRA adapter that makes ``lm`` complete ``"<subject> <predicate>"`` with ``" <object>"``.

    AdamW on the LoRA parameters only, mini-batches of ``config.batch_size`` facts, up to
    ``config.epochs`` epochs, stopping early when an epoch's mean loss drops below
    ``config.early_stop_loss``; tqdm bar over epochs. ``lm.model`` is unchanged afterwards.

    Args:
        facts: (subject, predicate, object) strings; at least one.

    Returns:
        the adapter, per-epoch mean losses (nats per object token) and training time (ms).

    Raises:
        ValueError: no facts, or a fact with an empty prompt or object.
    """
    if not facts:
        raise ValueError("no facts to encode")
    encoded: tuple[LabeledTriple, ...] = tuple((s, p, o) for s, p, o in facts)
    untrained = LoRAAdapter(
        base_identity=lm.identity,
        rank=config.rank,
        alpha=config.alpha,
        dropout=config.dropout,
        target_modules=config.target_modules,
        state={},
        facts=encoded,
    )
    size = config.batch_size
    batches = [_training_batch(lm, encoded[i : i + size]) for i in range(0, len(encoded), size)]
    losses: list[float] = []
    start = time.perf_counter()
    with torch.random.fork_rng(), _peft_wrapped(lm, untrained.peft_config()) as model:
        torch.manual_seed(config.seed)
        model.train()
        params = [p for p in model.parameters() if p.requires_grad]
        optimizer = torch.optim.AdamW(params, lr=config.learning_rate, weight_decay=0.0)
        progress = tqdm(range(config.epochs), desc=f"LoRA r={config.rank} on {len(encoded)} facts", leave=False)
        for _ in progress:
            epoch_loss = 0.0
            for batch in batches:
                optimizer.zero_grad(set_to_none=True)
                loss = model(**batch).loss
                loss.backward()
                optimizer.step()
                epoch_loss += float(loss.detach())
            losses.append(epoch_loss / len(batches))
            progress.set_postfix(loss=f"{losses[-1]:.4f}")
            if losses[-1] < config.early_stop_loss or not math.isfinite(losses[-1]):
                break
        progress.close()
        state = {name: tensor.detach().to("cpu").clone() for name, tensor in get_peft_model_state_dict(model).items()}
    training_ms = (time.perf_counter() - start) * 1000.0
    return LoRAEncoding(adapter=replace(untrained, state=state), losses=losses, training_ms=training_ms)


@contextlib.contextmanager
def attached(lm: LoadedLM, adapter: LoRAAdapter) -> Iterator[PeftModel]:
    """``lm.model`` with the adapter's weights loaded, in eval mode; the base model is restored on exit.

    Raises:
        ModelIdentityMismatchError: the adapter was trained on another base model.
    """
    diff = adapter.base_identity.differences(lm.identity)
    if diff:
        raise ModelIdentityMismatchError(f"adapter was trained on another base model: {sorted(diff)} differ")
    with _peft_wrapped(lm, adapter.peft_config()) as model:
        set_peft_model_state_dict(model, {name: t.to(lm.device) for name, t in adapter.state.items()})
        model.eval()
        yield model


@torch.no_grad()
def probe_model(
    lm: LoadedLM, facts: Sequence[LabeledTriple], extra_tokens: int = 2, min_agreement: float = 1.0
) -> ProbeReport:
    """Probe the model as it is now: greedy-decode ``len(object ids) + extra_tokens`` tokens after
    ``"<subject> <predicate>"`` and score them with :func:`probe_agreement`.

    Args:
        facts: the expected (subject, predicate, object) triples.
        min_agreement: agreement in [0, 1] at which a fact counts as recovered.

    Returns:
        one :class:`ProbeResult` per fact, in order.
    """
    results: list[ProbeResult] = []
    tok = lm.tokenizer
    pad = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
    for subject, predicate, obj in facts:
        fact = (subject, predicate, obj)
        prompt, target = _fact_ids(lm, fact)
        ids = torch.tensor([prompt], device=lm.device)
        out = lm.model.generate(
            input_ids=ids,
            attention_mask=torch.ones_like(ids),
            max_new_tokens=len(target) + extra_tokens,
            do_sample=False,
            pad_token_id=pad,
        )
        decoded_ids = out[0, len(prompt) :].tolist()
        agreement = probe_agreement(target, decoded_ids)
        text = tok.decode(decoded_ids, skip_special_tokens=True).strip()
        recovered = agreement >= min_agreement
        results.append(ProbeResult(fact=fact, decoded=text, agreement=agreement, recovered=recovered))
    return ProbeReport(results=results)


def probe(lm: LoadedLM, adapter: LoRAAdapter, extra_tokens: int = 2, min_agreement: float = 1.0) -> ProbeReport:
    """The demotion probe: :func:`probe_model` on every fact the adapter encodes, adapter attached.

    Raises:
        ModelIdentityMismatchError: see :func:`attached`.
    """
    with attached(lm, adapter):
        return probe_model(lm, adapter.facts, extra_tokens, min_agreement)


def save_adapter(
    vault: MemVault, adapter: LoRAAdapter, before_write: Callable[[str], None] | None = None
) -> VaultEntry:
    """Store the adapter bound to its base model's identity; metadata holds the LoRA
    hyper-parameters and the encoded facts (JSON). ``before_write``: see :meth:`MemVault.put`."""
    metadata = {
        "rank": str(adapter.rank),
        "alpha": str(adapter.alpha),
        "dropout": repr(adapter.dropout),
        "target_modules": json.dumps(adapter.target_modules),
        "facts": json.dumps([list(fact) for fact in adapter.facts]),
    }
    return vault.put(adapter.state, adapter.base_identity, LORA_KIND, metadata, before_write)


def load_adapter(vault: MemVault, lm: LoadedLM, digest: str) -> LoRAAdapter:
    """Load an adapter for ``lm``.

    Raises:
        EntryNotFoundError, CorruptEntryError: see :meth:`MemVault.get`.
        ModelIdentityMismatchError: the adapter was trained on another base model.
        ValueError: the entry is not a LoRA adapter.
    """
    record = vault.get(digest, lm.identity)
    if record.entry.kind != LORA_KIND:
        raise ValueError(f"vault entry {digest[:12]}… is a {record.entry.kind!r}, not a {LORA_KIND!r}")
    meta = record.metadata
    return LoRAAdapter(
        base_identity=record.entry.identity,
        rank=int(meta["rank"]),
        alpha=int(meta["alpha"]),
        dropout=float(meta["dropout"]),
        target_modules=json.loads(meta["target_modules"]),
        state=record.tensors,
        facts=tuple((s, p, o) for s, p, o in json.loads(meta["facts"])),
    )
