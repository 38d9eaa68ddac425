// Purpose: What a principal can read, and why: each MemCube it may read, with the grant that allows
//   it (OWNS, CAN_READ or CAN_WRITE), the principal holding the grant (itself or a group, nested up
//   to 8 levels) and the Space it goes through, if any. The same rule as graph/acl.py.
// Parameters: $principal (string, required), $limit (int or null, default 200)
// Columns: cube_id, memory_type, state, grant, via_principal, via_space, text
MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(holder:Principal)-[g:OWNS|CAN_READ|CAN_WRITE]->(target)
CALL (target) {
  WITH target WHERE target:MemCube
  RETURN target AS c, null AS via_space
  UNION
  MATCH (c:MemCube)-[:IN_SPACE]->(target:Space)
  RETURN c, target.id AS via_space
}
RETURN DISTINCT c.id AS cube_id, c.memory_type AS memory_type, c.state AS state, type(g) AS grant,
       holder.id AS via_principal, via_space, left(c.text, 80) AS text
ORDER BY cube_id, grant, via_principal
LIMIT coalesce($limit, 200)
