"""Permission fuzzing (CI variant): at least 10,000 operations by random principals — store,
fact editor, export, dashboard views and search called directly, and the same through the HTTP
API on loopback (entities, facts, graph views, find, timeline, export, search, /v1/natural) —
each answer checked against the reference model and by the canary oracle (every memory text
carries a token unique to it; an answer holding a token of a memory the principal may not read
is a leak); any leak or mismatch fails.

The long variant is ``python -m bench.fuzz_permissions``.
"""

from __future__ import annotations

from memcubedb.graph.store import GraphStore
from memcubedb.settings import Settings
from tests.support.fuzz_api import ApiServer
from tests.support.fuzz_run import fuzz
from tests.support.fuzz_world import Tally

OPERATIONS = 10_000


def test_no_principal_reads_or_writes_beyond_its_rights(store: GraphStore, settings: Settings) -> None:
    tally = Tally(strict=True)
    with ApiServer(settings, store) as api:
        examples = fuzz(store, OPERATIONS, steps=50, tally=tally, api=api)
    print(
        f"permission fuzzing: {examples} examples, {tally.operations} operations ({tally.http} over HTTP), "
        f"{tally.denied} denied writes, {tally.search_hits} search hits, {tally.scanned} answers scanned for "
        f"canaries, {tally.leaks} leaks"
    )
    assert tally.operations >= OPERATIONS and tally.http >= 2_000
    assert tally.denied > 500 and tally.search_hits > 100  # the fuzzer reached both sides of the rules
    assert tally.scanned > OPERATIONS // 2  # most answers went through the canary oracle
    assert tally.leaks == 0 and not tally.mismatches
