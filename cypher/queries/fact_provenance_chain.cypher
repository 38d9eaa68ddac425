// Purpose: The provenance chain of one fact: every MemCube asserting it (with the evidence offsets),
//   the Source each cube was extracted from, the Activity that generated the fact and its Agent,
//   and the facts it was derived from by edits (DERIVED_FROM, up to 8 steps back).
// Parameters: $fact_id (string, required)
// Columns: fact_id, triple, cube_id, evidence_start, evidence_end, source_uri, source_kind, turn_id,
//   activity_kind, activity_name, agent, derived_from
MATCH (f:Fact {id: $fact_id})-[:SUBJECT]->(s:Entity), (f)-[:OBJECT]->(o:Entity)
MATCH (c:MemCube)-[a:ASSERTS]->(f)
OPTIONAL MATCH (c)-[:EXTRACTED_FROM]->(src:Source)
OPTIONAL MATCH (f)-[:GENERATED_BY]->(act:Activity)
OPTIONAL MATCH (act)-[:ASSOCIATED_WITH]->(g:Agent)
OPTIONAL MATCH (f)-[:DERIVED_FROM*1..8]->(older:Fact)
WITH f, s, o, c, a, src, act, g, collect(DISTINCT older.id) AS derived_from
RETURN f.id AS fact_id,
       s.name + ' ' + CASE WHEN f.negated THEN 'not ' ELSE '' END + f.predicate + ' ' + o.name AS triple,
       c.id AS cube_id, a.start AS evidence_start, a.end AS evidence_end,
       src.uri AS source_uri, src.kind AS source_kind, src.turn_id AS turn_id,
       act.kind AS activity_kind, act.name AS activity_name, g.name AS agent, derived_from
ORDER BY cube_id, activity_kind
