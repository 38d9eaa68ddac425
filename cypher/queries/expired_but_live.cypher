// Purpose: MemCubes past their time to live (created_at + ttl_s) that are still in a live state;
//   the MemLifecycle TTL policy will expire them on the next scheduler run.
// Parameters: $limit (int or null, default 100); $expirable_states (the states a TTL may still
//   expire) is supplied by the server from memcubedb/states.py
// Columns: cube_id, memory_type, state, owner, created_at, ttl_s, overdue_s
MATCH (c:MemCube)
WHERE c.ttl_s IS NOT NULL AND c.state IN $expirable_states
WITH c, c.created_at + duration({seconds: c.ttl_s}) AS expires
WHERE expires < datetime()
RETURN c.id AS cube_id, c.memory_type AS memory_type, c.state AS state, c.owner AS owner,
       toString(c.created_at) AS created_at, c.ttl_s AS ttl_s,
       duration.inSeconds(expires, datetime()).seconds AS overdue_s
ORDER BY overdue_s DESC, cube_id
LIMIT coalesce($limit, 100)
