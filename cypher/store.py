"""Every Cypher statement of the graph store, as named constants, each written out whole.

All values travel as parameters. ``$principal`` is always the calling principal's id: each query
that reads or changes cubes as a principal opens with its readable scope — ``acl_groups``, the
principal and every group it reaches over ``MEMBER_OF`` (one walk per query) — and checks a cube
``c`` against it: read when one of ``acl_groups`` ``OWNS``, ``CAN_READ`` or ``CAN_WRITE`` it or
its ``Space``, write when ``OWNS`` or ``CAN_WRITE`` (``cypher/README.md``, *Permissions inside
every query*).
"""

from __future__ import annotations

# --- batch writes (UNWIND), all run inside one transaction by GraphStore.write_cubes ---------

EXISTING_CUBES = "MATCH (c:MemCube) WHERE c.id IN $ids RETURN c.id AS id"

MERGE_ACTIVITIES = """
UNWIND $rows AS row
MERGE (a:Activity {id: row.id})
  ON CREATE SET a.kind = row.kind, a.name = row.name, a.started_at = row.started_at,
                a.ended_at = row.ended_at, a.params = row.params
MERGE (g:Agent {id: row.agent.id})
  ON CREATE SET g.kind = row.agent.kind, g.name = row.agent.name
MERGE (a)-[:ASSOCIATED_WITH]->(g)
"""

MERGE_SOURCES = """
UNWIND $rows AS row
MERGE (s:Source {id: row.id})
  ON CREATE SET s += row
"""

CREATE_CUBES = """
UNWIND $rows AS row
CREATE (c:MemCube)
SET c = row.props
MERGE (o:Principal {id: row.props.owner})
  ON CREATE SET o.kind = 'user', o.name = row.props.owner
MERGE (o)-[:OWNS]->(c)
WITH c, row
MATCH (a:Activity {id: row.activity_id})
MERGE (c)-[:GENERATED_BY]->(a)
WITH c, row
MATCH (g:Agent {id: row.agent_id})
MERGE (c)-[:ATTRIBUTED_TO]->(g)
WITH c, row
CALL (c, row) {
  UNWIND row.readers AS pid
  MERGE (p:Principal {id: pid}) ON CREATE SET p.kind = 'user', p.name = pid
  MERGE (p)-[:CAN_READ]->(c)
}
CALL (c, row) {
  UNWIND row.writers AS pid
  MERGE (p:Principal {id: pid}) ON CREATE SET p.kind = 'user', p.name = pid
  MERGE (p)-[:CAN_WRITE]->(c)
}
CALL (c, row) {
  OPTIONAL MATCH (s:Source {id: row.source_id})
  FOREACH (_ IN CASE WHEN s IS NULL THEN [] ELSE [1] END |
    MERGE (c)-[e:EXTRACTED_FROM]->(s) SET e.start = row.source_start, e.end = row.source_end)
}
CALL (c, row) {
  UNWIND row.derived_from AS parent_id
  MATCH (parent:MemCube {id: parent_id})
  MERGE (c)-[:DERIVED_FROM]->(parent)
}
RETURN count(c) AS written
"""

MERGE_ENTITIES = """
UNWIND $rows AS row
MERGE (e:Entity {id: row.id})
  ON CREATE SET e.name = row.name, e.type = row.type, e.norm_name = row.norm_name,
                e.aliases = row.aliases, e.created_at = datetime()
  ON MATCH SET e.aliases = e.aliases + [x IN [row.name] + row.aliases WHERE x <> e.name AND NOT x IN e.aliases]
SET e.alias_text = reduce(acc = '', x IN e.aliases | acc + ' ' + x)
WITH e, row WHERE row.embedding IS NOT NULL AND e.embedding IS NULL
CALL db.create.setNodeVectorProperty(e, 'embedding', row.embedding)
"""

#: ``m.names``: the names the cube itself uses for the entity (its surface forms). Every name a
#: principal is shown for an entity comes from these, on cubes it may read (cypher/README.md,
#: *Entity names and tenants*).
LINK_MENTIONS = """
UNWIND $rows AS row
MATCH (c:MemCube {id: row.cube_id})
MATCH (e:Entity {id: row.entity_id})
MERGE (c)-[m:MENTIONS]->(e)
SET m.names = coalesce(m.names, []) + [x IN row.names WHERE NOT x IN coalesce(m.names, [])]
"""

