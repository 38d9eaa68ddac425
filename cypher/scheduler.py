"""The MemScheduler's Cypher, as named constants written out whole: what it reads to score, how
promotions, encodings and demotions are linked, and the durable job ledger with its leases.

The reads act as the principal a run is for: each opens with its readable scope (``acl_groups``:
``$principal`` and the groups it reaches over ``MEMBER_OF``; ``cypher/README.md``, *Permissions
inside every query*), so a scheduler run only sees what that principal may read and only moves
what it may write; ``$live`` is :data:`memcubedb.states.LIVE_STATES`.
"""

from __future__ import annotations

# --- scoring reads, as the run's principal --------------------------------------------------

#: The fact triples of the live (``$live``: :data:`memcubedb.states.LIVE_STATES`), latest-version
#: cubes ``$principal`` may read, each end named only by the names its readable cubes use for it
#: (``cypher/README.md``, *Entity names and tenants*): what graph embeddings and LoRA adapters learn
#: stays inside its walls.
FACT_TRIPLES = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
MATCH (c:MemCube)-[:ASSERTS]->(f:Fact)-[:SUBJECT]->(s:Entity), (f)-[:OBJECT]->(o:Entity)
WHERE c.state IN $live AND NOT EXISTS { (:MemCube)-[:SUPERSEDES]->(c) }
  AND EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
