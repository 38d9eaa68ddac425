"""The Cypher of fact triples and entities read and edited as a principal, as named constants,
each written out whole.

A query that reads as a principal opens with its readable scope (``acl_groups``: ``$principal``
and the groups it reaches over ``MEMBER_OF``; ``cypher/README.md``, *Permissions inside every
query*). Entities are named only by the names that cubes the principal may read use for them
(*Entity names and tenants*): ``CASE WHEN e.name IN names THEN e.name ELSE coalesce(head(names),
e.id) END`` over those sorted, distinct names.
"""

from __future__ import annotations

ASSERTED_BY = "MATCH (:MemCube {id: $cube_id})-[a:ASSERTS]->(f:Fact {id: $fact_id}) RETURN f {.*} AS fact"

#: The given entity ids the principal can see (named by a cube it may read, or an end of a fact
#: such a cube asserts): an id given alone is no probe into other tenants' entities.
ENTITIES_VISIBLE = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
MATCH (e:Entity) WHERE e.id IN $ids
  AND (EXISTS {
         MATCH (c:MemCube)-[:MENTIONS]->(e)
         WHERE EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups } }
       OR EXISTS {
         MATCH (c:MemCube)-[:ASSERTS]->(:Fact)-[:SUBJECT|OBJECT]->(e)
         WHERE EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups } })
RETURN e.id AS id
"""

RETRACT = """
MATCH (c:MemCube {id: $cube_id})-[a:ASSERTS]->(f:Fact {id: $fact_id})
DELETE a
WITH f
WHERE NOT EXISTS { (:MemCube)-[:ASSERTS]->(f) }
OPTIONAL MATCH (:Entity)-[r:RELATES {fact_id: f.id}]->(:Entity)
DELETE r
DETACH DELETE f
RETURN count(*) AS removed
"""

RECORD_EDIT = """
CREATE (a:Activity {id: $activity_id, kind: 'edit', name: $name, started_at: $now, ended_at: $now,
                    params: $params})
MERGE (g:Agent {id: $principal}) ON CREATE SET g.kind = 'person', g.name = $principal
MERGE (a)-[:ASSOCIATED_WITH]->(g)
WITH a
MATCH (c:MemCube {id: $cube_id})
MERGE (a)-[:USED]->(c)
"""

LINK_REVISION = """
MATCH (new:Fact {id: $new_id}), (old:Fact {id: $old_id})
MERGE (new)-[:DERIVED_FROM]->(old)
"""

#: One fact asserted by a cube the principal may read, with the readable cubes asserting it and
#: its subject and object named for the principal.
GET_FACT = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
MATCH (c:MemCube)-[:ASSERTS]->(f:Fact {id: $id})
WHERE EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
WITH DISTINCT f, acl_groups
MATCH (f)-[:SUBJECT]->(s:Entity), (f)-[:OBJECT]->(o:Entity)
WITH f, s, o,
     COLLECT {
       MATCH (c:MemCube)-[:ASSERTS]->(f)
       WHERE EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
       RETURN c.id } AS cube_ids,
     COLLECT {
       MATCH (vn_c:MemCube)-[vn_m:MENTIONS]->(s)
       WHERE EXISTS { (vn_c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
       UNWIND coalesce(vn_m.names, []) AS vn_name
       WITH DISTINCT vn_name ORDER BY vn_name
       RETURN vn_name } AS subject_names,
     COLLECT {
       MATCH (vn_c:MemCube)-[vn_m:MENTIONS]->(o)
       WHERE EXISTS { (vn_c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
       UNWIND coalesce(vn_m.names, []) AS vn_name
       WITH DISTINCT vn_name ORDER BY vn_name
       RETURN vn_name } AS object_names
RETURN f {.*} AS fact,
       CASE WHEN s.name IN subject_names THEN s.name ELSE coalesce(head(subject_names), s.id) END AS subject,
       CASE WHEN o.name IN object_names THEN o.name ELSE coalesce(head(object_names), o.id) END AS object,
       cube_ids
"""

