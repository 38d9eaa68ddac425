// Purpose: Every version of a MemCube, oldest first: the SUPERSEDES chain through the given cube in
//   both directions, with each version's number, state, the edit Activity and Agent that made it.
// Parameters: $cube_id (string, required: any version of the cube)
// Columns: cube_id, version, state, created_at, made_by_activity, made_by, text
MATCH (given:MemCube {id: $cube_id})
OPTIONAL MATCH (given)-[:SUPERSEDES*0..50]->(older:MemCube)
OPTIONAL MATCH (newer:MemCube)-[:SUPERSEDES*0..50]->(given)
WITH collect(DISTINCT older) + collect(DISTINCT newer) AS versions
UNWIND versions AS v
WITH DISTINCT v
OPTIONAL MATCH (v)-[:GENERATED_BY]->(a:Activity)
OPTIONAL MATCH (v)-[:ATTRIBUTED_TO]->(g:Agent)
RETURN v.id AS cube_id, v.version AS version, v.state AS state, toString(v.created_at) AS created_at,
       a.kind AS made_by_activity, g.name AS made_by, left(v.text, 120) AS text
ORDER BY version, created_at
