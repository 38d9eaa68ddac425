"""The chat's Cypher: the caller's readable activation and parametric memory, as named constants.

Each query embeds the read-permission predicate of :mod:`memcubedb.graph.acl` (parameter
``$principal``) and the lifecycle filter (``$live``: :data:`memcubedb.states.LIVE_STATES`), so
only live memories the caller may read ever enter a generation's context.
"""

from __future__ import annotations

from memcubedb.graph.acl import CAN_READ_CUBE

LIVE = "c.state IN $live AND NOT EXISTS { (:MemCube)-[:SUPERSEDES]->(c) }"

ACTIVATION_MEMORIES = (
    "MATCH (c:MemCube {memory_type: 'activation'}) WHERE "
    + LIVE
    + " AND "
    + CAN_READ_CUBE
    + """
RETURN c.id AS id, c.text AS text, c.vault_digest AS digest, c.model_id AS model_id,
       coalesce(c.score, 0.0) AS score, c.payload AS payload,
       [(src:MemCube)-[:PROMOTED_TO]->(c) | src.id] AS source_ids
ORDER BY score DESC, id
"""
)
"""Live KV templates the principal may read, best score first (then id, for a stable order)."""

ACTIVE_ADAPTER = (
    "MATCH (c:MemCube {memory_type: 'parametric'}) WHERE "
    + LIVE
    + " AND "
    + CAN_READ_CUBE
    + """
RETURN c.id AS id, c.vault_digest AS digest, c.model_id AS base_model, coalesce(c.score, 0.0) AS score,
       [(c)-[:ENCODES]->(f:Fact) | f.id] AS fact_ids
ORDER BY c.created_at DESC, id
LIMIT 1
"""
)
"""The principal's active LoRA adapter: the newest live parametric cube it may read (at most one row)."""
