"""The Cypher of principals, groups, grants and API keys (:mod:`memcubedb.graph.permissions`,
:mod:`memcubedb.graph.apikeys`), as named constants written out whole.

A grant, a revocation or a move into a ``Space`` is allowed only to a principal that owns the
cube directly or through a group: the query opens with the caller's groups (``acl_groups``:
``$principal`` and the groups it reaches over ``MEMBER_OF``; ``cypher/README.md``, *Permissions
inside every query*) and matches the cube only when one of them ``OWNS`` it.
"""

from __future__ import annotations

# --- principals, groups and grants ---------------------------------------------------------

ENSURE_PRINCIPAL = """
MERGE (p:Principal {id: $id})
  ON CREATE SET p.kind = $kind, p.name = $name, p.created_at = datetime()
RETURN p.id AS id
"""

ADD_MEMBER = """
MERGE (m:Principal {id: $member}) ON CREATE SET m.kind = 'user', m.name = $member
MERGE (g:Principal {id: $group}) ON CREATE SET g.kind = 'group', g.name = $group
MERGE (m)-[:MEMBER_OF]->(g)
"""

REMOVE_MEMBER = "MATCH (:Principal {id: $member})-[r:MEMBER_OF]->(:Principal {id: $group}) DELETE r"

GRANT_CUBE = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
MATCH (c:MemCube {id: $cube_id})
WHERE EXISTS { (c)<-[:OWNS]-(acl_g) WHERE acl_g IN acl_groups }
MERGE (p:Principal {id: $grantee}) ON CREATE SET p.kind = 'user', p.name = $grantee
WITH c, p
CALL (c, p) {
  FOREACH (_ IN CASE WHEN $right = 'CAN_READ' THEN [1] ELSE [] END | MERGE (p)-[:CAN_READ]->(c))
  FOREACH (_ IN CASE WHEN $right = 'CAN_WRITE' THEN [1] ELSE [] END | MERGE (p)-[:CAN_WRITE]->(c))
  FOREACH (_ IN CASE WHEN $right = 'OWNS' THEN [1] ELSE [] END | MERGE (p)-[:OWNS]->(c))
}
RETURN c.id AS id
"""

REVOKE_CUBE = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
MATCH (c:MemCube {id: $cube_id})
WHERE EXISTS { (c)<-[:OWNS]-(acl_g) WHERE acl_g IN acl_groups }
OPTIONAL MATCH (:Principal {id: $grantee})-[r]->(c) WHERE type(r) = $right
DELETE r
RETURN c.id AS id
"""

GRANT_SPACE = """
MERGE (s:Space {id: $space_id})
MERGE (p:Principal {id: $grantee}) ON CREATE SET p.kind = 'user', p.name = $grantee
WITH s, p
CALL (s, p) {
  FOREACH (_ IN CASE WHEN $right = 'CAN_READ' THEN [1] ELSE [] END | MERGE (p)-[:CAN_READ]->(s))
  FOREACH (_ IN CASE WHEN $right = 'CAN_WRITE' THEN [1] ELSE [] END | MERGE (p)-[:CAN_WRITE]->(s))
  FOREACH (_ IN CASE WHEN $right = 'OWNS' THEN [1] ELSE [] END | MERGE (p)-[:OWNS]->(s))
}
"""

ADD_TO_SPACE = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
MATCH (c:MemCube {id: $cube_id})
WHERE EXISTS { (c)<-[:OWNS]-(acl_g) WHERE acl_g IN acl_groups }
MERGE (s:Space {id: $space_id})
MERGE (c)-[:IN_SPACE]->(s)
RETURN c.id AS id
"""

# --- API keys: (:Principal)-[:HAS_KEY]->(:ApiKey) -----------------------------------------

CREATE_KEY = """
MERGE (p:Principal {id: $principal})
  ON CREATE SET p.kind = $kind, p.name = $principal, p.created_at = datetime()
CREATE (k:ApiKey {id: $id, key_hash: $key_hash, role: $role, name: $name, created_at: datetime()})
CREATE (p)-[:HAS_KEY]->(k)
RETURN k {.id, .role, .name, .created_at, .revoked_at} AS key, p.id AS principal
"""

AUTHENTICATE = """
MATCH (p:Principal)-[:HAS_KEY]->(k:ApiKey {key_hash: $key_hash})
WHERE k.revoked_at IS NULL
RETURN k {.id, .role, .name, .created_at, .revoked_at} AS key, p.id AS principal
"""

REVOKE_KEY = """
MATCH (p:Principal)-[:HAS_KEY]->(k:ApiKey {id: $id})
SET k.revoked_at = coalesce(k.revoked_at, datetime())
RETURN k {.id, .role, .name, .created_at, .revoked_at} AS key, p.id AS principal
"""

LIST_KEYS = """
MATCH (p:Principal)-[:HAS_KEY]->(k:ApiKey)
WHERE $principal IS NULL OR p.id = $principal
RETURN k {.id, .role, .name, .created_at, .revoked_at} AS key, p.id AS principal
ORDER BY k.created_at, k.id
"""
