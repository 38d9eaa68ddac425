// Entity names behind tenant walls: each (:MemCube)-[:MENTIONS]->(:Entity) edge carries `names`,
// the names that cube itself uses for the entity; a principal is shown only names from cubes it
// may read (graph/acl.py), never the shared node's own name or aliases.
// Existing edges get the entity's name and aliases that occur in the cube's text (compared in
// lower case); when none occurs, the entity's name if this cube is the only one mentioning it,
// else none (readers of this cube then see the entity by its id until a cube names it).
MATCH (c:MemCube)-[m:MENTIONS]->(e:Entity) WHERE m.names IS NULL
CALL (c, m, e) {
  WITH c, m, e, [x IN [e.name] + coalesce(e.aliases, []) WHERE x IS NOT NULL AND toLower(coalesce(c.text, '')) CONTAINS toLower(x)] AS found
  SET m.names = CASE
    WHEN size(found) > 0 THEN reduce(acc = [], x IN found | CASE WHEN x IN acc THEN acc ELSE acc + x END)
    WHEN COUNT { (e)<-[:MENTIONS]-(:MemCube) } = 1 THEN [e.name]
    ELSE [] END
} IN TRANSACTIONS OF 5000 ROWS;
