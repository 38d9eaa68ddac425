// Purpose: The most connected entities: number of facts (RELATES edges, in or out), distinct
//   neighbouring entities, and MemCubes mentioning them; a measure of centrality.
// Parameters: $type (string or null: only this entity type, e.g. PERSON), $limit (int or null, default 25)
// Columns: entity_id, name, type, degree, neighbours, mentions
MATCH (e:Entity)
WHERE $type IS NULL OR e.type = $type
WITH e, COUNT { (e)-[:RELATES]-(:Entity) } AS degree,
     COUNT { MATCH (e)-[:RELATES]-(n:Entity) RETURN DISTINCT n } AS neighbours,
     COUNT { (:MemCube)-[:MENTIONS]->(e) } AS mentions
WHERE degree > 0 OR mentions > 0
RETURN e.id AS entity_id, e.name AS name, e.type AS type, degree, neighbours, mentions
ORDER BY degree DESC, mentions DESC, name
LIMIT coalesce($limit, 25)