MERGE_FACTS = """
UNWIND $rows AS row
MATCH (c:MemCube {id: row.cube_id})
OPTIONAL MATCH (s:Entity {id: row.subject_id})
OPTIONAL MATCH (o:Entity {id: row.object_id})
WITH c, row, s, o
WHERE s IS NOT NULL AND o IS NOT NULL
MERGE (f:Fact {id: row.id})
  ON CREATE SET f.predicate = row.predicate, f.confidence = row.confidence, f.negated = row.negated,
                f.valid_from = row.valid_from, f.valid_to = row.valid_to, f.created_at = datetime(),
                f.subject_id = row.subject_id, f.object_id = row.object_id,
                f.object_value = row.object_value, f.datatype = row.datatype, f.unit = row.unit
  ON MATCH SET f.confidence = CASE WHEN row.confidence > f.confidence THEN row.confidence ELSE f.confidence END
MERGE (f)-[:SUBJECT]->(s)
MERGE (f)-[:OBJECT]->(o)
MERGE (s)-[r:RELATES {fact_id: row.id}]->(o)
  ON CREATE SET r.predicate = row.predicate, r.negated = row.negated
MERGE (c)-[a:ASSERTS]->(f)
  ON CREATE SET a.start = row.start, a.end = row.end
WITH f, row
MATCH (act:Activity {id: row.activity_id})
MERGE (f)-[:GENERATED_BY]->(act)
RETURN count(f) AS written
"""

RECORD_MERGES = """
UNWIND $rows AS row
MATCH (a:Activity {id: row.activity_id})
MATCH (e:Entity {id: row.entity_id})
MERGE (a)-[m:MERGED {alias: row.alias}]->(e)
  ON CREATE SET m.method = row.method, m.score = row.score
"""

# --- reads, permission-filtered inside the query ------------------------------------------

GET_CUBE = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
MATCH (c:MemCube {id: $id})
WHERE EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
RETURN c {.*} AS props,
       [(p:Principal)-[:CAN_READ]->(c) | p.id] AS readers,
       [(p:Principal)-[:CAN_WRITE]->(c) | p.id] AS writers
"""

LIST_CUBES = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
MATCH (c:MemCube)
WHERE EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
  AND ($memory_type IS NULL OR c.memory_type = $memory_type)
  AND ($states IS NULL OR c.state IN $states)
  AND ($owner IS NULL OR c.owner = $owner)
  AND ($tag IS NULL OR $tag IN c.tags)
  AND ($latest_only = false OR NOT EXISTS { (:MemCube)-[:SUPERSEDES]->(c) })
  AND ($after IS NULL OR [c.created_at, c.id] > [$after_time, $after])
WITH c ORDER BY c.created_at, c.id LIMIT $limit
RETURN c {.*} AS props,
       [(p:Principal)-[:CAN_READ]->(c) | p.id] AS readers,
       [(p:Principal)-[:CAN_WRITE]->(c) | p.id] AS writers
"""

CUBE_ACCESS = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
MATCH (c:MemCube {id: $id})
RETURN c.state AS state,
       EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups } AS can_read,
       EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups } AS can_write
"""

# --- versioned update, delete, purge (write predicate inside the query) --------------------

UPDATE_CUBE = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
MATCH (c:MemCube {id: $id})
WHERE EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
  AND NOT EXISTS { (:MemCube)-[:SUPERSEDES]->(c) }
CREATE (n:MemCube)
SET n = $props
MERGE (n)-[:SUPERSEDES]->(c)
SET c.updated_at = $now
WITH c, n
CALL (c, n) {
  MATCH (p:Principal)-[r:OWNS|CAN_READ|CAN_WRITE]->(c)
  WITH p, n, type(r) AS t
  FOREACH (_ IN CASE WHEN t = 'OWNS' THEN [1] ELSE [] END | MERGE (p)-[:OWNS]->(n))
  FOREACH (_ IN CASE WHEN t = 'CAN_READ' THEN [1] ELSE [] END | MERGE (p)-[:CAN_READ]->(n))
  FOREACH (_ IN CASE WHEN t = 'CAN_WRITE' THEN [1] ELSE [] END | MERGE (p)-[:CAN_WRITE]->(n))
}
CALL (c, n) {
  MATCH (c)-[:IN_SPACE]->(s:Space)
  MERGE (n)-[:IN_SPACE]->(s)
}
CALL (c, n) {
  MATCH (c)-[e:EXTRACTED_FROM]->(s:Source)
  MERGE (n)-[e2:EXTRACTED_FROM]->(s) SET e2.start = e.start, e2.end = e.end
}
CREATE (a:Activity {id: $activity_id, kind: 'edit', name: 'update', started_at: $now, ended_at: $now})
MERGE (ag:Agent {id: $principal}) ON CREATE SET ag.kind = 'person', ag.name = $principal
MERGE (a)-[:ASSOCIATED_WITH]->(ag)
MERGE (n)-[:GENERATED_BY]->(a)
MERGE (n)-[:ATTRIBUTED_TO]->(ag)
MERGE (n)-[:DERIVED_FROM]->(c)
RETURN n.id AS id
"""

