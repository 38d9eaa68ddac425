"""Every Cypher statement of search, as named constants, each written out whole.

Values always travel as parameters. Each query that returns cubes opens with the caller's
readable scope — ``acl_groups``, ``$principal`` and every group it reaches over ``MEMBER_OF``
(one walk per query) — and filters each candidate cube ``c`` once: live, latest version, TTL not
elapsed, of a wanted memory type, inside the time filters, and held by one of ``acl_groups``
directly or through its ``Space`` (``cypher/README.md``, *Permissions inside every query*). Each
index channel query fetches ``$fetch`` candidates from its index and filters them in the same
query, so a caller never receives a cube it may not read; the graph channel filters during its
walk.

Parameters shared by every channel query (see :func:`memcubedb.search.channels.scope_params`):
``$principal``, ``$states`` (live lifecycle states), ``$now``, ``$memory_types``,
``$occurred_from`` / ``$occurred_to`` (source timestamp range) and ``$valid_at``.
"""

from __future__ import annotations

# --- retrieval channels ----------------------------------------------------------------------
#
# What every channel returns per cube: id, score, text, memory type and its sources, so the fused
# top k need no second round trip. The index channels collect what the index returned first, so
# that every row also reports ``fetched`` (how many candidates the index gave before filtering):
# fewer than ``$fetch`` means the index has no more, and a deeper call would find nothing new.

VECTOR_CHANNEL = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
CALL db.index.vector.queryNodes('memcube_embedding', $fetch, $vector) YIELD node AS c, score
WITH acl_groups, collect({c: c, score: score}) AS found
UNWIND found AS hit
WITH hit.c AS c, hit.score AS score, size(found) AS fetched, acl_groups
WHERE c.state IN $states
  AND NOT EXISTS { (:MemCube)-[:SUPERSEDES]->(c) }
  AND CASE WHEN c.ttl_s IS NULL THEN true ELSE c.created_at + duration({seconds: c.ttl_s}) > $now END
  AND ($memory_types IS NULL OR c.memory_type IN $memory_types)
  AND (($occurred_from IS NULL AND $occurred_to IS NULL) OR EXISTS {
        MATCH (c)-[:EXTRACTED_FROM]->(src:Source)
        WHERE ($occurred_from IS NULL OR src.timestamp >= $occurred_from)
          AND ($occurred_to IS NULL OR src.timestamp <= $occurred_to) })
  AND ($valid_at IS NULL OR NOT EXISTS {
        MATCH (c)-[:ASSERTS]->(vf:Fact)
        WHERE vf.valid_from > $valid_at OR vf.valid_to <= $valid_at })
  AND EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
WITH c, score, fetched ORDER BY score DESC, c.id LIMIT $limit
RETURN c.id AS id, score, c.text AS text, c.memory_type AS memory_type,
       [(c)-[:EXTRACTED_FROM]->(s:Source) | s {.id, .turn_id, .uri, .timestamp, .speaker}] AS sources, fetched
