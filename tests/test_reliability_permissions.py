"""Permission fuzzing (CI variant): at least 10,000 store, search and dashboard operations by
random principals, checked against the reference model; any leak or mismatch fails the test.

The long variant is ``python -m bench.fuzz_permissions``.
"""

from __future__ import annotations

from bench.fuzz_machine import Tally
from bench.fuzz_permissions import fuzz
from memcubedb.graph.store import GraphStore

OPERATIONS = 10_000


def test_no_principal_reads_or_writes_beyond_its_rights(store: GraphStore) -> None:
    tally = Tally(strict=True)
    examples = fuzz(store, OPERATIONS, steps=50, tally=tally)
    print(f"permission fuzzing: {examples} examples, {tally.operations} operations, "
          f"{tally.denied} denied writes, {tally.search_hits} search hits, {tally.leaks} leaks")
    assert tally.operations >= OPERATIONS
    assert tally.denied > 500 and tally.search_hits > 100  # the fuzzer reached both sides of the rules
    assert tally.leaks == 0 and not tally.mismatches
