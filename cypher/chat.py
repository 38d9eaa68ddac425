"""The chat's Cypher: the caller's readable activation and parametric memory, as named constants.

Each query opens with the caller's readable scope (``acl_groups``: ``$principal`` and the groups
it reaches over ``MEMBER_OF``; ``cypher/README.md``, *Permissions inside every query*) and keeps
live memories only (``$live``: :data:`memcubedb.states.LIVE_STATES`, latest version), so only
live memories the caller may read ever enter a generation's context.
"""

from __future__ import annotations

ACTIVATION_MEMORIES = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
MATCH (c:MemCube {memory_type: 'activation'})
WHERE c.state IN $live AND NOT EXISTS { (:MemCube)-[:SUPERSEDES]->(c) }
  AND EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
RETURN c.id AS id, c.text AS text, c.vault_digest AS digest, c.model_id AS model_id,
       coalesce(c.score, 0.0) AS score, c.payload AS payload,
       [(src:MemCube)-[:PROMOTED_TO]->(c) | src.id] AS source_ids
ORDER BY score DESC, id
"""
"""Live KV templates the principal may read, best score first (then id, for a stable order)."""

ACTIVE_ADAPTER = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
MATCH (c:MemCube {memory_type: 'parametric'})
WHERE c.state IN $live AND NOT EXISTS { (:MemCube)-[:SUPERSEDES]->(c) }
  AND EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
RETURN c.id AS id, c.vault_digest AS digest, c.model_id AS base_model, coalesce(c.score, 0.0) AS score,
       [(c)-[:ENCODES]->(f:Fact) | f.id] AS fact_ids
ORDER BY c.created_at DESC, id
LIMIT 1
"""
"""The principal's active LoRA adapter: the newest live parametric cube it may read (at most one row)."""

STILL_USABLE = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
MATCH (c:MemCube) WHERE c.id IN $ids
  AND c.state IN $live AND NOT EXISTS { (:MemCube)-[:SUPERSEDES]->(c) }
  AND EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
RETURN c.id AS id, c.vault_digest AS digest
"""
"""Of the memories ``$ids`` a generation planned to use, those still live, latest and readable by the
principal now, with their vault digest (re-checked just before the model runs)."""
