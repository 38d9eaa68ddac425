"""Bounded subgraphs of the memory graph for the dashboard, as named, parameterised Cypher.

Every query reads only what the calling principal may read: the permission predicate of
:mod:`memcubedb.graph.acl` (over the variable ``c``) sits inside each query, together with the
dashboard filters (:data:`CUBE_FILTERS`, same variable). Entities are visible when a readable
cube that passes the filters ``MENTIONS`` them; a fact (``RELATES`` edge) when such a cube
``ASSERTS`` it. Every list is cut at a limit and the query reports how many it left out.
"""

from __future__ import annotations

from memcubedb.cypher.store import FACT_ENDS
from memcubedb.graph.acl import CAN_READ_CUBE, display_name, shown_name, visible_names

CUBE_FILTERS = """(
  ($memory_types IS NULL OR c.memory_type IN $memory_types)
  AND c.state IN $states
  AND ($created_from IS NULL OR c.created_at >= $created_from)
  AND ($created_to IS NULL OR c.created_at <= $created_to)
  AND ($source IS NULL OR EXISTS {
        MATCH (c)-[:EXTRACTED_FROM]->(src:Source) WHERE toLower(src.uri) CONTAINS toLower($source) })
)"""
"""Dashboard filters over ``c``: memory types, lifecycle states, creation time range, source URI."""

_SHOWN_CUBE = "(" + CAN_READ_CUBE + " AND " + CUBE_FILTERS + ")"

VISIBLE_NODE = (
    "((n:MemCube AND EXISTS { MATCH (c:MemCube) WHERE c = n AND " + _SHOWN_CUBE + " })"
    " OR (n:Entity AND EXISTS { MATCH (c:MemCube)-[:MENTIONS]->(n) WHERE " + _SHOWN_CUBE + " }))"
)
"""A node ``n`` (MemCube or Entity) the principal may see under the filters."""

VISIBLE_FACT_EDGE = "EXISTS { MATCH (c:MemCube)-[:ASSERTS]->(:Fact {id: r.fact_id}) WHERE " + _SHOWN_CUBE + " }"
"""A ``RELATES`` edge ``r`` whose fact is asserted by a cube the principal may see."""

NODE_MAP = (
    """n {
  .id, .memory_type, .state, .type, .relevance, .access_count, .version,
  name: CASE WHEN n:Entity THEN """
    + shown_name("n")
    + """ END,
  created_at: toString(n.created_at),
  text: left(n.text, 160),
  kind: CASE WHEN n:MemCube THEN 'cube' ELSE 'entity' END
}"""
)
"""A node for the dashboard; an entity is named only by the names of cubes the principal may read."""

LINEAGE_TYPES = "SUPERSEDES|DERIVED_FROM|PROMOTED_TO|DEMOTED_TO"

OVERVIEW_SEEDS = (
    "CALL () { MATCH (c:MemCube) WHERE "
    + _SHOWN_CUBE
    + " RETURN count(c) AS total }"
    + " CALL () { MATCH (c:MemCube) WHERE "
    + _SHOWN_CUBE
    + """
  AND NOT EXISTS { (:MemCube)-[:SUPERSEDES]->(c) }
  WITH c ORDER BY c.updated_at DESC, c.id LIMIT $limit
  RETURN collect(c.id) AS ids
}
RETURN total, ids
"""
)
"""The most recently updated latest-version cubes the principal may see, and how many there are."""

FIND_SEEDS = (
    """
CALL () {
  CALL db.index.fulltext.queryNodes('memcube_text', $text, {limit: $scan}) YIELD node, score
  WITH node AS c, score WHERE """
    + _SHOWN_CUBE
    + """
  RETURN c.id AS id, 'cube' AS kind, score, left(c.text, 160) AS label
  UNION
  CALL db.index.fulltext.queryNodes('entity_names', $text, {limit: $scan}) YIELD node, score
  WITH node AS n, score WHERE """
    + VISIBLE_NODE
    + "\n  WITH n, score, "
    + visible_names("n")
    + """ AS names
  WITH n, score, names WHERE any(x IN names WHERE any(w IN $words WHERE toLower(x) CONTAINS w))
  RETURN n.id AS id, 'entity' AS kind, score, """
    + display_name("names", "n")
    + """ AS label
}
RETURN id, kind, score, label ORDER BY score DESC, id LIMIT $limit
"""
)
"""Full-text hits the principal may see, best first: cube text, and entities whose names in cubes it
may read contain a word of the query (``$words``, lower-cased) — a hit on a name or alias that
only other tenants' memories use is dropped."""

SEED_NODES = """
UNWIND $ids AS sid
OPTIONAL MATCH (sc:MemCube {id: sid})
OPTIONAL MATCH (se:Entity {id: sid})
WITH coalesce(sc, se) AS n WHERE n IS NOT NULL AND """ + VISIBLE_NODE + """
RETURN """ + NODE_MAP + " AS node"
"""The requested nodes that exist and are visible."""

