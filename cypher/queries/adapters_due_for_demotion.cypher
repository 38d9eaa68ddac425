// Purpose: Parametric MemCubes (LoRA adapters) due for demotion back to plaintext triples: live
//   adapters not used for $idle_days days (or never), or with at least one encoded fact that the
//   graph now contradicts (another fact with the same subject and predicate but a different object
//   or the opposite polarity).
// Parameters: $idle_days (int or null, default 30); $live_states (the live lifecycle states) is
//   supplied by the server from memcubedb/states.py
// Columns: cube_id, owner, access_count, last_access, idle_days, facts_encoded, contradicted, reason
MATCH (c:MemCube {memory_type: 'parametric'})
WHERE c.state IN $live_states
WITH c, coalesce(c.last_access, c.created_at) AS used
WITH c, used, duration.inDays(used, datetime()).days AS idle_days
CALL (c) {
  OPTIONAL MATCH (c)-[:ENCODES]->(f:Fact)
  OPTIONAL MATCH (g:Fact {subject_id: f.subject_id, predicate: f.predicate})
  WHERE g.id <> f.id AND (g.object_id <> f.object_id OR g.negated <> f.negated)
  RETURN count(DISTINCT f) AS facts_encoded, count(DISTINCT CASE WHEN g IS NOT NULL THEN f END) AS contradicted
}
WITH c, used, idle_days, facts_encoded, contradicted
WHERE idle_days >= coalesce($idle_days, 30) OR contradicted > 0
RETURN c.id AS cube_id, c.owner AS owner, coalesce(c.access_count, 0) AS access_count,
       toString(c.last_access) AS last_access, idle_days, facts_encoded, contradicted,
       CASE WHEN contradicted > 0 THEN 'contradicted' ELSE 'idle' END AS reason
ORDER BY contradicted DESC, idle_days DESC, cube_id