"""

#: The vector channel with sentence vectors: a cube scores the best of its whole-text match
#: and its sentences' matches (``max``; MaxP, see :mod:`memcubedb.search.sentences`). ``fetched`` counts
#: the whole-text index's candidates: every embedded cube is in that index, so fewer than
#: ``$fetch`` there means no deeper call would find a new cube.
VECTOR_SENTENCES_CHANNEL = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
CALL () {
  CALL db.index.vector.queryNodes('memcube_embedding', $fetch, $vector) YIELD node AS c, score
  RETURN c, score, 1 AS whole
  UNION ALL
  CALL db.index.vector.queryNodes('sentence_embedding', $fetch, $vector) YIELD node AS sentence, score
  MATCH (sentence)-[:PART_OF]->(c:MemCube)
  RETURN c, score, 0 AS whole
}
WITH acl_groups, c, max(score) AS score, sum(whole) AS whole
WITH acl_groups, collect({c: c, score: score}) AS found, sum(whole) AS fetched
UNWIND found AS hit
WITH hit.c AS c, hit.score AS score, fetched, acl_groups
WHERE c.state IN $states
  AND NOT EXISTS { (:MemCube)-[:SUPERSEDES]->(c) }
  AND CASE WHEN c.ttl_s IS NULL THEN true ELSE c.created_at + duration({seconds: c.ttl_s}) > $now END
  AND ($memory_types IS NULL OR c.memory_type IN $memory_types)
  AND (($occurred_from IS NULL AND $occurred_to IS NULL) OR EXISTS {
        MATCH (c)-[:EXTRACTED_FROM]->(src:Source)
        WHERE ($occurred_from IS NULL OR src.timestamp >= $occurred_from)
          AND ($occurred_to IS NULL OR src.timestamp <= $occurred_to) })
  AND ($valid_at IS NULL OR NOT EXISTS {
        MATCH (c)-[:ASSERTS]->(vf:Fact)
        WHERE vf.valid_from > $valid_at OR vf.valid_to <= $valid_at })
  AND EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
WITH c, score, fetched ORDER BY score DESC, c.id LIMIT $limit
RETURN c.id AS id, score, c.text AS text, c.memory_type AS memory_type,
       [(c)-[:EXTRACTED_FROM]->(s:Source) | s {.id, .turn_id, .uri, .timestamp, .speaker}] AS sources, fetched
"""

FULLTEXT_CHANNEL = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
CALL db.index.fulltext.queryNodes('memcube_text', $lucene, {limit: $fetch}) YIELD node AS c, score
WITH acl_groups, collect({c: c, score: score}) AS found
UNWIND found AS hit
WITH hit.c AS c, hit.score AS score, size(found) AS fetched, acl_groups
WHERE c.state IN $states
  AND NOT EXISTS { (:MemCube)-[:SUPERSEDES]->(c) }
  AND CASE WHEN c.ttl_s IS NULL THEN true ELSE c.created_at + duration({seconds: c.ttl_s}) > $now END
  AND ($memory_types IS NULL OR c.memory_type IN $memory_types)
  AND (($occurred_from IS NULL AND $occurred_to IS NULL) OR EXISTS {
        MATCH (c)-[:EXTRACTED_FROM]->(src:Source)
        WHERE ($occurred_from IS NULL OR src.timestamp >= $occurred_from)
          AND ($occurred_to IS NULL OR src.timestamp <= $occurred_to) })
  AND ($valid_at IS NULL OR NOT EXISTS {
        MATCH (c)-[:ASSERTS]->(vf:Fact)
        WHERE vf.valid_from > $valid_at OR vf.valid_to <= $valid_at })
  AND EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
WITH c, score, fetched ORDER BY score DESC, c.id LIMIT $limit
RETURN c.id AS id, score, c.text AS text, c.memory_type AS memory_type,
       [(c)-[:EXTRACTED_FROM]->(s:Source) | s {.id, .turn_id, .uri, .timestamp, .speaker}] AS sources, fetched
