"""Bounded subgraphs of the memory graph for the dashboard, as named, parameterised Cypher, each
query written out whole.

Every query reads only what the calling principal may read. It opens with the caller's readable
scope — ``acl_groups``: ``$principal`` and every group it reaches over ``MEMBER_OF``, one walk
per query (``cypher/README.md``, *Permissions inside every query*) — and a cube ``c`` is *shown*
when one of ``acl_groups`` holds a read grant on it or on its ``Space`` and it passes the
dashboard filters (``$memory_types``, ``$states``, ``$created_from`` / ``$created_to``,
``$source``: :meth:`~memcubedb.graph.read_models.dashboard.GraphFilter.params`). A node ``n`` is
shown when it is a shown cube or a shown cube mentions it — ``(n)<-[:MENTIONS*0..1]-(c:MemCube)``,
zero hops for a cube, one for an entity; a fact (``RELATES`` edge) when a shown cube ``ASSERTS``
it. An entity is named only by the names that cubes the principal may read use for it (sorted,
distinct: ``names``; *Entity names and tenants*). Every list is cut at a limit and the query
reports how many it left out.
"""

from __future__ import annotations

OVERVIEW_SEEDS = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
MATCH (c:MemCube)
WHERE EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
  AND ($memory_types IS NULL OR c.memory_type IN $memory_types)
  AND c.state IN $states
  AND ($created_from IS NULL OR c.created_at >= $created_from)
  AND ($created_to IS NULL OR c.created_at <= $created_to)
  AND ($source IS NULL OR EXISTS {
        MATCH (c)-[:EXTRACTED_FROM]->(src:Source) WHERE toLower(src.uri) CONTAINS toLower($source) })
WITH c, EXISTS { (:MemCube)-[:SUPERSEDES]->(c) } AS superseded
ORDER BY superseded, c.updated_at DESC, c.id
WITH collect({id: c.id, superseded: superseded}) AS found
RETURN size(found) AS total, [x IN found WHERE NOT x.superseded | x.id][0..$limit] AS ids
"""
"""The most recently updated latest-version cubes the principal may see, and how many cubes
(all versions) it may see."""

FIND_SEEDS = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
CALL (acl_groups) {
  CALL db.index.fulltext.queryNodes('memcube_text', $text, {limit: $scan}) YIELD node, score
  WITH node AS c, score
  WHERE EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
    AND ($memory_types IS NULL OR c.memory_type IN $memory_types)
    AND c.state IN $states
    AND ($created_from IS NULL OR c.created_at >= $created_from)
    AND ($created_to IS NULL OR c.created_at <= $created_to)
    AND ($source IS NULL OR EXISTS {
          MATCH (c)-[:EXTRACTED_FROM]->(src:Source) WHERE toLower(src.uri) CONTAINS toLower($source) })
  RETURN c.id AS id, 'cube' AS kind, score, left(c.text, 160) AS label
  UNION
  CALL db.index.fulltext.queryNodes('entity_names', $text, {limit: $scan}) YIELD node, score
  WITH node AS n, score
  WHERE EXISTS {
    MATCH (n)<-[:MENTIONS]-(c:MemCube)
    WHERE EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
      AND ($memory_types IS NULL OR c.memory_type IN $memory_types)
      AND c.state IN $states
      AND ($created_from IS NULL OR c.created_at >= $created_from)
      AND ($created_to IS NULL OR c.created_at <= $created_to)
      AND ($source IS NULL OR EXISTS {
            MATCH (c)-[:EXTRACTED_FROM]->(src:Source) WHERE toLower(src.uri) CONTAINS toLower($source) }) }
  WITH n, score, COLLECT {
         MATCH (vn_c:MemCube)-[vn_m:MENTIONS]->(n)
         WHERE EXISTS { (vn_c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
         UNWIND coalesce(vn_m.names, []) AS vn_name
         WITH DISTINCT vn_name ORDER BY vn_name
         RETURN vn_name } AS names
  WITH n, score, names WHERE any(x IN names WHERE any(w IN $words WHERE toLower(x) CONTAINS w))
  RETURN n.id AS id, 'entity' AS kind, score,
         CASE WHEN n.name IN names THEN n.name ELSE coalesce(head(names), n.id) END AS label
}
RETURN id, kind, score, label ORDER BY score DESC, id LIMIT $limit
"""
"""Full-text hits the principal may see, best first: cube text, and entities whose names in cubes it
may read contain a word of the query (``$words``, lower-cased) — a hit on a name or alias that
only other tenants' memories use is dropped."""

