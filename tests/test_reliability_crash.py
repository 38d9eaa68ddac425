"""Crash safety (CI variant): kill -9 a private Neo4j in the middle of a large ingest — batches
through ``GraphStore.write_cubes`` and memories through the HTTP API at the same time — restart
it and check that every acknowledged write survived whole, the rest failed loudly, nothing is
half-written and re-sending everything is idempotent. The long variant is ``bench/crash.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from memcubedb.graph.embedded import server
from memcubedb.settings import Settings
from tests.support.crash import crash_run, make_api_key, private_settings
from tests.support.fuzz_api import ApiServer
from tests.support.loopback import free_port


@pytest.fixture
def private_neo4j(tmp_path: Path) -> Iterator[Settings]:
    """Our own Neo4j (its own port and data directory), stopped at the end whatever happens (its data
    is thrown away, so it gets 2 s to shut down before SIGKILL)."""
    settings = private_settings(tmp_path / "crash", free_port())
    server.start(settings)
    try:
        yield settings
    finally:
        server.stop(settings, timeout_s=2.0)


def test_kill_9_mid_ingest_loses_nothing_acknowledged(private_neo4j: Settings) -> None:
    key = make_api_key(private_neo4j)
    with ApiServer(private_neo4j) as api:
        assert api.client is not None
        report = crash_run(private_neo4j, batches=40, size=25, kill_after=8, api_base=str(api.client.base_url),
                           api_key=key)
    print(f"crash run: {report.acked} batches acknowledged, errors {report.errored}, {report.unsent} unsent, "
          f"{report.in_doubt_committed} in doubt committed, API {report.api_acked} acknowledged / "
          f"{report.api_errors} errors, restart {report.restart_s:.1f} s, re-send wrote {report.resend_new}")
    assert report.acked >= 8 and report.api_acked >= 1
    assert report.errored or report.unsent == 0  # the batch in flight failed loudly (or everything was acked)
    assert report.problems == []
    assert report.resend_new == (report.batches - report.acked - report.in_doubt_committed) * report.size