"""

#: Entities whose case-folded name is one of the query's n-grams (``$names``) and is a name that a
#: cube the caller may read uses for them (no match on another tenant's words), weighted by an
#: inverse-degree factor ``1 / ln(e + mentions)`` so that an entity named in every memory adds
#: little; then the cubes reached by four walks — asserting a fact about the entity, mentioning
#: it, asserting a fact about an entity one ``RELATES`` hop away, or asserting a fact about the
#: entity whose predicate has a word (split at spaces and ``_``; 3+ letters, not in ``$stop_words``)
#: that begins one of the query's content words ``$words`` ("paint" → "painting") — each walk
#: with its weight (``$assert_weight``, ``$mention_weight``, ``$related_weight``,
#: ``$predicate_weight``). Each walk keeps at most
#: ``$fetch`` cubes, and filters before that cap (one filter, run per walk): an entity shared
#: with other principals' memories must not spend the cap on cubes the caller cannot read.
GRAPH_CHANNEL = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
MATCH (ent:Entity) WHERE ent.norm_name IN $names
  AND EXISTS {
        MATCH (nc:MemCube)-[nm:MENTIONS]->(ent)
        WHERE any(x IN nm.names WHERE toLower(x) IN $names)
          AND EXISTS { (nc)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups } }
WITH acl_groups, ent, 1.0 / log(e() + COUNT { (:MemCube)-[:MENTIONS]->(ent) }) AS idf
UNWIND [{walk: 'asserts', weight: $assert_weight}, {walk: 'mentions', weight: $mention_weight},
        {walk: 'related', weight: $related_weight}, {walk: 'predicate', weight: $predicate_weight}] AS walk
CALL (acl_groups, ent, walk) {
  CALL (ent, walk) {
    WITH ent, walk WHERE walk.walk = 'asserts'
    MATCH (c:MemCube)-[:ASSERTS]->(:Fact)-[:SUBJECT|OBJECT]->(ent) RETURN c
    UNION ALL
    WITH ent, walk WHERE walk.walk = 'mentions'
    MATCH (c:MemCube)-[:MENTIONS]->(ent) RETURN c
    UNION ALL
    WITH ent, walk WHERE walk.walk = 'related'
    MATCH (ent)-[:RELATES]-(:Entity)<-[:SUBJECT|OBJECT]-(:Fact)<-[:ASSERTS]-(c:MemCube) RETURN c
    UNION ALL
    WITH ent, walk WHERE walk.walk = 'predicate'
    MATCH (c:MemCube)-[:ASSERTS]->(f:Fact)-[:SUBJECT|OBJECT]->(ent)
    WHERE any(w IN split(replace(f.predicate, '_', ' '), ' ') WHERE size(w) >= 3 AND NOT w IN $stop_words
              AND any(x IN $words WHERE x STARTS WITH w))
    RETURN DISTINCT c
  }
  WITH c WHERE c.state IN $states
    AND NOT EXISTS { (:MemCube)-[:SUPERSEDES]->(c) }
    AND CASE WHEN c.ttl_s IS NULL THEN true ELSE c.created_at + duration({seconds: c.ttl_s}) > $now END
    AND ($memory_types IS NULL OR c.memory_type IN $memory_types)
    AND (($occurred_from IS NULL AND $occurred_to IS NULL) OR EXISTS {
          MATCH (c)-[:EXTRACTED_FROM]->(src:Source)
          WHERE ($occurred_from IS NULL OR src.timestamp >= $occurred_from)
            AND ($occurred_to IS NULL OR src.timestamp <= $occurred_to) })
    AND ($valid_at IS NULL OR NOT EXISTS {
          MATCH (c)-[:ASSERTS]->(vf:Fact)
          WHERE vf.valid_from > $valid_at OR vf.valid_to <= $valid_at })
    AND EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
  RETURN c LIMIT $fetch
}
WITH c, sum(walk.weight * idf) AS score
WITH c, score ORDER BY score DESC, c.id LIMIT $limit
RETURN c.id AS id, score, c.text AS text, c.memory_type AS memory_type,
       [(c)-[:EXTRACTED_FROM]->(s:Source) | s {.id, .turn_id, .uri, .timestamp, .speaker}] AS sources
"""