#: The KV-template copies of a cube (same text) not yet deleted: a delete takes them along.
COPIES_OF = """
MATCH (:MemCube {id: $id})-[:PROMOTED_TO]->(t:MemCube {memory_type: 'activation'})
WHERE t.state IN $kept
RETURN t.id AS id
"""

#: The one statement that changes ``MemCube.state`` (see :meth:`GraphStore.transition_in`, which
#: checks the transition first); ``$from_state`` guards against a concurrent change.
SET_STATE = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
MATCH (c:MemCube {id: $id})
WHERE c.state = $from_state AND EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
SET c.state = $state, c.updated_at = $now
CREATE (a:Activity {id: $activity_id, kind: 'lifecycle', name: $state, started_at: $now, ended_at: $now})
MERGE (ag:Agent {id: $principal}) ON CREATE SET ag.kind = 'person', ag.name = $principal
MERGE (a)-[:ASSOCIATED_WITH]->(ag)
MERGE (c)-[:TRANSITIONED {from: $from_state, to: $state, at: $now}]->(a)
RETURN c.id AS id
"""

#: The sentence vectors of freshly embedded cubes (rows ``{cube_id, sentences: [{id, start,
#: end, embedding}]}``); ``c.sentence_count`` records that the cube's sentences were embedded
#: (0 for a one-sentence text), so the embedding sweep skips it.
WRITE_SENTENCES = """
UNWIND $rows AS row
MATCH (c:MemCube {id: row.cube_id})
SET c.sentence_count = size(row.sentences)
WITH c, row
CALL (c, row) {
  UNWIND row.sentences AS sent
  MERGE (s:Sentence {id: sent.id})
  SET s.start = sent.start, s.end = sent.end
  MERGE (s)-[:PART_OF]->(c)
  WITH s, sent
  CALL db.create.setNodeVectorProperty(s, 'embedding', sent.embedding)
}
RETURN count(c) AS written
"""

PURGE_CUBE = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
MATCH (c:MemCube {id: $id})
WHERE c.state = 'deleted' AND EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
OPTIONAL MATCH (c)-[:ASSERTS]->(f:Fact)
WITH c, collect(f) AS facts
CALL (c) {
  MATCH (sentence:Sentence)-[:PART_OF]->(c)
  DETACH DELETE sentence
}
DETACH DELETE c
WITH facts
UNWIND facts AS f
WITH f WHERE NOT EXISTS { (:MemCube)-[:ASSERTS]->(f) }
OPTIONAL MATCH (:Entity)-[r:RELATES {fact_id: f.id}]->(:Entity)
DELETE r
DETACH DELETE f
RETURN count(*) AS purged
"""

# --- facts and entities visible to the principal -------------------------------------------

