// Purpose: Everything the graph states about one entity, found by name (case-insensitive, or an
//   alias): each fact in or out, with the other entity and how many MemCubes assert it.
// Parameters: $name (string, required), $limit (int or null, default 100)
// Columns: entity, direction, predicate, negated, other, other_type, confidence, cubes
MATCH (e:Entity)
WHERE e.norm_name = toLower($name) OR toLower($name) IN [a IN coalesce(e.aliases, []) | toLower(a)]
MATCH (e)-[r:RELATES]-(other:Entity)
MATCH (f:Fact {id: r.fact_id})
RETURN e.name AS entity, CASE WHEN startNode(r) = e THEN 'out' ELSE 'in' END AS direction,
       r.predicate AS predicate, r.negated AS negated, other.name AS other, other.type AS other_type,
       f.confidence AS confidence, COUNT { (:MemCube)-[:ASSERTS]->(f) } AS cubes
ORDER BY entity, direction DESC, predicate, other
LIMIT coalesce($limit, 100)