NEIGHBOURS = (
    """
UNWIND $ids AS sid
OPTIONAL MATCH (sc:MemCube {id: sid})
OPTIONAL MATCH (se:Entity {id: sid})
WITH coalesce(sc, se) AS seed WHERE seed IS NOT NULL
CALL (seed) {
  MATCH (seed:MemCube)-[:MENTIONS]->(n:Entity) RETURN n
  UNION
  MATCH (seed:Entity)<-[:MENTIONS]-(n:MemCube) RETURN n
  UNION
  MATCH (seed:Entity)-[r:RELATES]-(n:Entity) WHERE """
    + VISIBLE_FACT_EDGE
    + """
  RETURN n
  UNION
  MATCH (seed:MemCube)-[:"""
    + LINEAGE_TYPES
    + """]-(n:MemCube) RETURN n
  UNION
  MATCH (seed:MemCube)-[:ENCODES|ASSERTS]->(:Fact)<-[:ENCODES|ASSERTS]-(n:MemCube) RETURN n
}
WITH DISTINCT n WHERE NOT n.id IN $exclude AND """
    + VISIBLE_NODE
    + """
WITH n, CASE WHEN n:MemCube
              THEN coalesce(n.relevance, 0.0) + log(1.0 + coalesce(n.access_count, 0))
              ELSE toFloat(COUNT { (n)<-[:MENTIONS]-(:MemCube) }) END AS rank
ORDER BY rank DESC, n.id
WITH collect(CASE WHEN n:MemCube THEN """
    + NODE_MAP
    + """ END) AS cubes, collect(CASE WHEN n:Entity THEN """
    + NODE_MAP
    + """ END) AS entities
WITH cubes, entities,
     CASE WHEN size(entities) < $limit / 2 THEN $limit - size(entities) ELSE $limit - $limit / 2 END AS room
WITH cubes, entities, CASE WHEN size(cubes) < room THEN size(cubes) ELSE room END AS take
RETURN cubes[0..take] + entities[0..$limit - take] AS nodes, size(cubes) AS cubes, size(entities) AS entities
"""
)
"""Visible one-hop neighbours of the seeds (not in ``$exclude``), ranked, cut at ``$limit``.

Cubes rank by relevance plus log access count, entities by how many cubes mention them; each
kind gets half of ``$limit`` and the other's unused room. ``cubes``/``entities`` are the totals
found before the cut.
"""

