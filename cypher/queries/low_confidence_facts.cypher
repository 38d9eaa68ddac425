// Purpose: Facts extracted with low confidence, for review or correction, with the MemCube text
//   they came from.
// Parameters: $max_confidence (float or null, default 0.6), $limit (int or null, default 100)
// Columns: fact_id, subject, predicate, negated, object, confidence, cube_id, evidence
MATCH (c:MemCube)-[a:ASSERTS]->(f:Fact)
WHERE f.confidence <= coalesce($max_confidence, 0.6)
MATCH (f)-[:SUBJECT]->(s:Entity), (f)-[:OBJECT]->(o:Entity)
RETURN f.id AS fact_id, s.name AS subject, f.predicate AS predicate, f.negated AS negated, o.name AS object,
       f.confidence AS confidence, c.id AS cube_id,
       CASE WHEN a.end > a.start THEN substring(c.text, a.start, a.end - a.start) ELSE left(c.text, 120) END AS evidence
ORDER BY confidence, fact_id, cube_id
LIMIT coalesce($limit, 100)
