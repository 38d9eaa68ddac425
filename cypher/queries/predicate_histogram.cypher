// Purpose: The vocabulary of the graph: every predicate with how many facts use it, how many of
//   them are negated, their mean confidence and how many MemCubes assert them.
// Parameters: $limit (int or null, default 100)
// Columns: predicate, facts, negated, mean_confidence, cubes
MATCH (f:Fact)
OPTIONAL MATCH (c:MemCube)-[:ASSERTS]->(f)
WITH f.predicate AS predicate, count(DISTINCT f) AS facts,
     count(DISTINCT CASE WHEN f.negated THEN f END) AS negated,
     avg(f.confidence) AS mean_confidence, count(DISTINCT c) AS cubes
RETURN predicate, facts, negated, round(mean_confidence, 3) AS mean_confidence, cubes
ORDER BY facts DESC, predicate
LIMIT coalesce($limit, 100)
