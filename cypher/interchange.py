"""The Cypher of MemDumper and MemLoader (:mod:`memcubedb.graph.interchange`): cubes with their
facts and provenance, out and in, as named constants written out whole.

The export reads as the calling principal: it opens with its readable scope (``acl_groups``:
``$principal`` and the groups it reaches over ``MEMBER_OF``; ``cypher/README.md``, *Permissions
inside every query*), and every entity name it writes for another store is one that cubes the
principal may read use (*Entity names and tenants*).
"""

from __future__ import annotations

#: The readable cubes among ``$ids`` with what :meth:`GraphStore.write_cubes` takes back: source
#: (with the cube's offsets in it), generating activity and its agent, attributed agent, facts
#: (with evidence offsets), entities (mentioned ones with the names this cube uses, and the ends
#: of its facts; ``shown`` is the name the principal is shown), and the readable cubes it derives
#: from or supersedes. Oldest first.
EXPORT_CUBES = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
UNWIND $ids AS cid
MATCH (c:MemCube {id: cid})
WHERE EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
CALL (c) {
  OPTIONAL MATCH (c)-[e:EXTRACTED_FROM]->(s:Source)
  RETURN s {.*, start: e.start, end: e.end} AS source LIMIT 1
}
CALL (c) {
  OPTIONAL MATCH (c)-[:GENERATED_BY]->(a:Activity)
  OPTIONAL MATCH (a)-[:ASSOCIATED_WITH]->(g:Agent)
  RETURN a {.*} AS activity, g {.*} AS activity_agent ORDER BY a.started_at LIMIT 1
}
CALL (c) {
  OPTIONAL MATCH (c)-[:ATTRIBUTED_TO]->(g:Agent)
  RETURN g {.*} AS agent LIMIT 1
}
CALL (c, acl_groups) {
  MATCH (c)-[r:DERIVED_FROM|SUPERSEDES]->(x:MemCube)
  WHERE EXISTS { (x)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
  RETURN collect(CASE type(r) WHEN 'DERIVED_FROM' THEN x.id END) AS derived_from,
         collect(CASE type(r) WHEN 'SUPERSEDES' THEN x.id END) AS supersedes
}
CALL (c, acl_groups) {
  CALL (c) {
    MATCH (c)-[mm:MENTIONS]->(m:Entity)
    RETURN m, coalesce(mm.names, []) AS cube_names
    UNION ALL
    MATCH (c)-[:ASSERTS]->(:Fact)-[:SUBJECT|OBJECT]->(m:Entity) WHERE NOT EXISTS { (c)-[:MENTIONS]->(m) }
    RETURN m, [] AS cube_names
  }
  WITH m, cube_names, COLLECT {
         MATCH (vn_c:MemCube)-[vn_m:MENTIONS]->(m)
         WHERE EXISTS { (vn_c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
         UNWIND coalesce(vn_m.names, []) AS vn_name
         WITH DISTINCT vn_name ORDER BY vn_name
         RETURN vn_name } AS names
  RETURN collect({id: m.id, type: m.type, names: cube_names,
                  shown: CASE WHEN m.name IN names THEN m.name ELSE coalesce(head(names), m.id) END}) AS entities
}
RETURN c {.*} AS props,
       [(p:Principal)-[:CAN_READ]->(c) | p.id] AS readers,
       [(p:Principal)-[:CAN_WRITE]->(c) | p.id] AS writers,
       source, activity, coalesce(agent, activity_agent) AS agent,
       [(c)-[x:ASSERTS]->(f:Fact) | f {.*, start: x.start, end: x.end}] AS facts,
       entities, derived_from, supersedes
ORDER BY c.created_at, c.id
"""

LINK_SUPERSEDES = """
UNWIND $rows AS row
MATCH (n:MemCube {id: row.id}), (old:MemCube {id: row.old_id})
MERGE (n)-[:SUPERSEDES]->(old)
"""

RECORD_IMPORT = """
CREATE (a:Activity {id: $activity_id, kind: 'import', name: $name, started_at: $now, ended_at: $now, params: $params})
MERGE (g:Agent {id: $principal}) ON CREATE SET g.kind = 'person', g.name = $principal
MERGE (a)-[:ASSOCIATED_WITH]->(g)
WITH a
UNWIND $ids AS cid
MATCH (c:MemCube {id: cid})
MERGE (a)-[:USED]->(c)
"""
