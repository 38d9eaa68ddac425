"""Running the permission state machine (:mod:`tests.support.fuzz_machine`) in batches until a number
of operations was made: the CI variant ``tests/test_reliability_permissions.py`` and the long run
``python -m bench.fuzz_permissions`` both call :func:`fuzz`."""

from __future__ import annotations

from hypothesis import HealthCheck, Phase
from hypothesis import settings as hsettings
from hypothesis.stateful import run_state_machine_as_test

from memcubedb.embeddings import default_embedder
from memcubedb.graph.store import GraphStore
from tests.support.fuzz_api import ApiServer
from tests.support.fuzz_machine import permission_machine
from tests.support.fuzz_world import Tally, vocabulary_vectors


def fuzz_settings(examples: int, steps: int, shrink: bool) -> hsettings:
    """Hypothesis settings for a batch of ``examples`` runs of at most ``steps`` rules each."""
    return hsettings(
        max_examples=examples,
        stateful_step_count=steps,
        deadline=None,
        database=None,
        phases=[Phase.generate, Phase.shrink] if shrink else [Phase.generate],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )


def fuzz(
    store: GraphStore, operations: int, steps: int, tally: Tally, api: ApiServer | None = None, batch: int = 20
) -> int:
    """Run batches of examples until ``operations`` calls (store, search, HTTP) were made; return the
    examples run. With ``api`` the HTTP rules take part too."""
    embedder = default_embedder()
    machine = permission_machine(store, embedder, vocabulary_vectors(embedder), tally, api)
    examples = 0
    while tally.operations < operations:
        run_state_machine_as_test(machine, settings=fuzz_settings(batch, steps, shrink=tally.strict))
        examples += batch
    return examples
