"""Principals, groups and grants: the permission edges of the memory graph.

``(:Principal {id, kind: 'user'|'group'|'service', name})``; ``(p)-[:MEMBER_OF]->(g)`` for
(nested) groups; ``(p)-[:OWNS|CAN_READ|CAN_WRITE]->(:MemCube)`` or ``->(:Space)`` for grants.
Only a principal that owns a cube (directly or through a group) may grant or revoke on it;
the check is part of the grant query itself.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Literal

from memcubedb.cypher import access as q

if TYPE_CHECKING:
    from memcubedb.graph.store import GraphStore


class Role(StrEnum):
    """What a key may do. ``reader`` reads; ``writer`` also writes memories; ``analyst`` reads
    and runs read-only Cypher; ``admin`` may do everything, including key and group management."""

    READER = "reader"
    WRITER = "writer"
    ANALYST = "analyst"
    ADMIN = "admin"


class Right(StrEnum):
    """A grant edge type."""

    CAN_READ = "CAN_READ"
    CAN_WRITE = "CAN_WRITE"
    OWNS = "OWNS"


class PermissionDenied(PermissionError):
    """The principal may not do this (or the cube does not exist for it)."""


class Permissions:
    """Principal, group and grant management, through the store's sessions."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store

    def ensure_principal(self, pid: str, kind: Literal["user", "group", "service"] = "user", name: str = "") -> str:
        """Create the principal if missing; return its id."""
        self._store.write(q.ENSURE_PRINCIPAL, id=pid, kind=kind, name=name or pid)
        return pid

    def add_member(self, member: str, group: str) -> None:
        """Make ``member`` a member of ``group`` (both created if missing)."""
        self._store.write(q.ADD_MEMBER, member=member, group=group)

    def remove_member(self, member: str, group: str) -> None:
        """Remove one ``MEMBER_OF`` edge (no error when absent)."""
        self._store.write(q.REMOVE_MEMBER, member=member, group=group)

    def _owner_only(self, query: str, principal: str, **params: object) -> None:
        records = self._store.write(query, principal=principal, **params)
        if not records:
            raise PermissionDenied(f"{principal!r} does not own cube {params.get('cube_id')!r}")

    def grant(self, principal: str, cube_id: str, grantee: str, right: Right) -> None:
        """Grant ``right`` on a cube to ``grantee``.

        Raises:
            PermissionDenied: ``principal`` does not own the cube, or it does not exist.
        """
        self._owner_only(q.GRANT_CUBE, principal, cube_id=cube_id, grantee=grantee, right=Right(right).value)

    def revoke(self, principal: str, cube_id: str, grantee: str, right: Right) -> None:
        """Remove ``grantee``'s ``right`` edge on a cube.

        Raises:
            PermissionDenied: ``principal`` does not own the cube, or it does not exist.
        """
        self._owner_only(q.REVOKE_CUBE, principal, cube_id=cube_id, grantee=grantee, right=Right(right).value)

    def grant_space(self, space_id: str, grantee: str, right: Right) -> None:
        """Grant ``right`` on a whole Space (administrative; the API restricts who may call it)."""
        self._store.write(q.GRANT_SPACE, space_id=space_id, grantee=grantee, right=Right(right).value)

    def add_to_space(self, principal: str, cube_id: str, space_id: str) -> None:
        """Put a cube the principal owns into a Space.

        Raises:
            PermissionDenied: ``principal`` does not own the cube.
        """
        self._owner_only(q.ADD_TO_SPACE, principal, cube_id=cube_id, space_id=space_id)
