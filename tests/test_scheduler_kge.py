"""Graph embeddings with pykeen: training, plausibility of true vs corrupted triples, persistence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from memcubedb.config.scheduler import KGEConfig
from memcubedb.scheduler.kge import (
    KGEResult,
    embedding_vectors,
    kge_identity,
    load_kge,
    needs_retrain,
    save_kge,
    score_triples,
    train_kge,
    triples_sha256,
)
from memcubedb.scheduler.scoring import LabeledTriple
from memcubedb.scheduler.vault import MemVault, ModelIdentityMismatchError

PEOPLE = [f"person{i}" for i in range(12)]
CITIES = ["Paris", "Rome", "Oslo", "Lima"]
COMPANIES = ["Acme", "Globex", "Initech"]


def _graph() -> list[LabeledTriple]:
    triples: list[LabeledTriple] = []
    for i, person in enumerate(PEOPLE):
        triples.append((person, "lives_in", CITIES[i % len(CITIES)]))
        triples.append((person, "works_at", COMPANIES[i % len(COMPANIES)]))
        triples.append((person, "knows", PEOPLE[(i + 1) % len(PEOPLE)]))
    return triples


GRAPH = _graph()
TRUE_LIVES = [t for t in GRAPH if t[1] == "lives_in"]
# type-consistent corruptions: the right kind of tail (a city), but the wrong one
CORRUPTED = [(h, r, CITIES[(CITIES.index(t) + 1) % len(CITIES)]) for h, r, t in TRUE_LIVES]


@pytest.fixture(scope="module", params=["TransE", "RotatE", "ComplEx"])
def trained(request: pytest.FixtureRequest) -> KGEResult:
    return train_kge(GRAPH, KGEConfig(model=request.param, embedding_dim=32, epochs=150, seed=0))


def test_training_reports_losses_time_and_maps(trained: KGEResult) -> None:
    assert len(trained.losses) == 150
    assert np.mean(trained.losses[-10:]) < np.mean(trained.losses[:10])
    assert trained.training_ms > 0
    assert set(trained.entity_to_id) == {e for h, _, t in GRAPH for e in (h, t)}
    assert set(trained.relation_to_id) == {"lives_in", "works_at", "knows"}
    assert trained.num_triples == len(GRAPH)


def test_true_triples_rank_above_corrupted(trained: KGEResult) -> None:
    true_scores = score_triples(trained, TRUE_LIVES, known=GRAPH)
    corrupt_scores = score_triples(trained, CORRUPTED, known=GRAPH)
    wins = [a.raw_score > b.raw_score for a, b in zip(true_scores, corrupt_scores, strict=True)]  # type: ignore[operator]
    assert np.mean(wins) >= 0.9
    true_plaus = np.mean([s.plausibility for s in true_scores])
    corrupt_plaus = np.mean([s.plausibility for s in corrupt_scores])
    assert true_plaus > 0.9
    assert true_plaus - corrupt_plaus > 0.1
    assert all(0.0 <= s.plausibility <= 1.0 for s in true_scores + corrupt_scores)  # type: ignore[operator]


def test_embedding_vectors_cover_every_label(trained: KGEResult) -> None:
    entities, relations = embedding_vectors(trained)
    assert set(entities) == set(trained.entity_to_id) and set(relations) == set(trained.relation_to_id)
    width = 32 if trained.model_name == "TransE" else 64  # complex models: real and imaginary parts
    assert {len(v) for v in entities.values()} == {width}
    assert len({tuple(v) for v in entities.values()}) == len(entities)


def test_unknown_labels_get_no_score(trained: KGEResult) -> None:
    [unknown] = score_triples(trained, [("person0", "lives_in", "Atlantis")])
    assert unknown.raw_score is None and unknown.plausibility is None


def test_save_and_load_round_trip(trained: KGEResult, tmp_path: Path) -> None:
    vault = MemVault(tmp_path)
    entry = save_kge(vault, trained)
    loaded = load_kge(vault, entry.digest, kge_identity(trained))
    before = [s.raw_score for s in score_triples(trained, GRAPH)]
    after = [s.raw_score for s in score_triples(loaded, GRAPH)]
    assert before == pytest.approx(after, abs=1e-6)
    assert loaded.losses == pytest.approx(trained.losses)
    other = train_kge(GRAPH[:-3], KGEConfig(model=trained.model_name, embedding_dim=32, epochs=2))
    with pytest.raises(ModelIdentityMismatchError, match="revision"):
        load_kge(vault, entry.digest, kge_identity(other))


def test_needs_retrain_policy() -> None:
    assert needs_retrain(changed=11, total=100, fraction=0.1) is True
    assert needs_retrain(changed=10, total=100, fraction=0.1) is False
    assert needs_retrain(changed=0, total=0, fraction=0.1) is False
    assert needs_retrain(changed=1, total=0, fraction=0.1) is True
    with pytest.raises(ValueError):
        needs_retrain(changed=-1, total=10, fraction=0.1)
    with pytest.raises(ValueError):
        needs_retrain(changed=1, total=10, fraction=0.0)


def test_triples_hash_ignores_order_and_duplicates() -> None:
    assert triples_sha256(GRAPH) == triples_sha256(list(reversed(GRAPH)) + GRAPH[:3])
    assert triples_sha256(GRAPH) != triples_sha256(GRAPH[1:])


def test_no_triples_is_an_error() -> None:
    with pytest.raises(ValueError):
        train_kge([], KGEConfig())