#: For each seed cube (``$seeds``, best first) the cubes read from the sources at most
#: ``$window`` turns before or after the seed's source in the same chat (same ``uri``, by turn
#: position ``seq``; range index ``source_uri_seq``). Ranked by the seed's position, then by
#: distance in turns.
NEIGHBOUR_CHANNEL = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
UNWIND range(0, size($seeds) - 1) AS seed_rank
MATCH (:MemCube {id: $seeds[seed_rank]})-[:EXTRACTED_FROM]->(s:Source)
WHERE s.seq IS NOT NULL
MATCH (src:Source {uri: s.uri})
WHERE src.seq >= s.seq - $window AND src.seq <= s.seq + $window AND src.seq <> s.seq
WITH acl_groups, seed_rank, abs(src.seq - s.seq) AS dist, src
MATCH (c:MemCube)-[:EXTRACTED_FROM]->(src)
WHERE NOT c.id IN $seeds
  AND c.state IN $states
  AND NOT EXISTS { (:MemCube)-[:SUPERSEDES]->(c) }
  AND CASE WHEN c.ttl_s IS NULL THEN true ELSE c.created_at + duration({seconds: c.ttl_s}) > $now END
  AND ($memory_types IS NULL OR c.memory_type IN $memory_types)
  AND (($occurred_from IS NULL AND $occurred_to IS NULL) OR EXISTS {
        MATCH (c)-[:EXTRACTED_FROM]->(src:Source)
        WHERE ($occurred_from IS NULL OR src.timestamp >= $occurred_from)
          AND ($occurred_to IS NULL OR src.timestamp <= $occurred_to) })
  AND ($valid_at IS NULL OR NOT EXISTS {
        MATCH (c)-[:ASSERTS]->(vf:Fact)
        WHERE vf.valid_from > $valid_at OR vf.valid_to <= $valid_at })
  AND EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
WITH c, min(seed_rank) AS seed_rank, min(dist) AS dist
WITH c, 1.0 / (seed_rank + dist) AS score, seed_rank, dist ORDER BY seed_rank, dist, c.id LIMIT $limit
RETURN c.id AS id, score, c.text AS text, c.memory_type AS memory_type,
       [(c)-[:EXTRACTED_FROM]->(s:Source) | s {.id, .turn_id, .uri, .timestamp, .speaker}] AS sources
"""

#: The embeddings of the given cubes still visible to the principal (for MMR).
EMBEDDINGS_OF = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
UNWIND $ids AS cube_id
MATCH (c:MemCube {id: cube_id})
WHERE c.state IN $states
  AND NOT EXISTS { (:MemCube)-[:SUPERSEDES]->(c) }
  AND CASE WHEN c.ttl_s IS NULL THEN true ELSE c.created_at + duration({seconds: c.ttl_s}) > $now END
  AND ($memory_types IS NULL OR c.memory_type IN $memory_types)
  AND (($occurred_from IS NULL AND $occurred_to IS NULL) OR EXISTS {
        MATCH (c)-[:EXTRACTED_FROM]->(src:Source)
        WHERE ($occurred_from IS NULL OR src.timestamp >= $occurred_from)
          AND ($occurred_to IS NULL OR src.timestamp <= $occurred_to) })
  AND ($valid_at IS NULL OR NOT EXISTS {
        MATCH (c)-[:ASSERTS]->(vf:Fact)
        WHERE vf.valid_from > $valid_at OR vf.valid_to <= $valid_at })
  AND EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
RETURN c.id AS id, c.embedding AS embedding
"""

# --- embeddings ------------------------------------------------------------------------------

#: Cubes with text but no embedding, or whose sentences were never embedded
#: (``sentence_count`` unset, e.g. a new version that copied its predecessor's embedding).
CUBES_WITHOUT_EMBEDDING = """
MATCH (c:MemCube) WHERE (c.embedding IS NULL OR c.sentence_count IS NULL) AND c.text IS NOT NULL AND c.text <> ''
  AND ($ids IS NULL OR c.id IN $ids)
RETURN c.id AS id, c.text AS text,
       [(c)-[:EXTRACTED_FROM]->(s:Source) WHERE s.speaker IS NOT NULL | s.speaker][0] AS speaker
ORDER BY c.id LIMIT $limit
"""

#: How many cubes :data:`CUBES_WITHOUT_EMBEDDING` would list without its limit.
COUNT_WITHOUT_EMBEDDING = """
MATCH (c:MemCube) WHERE (c.embedding IS NULL OR c.sentence_count IS NULL) AND c.text IS NOT NULL AND c.text <> ''
  AND ($ids IS NULL OR c.id IN $ids)
RETURN count(c) AS n
"""