SEED_NODES = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
UNWIND $ids AS sid
OPTIONAL MATCH (sc:MemCube {id: sid})
OPTIONAL MATCH (se:Entity {id: sid})
WITH acl_groups, coalesce(sc, se) AS n
WHERE n IS NOT NULL
  AND EXISTS {
    MATCH (n)<-[:MENTIONS*0..1]-(c:MemCube)
    WHERE EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
      AND ($memory_types IS NULL OR c.memory_type IN $memory_types)
      AND c.state IN $states
      AND ($created_from IS NULL OR c.created_at >= $created_from)
      AND ($created_to IS NULL OR c.created_at <= $created_to)
      AND ($source IS NULL OR EXISTS {
            MATCH (c)-[:EXTRACTED_FROM]->(src:Source) WHERE toLower(src.uri) CONTAINS toLower($source) }) }
WITH n, COLLECT {
          MATCH (vn_c:MemCube)-[vn_m:MENTIONS]->(n)
          WHERE EXISTS { (vn_c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
          UNWIND coalesce(vn_m.names, []) AS vn_name
          WITH DISTINCT vn_name ORDER BY vn_name
          RETURN vn_name } AS names
RETURN n {
  .id, .memory_type, .state, .type, .relevance, .access_count, .version,
  name: CASE WHEN n:Entity THEN CASE WHEN n.name IN names THEN n.name ELSE coalesce(head(names), n.id) END END,
  created_at: toString(n.created_at),
  text: left(n.text, 160),
  kind: CASE WHEN n:MemCube THEN 'cube' ELSE 'entity' END
} AS node
"""
"""The requested nodes that exist and are visible, as dashboard nodes (an entity named only by
the names of cubes the principal may read)."""

LINEAGE_TYPES = "SUPERSEDES|DERIVED_FROM|PROMOTED_TO|DEMOTED_TO"
"""The relationship types between versions and forms of a memory (as written in the queries
below)."""

NEIGHBOURS = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
UNWIND $ids AS sid
OPTIONAL MATCH (sc:MemCube {id: sid})
OPTIONAL MATCH (se:Entity {id: sid})
WITH acl_groups, coalesce(sc, se) AS seed WHERE seed IS NOT NULL
CALL (seed, acl_groups) {
  MATCH (seed:MemCube)-[:MENTIONS]->(n:Entity) RETURN n
  UNION
  MATCH (seed:Entity)<-[:MENTIONS]-(n:MemCube) RETURN n
  UNION
  MATCH (seed:Entity)-[r:RELATES]-(n:Entity)
  WHERE EXISTS {
    MATCH (c:MemCube)-[:ASSERTS]->(:Fact {id: r.fact_id})
    WHERE EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
      AND ($memory_types IS NULL OR c.memory_type IN $memory_types)
      AND c.state IN $states
      AND ($created_from IS NULL OR c.created_at >= $created_from)
      AND ($created_to IS NULL OR c.created_at <= $created_to)
      AND ($source IS NULL OR EXISTS {
            MATCH (c)-[:EXTRACTED_FROM]->(src:Source) WHERE toLower(src.uri) CONTAINS toLower($source) }) }
  RETURN n
  UNION
  MATCH (seed:MemCube)-[:SUPERSEDES|DERIVED_FROM|PROMOTED_TO|DEMOTED_TO]-(n:MemCube) RETURN n
  UNION
  MATCH (seed:MemCube)-[:ENCODES|ASSERTS]->(:Fact)<-[:ENCODES|ASSERTS]-(n:MemCube) RETURN n
}
WITH DISTINCT acl_groups, n
WHERE NOT n.id IN $exclude
  AND EXISTS {
    MATCH (n)<-[:MENTIONS*0..1]-(c:MemCube)
    WHERE EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
      AND ($memory_types IS NULL OR c.memory_type IN $memory_types)
      AND c.state IN $states
      AND ($created_from IS NULL OR c.created_at >= $created_from)
      AND ($created_to IS NULL OR c.created_at <= $created_to)
      AND ($source IS NULL OR EXISTS {
            MATCH (c)-[:EXTRACTED_FROM]->(src:Source) WHERE toLower(src.uri) CONTAINS toLower($source) }) }
WITH n, CASE WHEN n:MemCube
              THEN coalesce(n.relevance, 0.0) + log(1.0 + coalesce(n.access_count, 0))
              ELSE toFloat(COUNT { (n)<-[:MENTIONS]-(:MemCube) }) END AS rank,
     COLLECT {
       MATCH (vn_c:MemCube)-[vn_m:MENTIONS]->(n)
       WHERE EXISTS { (vn_c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
       UNWIND coalesce(vn_m.names, []) AS vn_name
       WITH DISTINCT vn_name ORDER BY vn_name
       RETURN vn_name } AS names
WITH n, rank, n {
         .id, .memory_type, .state, .type, .relevance, .access_count, .version,
         name: CASE WHEN n:Entity THEN CASE WHEN n.name IN names THEN n.name ELSE coalesce(head(names), n.id) END END,
         created_at: toString(n.created_at),
         text: left(n.text, 160),
         kind: CASE WHEN n:MemCube THEN 'cube' ELSE 'entity' END
       } AS node
ORDER BY rank DESC, n.id
WITH collect(CASE WHEN n:MemCube THEN node END) AS cubes, collect(CASE WHEN n:Entity THEN node END) AS entities
WITH cubes, entities,
     CASE WHEN size(entities) < $limit / 2 THEN $limit - size(entities) ELSE $limit - $limit / 2 END AS room
WITH cubes, entities, CASE WHEN size(cubes) < room THEN size(cubes) ELSE room END AS take
RETURN cubes[0..take] + entities[0..$limit - take] AS nodes, size(cubes) AS cubes, size(entities) AS entities
"""
"""Visible one-hop neighbours of the seeds (not in ``$exclude``), ranked, cut at ``$limit``.

Cubes rank by relevance plus log access count, entities by how many cubes mention them; each
kind gets half of ``$limit`` and the other's unused room. ``cubes``/``entities`` are the totals
found before the cut.
"""

EDGES = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
CALL () {
  MATCH (n:MemCube) WHERE n.id IN $ids RETURN n
  UNION
  MATCH (n:Entity) WHERE n.id IN $ids RETURN n
}
WITH acl_groups, n
WHERE EXISTS {
  MATCH (n)<-[:MENTIONS*0..1]-(c:MemCube)
  WHERE EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
    AND ($memory_types IS NULL OR c.memory_type IN $memory_types)
    AND c.state IN $states
    AND ($created_from IS NULL OR c.created_at >= $created_from)
    AND ($created_to IS NULL OR c.created_at <= $created_to)
    AND ($source IS NULL OR EXISTS {
          MATCH (c)-[:EXTRACTED_FROM]->(src:Source) WHERE toLower(src.uri) CONTAINS toLower($source) }) }
WITH acl_groups, collect(n) AS shown
UNWIND shown AS a
CALL (a, shown, acl_groups) {
  MATCH (a)-[r:MENTIONS|RELATES|SUPERSEDES|DERIVED_FROM|PROMOTED_TO|DEMOTED_TO]->(b)
  WHERE b IN shown
    AND (type(r) <> 'RELATES' OR EXISTS {
          MATCH (c:MemCube)-[:ASSERTS]->(:Fact {id: r.fact_id})
          WHERE EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
            AND ($memory_types IS NULL OR c.memory_type IN $memory_types)
            AND c.state IN $states
            AND ($created_from IS NULL OR c.created_at >= $created_from)
            AND ($created_to IS NULL OR c.created_at <= $created_to)
            AND ($source IS NULL OR EXISTS {
                  MATCH (c)-[:EXTRACTED_FROM]->(src:Source) WHERE toLower(src.uri) CONTAINS toLower($source) }) })
  RETURN b, type(r) AS type, r.predicate AS predicate, r.negated AS negated, r.fact_id AS fact_id, r.score AS score
  UNION
  MATCH (a:MemCube)-[:ENCODES]->(:Fact)<-[:ASSERTS]-(b:MemCube) WHERE b IN shown
  RETURN b, 'ENCODES' AS type, null AS predicate, null AS negated, null AS fact_id, null AS score
}
WITH a, b, type, predicate, negated, fact_id, score
ORDER BY CASE type WHEN 'RELATES' THEN 0 WHEN 'MENTIONS' THEN 2 ELSE 1 END, a.id, b.id, fact_id
WITH collect({
  id: CASE WHEN type = 'RELATES' THEN 'fact:' + fact_id ELSE type + ':' + a.id + '>' + b.id END,
  source: a.id, target: b.id, type: type, predicate: predicate, negated: negated, score: score
}) AS found
RETURN found[0..$limit] AS edges,
       size([x IN found WHERE x.type = 'RELATES']) AS facts,
       size(found) AS total
"""
"""Edges among the given node ids that the principal may see (ids of hidden nodes are ignored),
cut at ``$limit`` (facts first, mentions last); totals before the cut. ``ENCODES`` joins a
parametric cube to the cubes asserting the facts it encodes."""

TIMELINE = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
MATCH (a:Activity)
WHERE a.kind IN $kinds
  AND ($created_from IS NULL OR a.started_at >= $created_from)
  AND ($created_to IS NULL OR a.started_at <= $created_to)
CALL (a, acl_groups) {
  MATCH (c:MemCube)--(a)
  WHERE EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
    AND ($memory_types IS NULL OR c.memory_type IN $memory_types)
    AND c.state IN $states
    AND ($created_from IS NULL OR c.created_at >= $created_from)
    AND ($created_to IS NULL OR c.created_at <= $created_to)
    AND ($source IS NULL OR EXISTS {
          MATCH (c)-[:EXTRACTED_FROM]->(src:Source) WHERE toLower(src.uri) CONTAINS toLower($source) })
  RETURN collect(DISTINCT c) AS touched
}
WITH acl_groups, a, touched WHERE size(touched) > 0
WITH acl_groups, a, touched ORDER BY a.started_at DESC, a.id
WITH acl_groups, collect({a: a, touched: touched}) AS found
UNWIND found[0..$limit] AS event
WITH acl_groups, event.a AS a, event.touched AS touched, size(found) AS total
CALL (a, touched, acl_groups) {
  CALL (a, touched, acl_groups) {
    UNWIND touched AS t
    MATCH (c:MemCube)-[p:PROMOTED_TO|DEMOTED_TO]->(t)
    WHERE ((type(p) = 'PROMOTED_TO' AND a.kind = 'promotion') OR (type(p) = 'DEMOTED_TO' AND a.kind = 'demotion'))
      AND EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
    RETURN {from_id: c.id, from_type: c.memory_type,
            to_id: t.id, to_type: t.memory_type,
            relation: type(p), score: p.score, reason: p.reason, from_score: c.score} AS move
    UNION
    UNWIND touched AS t
    MATCH (t)-[p:DEMOTED_TO]->(c:MemCube)
    WHERE p.at = a.started_at
      AND EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
    RETURN {from_id: t.id, from_type: t.memory_type,
            to_id: c.id, to_type: c.memory_type,
            relation: type(p), score: p.score, reason: p.reason, from_score: t.score} AS move
    UNION
    UNWIND touched AS t
    MATCH (t)-[p:ENCODES]->(:Fact)<-[:ASSERTS]-(c:MemCube)
    WHERE a.kind = 'encoding'
      AND EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
    RETURN DISTINCT {from_id: c.id, from_type: c.memory_type,
            to_id: t.id, to_type: t.memory_type,
            relation: 'ENCODES', score: p.score, reason: p.reason, from_score: c.score} AS move
  }
  RETURN collect(move) AS moves
}
RETURN a {.*, started_at: toString(a.started_at), ended_at: toString(a.ended_at)} AS activity,
       [t IN touched | t {.id, .memory_type, .state, .score, text: left(t.text, 80)}] AS cubes,
       moves, total
ORDER BY a.started_at DESC, a.id
"""
"""Scheduler activities (``$kinds``) touching a visible cube, newest first, cut at ``$limit``; each
with its moves between memory types: ``PROMOTED_TO`` / ``DEMOTED_TO`` edges with their score and
reason, ``ENCODES`` from the cubes asserting the encoded facts, and the scheduler's current score
of the cube moved from (``from_score``). Every promotion, encoding and demotion (KV templates too)
is a MemScheduler job that records an Activity of its kind; a template demotion's Activity
``USED`` the template, at the instant of its ``DEMOTED_TO`` link."""

PROVENANCE_CHAIN = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
MATCH (x:MemCube {id: $id})
WHERE EXISTS { (x)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
CALL (x) {
  MATCH path = (x) ((a)-[r:SUPERSEDES|DERIVED_FROM|PROMOTED_TO|DEMOTED_TO]-(b)
                    WHERE (type(r) IN ['SUPERSEDES', 'DERIVED_FROM']) = (startNode(r) = a)){0,8} (c:MemCube)
  RETURN c, length(path) AS depth,
         CASE WHEN length(path) = 0 THEN null ELSE type(last(relationships(path))) END AS relation
  UNION
  MATCH (x)-[:ENCODES]->(:Fact)<-[:ASSERTS]-(c:MemCube)
  RETURN c, 1 AS depth, 'ENCODES' AS relation
}
WITH c, depth, relation, acl_groups
WHERE EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
WITH c, depth, relation ORDER BY depth, CASE relation WHEN 'DERIVED_FROM' THEN 1 ELSE 0 END
WITH c, head(collect({depth: depth, relation: relation})) AS first
RETURN c.id AS id, c.memory_type AS memory_type, c.state AS state, c.text AS text,
       first.depth AS depth, first.relation AS relation,
       [(c)-[e:EXTRACTED_FROM]->(s:Source) |
          s {.*, timestamp: toString(s.timestamp), start: e.start, end: e.end}] AS sources,
       [(c)-[:GENERATED_BY]->(a:Activity) |
          a {.id, .kind, .name, .params, started_at: toString(a.started_at),
             agents: [(a)-[:ASSOCIATED_WITH]->(g:Agent) | g.name]}] AS activities,
       [(c)-[:ATTRIBUTED_TO]->(g:Agent) | g {.id, .kind, .name}] AS agents,
       [(c)-[ev:ASSERTS]->(f:Fact) | {start: ev.start, end: ev.end, predicate: f.predicate}] AS evidence
ORDER BY depth, id LIMIT 16
"""
"""The cube and its readable ancestors (earlier versions, derivations, the cubes it was promoted,
demoted or encoded from), each with its sources (and the character offsets of the memory in
them), generating activities and agents, and the evidence spans of its facts. One step back in
a cube's history (0 to 8 of them) goes to what it supersedes or derives from, or to the cube it
was promoted or demoted from (those two edges point forward in time). Each ancestor is reached
by its shortest path; of equally short ones, the named move (promotion, demotion, encoding,
version) wins over a plain derivation."""

EVIDENCE = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
MATCH (c:MemCube {id: $id})
WHERE EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
MATCH (c)-[a:ASSERTS]->(f:Fact)-[:SUBJECT]->(s:Entity), (f)-[:OBJECT]->(o:Entity)
WITH c, a, f, s, o,
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
RETURN f.id AS id, f.predicate AS predicate, f.confidence AS confidence, f.negated AS negated,
       a.start AS start, a.end AS end,
       CASE WHEN s.name IN subject_names THEN s.name ELSE coalesce(head(subject_names), s.id) END AS subject,
       CASE WHEN o.name IN object_names THEN o.name ELSE coalesce(head(object_names), o.id) END AS object
ORDER BY a.start, f.id LIMIT $limit
"""
"""The facts a readable cube asserts, with the character span of their evidence in its text."""

VERSIONS = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
MATCH (x:MemCube {id: $id})
WHERE EXISTS { (x)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
MATCH (x)-[:SUPERSEDES*0..32]-(c:MemCube)
WHERE EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
WITH DISTINCT c
RETURN c.id AS id, c.version AS version, c.state AS state, toString(c.created_at) AS created_at,
       left(c.text, 120) AS text
ORDER BY c.version DESC, c.created_at DESC
"""
"""Every readable version of a cube (the ``SUPERSEDES`` chain both ways), newest first."""

FACETS = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
MATCH (c:MemCube)
WHERE EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
OPTIONAL MATCH (c)-[:EXTRACTED_FROM]->(s:Source)
WITH s.uri AS uri, count(DISTINCT c) AS cubes WHERE uri IS NOT NULL
RETURN uri, cubes ORDER BY cubes DESC, uri LIMIT $limit
"""
"""Source URIs of readable cubes with their cube counts (the choices of the source filter)."""
