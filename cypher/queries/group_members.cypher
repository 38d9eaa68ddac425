// Purpose: Who belongs to a group, directly or through nested groups (MEMBER_OF up to 8 levels),
//   with the path of groups in between; or every group and its members when $group is null.
// Parameters: $group (string or null)
// Columns: group_id, member, member_kind, depth, via
MATCH path = (m:Principal)-[:MEMBER_OF*1..8]->(g:Principal)
WHERE $group IS NULL OR g.id = $group
RETURN g.id AS group_id, m.id AS member, m.kind AS member_kind, length(path) AS depth,
       [n IN nodes(path)[1..-1] | n.id] AS via
ORDER BY group_id, depth, member
