"""Permission predicates, embedded in every read and write query of the store.

A principal may read a MemCube when it, or any group it belongs to (``MEMBER_OF``, nested up
to 8 levels), ``OWNS`` it, ``CAN_READ`` or ``CAN_WRITE`` it — directly or through a ``Space``
the cube is ``IN_SPACE`` of. It may write when the edge is ``OWNS`` or ``CAN_WRITE``.
Each constant is a Cypher boolean expression over the variable ``c`` and the parameter
``$principal``; queries are assembled from constants at import time, never from values.

The same module holds the expression that names entities for a principal (:func:`shown_name`):
an ``Entity`` node is shared between tenants, so every
name or alias shown comes from the ``MENTIONS.names`` of cubes the principal may read, never from
the node (see ``cypher/README.md``, *Entity names and tenants*).

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

def can_read(cube: str) -> str:
    """:data:`CAN_READ_CUBE` over another cube variable ``cube`` (for subqueries beside ``c``)."""
    return (
        "(EXISTS { " + _REACHED + "MATCH (acl_g)-[:OWNS|CAN_READ|CAN_WRITE]->(" + cube + ") }"
        " OR EXISTS { " + _REACHED + "MATCH (acl_g)-[:OWNS|CAN_READ|CAN_WRITE]->(:Space)<-[:IN_SPACE]-(" + cube + ") })"
    )


# --- entity names: computed from the caller's readable mentions -------------------------------
#
# An Entity node is shared by every cube that mentions it, so its own ``name``/``aliases`` mix
# the words of every tenant. The strings a principal is shown come instead from the ``names``
# of the ``MENTIONS`` edges of cubes it may read (the surface forms written in that cube). Each
# builder below is called with variable names (literals) only.

_NAMES_HEAD = "COLLECT { MATCH (vn_c:MemCube)-[vn_m:MENTIONS]->("
_NAMES_TAIL = (
    ") WHERE "
    + can_read("vn_c")
    + " UNWIND coalesce(vn_m.names, []) AS vn_name WITH DISTINCT vn_name ORDER BY vn_name RETURN vn_name }"
)


def shown_name(entity: str) -> str:
    """A Cypher expression: the name to show for ``entity`` — the node's canonical name when a cube
    ``$principal`` may read uses it, else the first such name, else the entity id."""
    return (
        "CASE WHEN " + entity + ".name IN " + _NAMES_HEAD + entity + _NAMES_TAIL + " THEN " + entity
        + ".name ELSE coalesce(head(" + _NAMES_HEAD + entity + _NAMES_TAIL + "), " + entity + ".id) END"
    )
