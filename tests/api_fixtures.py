"""Fixtures for the API, SDK and CLI tests: an app on the test Neo4j, API keys, a live server.

Load them in a test module with ``pytest_plugins = ["tests.api_fixtures"]``. Everything runs
against the real Neo4j of ``tests/conftest.py`` (wiped per test by the ``store`` fixture) and,
for :func:`live_server`, a real uvicorn server on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from memcubedb.api.app import create_app
from memcubedb.config.api import ApiConfig
from memcubedb.graph.apikeys import ApiKeys
from memcubedb.graph.store import GraphStore
from memcubedb.settings import Settings
from tests.api_helpers import PRINCIPALS, Keys
from tests.support.loopback import serve

API_CONFIG = ApiConfig(max_body_bytes=256 * 1024, cypher_timeout_s=5.0, cypher_max_rows=500, graph_max_nodes=100)


@pytest.fixture
def api_settings(settings: Settings) -> Settings:
    """The test settings with tight API limits."""
    return settings.model_copy(update={"api": API_CONFIG})


@pytest.fixture
def keys(store: GraphStore) -> Keys:
    """One key per principal of :data:`PRINCIPALS` (on the freshly wiped graph)."""
    api_keys = ApiKeys(store)
    return Keys({p: api_keys.create(p, role, name="tests")[0] for p, role in PRINCIPALS.items()})


@pytest.fixture
def client(store: GraphStore, api_settings: Settings, keys: Keys) -> Iterator[TestClient]:
    """A TestClient over ``create_app(settings)`` (lifespan run: it connects to Neo4j itself)."""
    with TestClient(create_app(api_settings), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def live_server(store: GraphStore, api_settings: Settings, keys: Keys) -> Iterator[str]:
    """A real uvicorn server running ``create_app(settings)`` on 127.0.0.1; yields its base URL."""
    with serve(create_app(api_settings)) as url:
        yield url