#: The facts a readable cube asserts, each with the readable cubes asserting it; its subject
#: ``s`` and object ``o`` are named only by the names that cubes the principal may read use for
#: them (``cypher/README.md``, *Entity names and tenants*).
FACTS_OF_CUBE = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
MATCH (c:MemCube {id: $id})
WHERE EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
MATCH (c)-[:ASSERTS]->(f:Fact)-[:SUBJECT]->(s:Entity), (f)-[:OBJECT]->(o:Entity)
CALL (f, acl_groups) {
  MATCH (c:MemCube)-[:ASSERTS]->(f)
  WHERE EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
  RETURN collect(c.id) AS cube_ids
}
WITH f, s, o, cube_ids,
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
ORDER BY f.id
"""

LIST_ENTITIES = """
MATCH (e:Entity)
RETURN e.id AS id, e.name AS name, e.type AS type, e.aliases AS aliases
ORDER BY e.id
"""

#: The entities that cubes the principal may read mention, as ``{id, name, type, aliases}``: the
#: names are the sorted distinct names those cubes use; ``name`` is the node's name when one of
#: them, else the first; ``aliases`` the others.
VISIBLE_ENTITIES = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
MATCH (c:MemCube)-[m:MENTIONS]->(e:Entity)
WHERE EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
WITH e, reduce(acc = [], l IN collect(coalesce(m.names, [])) | acc + [x IN l WHERE NOT x IN acc]) AS found
CALL (found) { UNWIND found AS x WITH x ORDER BY x RETURN collect(x) AS names }
WITH e, names, CASE WHEN e.name IN names THEN e.name ELSE coalesce(head(names), e.id) END AS name
RETURN {id: e.id, name: name, type: e.type, aliases: [x IN names WHERE x <> name]} AS entity
ORDER BY entity.name, entity.id LIMIT $limit
"""

PROVENANCE = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
MATCH (c:MemCube {id: $id})
WHERE EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
CALL (c) {
  MATCH path = (c)-[:SUPERSEDES|DERIVED_FROM|PROMOTED_TO|DEMOTED_TO*1..8]->(anc:MemCube)
  RETURN collect(DISTINCT {cube: anc, relation: type(last(relationships(path)))}) AS found
}
CALL (found, acl_groups) {
  UNWIND found AS item
  WITH item.cube AS c, item.relation AS relation, acl_groups
  WHERE EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
  RETURN collect(DISTINCT {id: c.id, relation: relation}) AS ancestors
}
OPTIONAL MATCH (c)-[e:EXTRACTED_FROM]->(s:Source)
OPTIONAL MATCH (c)-[:GENERATED_BY]->(a:Activity)
OPTIONAL MATCH (c)-[:ATTRIBUTED_TO]->(g:Agent)
RETURN c.id AS id,
       collect(DISTINCT s {.*, start: e.start, end: e.end}) AS sources,
       collect(DISTINCT a {.*}) AS activities,
       collect(DISTINCT g {.*}) AS agents,
       ancestors
"""

COUNTS = """
CALL () { MATCH (n:MemCube) RETURN count(n) AS cubes }
CALL () { MATCH (n:Fact) RETURN count(n) AS facts }
CALL () { MATCH (n:Entity) RETURN count(n) AS entities }
CALL () { MATCH (n:Source) RETURN count(n) AS sources }
CALL () { MATCH (n:Principal) RETURN count(n) AS principals }
RETURN cubes, facts, entities, sources, principals
"""

# --- lookups for the API (graph/read_models/lookups.py) ------------------------------------

CUBES_BY_IDS = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
UNWIND $ids AS cid
MATCH (c:MemCube {id: cid})
WHERE EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
RETURN c {.*} AS props,
       [(p:Principal)-[:CAN_READ]->(c) | p.id] AS readers,
       [(p:Principal)-[:CAN_WRITE]->(c) | p.id] AS writers
"""

GROUPS_OF = """
MATCH (:Principal {id: $principal})-[:MEMBER_OF*1..8]->(g:Principal)
RETURN DISTINCT g.id AS id ORDER BY id
"""

SUCCESSOR = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
MATCH (c:MemCube {id: $id})
WHERE EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
MATCH (n:MemCube)-[:SUPERSEDES]->(c)
RETURN n.id AS id LIMIT 1
"""

SCORES = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
MATCH (c:MemCube)
WHERE c.score IS NOT NULL AND ($memory_type IS NULL OR c.memory_type = $memory_type)
  AND EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
RETURN c.id AS cube_id, c.memory_type AS memory_type, c.state AS state, c.score AS score,
       c.scored_at AS scored_at, coalesce(c.access_count, 0) AS access_count, c.last_access AS last_access
ORDER BY c.score DESC, c.id LIMIT $limit
"""

FACT_STATES = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
UNWIND $ids AS fid
MATCH (c:MemCube)-[:ASSERTS]->(:Fact {id: fid})
WHERE EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
RETURN collect(DISTINCT c.state) AS states, sum(CASE WHEN c.state IN $live THEN 1 ELSE 0 END) AS live
"""
