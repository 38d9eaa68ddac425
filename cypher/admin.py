"""The Cypher that asks about the database server rather than the memory graph, as named constants:
its version, the modes of procedures (the analyst runner's plan check) and the record of applied
schema migrations (``cypher/migrations``)."""

from __future__ import annotations

SERVER_COMPONENTS = "CALL dbms.components() YIELD name, versions, edition RETURN name, versions[0] AS version, edition"

#: The mode (``READ``, ``WRITE``, ``SCHEMA``, ``DBMS``) of each procedure in ``$names``.
PROCEDURE_MODES = "SHOW PROCEDURES YIELD name, mode WHERE name IN $names RETURN name, mode"

APPLIED_MIGRATIONS = "MATCH (m:SchemaMigration) RETURN m.version AS version, m.checksum AS checksum"

RECORD_MIGRATION = """
MERGE (m:SchemaMigration {version: $version})
  ON CREATE SET m.name = $name, m.checksum = $checksum, m.applied_at = datetime()
"""
