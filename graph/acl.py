"""Permission predicates, embedded in every read and write query of the store.

A principal may read a MemCube when it, or any group it belongs to (``MEMBER_OF``, nested up
to 8 levels), ``OWNS`` it, ``CAN_READ`` or ``CAN_WRITE`` it — directly or through a ``Space``
the cube is ``IN_SPACE`` of. It may write when the edge is ``OWNS`` or ``CAN_WRITE``.
Each constant is a Cypher boolean expression over the variable ``c`` and the parameter
``$principal``; queries are assembled from constants at import time, never from values.
"""

from __future__ import annotations

CAN_READ_CUBE = (
    "(EXISTS { MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(:Principal)"
    "-[:OWNS|CAN_READ|CAN_WRITE]->(c) }"
    " OR EXISTS { MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(:Principal)"
    "-[:OWNS|CAN_READ|CAN_WRITE]->(:Space)<-[:IN_SPACE]-(c) })"
)

CAN_WRITE_CUBE = (
    "(EXISTS { MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(:Principal)-[:OWNS|CAN_WRITE]->(c) }"
    " OR EXISTS { MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(:Principal)"
    "-[:OWNS|CAN_WRITE]->(:Space)<-[:IN_SPACE]-(c) })"
)

OWNS_CUBE = "EXISTS { MATCH (:Principal {id: $principal})-[:MEMBER_OF*0..8]->(:Principal)-[:OWNS]->(c) }"
