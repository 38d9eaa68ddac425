// Purpose: How many MemCubes were read from each Source URI (and kind), how many distinct facts
//   they assert, and when the first and last of them were created; busiest sources first.
// Parameters: $uri_prefix (string or null: only URIs starting with it), $limit (int or null, default 50)
// Columns: uri, kind, cubes, facts, first_created, last_created
MATCH (c:MemCube)-[:EXTRACTED_FROM]->(s:Source)
WHERE $uri_prefix IS NULL OR s.uri STARTS WITH $uri_prefix
OPTIONAL MATCH (c)-[:ASSERTS]->(f:Fact)
WITH s.uri AS uri, s.kind AS kind, count(DISTINCT c) AS cubes, count(DISTINCT f) AS facts,
     min(c.created_at) AS first, max(c.created_at) AS last
RETURN uri, kind, cubes, facts, toString(first) AS first_created, toString(last) AS last_created
ORDER BY cubes DESC, uri
LIMIT coalesce($limit, 50)
