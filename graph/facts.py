"""Reading and editing fact triples and entities as a principal.

Facts are the editable part of plaintext memory. An edit acts on one MemCube's assertion of a
fact (``(:MemCube)-[:ASSERTS]->(:Fact)``): *adding* asserts a (possibly new) fact, *retracting*
removes the assertion (the ``Fact`` and its ``RELATES`` edge go when no cube asserts it any
more), *replacing* does both in one transaction and links the new fact ``DERIVED_FROM`` the old
one when the old one survives. Every edit is an ``Activity {kind: 'edit'}`` associated with the
principal's ``Agent``, which ``USED`` the cube (W3C PROV ``prov:used``); new facts are
``GENERATED_BY`` it. The write permission is checked by a query inside the same transaction.
"""

from __future__ import annotations

import json
from typing import Any

from neo4j import ManagedTransaction

from memcubedb.cube import new_id, utcnow
from memcubedb.cypher import facts as fq
from memcubedb.cypher import store as q
from memcubedb.graph.mapping import fact_from_row
from memcubedb.graph.permissions import PermissionDenied
from memcubedb.graph.records import Entity, EntityRecord, Fact, FactRecord, stable_id
from memcubedb.graph.store import GraphStore, NotFound, WriteRejected, mention_names

EntityRef = EntityRecord | str
"""An entity to link: a record (merged by id, created when new) or the id of an existing entity."""


def fact_id(subject_id: str, predicate: str, object_id: str, negated: bool = False) -> str:
    """The stable id of a triple without validity bounds — the scheme MemReader uses
    (``stable_id("fact", s, p, o, "negated" | "affirmed", "")``), so a fact asserted through an
    edit and the same fact extracted from text are one ``Fact`` node."""
    return stable_id("fact", subject_id, predicate, object_id, "negated" if negated else "affirmed", "")


