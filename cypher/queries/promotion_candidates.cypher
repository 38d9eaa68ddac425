// Purpose: Plaintext MemCubes that are candidates for promotion to activation memory (a KV
//   template): live, latest version, not promoted yet, used at least $min_access times; ranked by
//   the MemScheduler's recorded score, then use, then recency of use.
// Parameters: $min_access (int or null, default 1), $limit (int or null, default 25); $live_states
//   (the live lifecycle states) is supplied by the server from memcubedb/states.py
// Columns: cube_id, owner, score, access_count, last_access, facts, text
MATCH (c:MemCube {memory_type: 'plaintext'})
WHERE c.state IN $live_states
  AND NOT EXISTS { (:MemCube)-[:SUPERSEDES]->(c) }
  AND NOT EXISTS { (c)-[:PROMOTED_TO]->(:MemCube) }
  AND coalesce(c.access_count, 0) >= coalesce($min_access, 1)
RETURN c.id AS cube_id, c.owner AS owner, c.score AS score, coalesce(c.access_count, 0) AS access_count,
       toString(c.last_access) AS last_access, COUNT { (c)-[:ASSERTS]->(:Fact) } AS facts,
       left(c.text, 120) AS text
ORDER BY coalesce(c.score, 0.0) DESC, access_count DESC, c.last_access DESC, cube_id
LIMIT coalesce($limit, 25)