WITH DISTINCT acl_groups, f, s, o
WITH f, s, o,
     COLLECT {
       MATCH (vn_c:MemCube)-[vn_m:MENTIONS]->(s)
       WHERE EXISTS { (vn_c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
       UNWIND coalesce(vn_m.names, []) AS vn_name
       WITH DISTINCT vn_name ORDER BY vn_name
       RETURN vn_name } AS head_names,
     COLLECT {
       MATCH (vn_c:MemCube)-[vn_m:MENTIONS]->(o)
       WHERE EXISTS { (vn_c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
       UNWIND coalesce(vn_m.names, []) AS vn_name
       WITH DISTINCT vn_name ORDER BY vn_name
       RETURN vn_name } AS tail_names
RETURN f.id AS fact_id,
       CASE WHEN s.name IN head_names THEN s.name ELSE coalesce(head(head_names), s.id) END AS head,
       f.predicate AS relation,
       CASE WHEN o.name IN tail_names THEN o.name ELSE coalesce(head(tail_names), o.id) END AS tail,
       f.negated AS negated, f.confidence AS confidence
ORDER BY fact_id
"""

#: Live, latest plaintext cubes ``$principal`` may write, with their facts and live KV templates.
PROMOTION_CANDIDATES = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
MATCH (c:MemCube {memory_type: 'plaintext'})
WHERE c.state IN $live AND NOT EXISTS { (:MemCube)-[:SUPERSEDES]->(c) }
  AND EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
RETURN c.id AS id, c.state AS state, c.access_count AS access_count, c.last_access AS last_access,
       c.created_at AS created_at, c.relevance AS relevance, c.text AS text,
       [(c)-[:ASSERTS]->(f:Fact) | f.id] AS fact_ids,
       [(c)-[:PROMOTED_TO]->(a:MemCube) WHERE a.state IN $live | a.id] AS templates
ORDER BY id
"""

#: Live, latest LoRA adapters ``$principal`` may write, with the facts each encodes (ends named
#: as in :data:`FACT_TRIPLES`).
ADAPTERS = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
MATCH (c:MemCube {memory_type: 'parametric'})
WHERE c.state IN $live AND NOT EXISTS { (:MemCube)-[:SUPERSEDES]->(c) }
  AND EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
CALL (c, acl_groups) {
  MATCH (c)-[:ENCODES]->(f:Fact)-[:SUBJECT]->(s:Entity)
  OPTIONAL CALL (f) { MATCH (f)-[:OBJECT]->(o:Entity) RETURN o LIMIT 1 }
  WITH f, s, o,
       COLLECT {
         MATCH (vn_c:MemCube)-[vn_m:MENTIONS]->(s)
         WHERE EXISTS { (vn_c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
         UNWIND coalesce(vn_m.names, []) AS vn_name
         WITH DISTINCT vn_name ORDER BY vn_name
         RETURN vn_name } AS head_names,
       COLLECT {
         MATCH (vn_c:MemCube)-[vn_m:MENTIONS]->(o)
         WHERE EXISTS { (vn_c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_READ|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
         UNWIND coalesce(vn_m.names, []) AS vn_name
         WITH DISTINCT vn_name ORDER BY vn_name
         RETURN vn_name } AS tail_names
  RETURN collect({fact_id: f.id,
                  head: CASE WHEN s.name IN head_names THEN s.name ELSE coalesce(head(head_names), s.id) END,
                  relation: f.predicate,
                  tail: CASE WHEN o IS NULL THEN null
                             WHEN o.name IN tail_names THEN o.name ELSE coalesce(head(tail_names), o.id) END,
                  subject_id: s.id, object_id: f.object_id}) AS facts
}
RETURN c.id AS id, c.access_count AS access_count, c.last_access AS last_access, c.created_at AS created_at,
       c.vault_digest AS digest, facts
ORDER BY id
"""

#: Live, latest KV templates ``$principal`` may write, with the cube each was promoted from.
TEMPLATES = """
CALL () {
  MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(g:Principal)
  WITH DISTINCT g
  RETURN collect(g) AS acl_groups
}
MATCH (src:MemCube)-[:PROMOTED_TO]->(c:MemCube {memory_type: 'activation'})
WHERE c.state IN $live AND NOT EXISTS { (:MemCube)-[:SUPERSEDES]->(c) }
  AND EXISTS { (c)-[:IN_SPACE*0..1]->()<-[:OWNS|CAN_WRITE]-(acl_g) WHERE acl_g IN acl_groups }
RETURN c.id AS id, src.id AS source_id, c.access_count AS access_count, c.last_access AS last_access,
       c.created_at AS created_at, c.vault_digest AS digest
ORDER BY id
"""

# --- scores, links of moves, graph-embedding models -----------------------------------------

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

# --- the job ledger (memcubedb.scheduler.jobs): jobs, leases, claims ------------------------

ENQUEUE_JOB = """
CREATE (j:Job {id: $id, kind: $kind, state: 'queued', principal: $principal, params: $params,
               created_at: $now, attempts: 0, vault_digests: []})
RETURN j {.*} AS job
"""

START_JOB = """
CREATE (j:Job {id: $id, kind: $kind, state: 'running', principal: $principal, params: $params,
               created_at: $now, started_at: $now, attempts: 1, vault_digests: [], worker: $worker,
               claimed_at: datetime(), heartbeat_at: datetime(),
               lease_expires_at: datetime() + duration({seconds: $lease_s})})
RETURN j {.*} AS job
"""

#: Claimable jobs, oldest first, expired leases before queued jobs; a ``run`` waits while another
#: run of its principal holds a live lease. Read without locks: :data:`CLAIM_JOB` re-checks.
CLAIMABLE = """
MATCH (j:Job)
WHERE j.kind IN $kinds
  AND ((j.state = 'queued' AND NOT $expired_only)
       OR (j.state = 'running' AND j.lease_expires_at < datetime() AND j.attempts < $max_attempts))
  AND NOT (j.kind = 'run' AND EXISTS {
    MATCH (o:Job {kind: 'run', state: 'running', principal: j.principal})
    WHERE o.id <> j.id AND o.lease_expires_at >= datetime()
  })
RETURN j.id AS id
ORDER BY CASE j.state WHEN 'running' THEN 0 ELSE 1 END, j.created_at, j.id
LIMIT $limit
"""

#: Serialises claims (and periodic-run enqueues) across processes; one node, unique by constraint.
CLAIM_LOCK = "MERGE (l:JobClaimLock {id: 'claims'}) SET l.worker = $worker, l.at = datetime()"

#: Lock the job, then check under the lock that it is still claimable, then take the lease.
CLAIM_JOB = """
MATCH (j:Job {id: $id})
SET j._lock = true
REMOVE j._lock
WITH j, j.worker AS previous
WHERE j.kind IN $kinds
  AND ((j.state = 'queued' AND NOT $expired_only)
       OR (j.state = 'running' AND j.lease_expires_at < datetime() AND j.attempts < $max_attempts))
  AND NOT (j.kind = 'run' AND EXISTS {
    MATCH (o:Job {kind: 'run', state: 'running', principal: j.principal})
    WHERE o.id <> j.id AND o.lease_expires_at >= datetime()
  })
SET j.state = 'running', j.worker = $worker, j.previous_worker = previous, j.attempts = j.attempts + 1,
    j.started_at = coalesce(j.started_at, $now), j.claimed_at = datetime(), j.heartbeat_at = datetime(),
    j.lease_expires_at = datetime() + duration({seconds: $lease_s})
RETURN j {.*} AS job
"""

#: Jobs whose lease expired after ``$max_attempts`` claims (each attempt's worker stopped).
EXHAUSTED = """
MATCH (j:Job {state: 'running'})
WHERE j.lease_expires_at < datetime() AND j.attempts >= $max_attempts
RETURN j.id AS id
"""

#: Mark one of :data:`EXHAUSTED` failed (locked, then checked again).
FAIL_EXHAUSTED = """
MATCH (j:Job {id: $id})
SET j._lock = true
REMOVE j._lock
WITH j
WHERE j.state = 'running' AND j.lease_expires_at < datetime() AND j.attempts >= $max_attempts
SET j.state = 'failed', j.ended_at = $now,
    j.error = 'its worker stopped in each of ' + toString(j.attempts) + ' attempts; not taken over again'
RETURN j.id AS id
"""

#: Extend the lease, holder only (locked first, like every lease check).
HEARTBEAT = """
MATCH (j:Job {id: $id})
SET j._lock = true
REMOVE j._lock
WITH j
WHERE j.state = 'running' AND j.worker = $worker AND j.attempts = $attempts
SET j.heartbeat_at = datetime(), j.lease_expires_at = datetime() + duration({seconds: $lease_s})
RETURN j.id AS id
"""

#: End the job, holder only: no row back means the lease was lost and the caller's transaction
#: must roll back.
FINISH_JOB = """
MATCH (j:Job {id: $id})
SET j._lock = true
REMOVE j._lock
WITH j
WHERE j.state = 'running' AND j.worker = $worker AND j.attempts = $attempts
SET j.state = $state, j.ended_at = $now, j.result = $result, j.error = $error
RETURN j.id AS id
"""

JOB_BY_ID = "MATCH (j:Job {id: $id}) RETURN j {.*} AS job"

RECENT_JOBS = """
MATCH (j:Job) WHERE $principal IS NULL OR j.principal = $principal
RETURN j {.*} AS job ORDER BY j.created_at DESC LIMIT $limit
"""

#: Queued and running promotions, encodings and demotions of a principal (a run leaves their
#: cubes and facts to them instead of starting a second job on the same input).
PENDING_JOBS = """
MATCH (j:Job {principal: $principal})
WHERE j.state IN ['queued', 'running'] AND j.kind IN ['promotion', 'encoding', 'demotion']
RETURN j {.*} AS job ORDER BY j.created_at
"""

#: Vault digests in use: live activation/parametric cubes, KGE models, and running jobs other than
#: ``$except_job`` (whose partial outputs are being rolled back).
REFERENCED_DIGESTS = """
MATCH (c:MemCube) WHERE c.memory_type IN ['activation', 'parametric']
  AND c.state IN $live
RETURN c.vault_digest AS digest
UNION
MATCH (j:Job {state: 'running'}) WHERE j.id <> $except_job
UNWIND coalesce(j.vault_digests, []) AS digest
RETURN digest
UNION
MATCH (k:KGEModel) RETURN k.vault_digest AS digest
"""

#: Jobs queued and running, all processes (the ``memcubedb_job_queue_depth`` gauge).
QUEUE_DEPTH = """
MATCH (j:Job) WHERE j.state IN ['queued', 'running']
RETURN j.state AS state, count(*) AS n
"""

JOB_DIGESTS = "MATCH (j:Job {id: $id}) RETURN coalesce(j.vault_digests, []) AS digests"

ADD_JOB_DIGEST = "MATCH (j:Job {id: $id}) SET j.vault_digests = coalesce(j.vault_digests, []) + [$digest]"

#: Queue a ``run`` for every principal owning live memories whose last run was created more than
#: ``$interval_s`` seconds ago and who has no run queued or running (called under the claim lock).
ENQUEUE_DUE_RUNS = """
MATCH (c:MemCube) WHERE c.state IN $live
WITH DISTINCT c.owner AS principal
WHERE NOT EXISTS {
  MATCH (r:Job {kind: 'run', principal: principal})
  WHERE r.state IN ['queued', 'running'] OR r.created_at >= $now - duration({seconds: $interval_s})
}
CREATE (j:Job {id: randomUUID(), kind: 'run', state: 'queued', principal: principal, params: '{}',
               created_at: $now, attempts: 0, vault_digests: []})
RETURN j.id AS id
"""
