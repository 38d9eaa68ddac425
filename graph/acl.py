"""Permission predicates, embedded in every read and write query of the store.

A principal may read a MemCube when it, or any group it belongs to (``MEMBER_OF``, nested up
to 8 levels), ``OWNS`` it, ``CAN_READ`` or ``CAN_WRITE`` it — directly or through a ``Space``
the cube is ``IN_SPACE`` of. It may write when the edge is ``OWNS`` or ``CAN_WRITE``.
Each constant is a Cypher boolean expression over the variable ``c`` and the parameter
``$principal``; queries are assembled from constants at import time, never from values.

The groups a principal reaches are taken ``DISTINCT`` before the grant edge is matched: Neo4j
then walks the ``MEMBER_OF`` graph breadth-first with pruning instead of enumerating every
path, which with cyclic memberships (``team -> org -> team``) grows exponentially with the
nesting depth (a 4-group cycle took a 2,000-cube listing from 35 ms to 14 s).
"""

from __future__ import annotations

_REACHED = "MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(acl_g:Principal) WITH DISTINCT acl_g "


def _granted(rights: str) -> str:
    """``c`` carries one of ``rights`` for a reached principal, directly or through a Space."""
    return (
        "(EXISTS { " + _REACHED + "MATCH (acl_g)-[:" + rights + "]->(c) }"
        " OR EXISTS { " + _REACHED + "MATCH (acl_g)-[:" + rights + "]->(:Space)<-[:IN_SPACE]-(c) })"
    )


CAN_READ_CUBE = _granted("OWNS|CAN_READ|CAN_WRITE")

CAN_WRITE_CUBE = _granted("OWNS|CAN_WRITE")

OWNS_CUBE = "EXISTS { " + _REACHED + "MATCH (acl_g)-[:OWNS]->(c) }"
