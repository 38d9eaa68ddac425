"""Every Cypher statement of the graph store, as named constants.

All values travel as parameters; the permission predicates of :mod:`memcubedb.graph.acl` are
concatenated in at import time. ``$principal`` is always the calling principal's id.
"""

from __future__ import annotations

from memcubedb.graph.acl import CAN_READ_CUBE, CAN_WRITE_CUBE, entity_map, shown_name

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
#: principal is shown for an entity comes from these, on cubes it may read (graph/acl.py).
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

_CUBE_RETURN = """
RETURN c {.*} AS props,
       [(p:Principal)-[:CAN_READ]->(c) | p.id] AS readers,
       [(p:Principal)-[:CAN_WRITE]->(c) | p.id] AS writers
"""

GET_CUBE = "MATCH (c:MemCube {id: $id}) WHERE " + CAN_READ_CUBE + _CUBE_RETURN

LIST_CUBES = (
    "MATCH (c:MemCube) WHERE "
    + CAN_READ_CUBE
    + """
  AND ($memory_type IS NULL OR c.memory_type = $memory_type)
  AND ($states IS NULL OR c.state IN $states)
  AND ($owner IS NULL OR c.owner = $owner)
  AND ($tag IS NULL OR $tag IN c.tags)
  AND ($latest_only = false OR NOT EXISTS { (:MemCube)-[:SUPERSEDES]->(c) })
  AND ($after IS NULL OR [c.created_at, c.id] > [$after_time, $after])
WITH c ORDER BY c.created_at, c.id LIMIT $limit
"""
    + _CUBE_RETURN
)

CUBE_ACCESS = """
MATCH (c:MemCube {id: $id})
RETURN c.state AS state, """ + CAN_READ_CUBE + " AS can_read, " + CAN_WRITE_CUBE + " AS can_write"

# --- versioned update, delete, purge (write predicate inside the query) --------------------

UPDATE_CUBE = (
    "MATCH (old:MemCube {id: $id}) WITH old AS c WHERE "
    + CAN_WRITE_CUBE
    + " AND NOT EXISTS { (:MemCube)-[:SUPERSEDES]->(c) }"
    + """
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
)

#: The KV-template copies of a cube (same text) not yet deleted: a delete takes them along.
COPIES_OF = """
MATCH (:MemCube {id: $id})-[:PROMOTED_TO]->(t:MemCube {memory_type: 'activation'})
WHERE t.state IN $kept
RETURN t.id AS id
"""

#: The one statement that changes ``MemCube.state`` (see :meth:`GraphStore.transition_in`, which
#: checks the transition first); ``$from_state`` guards against a concurrent change.
SET_STATE = (
    "MATCH (c:MemCube {id: $id}) WHERE c.state = $from_state AND "
    + CAN_WRITE_CUBE
    + """
SET c.state = $state, c.updated_at = $now
CREATE (a:Activity {id: $activity_id, kind: 'lifecycle', name: $state, started_at: $now, ended_at: $now})
MERGE (ag:Agent {id: $principal}) ON CREATE SET ag.kind = 'person', ag.name = $principal
MERGE (a)-[:ASSOCIATED_WITH]->(ag)
MERGE (c)-[:TRANSITIONED {from: $from_state, to: $state, at: $now}]->(a)
RETURN c.id AS id
"""
)

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

PURGE_CUBE = (
    "MATCH (c:MemCube {id: $id}) WHERE c.state = 'deleted' AND "
    + CAN_WRITE_CUBE
    + """
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
)

# --- facts and entities visible to the principal -------------------------------------------

#: A fact's subject ``s`` and object ``o`` named as the principal may see them (graph/acl.py).
FACT_ENDS = (
    shown_name("s") + " AS subject, " + shown_name("o") + " AS object"
)

FACTS_OF_CUBE = (
    "MATCH (c:MemCube {id: $id}) WHERE "
    + CAN_READ_CUBE
    + """
MATCH (c)-[:ASSERTS]->(f:Fact)-[:SUBJECT]->(s:Entity), (f)-[:OBJECT]->(o:Entity)
CALL (f) { MATCH (c:MemCube)-[:ASSERTS]->(f) WHERE """
    + CAN_READ_CUBE
    + """ RETURN collect(c.id) AS cube_ids }
RETURN f {.*} AS fact, """
    + FACT_ENDS
    + """, cube_ids
ORDER BY f.id
"""
)

LIST_ENTITIES = """
MATCH (e:Entity)
RETURN e.id AS id, e.name AS name, e.type AS type, e.aliases AS aliases
ORDER BY e.id
"""

VISIBLE_ENTITIES = (
    "MATCH (c:MemCube)-[m:MENTIONS]->(e:Entity) WHERE "
    + CAN_READ_CUBE
    + """
WITH e, reduce(acc = [], l IN collect(coalesce(m.names, [])) | acc + [x IN l WHERE NOT x IN acc]) AS found
CALL (found) { UNWIND found AS x WITH x ORDER BY x RETURN collect(x) AS names }
RETURN """
    + entity_map("e", "names")
    + """ AS entity
ORDER BY entity.name, entity.id LIMIT $limit
"""
)

PROVENANCE = (
    "MATCH (c:MemCube {id: $id}) WHERE "
    + CAN_READ_CUBE
    + """
CALL (c) {
  MATCH path = (c)-[:SUPERSEDES|DERIVED_FROM|PROMOTED_TO|DEMOTED_TO*1..8]->(anc:MemCube)
  RETURN collect(DISTINCT {cube: anc, relation: type(last(relationships(path)))}) AS found
}
CALL (found) {
  UNWIND found AS item
  WITH item.cube AS c, item.relation AS relation WHERE """
    + CAN_READ_CUBE
    + """
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
)

COUNTS = """
CALL () { MATCH (n:MemCube) RETURN count(n) AS cubes }
CALL () { MATCH (n:Fact) RETURN count(n) AS facts }
CALL () { MATCH (n:Entity) RETURN count(n) AS entities }
CALL () { MATCH (n:Source) RETURN count(n) AS sources }
CALL () { MATCH (n:Principal) RETURN count(n) AS principals }
RETURN cubes, facts, entities, sources, principals
"""
