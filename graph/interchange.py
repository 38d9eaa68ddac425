"""MemDumper and MemLoader: MemCubes with their facts and provenance, in and out as one JSON document.

The interchange document (:class:`InterchangeDocument`) holds, per cube, exactly what
:meth:`GraphStore.write_cubes` takes — the MemCube in its JSON form, its ``Source`` (with the
offsets of the cube in it), the ``Activity`` that generated it and the ``Agent`` it is attributed
to, the entities it mentions, the facts it asserts (with evidence offsets), the cubes it was
``DERIVED_FROM`` — plus the versions it ``SUPERSEDES``. Loading writes the whole document in one
transaction (all or nothing); cubes whose id already exists are skipped, so loading twice
changes nothing. Every load is an ``Activity {kind: 'import'}`` that ``USED`` the written cubes.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from neo4j import ManagedTransaction
from pydantic import BaseModel

from memcubedb.cube import new_id, utcnow
from memcubedb.cypher import interchange as q
from memcubedb.graph.mapping import native, props_to_cube
from memcubedb.graph.permissions import PermissionDenied
from memcubedb.graph.records import (
    MAX_CUBES,
    ActivityRecord,
    AgentRecord,
    EntityRecord,
    FactRecord,
    InterchangeCube,
    InterchangeDocument,
    LoadResult,
    SourceRecord,
)
from memcubedb.graph.store import GraphStore, Prepare


def _fields(model: type[BaseModel], row: dict[str, Any] | None) -> dict[str, Any]:
    return {k: native(v) for k, v in (row or {}).items() if k in model.model_fields and v is not None}


def _activity(row: dict[str, Any] | None) -> ActivityRecord:
    if not row:
        return ActivityRecord(id=new_id(), kind="import", name="no recorded activity")
    data = _fields(ActivityRecord, row)
    params = data.get("params")
    data["params"] = {str(k): str(v) for k, v in json.loads(params).items()} if isinstance(params, str) else {}
    return ActivityRecord(**data)


def _agent(row: dict[str, Any] | None) -> AgentRecord:
    data = _fields(AgentRecord, row)
    if "id" not in data:
        return AgentRecord(id="agent:memdumper", kind="software", name="MemDumper")
    data.setdefault("name", data["id"])
    if data.get("kind") not in ("person", "software", "model"):
        data["kind"] = "software"
    return AgentRecord(**data)


def _entity(row: dict[str, Any]) -> EntityRecord:
    """An entity as the exported cube names it (its ``MENTIONS`` names; when it names it nowhere,
    the name the exporter is shown)."""
    names = row["names"] or [row["shown"]]
    return EntityRecord(id=row["id"], name=names[0], type=row["type"] or "OTHER", aliases=names[1:])


def _cube(row: dict[str, Any]) -> InterchangeCube:
    entities = {e["id"]: _entity(e) for e in row["entities"]}
    return InterchangeCube(
        cube=props_to_cube(row["props"], row["readers"], row["writers"]),
        source=SourceRecord(**_fields(SourceRecord, row["source"])) if row["source"] else None,
        activity=_activity(row["activity"]),
        agent=_agent(row["agent"]),
        entities=sorted(entities.values(), key=lambda e: e.id),
        facts=sorted((FactRecord(**_fields(FactRecord, f)) for f in row["facts"]), key=lambda f: f.id),
        derived_from=sorted(row["derived_from"]),
        supersedes=sorted(row["supersedes"]),
    )


class MemDumper:
    """Exports the cubes a principal may read as an :class:`InterchangeDocument`."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store

    def dump(self, principal: str, cube_ids: list[str]) -> InterchangeDocument:
        """The readable cubes among ``cube_ids`` (unreadable or unknown ids are left out), oldest first.

        Raises:
            ValueError: more than :data:`MAX_CUBES` ids.
        """
        if len(cube_ids) > MAX_CUBES:
            raise ValueError(f"at most {MAX_CUBES} cubes per export")
        rows = self.store.read(q.EXPORT_CUBES, ids=list(dict.fromkeys(cube_ids)), principal=principal)
        return InterchangeDocument(exported_by=principal, cubes=[_cube(r) for r in rows])


class MemLoader:
    """Imports an :class:`InterchangeDocument` as a principal, in one transaction."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store

    def load(
        self, principal: str, document: InterchangeDocument, *, take_ownership: bool = False,
        keep_owners: bool = False, prepare: Prepare | None = None,
    ) -> LoadResult:  # fmt: skip
        """Write the document's cubes; return which were written and which already existed.

        ``prepare`` runs on the new cubes inside the transaction (as for
        :meth:`GraphStore.write_cubes`): pass the store's embedding step, so that imported cubes
        are embedded by this store's embedder — an embedding in the document is not trusted,
        since it may come from another model.

        Cubes owned by someone else are refused unless ``take_ownership`` (the principal becomes
        the owner) or ``keep_owners`` (an administrator restoring a dump).

        Raises:
            ValueError: the same cube id twice in the document.
            PermissionDenied: cubes owned by another principal, without either option.
            WriteRejected: a fact names an entity neither in the document nor in the graph.
        """
        dupes = sorted(k for k, n in Counter(c.cube.id for c in document.cubes).items() if n > 1)
        if dupes:
            raise ValueError(f"cube ids appear more than once: {dupes[:10]}")
        cubes = [self._owned(principal, c, take_ownership, keep_owners) for c in document.cubes]

        def work(tx: ManagedTransaction) -> list[str]:
            written = self.store.write_cubes_in(tx, list(cubes), prepare)
            fresh = set(written)
            rows = [{"id": c.cube.id, "old_id": old} for c in cubes if c.cube.id in fresh for old in c.supersedes]
            tx.run(q.LINK_SUPERSEDES, rows=rows).consume()
            if written:
                params = json.dumps({"format": document.format, "exported_by": document.exported_by or ""})
                tx.run(
                    q.RECORD_IMPORT, activity_id=new_id(), name="MemLoader", now=utcnow(), params=params,
                    principal=principal, ids=written,
                ).consume()
            return written

        written = self.store.execute_write(work)
        done = set(written)
        return LoadResult(written=written, skipped=[c.cube.id for c in cubes if c.cube.id not in done])

    @staticmethod
    def _owned(principal: str, item: InterchangeCube, take_ownership: bool, keep_owners: bool) -> InterchangeCube:
        owner = item.cube.governance.owner
        if owner == principal or keep_owners:
            return item
        if not take_ownership:
            raise PermissionDenied(
                f"MemCube {item.cube.id!r} is owned by {owner!r}; import it with take_ownership to own it"
            )
        copy = item.model_copy(deep=True)
        copy.cube.governance.owner = principal
        return copy
