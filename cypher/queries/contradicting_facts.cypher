// Purpose: Pairs of facts that contradict each other: same subject and predicate, and either one
//   negates what the other affirms (same object), or they name different objects (for predicates
//   that should have one value, e.g. lives_in, works_at). Each pair is listed once.
// Parameters: $predicates (list of strings or null: only these predicates), $limit (int or null, default 100)
// Columns: subject, predicate, fact_a, object_a, negated_a, fact_b, object_b, negated_b, kind
MATCH (a:Fact), (b:Fact)
WHERE a.subject_id = b.subject_id AND a.predicate = b.predicate AND a.id < b.id
  AND ($predicates IS NULL OR a.predicate IN $predicates)
  AND (a.object_id <> b.object_id OR a.negated <> b.negated)
MATCH (a)-[:SUBJECT]->(s:Entity), (a)-[:OBJECT]->(oa:Entity), (b)-[:OBJECT]->(ob:Entity)
RETURN s.name AS subject, a.predicate AS predicate,
       a.id AS fact_a, oa.name AS object_a, a.negated AS negated_a,
       b.id AS fact_b, ob.name AS object_b, b.negated AS negated_b,
       CASE WHEN a.object_id = b.object_id THEN 'negation' ELSE 'different_object' END AS kind
ORDER BY subject, predicate, fact_a, fact_b
LIMIT coalesce($limit, 100)
