"""Small lookups for the API: cubes by id, access rights, a version's successor, the scheduler's
recorded scores, a principal's groups, the server's version.

The queries are those of :mod:`memcubedb.cypher.store` (*lookups for the API*); every one over
cubes checks the caller's read permission inside the query.
"""

from __future__ import annotations

from typing import Any

from memcubedb.cube import MemCube
from memcubedb.cypher import store as q
from memcubedb.cypher.admin import SERVER_COMPONENTS
from memcubedb.graph.mapping import native, props_to_cube
from memcubedb.graph.store import GraphStore
from memcubedb.states import LIVE_STATES


def fact_states(store: GraphStore, principal: str, fact_ids: list[str]) -> list[str]:
    """The lifecycle states of the readable cubes asserting ``fact_ids``, sorted — empty when none
    is readable or when one of them is live (the facts are then encodable as far as state goes)."""
    row = store.read(q.FACT_STATES, ids=fact_ids, principal=principal, live=list(LIVE_STATES))[0]
    return [] if row["live"] else sorted(row["states"])


def successor(store: GraphStore, principal: str, cube_id: str) -> str | None:
    """The id of the version that supersedes a readable cube, or ``None`` (latest, or unreadable)."""
    rows = store.read(q.SUCCESSOR, id=cube_id, principal=principal)
    return rows[0]["id"] if rows else None


def recorded_scores(store: GraphStore, principal: str, memory_type: str | None, limit: int) -> list[dict[str, Any]]:
    """The scheduler's latest promotion scores of readable cubes, highest first, at most ``limit``."""
    rows = store.read(q.SCORES, principal=principal, memory_type=memory_type, limit=limit)
    return [{k: native(v) for k, v in r.items()} for r in rows]


def cubes_by_ids(store: GraphStore, principal: str, ids: list[str]) -> list[MemCube]:
    """The readable cubes among ``ids``, in the order of ``ids`` (others left out)."""
    rows = store.read(q.CUBES_BY_IDS, ids=ids, principal=principal)
    by_id = {r["props"]["id"]: props_to_cube(r["props"], r["readers"], r["writers"]) for r in rows}
    return [by_id[i] for i in ids if i in by_id]


def access(store: GraphStore, principal: str, cube_id: str) -> tuple[bool, bool]:
    """``(can_read, can_write)`` of the principal on a cube (both false for an unknown cube)."""
    rows = store.read(q.CUBE_ACCESS, id=cube_id, principal=principal)
    return (bool(rows[0]["can_read"]), bool(rows[0]["can_write"])) if rows else (False, False)


def groups_of(store: GraphStore, principal: str) -> list[str]:
    """The groups a principal belongs to, directly or through nested groups (8 levels)."""
    return [r["id"] for r in store.read(q.GROUPS_OF, principal=principal)]


def server_version(store: GraphStore) -> str:
    """Neo4j's version and edition, e.g. ``5.26.30 community`` (one read query)."""
    row = store.read(SERVER_COMPONENTS)[0]
    return f"{row['version']} {row['edition']}"
