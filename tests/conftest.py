"""Shared fixtures: a real Neo4j (the embedded default, started here unless NEO4J_URI is set).

Set ``MEMCUBEDB_NEO4J__BOLT_PORT`` and ``MEMCUBEDB_DATA_DIR`` to run a private server.

Every test that uses the Neo4j fixtures (directly or through another fixture) is marked ``neo4j``
here, so ``pytest -m "not neo4j"`` (``make test-fast``) is the fast tier of pure code; a test that
reaches Neo4j another way carries the marker itself.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from memcubedb.graph.embedded import server
from memcubedb.graph.store import GraphStore
from memcubedb.settings import Settings

NEO4J_FIXTURES = frozenset({"neo4j_server", "private_neo4j"})
"""Fixtures that start or need a Neo4j (``private_neo4j``: the crash test's own server); every fixture
that reaches Neo4j depends on one of them."""

WIPE = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS"


@pytest.fixture(scope="session")
def settings() -> Settings:
    """The settings every test uses (environment variables apply)."""
    return Settings()


@pytest.fixture(scope="session")
def neo4j_server(settings: Settings) -> Iterator[Settings]:
    """A running Neo4j: the embedded default (started if needed, stopped if we started it)."""
    with server.running(settings):
        yield settings


@pytest.fixture(scope="session")
def _session_store(neo4j_server: Settings) -> Iterator[GraphStore]:
    store = GraphStore.connect(neo4j_server)
    yield store
    store.close()


@pytest.fixture
def store(_session_store: GraphStore) -> GraphStore:
    """A connected GraphStore on an empty database with the schema migrated."""
    with _session_store.driver.session(database=_session_store.db) as s:
        s.run(WIPE).consume()
    _session_store.migrate()
    return _session_store


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark ``neo4j`` every test whose fixture closure includes a Neo4j fixture."""
    for item in items:
        if NEO4J_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.neo4j)