class FactEditor:
    """Fact and entity reads and edits over a :class:`GraphStore`, acting as a principal."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store

    # --- reads ----------------------------------------------------------------------------

    def get_fact(self, principal: str, fid: str) -> Fact:
        """One fact asserted by a cube the principal may read; ``cube_ids`` lists only readable cubes.

        Raises:
            NotFound: no such fact, or none the principal may read.
        """
        rows = self.store.read(fq.GET_FACT, id=fid, principal=principal)
        if not rows:
            raise NotFound(f"no fact {fid!r}")
        return fact_from_row(rows[0])

    def find_facts(
        self,
        principal: str,
        *,
        predicate: str | None = None,
        subject_id: str | None = None,
        object_id: str | None = None,
        entity_id: str | None = None,
        after: str | None = None,
        limit: int = 100,
    ) -> list[Fact]:
        """Readable facts matching every given filter, ordered by id; ``after`` is the last id of
        the previous page. ``limit`` within 1..1000.

        Raises:
            ValueError: ``limit`` out of range.
        """
        if not 1 <= limit <= 1000:
            raise ValueError("limit must be within 1..1000")
        rows = self.store.read(
            fq.FIND_FACTS, principal=principal, predicate=predicate, subject_id=subject_id,
            object_id=object_id, entity_id=entity_id, after=after, limit=limit,
        )
        return [fact_from_row(r) for r in rows]

    def get_entity(self, principal: str, eid: str) -> Entity:
        """An entity that a readable cube mentions or asserts a fact about, named only by the names
        readable cubes use for it (its id when none names it).

        Raises:
            NotFound: no such entity, or none the principal may see.
        """
        rows = self.store.read(fq.GET_ENTITY, id=eid, principal=principal)
        if not rows:
            raise NotFound(f"no entity {eid!r}")
        return Entity(**rows[0]["entity"])

    # --- edits ----------------------------------------------------------------------------

    def add_fact(
        self,
        principal: str,
        cube_id: str,
        subject: EntityRef,
        predicate: str,
        obj: EntityRef,
        *,
        negated: bool = False,
        confidence: float = 1.0,
    ) -> Fact:
        """Assert a fact in a cube the principal may write.

        ``subject`` / ``obj`` are an :class:`EntityRecord` (merged by id: created when new) or
        the id of an existing entity.

        Raises:
            NotFound: the cube does not exist or is not readable.
            PermissionDenied: readable but not writable.
            WriteRejected: an entity id that does not exist or that the principal cannot see.
        """
        def work(tx: ManagedTransaction) -> str:
            self._check_writable(tx, principal, cube_id)
            activity = self._record(tx, principal, cube_id, "add_fact", {"predicate": predicate})
            return self._assert(tx, principal, cube_id, activity, subject, predicate, obj, negated, confidence)

        fid = self.store.execute_write(work)
        return self.get_fact(principal, fid)

    def retract_fact(self, principal: str, cube_id: str, fid: str) -> None:
        """Remove a cube's assertion of a fact (the fact goes when no other cube asserts it).

        Raises:
            NotFound: the cube is not readable, or it does not assert that fact.
            PermissionDenied: readable but not writable.
        """
        def work(tx: ManagedTransaction) -> None:
            self._check_writable(tx, principal, cube_id)
            old = self._asserted(tx, cube_id, fid)
            self._record(tx, principal, cube_id, "retract_fact", _triple_params(old))
            tx.run(fq.RETRACT, cube_id=cube_id, fact_id=fid).consume()

        self.store.execute_write(work)

    def replace_fact(self, principal: str, cube_id: str, fid: str, **changes: Any) -> Fact:
        """Replace a cube's fact by an edited copy in one transaction; return the new fact.

        ``changes`` may hold ``subject`` / ``obj`` (:class:`EntityRecord`), ``predicate``,
        ``negated``, ``confidence``; what is not given is kept. The new fact is linked
        ``DERIVED_FROM`` the old one while the old one is still asserted elsewhere.

        Raises:
            NotFound / PermissionDenied: as for :meth:`retract_fact`.
            ValueError: an unknown change, or a change that leaves the fact as it was.
        """
        unknown = set(changes) - {"subject", "obj", "predicate", "negated", "confidence"}
        if unknown:
            raise ValueError(f"fields cannot be changed: {sorted(unknown)}")

        def work(tx: ManagedTransaction) -> str:
            self._check_writable(tx, principal, cube_id)
            old = self._asserted(tx, cube_id, fid)
            subject: EntityRef = changes.get("subject") or old["subject_id"]
            obj: EntityRef = changes.get("obj") or old["object_id"]
            predicate = changes.get("predicate") or old["predicate"]
            negated = changes["negated"] if changes.get("negated") is not None else old["negated"]
            confidence = changes["confidence"] if changes.get("confidence") is not None else old["confidence"]
            triple = (_id(subject), predicate, _id(obj), negated, confidence)
            if triple == (old["subject_id"], old["predicate"], old["object_id"], old["negated"], old["confidence"]):
                raise ValueError("the replacement is identical to the fact it replaces")
            activity = self._record(tx, principal, cube_id, "replace_fact", _triple_params(old))
            tx.run(fq.RETRACT, cube_id=cube_id, fact_id=fid).consume()
            new = self._assert(tx, principal, cube_id, activity, subject, predicate, obj, negated, confidence)
            if new != fid:
                tx.run(fq.LINK_REVISION, new_id=new, old_id=fid).consume()
            return new

        new_fid = self.store.execute_write(work)
        return self.get_fact(principal, new_fid)

    # --- transaction steps --------------------------------------------------------------

    @staticmethod
    def _check_writable(tx: ManagedTransaction, principal: str, cube_id: str) -> None:
        row = tx.run(q.CUBE_ACCESS, id=cube_id, principal=principal).single()
        if row is None or not row["can_read"]:
            raise NotFound(f"no MemCube {cube_id!r}")
        if not row["can_write"]:
            raise PermissionDenied(f"{principal!r} may not write MemCube {cube_id!r}")

    @staticmethod
    def _asserted(tx: ManagedTransaction, cube_id: str, fid: str) -> dict[str, Any]:
        row = tx.run(fq.ASSERTED_BY, cube_id=cube_id, fact_id=fid).single()
        if row is None:
            raise NotFound(f"MemCube {cube_id!r} asserts no fact {fid!r}")
        return dict(row["fact"])

    @staticmethod
    def _record(tx: ManagedTransaction, principal: str, cube_id: str, name: str, params: dict[str, str]) -> str:
        activity_id = new_id()
        tx.run(
            fq.RECORD_EDIT, activity_id=activity_id, name=name, now=utcnow(), params=json.dumps(params, sort_keys=True),
            principal=principal, cube_id=cube_id,
        ).consume()
        return activity_id

    @staticmethod
    def _assert(
        tx: ManagedTransaction, principal: str, cube_id: str, activity_id: str, subject: EntityRef, predicate: str,
        obj: EntityRef, negated: bool, confidence: float,
    ) -> str:
        """MERGE the entities given as records (ids given alone must be visible to ``principal``) and the
        fact; return its id."""
        records = [e for e in (subject, obj) if isinstance(e, EntityRecord)]
        bare = {e for e in (subject, obj) if isinstance(e, str)}
        if bare:
            found = {r["id"] for r in tx.run(fq.ENTITIES_VISIBLE, ids=sorted(bare), principal=principal)}
            if bare - found:
                raise WriteRejected(f"unknown entity id(s): {sorted(bare - found)}")
        rows = [{**e.model_dump(), "norm_name": e.name.casefold()} for e in records]
        tx.run(q.MERGE_ENTITIES, rows=rows).consume()
        fid = fact_id(_id(subject), predicate, _id(obj), negated)
        record = FactRecord(
            id=fid, subject_id=_id(subject), predicate=predicate, object_id=_id(obj), confidence=confidence,
            negated=negated,
        )
        row = {**record.model_dump(), "cube_id": cube_id, "activity_id": activity_id}
        tx.run(q.MERGE_FACTS, rows=[row]).consume()
        mentions = [{"cube_id": cube_id, "entity_id": _id(e), "names": _names(e)} for e in (subject, obj)]
        tx.run(q.LINK_MENTIONS, rows=mentions).consume()
        return fid


def _names(ref: EntityRef) -> list[str]:
    """The names an edit gives the cube for an entity: those of a record; none for a bare id (the
    entity is then named by what else the reader may read, never by the editor's view of it)."""
    return mention_names(ref) if isinstance(ref, EntityRecord) else []


def _id(ref: EntityRef) -> str:
    return ref.id if isinstance(ref, EntityRecord) else ref


def _triple_params(fact: dict[str, Any]) -> dict[str, str]:
    return {
        "fact_id": fact["id"], "subject_id": fact["subject_id"], "predicate": fact["predicate"],
        "object_id": fact["object_id"], "negated": str(fact["negated"]).lower(),
    }
