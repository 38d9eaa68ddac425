"""Small read views for the API: cubes by id, access rights, a version's successor, the
scheduler's recorded scores, a principal's groups.

Every query over cubes carries the read predicate of :mod:`memcubedb.graph.acl`.
"""

from __future__ import annotations

from typing import Any

from memcubedb.cube import MemCube
from memcubedb.cypher import store as q
from memcubedb.graph.acl import CAN_READ_CUBE
from memcubedb.graph.mapping import native, props_to_cube
from memcubedb.graph.store import GraphStore
from memcubedb.states import LIVE_STATES

CUBES_BY_IDS = (
    "UNWIND $ids AS cid MATCH (c:MemCube {id: cid}) WHERE "
    + CAN_READ_CUBE
    + """
RETURN c {.*} AS props,
       [(p:Principal)-[:CAN_READ]->(c) | p.id] AS readers,
       [(p:Principal)-[:CAN_WRITE]->(c) | p.id] AS writers
"""
)

GROUPS_OF = """
MATCH (:Principal {id: $principal})-[:MEMBER_OF*1..8]->(g:Principal)
RETURN DISTINCT g.id AS id ORDER BY id
"""

SUCCESSOR = (
    "MATCH (c:MemCube {id: $id}) WHERE "
    + CAN_READ_CUBE
    + " MATCH (n:MemCube)-[:SUPERSEDES]->(c) RETURN n.id AS id LIMIT 1"
)

SCORES = (
    "MATCH (c:MemCube) WHERE c.score IS NOT NULL AND ($memory_type IS NULL OR c.memory_type = $memory_type) AND "
    + CAN_READ_CUBE
    + """
RETURN c.id AS cube_id, c.memory_type AS memory_type, c.state AS state, c.score AS score,
       c.scored_at AS scored_at, coalesce(c.access_count, 0) AS access_count, c.last_access AS last_access
ORDER BY c.score DESC, c.id LIMIT $limit
"""
)

FACT_STATES = (
    "UNWIND $ids AS fid MATCH (c:MemCube)-[:ASSERTS]->(:Fact {id: fid}) WHERE "
    + CAN_READ_CUBE
    + " RETURN collect(DISTINCT c.state) AS states, sum(CASE WHEN c.state IN $live THEN 1 ELSE 0 END) AS live"
)


def fact_states(store: GraphStore, principal: str, fact_ids: list[str]) -> list[str]:
    """The lifecycle states of the readable cubes asserting ``fact_ids``, sorted — empty when none
    is readable or when one of them is live (the facts are then encodable as far as state goes)."""
    row = store.read(FACT_STATES, ids=fact_ids, principal=principal, live=list(LIVE_STATES))[0]
    return [] if row["live"] else sorted(row["states"])


def successor(store: GraphStore, principal: str, cube_id: str) -> str | None:
    """The id of the version that supersedes a readable cube, or ``None`` (latest, or unreadable)."""
    rows = store.read(SUCCESSOR, id=cube_id, principal=principal)
    return rows[0]["id"] if rows else None


def recorded_scores(store: GraphStore, principal: str, memory_type: str | None, limit: int) -> list[dict[str, Any]]:
    """The scheduler's latest promotion scores of readable cubes, highest first, at most ``limit``."""
    rows = store.read(SCORES, principal=principal, memory_type=memory_type, limit=limit)
    return [{k: native(v) for k, v in r.items()} for r in rows]


def cubes_by_ids(store: GraphStore, principal: str, ids: list[str]) -> list[MemCube]:
    """The readable cubes among ``ids``, in the order of ``ids`` (others left out)."""
    rows = store.read(CUBES_BY_IDS, ids=ids, principal=principal)
    by_id = {r["props"]["id"]: props_to_cube(r["props"], r["readers"], r["writers"]) for r in rows}
    return [by_id[i] for i in ids if i in by_id]


def access(store: GraphStore, principal: str, cube_id: str) -> tuple[bool, bool]:
    """``(can_read, can_write)`` of the principal on a cube (both false for an unknown cube)."""
    rows = store.read(q.CUBE_ACCESS, id=cube_id, principal=principal)
    return (bool(rows[0]["can_read"]), bool(rows[0]["can_write"])) if rows else (False, False)


def groups_of(store: GraphStore, principal: str) -> list[str]:
    """The groups a principal belongs to, directly or through nested groups (8 levels)."""
    return [r["id"] for r in store.read(GROUPS_OF, principal=principal)]


SERVER_COMPONENTS = "CALL dbms.components() YIELD name, versions, edition RETURN name, versions[0] AS version, edition"


def server_version(store: GraphStore) -> str:
    """Neo4j's version and edition, e.g. ``5.26.30 community`` (one read query)."""
    row = store.read(SERVER_COMPONENTS)[0]
    return f"{row['version']} {row['edition']}"
