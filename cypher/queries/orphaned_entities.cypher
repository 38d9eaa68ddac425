// Purpose: Entities nothing points at any more: no MemCube mentions them and no fact has them as
//   subject or object (left behind by deletions and fact edits); candidates for clean-up.
// Parameters: $limit (int or null, default 100)
// Columns: entity_id, name, type, aliases, created_at
MATCH (e:Entity)
WHERE NOT EXISTS { (:MemCube)-[:MENTIONS]->(e) }
  AND NOT EXISTS { (:Fact)-[:SUBJECT|OBJECT]->(e) }
RETURN e.id AS entity_id, e.name AS name, e.type AS type, coalesce(e.aliases, []) AS aliases,
       toString(e.created_at) AS created_at
ORDER BY name, entity_id
LIMIT coalesce($limit, 100)
