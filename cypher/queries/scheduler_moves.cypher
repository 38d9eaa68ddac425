// Purpose: What moved between memory types: promotions (plaintext -> activation, PROMOTED_TO),
//   demotions (activation/parametric -> plaintext, DEMOTED_TO) and encodings (facts -> parametric,
//   ENCODES), newest first, with the score or reason recorded on the move.
// Parameters: $since (datetime or null: only moves at or after it), $limit (int or null, default 100)
// Columns: move, from_id, from_type, to_id, to_type, at, score, reason
CALL () {
  MATCH (a:MemCube)-[m:PROMOTED_TO]->(b:MemCube)
  RETURN 'promotion' AS move, a.id AS from_id, a.memory_type AS from_type, b.id AS to_id,
         b.memory_type AS to_type, m.at AS at, m.score AS score, null AS reason
  UNION ALL
  MATCH (a:MemCube)-[m:DEMOTED_TO]->(b:MemCube)
  RETURN 'demotion' AS move, a.id AS from_id, a.memory_type AS from_type, b.id AS to_id,
         b.memory_type AS to_type, m.at AS at, null AS score, m.reason AS reason
  UNION ALL
  MATCH (b:MemCube {memory_type: 'parametric'})-[:ENCODES]->(f:Fact)
  WITH b, count(f) AS facts
  RETURN 'encoding' AS move, null AS from_id, 'fact' AS from_type, b.id AS to_id,
         b.memory_type AS to_type, b.created_at AS at, null AS score, toString(facts) + ' facts' AS reason
}
WITH move, from_id, from_type, to_id, to_type, at, score, reason
WHERE $since IS NULL OR at >= $since
RETURN move, from_id, from_type, to_id, to_type, toString(at) AS at, score, reason
ORDER BY at DESC, move, to_id
LIMIT coalesce($limit, 100)
