"""Permission fuzzing: a hypothesis state machine against the real store, search and dashboard views.

Random principals, groups (nested, cycles allowed), grants, revocations and spaces are
interleaved with adds, updates, fact edits, lifecycle changes, purges and every read path
(get, list, facts, entities, provenance, export, explorer views, hybrid search). Each answer is
compared with the reference model of :mod:`tests.support.acl_model`:

* **read leak** — something came back that the principal may not read, by id or by a canary
  token of a memory it may not read found anywhere in the answer (see :mod:`tests.support.fuzz_world`);
* **write leak** — a write succeeded without write (or owner) rights;
* **mismatch** — any other disagreement (a refused legitimate write, a missing result, graph
  state different from the model after a step).

Usage (long variant; the CI variant is ``tests/test_reliability_permissions.py``)::

    .venv/bin/python -m bench.fuzz_permissions [--operations 100000] [--steps 60]

The run uses the Neo4j of the ``MEMCUBEDB_*`` settings (started here, and stopped again, when
not running) and WIPES ITS DATABASE before every example: point it at a private data dir/port.
It prints the operations run, the examples, and the leaks and mismatches found.
"""

from __future__ import annotations

import argparse
import time
from contextlib import closing

from memcubedb.graph.embedded import server
from memcubedb.graph.store import GraphStore
from memcubedb.settings import Settings
from tests.support.fuzz_api import ApiServer
from tests.support.fuzz_run import fuzz
from tests.support.fuzz_world import Tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--operations", type=int, default=100_000, help="store/search calls to make (at least)")
    parser.add_argument("--steps", type=int, default=60, help="rules per example (at most)")
    parser.add_argument("--no-api", action="store_true", help="leave out the HTTP rules (no API server)")
    args = parser.parse_args()

    settings = Settings()
    tally = Tally(strict=False)
    t0 = time.perf_counter()
    with server.running(settings), closing(GraphStore.connect(settings)) as store:
        if args.no_api:
            examples = fuzz(store, args.operations, args.steps, tally)
        else:
            with ApiServer(settings, store) as api:
                examples = fuzz(store, args.operations, args.steps, tally, api)
    elapsed = time.perf_counter() - t0
    print(f"permission fuzzing on {settings.bolt_uri}: {elapsed:.1f} s")
    print(f"  examples run          {examples}")
    print(f"  operations run        {tally.operations}  ({tally.operations / elapsed:.0f} per s)")
    print(f"  of which HTTP requests {tally.http}")
    print(f"  denied writes checked {tally.denied}")
    print(f"  search hits checked   {tally.search_hits}")
    print(f"  answers canary-scanned {tally.scanned}")
    print(f"  read leaks found      {len(tally.read_leaks)}")
    print(f"  write leaks found     {len(tally.write_leaks)}")
    print(f"  mismatches found      {len(tally.mismatches)}")
    for line in (tally.read_leaks + tally.write_leaks + tally.mismatches)[:20]:
        print("   -", line)


if __name__ == "__main__":
    main()
