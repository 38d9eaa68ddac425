"""Crash safety benchmark: kill -9 Neo4j in the middle of large ingests, restart, check what survived.

Each run starts its own Neo4j (a fresh temporary data directory, a free port on 127.0.0.1) with
the HTTP API in front of it, ingests batches through ``GraphStore.write_cubes`` while a second
client adds memories through ``POST /v1/cubes``, SIGKILLs the java process after ``--kill-after``
acknowledged batches, restarts it and checks (see :mod:`tests.support.crash`): acknowledged
writes all present, batches all-or-nothing, no cube without its source/activity/owner/facts,
no dangling fact, errors (not silence) for the rest, re-sending idempotent, the API healthy again.

Usage::

    .venv/bin/python bench/crash.py [--runs 5] [--batches 200] [--size 50] [--kill-after 20] [--no-api]

Prints one line per run and the totals; exits 1 when any run lost or corrupted something.
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make `tests.support` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from memcubedb.graph.embedded import server
from tests.support.crash import CrashReport, crash_run, make_api_key, private_settings
from tests.support.fuzz_api import ApiServer
from tests.support.loopback import free_port


def one_run(batches: int, size: int, kill_after: int, with_api: bool) -> CrashReport:
    """One crash run on a fresh private Neo4j (started and stopped here)."""
    with tempfile.TemporaryDirectory(prefix="memcubedb-crash-") as tmp:
        settings = private_settings(Path(tmp), free_port())
        server.start(settings)
        try:
            if not with_api:
                return crash_run(settings, batches, size, kill_after)
            key = make_api_key(settings)
            with ApiServer(settings) as api:
                assert api.client is not None
                return crash_run(settings, batches, size, kill_after, str(api.client.base_url), key)
        finally:
            server.stop(settings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--batches", type=int, default=200, help="batches per run")
    parser.add_argument("--size", type=int, default=50, help="cubes per batch")
    parser.add_argument("--kill-after", type=int, default=20, help="acknowledged batches before the kill (± 50%%)")
    parser.add_argument("--no-api", action="store_true", help="no API writer")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    logging.getLogger("neo4j").setLevel(logging.ERROR)  # the driver logs every retry against the dead server
    rng = random.Random(args.seed)
    failures = 0
    acked_cubes = 0
    print(f"{'run':>3} {'acked':>6} {'error':>28} {'in-doubt':>8} {'unsent':>6} {'restart s':>9} "
          f"{'api ok':>6} {'api err':>20} {'resent new':>10}  result")
    for run in range(1, args.runs + 1):
        kill_after = max(1, round(args.kill_after * rng.uniform(0.5, 1.5)))
        r = one_run(args.batches, args.size, kill_after, not args.no_api)
        acked_cubes += r.acked * r.size + r.api_acked
        failures += bool(r.problems)
        error = ", ".join(f"#{i} {kind}" for i, kind in r.errored) or "-"
        api_error = ", ".join(f"#{i} {kind}" for i, kind in r.api_errors) or "-"
        print(f"{run:>3} {r.acked:>6} {error:>28} {r.in_doubt_committed:>8} {r.unsent:>6} {r.restart_s:>9.1f} "
              f"{r.api_acked:>6} {api_error:>20} {r.resend_new:>10}  {'; '.join(r.problems) or 'survived'}")
    print(f"runs {args.runs}, acknowledged memories verified {acked_cubes}, runs with problems {failures}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
