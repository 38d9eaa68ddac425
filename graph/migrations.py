"""Versioned, idempotent schema migrations recorded in the graph.

Each file in ``cypher/migrations`` is one version (its numeric prefix). Applied versions are
recorded as ``(:SchemaMigration {version, name, checksum, applied_at})``; a migration already
recorded is skipped, and a recorded one whose file changed is refused (migrations are
immutable once applied — add a new one instead).
"""

from __future__ import annotations

import hashlib

from neo4j import Driver

from memcubedb.cypher import CypherFile, migrations
from memcubedb.cypher.admin import APPLIED_MIGRATIONS, RECORD_MIGRATION


class MigrationError(RuntimeError):
    """A recorded migration no longer matches its file."""


def _version(migration: CypherFile) -> int:
    return int(migration.name.split("_", 1)[0])


def _checksum(migration: CypherFile) -> str:
    return hashlib.sha256("\n;\n".join(migration.statements).encode()).hexdigest()


def apply_migrations(driver: Driver, database: str, params: dict[str, object]) -> list[str]:
    """Apply every pending migration in order; return the names applied (empty when up to date).

    Args:
        params: parameters the schema statements use (e.g. ``embedding_dim``).

    Raises:
        MigrationError: a recorded migration's checksum differs from its file.
    """
    records, _, _ = driver.execute_query(APPLIED_MIGRATIONS, database_=database)
    applied = {r["version"]: r["checksum"] for r in records}
    done: list[str] = []
    for migration in migrations():
        version, checksum = _version(migration), _checksum(migration)
        if version in applied:
            if applied[version] != checksum:
                raise MigrationError(f"migration {migration.name} changed after it was applied")
            continue
        with driver.session(database=database) as session:
            for statement in migration.statements:
                session.run(statement, params).consume()  # schema statements run in auto-commit
        driver.execute_query(
            RECORD_MIGRATION, version=version, name=migration.name, checksum=checksum, database_=database
        )
        done.append(migration.name)
    return done
