// Purpose: Entity-resolution decisions to review: each alias MemReader merged into an entity, by
//   which method (exact, fuzzy, embedding, manual) and with what score, lowest scores first.
// Parameters: $method (string or null: only this method), $max_score (float or null, default 1.0)
// Columns: entity_id, entity, alias, method, score, activity
MATCH (a:Activity)-[m:MERGED]->(e:Entity)
WHERE ($method IS NULL OR m.method = $method) AND m.score <= coalesce($max_score, 1.0)
RETURN e.id AS entity_id, e.name AS entity, m.alias AS alias, m.method AS method, m.score AS score,
       a.name AS activity
ORDER BY score, entity, alias
