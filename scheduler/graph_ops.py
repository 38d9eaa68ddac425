"""The MemScheduler's Cypher: what it reads to score, and how promotions/demotions are linked.

Every query is a named constant; permission predicates from :mod:`memcubedb.graph.acl` are
inside them, so a scheduler run acting as a principal only sees and moves what that principal
may read and write.
"""

from __future__ import annotations

from memcubedb.graph.acl import CAN_READ_CUBE, CAN_WRITE_CUBE, shown_name

#: A live (``$live``: :data:`memcubedb.states.LIVE_STATES`), latest-version cube ``c``.
LIVE = "c.state IN $live AND NOT EXISTS { (:MemCube)-[:SUPERSEDES]->(c) }"

#: A fact's subject ``s`` and object ``o`` named as ``$principal`` may see them (names of its
#: readable cubes, graph/acl.py): what graph embeddings and LoRA adapters learn stays inside its walls.
_HEAD = shown_name("s")
_TAIL = shown_name("o")

FACT_TRIPLES = (
    "MATCH (c:MemCube)-[:ASSERTS]->(f:Fact)-[:SUBJECT]->(s:Entity), (f)-[:OBJECT]->(o:Entity) WHERE "
    + LIVE
    + " AND "
    + CAN_READ_CUBE
    + """
WITH DISTINCT f, s, o
RETURN f.id AS fact_id, """
    + _HEAD
    + """ AS head, f.predicate AS relation, """
    + _TAIL
    + """ AS tail,
       f.negated AS negated, f.confidence AS confidence
ORDER BY fact_id
"""
)

PROMOTION_CANDIDATES = (
    "MATCH (c:MemCube {memory_type: 'plaintext'}) WHERE "
    + LIVE
    + " AND "
    + CAN_WRITE_CUBE
    + """
RETURN c.id AS id, c.state AS state, c.access_count AS access_count, c.last_access AS last_access,
       c.created_at AS created_at, c.relevance AS relevance, c.text AS text,
       [(c)-[:ASSERTS]->(f:Fact) | f.id] AS fact_ids,
       [(c)-[:PROMOTED_TO]->(a:MemCube) WHERE a.state IN $live | a.id] AS templates
ORDER BY id
"""
)

ADAPTERS = (
    "MATCH (c:MemCube {memory_type: 'parametric'}) WHERE "
    + LIVE
    + " AND "
    + CAN_WRITE_CUBE
    + """
RETURN c.id AS id, c.access_count AS access_count, c.last_access AS last_access, c.created_at AS created_at,
       c.vault_digest AS digest,
       [(c)-[:ENCODES]->(f:Fact)-[:SUBJECT]->(s:Entity) |
         {fact_id: f.id, head: """
    + _HEAD
    + """, relation: f.predicate,
          tail: head([(f)-[:OBJECT]->(o:Entity) | """
    + _TAIL
    + """]), subject_id: s.id, object_id: f.object_id}] AS facts
ORDER BY id
"""
)

TEMPLATES = (
    "MATCH (src:MemCube)-[:PROMOTED_TO]->(c:MemCube {memory_type: 'activation'}) WHERE "
    + LIVE
    + " AND "
    + CAN_WRITE_CUBE
    + """
RETURN c.id AS id, src.id AS source_id, c.access_count AS access_count, c.last_access AS last_access,
       c.created_at AS created_at, c.vault_digest AS digest
ORDER BY id
"""
)

CONTRADICTED = """
UNWIND $facts AS fact
OPTIONAL MATCH (other:Fact {subject_id: fact.subject_id, predicate: fact.relation})
WHERE other.id <> fact.fact_id AND (other.object_id <> fact.object_id OR other.negated)
RETURN fact.fact_id AS fact_id, count(other) > 0 AS contradicted
"""

RECORD_SCORES = """
UNWIND $rows AS row
MATCH (c:MemCube {id: row.id})
SET c.score = row.score, c.scored_at = $now, c.score_history = row.history
"""

#: Links only; the source's state moves through ``GraphStore.transition_in`` in the same transaction.
LINK_PROMOTION = """
MATCH (src:MemCube {id: $source_id}), (n:MemCube {id: $template_id})
MERGE (src)-[p:PROMOTED_TO]->(n) ON CREATE SET p.score = $score, p.at = $now
"""

LINK_ENCODING = """
MATCH (n:MemCube {id: $adapter_id})
UNWIND $fact_ids AS fid
MATCH (f:Fact {id: fid})
MERGE (n)-[:ENCODES]->(f)
"""

#: Links only; the old cube is archived through ``GraphStore.transition_in`` in the same transaction.
LINK_DEMOTION = """
MATCH (old:MemCube {id: $old_id}), (n:MemCube {id: $new_id})
MERGE (old)-[d:DEMOTED_TO]->(n) ON CREATE SET d.at = $now, d.reason = $reason
"""

#: A KV-template demotion's ``demotion`` Activity, which ``USED`` the template (PROV ``used``), at the
#: instant ``$now`` of the template's ``DEMOTED_TO`` link; ``$agent``: the MemScheduler's Agent.
RECORD_TEMPLATE_DEMOTION = """
MATCH (t:MemCube {id: $template_id})
CREATE (a:Activity {id: $activity_id, kind: 'demotion', name: 'kv_template_drop', started_at: $now, ended_at: $now,
                    params: $params})
MERGE (g:Agent {id: $agent.id}) ON CREATE SET g.kind = $agent.kind, g.name = $agent.name
MERGE (a)-[:ASSOCIATED_WITH]->(g)
MERGE (a)-[:USED]->(t)
"""

#: How many live KV templates a source cube still has (its state goes back to ``generated`` at 0).
LIVE_TEMPLATES_OF = """
MATCH (src:MemCube {id: $source_id})
RETURN COUNT { (src)-[:PROMOTED_TO]->(t:MemCube {memory_type: 'activation'}) WHERE t.state IN $live } AS n
"""

LINK_RECOVERED_FACTS = """
UNWIND $rows AS row
MATCH (recovered:Fact {id: row.recovered_id}), (original:Fact {id: row.original_id})
MERGE (recovered)-[:DERIVED_FROM]->(original)
"""

RECORD_KGE_MODEL = """
MERGE (k:KGEModel {id: $id})
SET k.principal = $principal, k.model = $model, k.vault_digest = $digest, k.triples_sha256 = $triples_sha256,
    k.num_triples = $num_triples, k.trained_at = $now, k.training_ms = $training_ms, k.final_loss = $final_loss
"""

LAST_KGE_MODEL = """
MATCH (k:KGEModel {principal: $principal})
RETURN k {.*} AS model ORDER BY k.trained_at DESC LIMIT 1
"""
