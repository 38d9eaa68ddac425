"""Small builders of CubeWrite records for tests."""

from __future__ import annotations

from memcubedb.cube import MemCube
from memcubedb.graph.records import (
    ActivityRecord,
    AgentRecord,
    CubeWrite,
    EntityRecord,
    FactRecord,
    SourceRecord,
    content_hash,
    stable_id,
)

AGENT = AgentRecord(id="agent:test", kind="software", name="tests")
ACTIVITY = ActivityRecord(id="activity:test", kind="extraction", name="tests")


def entity(name: str, etype: str = "PERSON") -> EntityRecord:
    """An entity whose id is derived from its name."""
    return EntityRecord(id=stable_id("entity", name.casefold()), name=name, type=etype)


def cube_write(
    text: str,
    owner: str = "alice",
    facts: list[tuple[str, str, str]] | None = None,
    uri: str = "test://doc",
    readers: list[str] | None = None,
) -> CubeWrite:
    """A plaintext cube with a source and the given (subject, predicate, object) facts."""
    source = SourceRecord(
        id=stable_id("source", uri, text), kind="document", uri=uri, content_hash=content_hash(text),
        start=0, end=len(text),
    )
    cube = MemCube.plaintext(text, owner=owner, id=stable_id("cube", source.id), semantic_type="note")
    cube.governance.readers = list(readers or [])
    entities: dict[str, EntityRecord] = {}
    fact_records = []
    for s, p, o in facts or []:
        se, oe = entity(s), entity(o)
        entities[se.id], entities[oe.id] = se, oe
        fact_records.append(
            FactRecord(id=stable_id("fact", se.id, p, oe.id), subject_id=se.id, predicate=p, object_id=oe.id)
        )
    return CubeWrite(
        cube=cube, source=source, activity=ACTIVITY, agent=AGENT,
        entities=list(entities.values()), facts=fact_records,
    )