#: Readable facts matching every given filter (``null`` = any), ordered by id after ``$after``,
#: at most ``$limit``; columns as :data:`GET_FACT`.
FIND_FACTS = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
MATCH (c:MemCube)-[:ASSERTS]->(f:Fact)
WHERE EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
  AND ($predicate IS NULL OR f.predicate = $predicate)
  AND ($subject_id IS NULL OR f.subject_id = $subject_id)
  AND ($object_id IS NULL OR f.object_id = $object_id)
  AND ($entity_id IS NULL OR f.subject_id = $entity_id OR f.object_id = $entity_id)
  AND ($after IS NULL OR f.id > $after)
WITH DISTINCT f, acl_groups ORDER BY f.id LIMIT $limit
MATCH (f)-[:SUBJECT]->(s:Entity), (f)-[:OBJECT]->(o:Entity)
WITH f, s, o,
     COLLECT {
       MATCH (c:MemCube)-[:ASSERTS]->(f)
       WHERE EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
       RETURN c.id } AS cube_ids,
     COLLECT {
       MATCH (vn_c:MemCube)-[vn_m:MENTIONS]->(s)
       WHERE EXISTS { (vn_c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
       UNWIND coalesce(vn_m.names, []) AS vn_name
       WITH DISTINCT vn_name ORDER BY vn_name
       RETURN vn_name } AS subject_names,
     COLLECT {
       MATCH (vn_c:MemCube)-[vn_m:MENTIONS]->(o)
       WHERE EXISTS { (vn_c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
       UNWIND coalesce(vn_m.names, []) AS vn_name
       WITH DISTINCT vn_name ORDER BY vn_name
       RETURN vn_name } AS object_names
RETURN f {.*} AS fact,
       CASE WHEN s.name IN subject_names THEN s.name ELSE coalesce(head(subject_names), s.id) END AS subject,
       CASE WHEN o.name IN object_names THEN o.name ELSE coalesce(head(object_names), o.id) END AS object,
       cube_ids
ORDER BY fact.id
"""

#: An entity that a readable cube mentions or asserts a fact about, as ``{id, name, type,
#: aliases}`` named by the names readable cubes use for it (its id when none names it).
GET_ENTITY = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
MATCH (e:Entity {id: $id})
WHERE (EXISTS {
         MATCH (c:MemCube)-[:MENTIONS]->(e)
         WHERE EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups } }
       OR EXISTS {
         MATCH (c:MemCube)-[:ASSERTS]->(:Fact)-[:SUBJECT|OBJECT]->(e)
         WHERE EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups } })
WITH e, COLLECT {
          MATCH (vn_c:MemCube)-[vn_m:MENTIONS]->(e)
          WHERE EXISTS { (vn_c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
          UNWIND coalesce(vn_m.names, []) AS vn_name
          WITH DISTINCT vn_name ORDER BY vn_name
          RETURN vn_name } AS names
WITH e, names, CASE WHEN e.name IN names THEN e.name ELSE coalesce(head(names), e.id) END AS name
RETURN {id: e.id, name: name, type: e.type, aliases: [x IN names WHERE x <> name]} AS entity
"""

#: Candidate entities for ``$norms`` (exact), ``$queries`` (Lucene) and ``$vectors`` (name
#: embeddings), each index cut at ``$limit`` hits, kept when a cube ``$principal`` may read
#: mentions them, named by those cubes' names (:mod:`memcubedb.graph.entity_lookup`).
CANDIDATES = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
CALL () {
  MATCH (e:Entity) WHERE e.norm_name IN $norms RETURN e
  UNION
  UNWIND $queries AS query
  CALL db.index.fulltext.queryNodes('entity_names', query, {limit: $limit}) YIELD node
  RETURN node AS e
  UNION
  UNWIND $vectors AS vector
  CALL db.index.vector.queryNodes('entity_embedding', $limit, vector) YIELD node
  RETURN node AS e
}
WITH DISTINCT acl_groups, e
MATCH (c:MemCube)-[m:MENTIONS]->(e)
WHERE EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
WITH e, reduce(acc = [], l IN collect(coalesce(m.names, [])) | acc + [x IN l WHERE NOT x IN acc]) AS found
WHERE size(found) > 0
CALL (found) { UNWIND found AS x WITH x ORDER BY x RETURN collect(x) AS names }
WITH e, names, CASE WHEN e.name IN names THEN e.name ELSE coalesce(head(names), e.id) END AS name
RETURN {id: e.id, name: name, type: e.type, aliases: [x IN names WHERE x <> name]} AS entity
ORDER BY entity.id
"""
