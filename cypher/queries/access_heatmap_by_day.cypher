// Purpose: Memory use by day and memory type: on each day (of last access), how many MemCubes were
//   last used that day and their accumulated access counts; for a calendar heatmap.
// Parameters: $days (int or null, default 30: look back this many days from today)
// Columns: day, memory_type, cubes, accesses
MATCH (c:MemCube)
WHERE c.last_access IS NOT NULL
  AND c.last_access >= datetime() - duration({days: coalesce($days, 30)})
RETURN date(c.last_access) AS day, c.memory_type AS memory_type, count(c) AS cubes,
       sum(coalesce(c.access_count, 0)) AS accesses
ORDER BY day, memory_type
