"""Schema migrations are versioned, recorded in the graph and idempotent."""

from __future__ import annotations

from memcubedb.cypher import migrations
from memcubedb.graph.store import GraphStore

SCHEMA = "SHOW INDEXES YIELD name, type RETURN name, type ORDER BY name"


def test_migrations_recorded_and_rerun_changes_nothing(store: GraphStore) -> None:
    recorded = store.read("MATCH (m:SchemaMigration) RETURN m.version AS v ORDER BY v")
    assert [r["v"] for r in recorded] == [int(m.name.split("_")[0]) for m in migrations()]
    before = store.read(SCHEMA)
    assert store.migrate() == []
    assert store.read(SCHEMA) == before
    types = {r["name"]: r["type"] for r in before}
    assert types["memcube_text"] == "FULLTEXT"
    assert types["memcube_embedding"] == "VECTOR"


def test_vector_index_dimension_from_settings(store: GraphStore) -> None:
    rows = store.read("SHOW INDEXES YIELD name, options WHERE name = 'memcube_embedding' RETURN options")
    assert rows[0]["options"]["indexConfig"]["vector.dimensions"] == store.settings.embedding_dim