#: Stored as a float32 array, the form the vector index reads.
SET_CUBE_EMBEDDINGS = """
UNWIND $rows AS row
MATCH (c:MemCube {id: row.id})
CALL db.create.setNodeVectorProperty(c, 'embedding', row.embedding)
RETURN count(c) AS written
"""

ENTITIES_WITHOUT_EMBEDDING = """
MATCH (e:Entity) WHERE e.embedding IS NULL
RETURN e.id AS id, e.name AS text ORDER BY e.id LIMIT $limit
"""

COUNT_ENTITIES_WITHOUT_EMBEDDING = "MATCH (e:Entity) WHERE e.embedding IS NULL RETURN count(e) AS n"

SET_ENTITY_EMBEDDINGS = """
UNWIND $rows AS row
MATCH (e:Entity {id: row.id})
CALL db.create.setNodeVectorProperty(e, 'embedding', row.embedding)
RETURN count(e) AS written
"""

# --- behaviour metrics -----------------------------------------------------------------------

#: Adds ``row.count`` accesses and moves ``last_access`` forward to ``row.at``.
RECORD_ACCESS = """
UNWIND $rows AS row
MATCH (c:MemCube {id: row.id})
SET c.access_count = coalesce(c.access_count, 0) + row.count,
    c.last_access = CASE WHEN c.last_access IS NULL OR c.last_access < row.at THEN row.at ELSE c.last_access END
"""

#: Each hit (``$ids``) as the memory it belongs to: the hit itself or — for a KV-template copy
#: (``(source)-[:PROMOTED_TO]->(hit)``) — the visible cube it was promoted from, with that
#: memory's other forms: ``activation`` when a live KV template of it exists, ``parametric`` when
#: a live LoRA adapter encodes one of its facts. Same columns as a channel hit, plus ``hit_id``.
MEMORIES_OF_HITS = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
UNWIND $ids AS hit_id
MATCH (hit:MemCube {id: hit_id})
OPTIONAL CALL (hit, acl_groups) {
  MATCH (c:MemCube)-[:PROMOTED_TO]->(hit)
  WHERE c.state IN $states
    AND NOT EXISTS { (:MemCube)-[:SUPERSEDES]->(c) }
    AND CASE WHEN c.ttl_s IS NULL THEN true ELSE c.created_at + duration({seconds: c.ttl_s}) > $now END
    AND ($memory_types IS NULL OR c.memory_type IN $memory_types)
    AND (($occurred_from IS NULL AND $occurred_to IS NULL) OR EXISTS {
          MATCH (c)-[:EXTRACTED_FROM]->(src:Source)
          WHERE ($occurred_from IS NULL OR src.timestamp >= $occurred_from)
            AND ($occurred_to IS NULL OR src.timestamp <= $occurred_to) })
    AND ($valid_at IS NULL OR NOT EXISTS {
          MATCH (c)-[:ASSERTS]->(vf:Fact)
          WHERE vf.valid_from > $valid_at OR vf.valid_to <= $valid_at })
    AND EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
  RETURN c AS source ORDER BY source.id LIMIT 1
}
WITH hit_id, coalesce(source, hit) AS c, 0.0 AS score
RETURN c.id AS id, score, c.text AS text, c.memory_type AS memory_type,
       [(c)-[:EXTRACTED_FROM]->(s:Source) | s {.id, .turn_id, .uri, .timestamp, .speaker}] AS sources, hit_id,
       EXISTS { (c)-[:PROMOTED_TO]->(t:MemCube {memory_type: 'activation'}) WHERE t.state IN $states } AS activation,
       EXISTS { (c)-[:ASSERTS]->(:Fact)<-[:ENCODES]-(a:MemCube {memory_type: 'parametric'})
                WHERE a.state IN $states } AS parametric
"""