EDGES = (
    """
CALL () {
  MATCH (n:MemCube) WHERE n.id IN $ids AND """
    + VISIBLE_NODE
    + """ RETURN n AS a
  UNION
  MATCH (n:Entity) WHERE n.id IN $ids AND """
    + VISIBLE_NODE
    + """ RETURN n AS a
}
WITH collect(a) AS shown
UNWIND shown AS a
CALL (a, shown) {
  MATCH (a)-[r:MENTIONS|RELATES|"""
    + LINEAGE_TYPES
    + """]->(b) WHERE b IN shown
    AND (type(r) <> 'RELATES' OR """
    + VISIBLE_FACT_EDGE
    + """)
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
)
"""Edges among the given node ids that the principal may see (ids of hidden nodes are ignored),
cut at ``$limit`` (facts first, mentions last); totals before the cut. ``ENCODES`` joins a
parametric cube to the cubes asserting the facts it encodes."""

def _move(src: str, dst: str, relation: str = "type(p)") -> str:
    """A move map from cube variable ``src`` to ``dst`` over the relationship variable ``p``."""
    return (
        f"{{from_id: {src}.id, from_type: {src}.memory_type, to_id: {dst}.id, to_type: {dst}.memory_type, "
        f"relation: {relation}, score: p.score, reason: p.reason, from_score: {src}.score}}"
    )


TIMELINE = (
    """MATCH (a:Activity) WHERE a.kind IN $kinds
  AND ($created_from IS NULL OR a.started_at >= $created_from)
  AND ($created_to IS NULL OR a.started_at <= $created_to)
CALL (a) {
  MATCH (c:MemCube)--(a) WHERE """
    + _SHOWN_CUBE
    + """
  RETURN collect(DISTINCT c) AS touched
}
WITH a, touched WHERE size(touched) > 0
WITH a, touched ORDER BY a.started_at DESC, a.id
WITH collect({a: a, touched: touched}) AS found
UNWIND found[0..$limit] AS event
WITH event.a AS a, event.touched AS touched, size(found) AS total
CALL (a, touched) {
  CALL (a, touched) {
    UNWIND touched AS t
    MATCH (c:MemCube)-[p:PROMOTED_TO|DEMOTED_TO]->(t)
    WHERE ((type(p) = 'PROMOTED_TO' AND a.kind = 'promotion') OR (type(p) = 'DEMOTED_TO' AND a.kind = 'demotion'))
      AND """
    + CAN_READ_CUBE
    + """
    RETURN """
    + _move("c", "t")
    + """ AS move
    UNION
    UNWIND touched AS t
    MATCH (t)-[p:DEMOTED_TO]->(c:MemCube) WHERE p.at = a.started_at AND """
    + CAN_READ_CUBE
    + """
    RETURN """
    + _move("t", "c")
    + """ AS move
    UNION
    UNWIND touched AS t
    MATCH (t)-[p:ENCODES]->(:Fact)<-[:ASSERTS]-(c:MemCube) WHERE a.kind = 'encoding' AND """
    + CAN_READ_CUBE
    + """
    RETURN DISTINCT """
    + _move("c", "t", "'ENCODES'")
    + """ AS move
  }
  RETURN collect(move) AS moves
}
RETURN a {.*, started_at: toString(a.started_at), ended_at: toString(a.ended_at)} AS activity,
       [t IN touched | t {.id, .memory_type, .state, .score, text: left(t.text, 80)}] AS cubes,
       moves, total
ORDER BY a.started_at DESC, a.id
"""
)
"""Scheduler activities (``$kinds``; KV-template demotions included) touching a visible cube,
newest first, cut at ``$limit``; each with its moves between memory types: ``PROMOTED_TO`` /
``DEMOTED_TO`` edges with their score and reason, ``ENCODES`` from the cubes asserting the
encoded facts, and the scheduler's current score of the cube moved from (``from_score``)."""

_BACK_STEP = (
    "((a)-[r:" + LINEAGE_TYPES + "]-(b)"
    " WHERE (type(r) IN ['SUPERSEDES', 'DERIVED_FROM']) = (startNode(r) = a)){0,8}"
)
"""One step back in a cube's history, 0 to 8 times: to what it supersedes or derives from, or
to the cube it was promoted or demoted from (those two edges point forward in time)."""

PROVENANCE_CHAIN = (
    "MATCH (x:MemCube {id: $id}) WHERE EXISTS { MATCH (c:MemCube) WHERE c = x AND "
    + CAN_READ_CUBE
    + """ }
CALL (x) {
  MATCH path = (x) """
    + _BACK_STEP
    + """ (c:MemCube)
  RETURN c, length(path) AS depth,
         CASE WHEN length(path) = 0 THEN null ELSE type(last(relationships(path))) END AS relation
  UNION
  MATCH (x)-[:ENCODES]->(:Fact)<-[:ASSERTS]-(c:MemCube)
  RETURN c, 1 AS depth, 'ENCODES' AS relation
}
WITH c, depth, relation WHERE """
    + CAN_READ_CUBE
    + """
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
)
"""The cube and its readable ancestors (earlier versions, derivations, the cubes it was promoted,
demoted or encoded from), each with its sources (and the character offsets of the memory in
them), generating activities and agents, and the evidence spans of its facts. Each is reached
by its shortest path; of equally short ones, the named move (promotion, demotion, encoding,
version) wins over a plain derivation."""

EVIDENCE = (
    "MATCH (c:MemCube {id: $id}) WHERE "
    + CAN_READ_CUBE
    + """
MATCH (c)-[a:ASSERTS]->(f:Fact)-[:SUBJECT]->(s:Entity), (f)-[:OBJECT]->(o:Entity)
WITH c, a, f, s, o
RETURN f.id AS id, f.predicate AS predicate, f.confidence AS confidence, f.negated AS negated,
       a.start AS start, a.end AS end, """
    + FACT_ENDS
    + """
ORDER BY a.start, f.id LIMIT $limit
"""
)
"""The facts a readable cube asserts, with the character span of their evidence in its text."""

VERSIONS = (
    "MATCH (x:MemCube {id: $id}) WHERE EXISTS { MATCH (c:MemCube) WHERE c = x AND "
    + CAN_READ_CUBE
    + """ }
MATCH (x)-[:SUPERSEDES*0..32]-(c:MemCube) WHERE """
    + CAN_READ_CUBE
    + """
WITH DISTINCT c
RETURN c.id AS id, c.version AS version, c.state AS state, toString(c.created_at) AS created_at,
       left(c.text, 120) AS text
ORDER BY c.version DESC, c.created_at DESC
"""
)
"""Every readable version of a cube (the ``SUPERSEDES`` chain both ways), newest first."""

FACETS = (
    "MATCH (c:MemCube) WHERE "
    + CAN_READ_CUBE
    + """
OPTIONAL MATCH (c)-[:EXTRACTED_FROM]->(s:Source)
WITH s.uri AS uri, count(DISTINCT c) AS cubes WHERE uri IS NOT NULL
RETURN uri, cubes ORDER BY cubes DESC, uri LIMIT $limit
"""
)
"""Source URIs of readable cubes with their cube counts (the choices of the source filter)."""
