"""Mapping between the MemCube model and the flat properties of a ``(:MemCube)`` node.

Neo4j properties hold scalars and lists only, so the nested metadata groups are flattened
(``owner``, ``state``, ``access_count``, …), the score history and the payload's non-text
fields are stored as JSON strings, and ``readers``/``writers`` are not properties at all but
``CAN_READ``/``CAN_WRITE`` edges, read back by the queries.
"""

from __future__ import annotations

import json
from typing import Any

from neo4j.time import DateTime

from memcubedb.cube import Behaviour, Descriptive, Governance, MemCube, ScorePoint
from memcubedb.graph.records import Fact


def cube_to_props(cube: MemCube) -> dict[str, Any]:
    """Flatten a cube into node properties (datetimes stay Python datetimes for the driver)."""
    d, g, b = cube.descriptive, cube.governance, cube.behaviour
    payload = cube.payload.model_dump(mode="json", exclude={"text"})
    return {
        "id": d.id,
        "memory_type": d.memory_type.value,
        "created_at": d.created_at,
        "updated_at": d.updated_at,
        "source_signature": d.source_signature,
        "semantic_type": d.semantic_type,
        "tags": list(d.tags),
        "owner": g.owner,
        "state": g.state.value,
        "ttl_s": g.ttl_s,
        "priority": g.priority,
        "version": g.version,
        "access_count": b.access_count,
        "last_access": b.last_access,
        "relevance": b.relevance,
        "score_history": json.dumps([p.model_dump(mode="json") for p in b.score_history]),
        "lineage": list(b.lineage),
        "text": cube.text,
        "payload": json.dumps(payload, sort_keys=True),
        "embedding": cube.embedding,
        "vault_digest": getattr(cube.payload, "sha256", None),
        "model_id": getattr(cube.payload, "model_id", None) or getattr(cube.payload, "base_model", None),
    }


def native(value: Any) -> Any:
    """Convert a neo4j temporal value to its Python equivalent; other values pass through."""
    return value.to_native() if isinstance(value, DateTime) else value


def props_to_cube(props: dict[str, Any], readers: list[str], writers: list[str]) -> MemCube:
    """Rebuild a cube from node properties and the principal ids of its grant edges."""
    p = {k: native(v) for k, v in props.items()}
    payload = json.loads(p["payload"])
    if p.get("text") and payload.get("kind") != "parametric":
        payload["text"] = p["text"]
    return MemCube(
        descriptive=Descriptive(
            id=p["id"],
            memory_type=p["memory_type"],
            created_at=p["created_at"],
            updated_at=p["updated_at"],
            source_signature=p.get("source_signature"),
            semantic_type=p.get("semantic_type"),
            tags=p.get("tags") or [],
        ),
        governance=Governance(
            owner=p["owner"],
            readers=sorted(readers),
            writers=sorted(writers),
            state=p["state"],
            ttl_s=p.get("ttl_s"),
            priority=p["priority"],
            version=p["version"],
        ),
        behaviour=Behaviour(
            access_count=p.get("access_count") or 0,
            last_access=p.get("last_access"),
            relevance=p.get("relevance"),
            score_history=[ScorePoint.model_validate(x) for x in json.loads(p.get("score_history") or "[]")],
            lineage=p.get("lineage") or [],
        ),
        payload=payload,
        embedding=p.get("embedding"),
    )


def fact_from_row(row: dict[str, Any]) -> Fact:
    """Build a :class:`Fact` from a row ``{fact: node properties, subject, object, cube_ids}``."""
    f = {k: native(v) for k, v in row["fact"].items()}
    return Fact(
        id=f["id"], subject_id=f["subject_id"], subject=row["subject"], predicate=f["predicate"],
        object_id=f["object_id"], object=row["object"], confidence=f["confidence"], negated=f["negated"],
        valid_from=f.get("valid_from"), valid_to=f.get("valid_to"), cube_ids=row["cube_ids"],
        object_value=f.get("object_value"), datatype=f.get("datatype"), unit=f.get("unit"),
    )
