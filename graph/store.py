"""GraphStore: MemCubes, facts, entities and provenance in Neo4j.

Every method takes the calling principal's id and the permission predicates run inside the
queries (``cypher/README.md``, *Permissions inside every query*), so nothing the principal may
not read ever leaves the database. Every write is one transaction; batch writes use ``UNWIND``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any, Concatenate, ParamSpec, TypeVar

from neo4j import Bookmarks, Driver, GraphDatabase, ManagedTransaction, Session

from memcubedb.cube import LifecycleState, MemCube, new_id, utcnow
from memcubedb.cypher import store as q
from memcubedb.graph.mapping import cube_to_props, fact_from_row, props_to_cube
from memcubedb.graph.migrations import apply_migrations
from memcubedb.graph.permissions import PermissionDenied, Permissions
from memcubedb.graph.records import (
    ActivityRecord,
    AgentRecord,
    CubeWrite,
    Entity,
    EntityRecord,
    Fact,
    owned_source_id,
)
from memcubedb.metrics import CUBES_WRITTEN, FACTS_WRITTEN
from memcubedb.request_context import current_request
from memcubedb.settings import Settings
from memcubedb.states import KEPT_STATES, Operation, TransitionError, check_operation, check_transition
from memcubedb.tracing import span

#: A step run on the new cubes of a write, inside its transaction (see :meth:`GraphStore.write_cubes`).
Prepare = Callable[[list[CubeWrite]], None]

P = ParamSpec("P")
T = TypeVar("T")

#: The cubes written by the current attempt of a write transaction (counted once it commits).
_WRITTEN: ContextVar[list[CubeWrite] | None] = ContextVar("memcubedb_written", default=None)


class NotFound(LookupError):
    """No such object — or none the principal may read (the two are not told apart)."""


class WriteRejected(ValueError):
    """A batch could not be written as given; nothing of it was stored."""


def _rows_for(writes: list[CubeWrite]) -> dict[str, list[dict[str, Any]]]:
    activities: dict[str, dict[str, Any]] = {}
    sources: dict[str, dict[str, Any]] = {}
    cubes, entities, mentions, facts, merges, sentences = [], {}, [], [], [], []
    for w in writes:
        act = w.activity.model_dump()
        act["params"] = json.dumps(act["params"], sort_keys=True)
        act["agent"] = w.agent.model_dump()
        activities[w.activity.id] = act
        source_id = owned_source_id(w.cube.governance.owner, w.source.id) if w.source is not None else None
        if w.source is not None and source_id is not None:
            sources[source_id] = {**w.source.model_dump(), "id": source_id}
        cubes.append(
            {
                "props": cube_to_props(w.cube),
                "activity_id": w.activity.id,
                "agent_id": w.agent.id,
                "readers": w.cube.governance.readers,
                "writers": w.cube.governance.writers,
                "source_id": source_id,
                "source_start": w.source.start if w.source else None,
                "source_end": w.source.end if w.source else None,
                "derived_from": w.derived_from,
            }
        )
        if w.sentences is not None and w.cube.embedding is not None:
            sentences.append({"cube_id": w.cube.id, "sentences": [x.model_dump() for x in w.sentences]})
        for e in w.entities:
            row = e.model_dump()
            row["norm_name"] = e.name.casefold()
            merged = entities.setdefault(e.id, row)
            merged["aliases"] = sorted((set(merged["aliases"]) | {e.name, *e.aliases}) - {merged["name"]})
            mentions.append({"cube_id": w.cube.id, "entity_id": e.id, "names": mention_names(e)})
        for f in w.facts:
            facts.append({**f.model_dump(), "cube_id": w.cube.id, "activity_id": w.activity.id})
        for m in w.merges:
            merges.append({**m.model_dump(), "activity_id": w.activity.id})
    return {
        "activities": list(activities.values()),
        "sources": list(sources.values()),
        "cubes": cubes,
        "sentences": sentences,
        "entities": list(entities.values()),
        "mentions": mentions,
        "facts": facts,
        "merges": merges,
    }


def mention_names(entity: EntityRecord) -> list[str]:
    """The names a cube uses for an entity, as written on its ``MENTIONS`` edge: the record's
    ``name`` and ``aliases`` (in a :class:`CubeWrite` these are the cube's own surface forms)."""
    return list(dict.fromkeys([entity.name, *entity.aliases]))


class GraphStore:
    """The Neo4j-backed memory store. Create with :meth:`connect`; close with :meth:`close`.

    **Sessions are configured here and nowhere else** (database, access mode, bookmarks): every
    module reaches Neo4j through :meth:`session`, :meth:`read`, :meth:`write`,
    :meth:`execute_read` or :meth:`execute_write`. Against a cluster (a ``neo4j://`` routing URI,
    Aura) reads run as read transactions, which the driver routes to secondaries, and writes as
    write transactions on the leader. Causal consistency ("read your own writes") comes from
    bookmarks: every session of this process shares one bookmark manager (a read sees every
    earlier write of this process), and inside a request (:mod:`memcubedb.request_context`) the
    session also waits for the bookmarks the client sent — the ones an earlier write returned,
    maybe through another API process — and records the bookmark of each write for the response.
    """

    def __init__(self, driver: Driver, settings: Settings) -> None:
        self.driver = driver
        self.settings = settings
        self.db = settings.neo4j.database
        self.bookmark_manager = GraphDatabase.bookmark_manager()
        self.permissions = Permissions(self)

    @classmethod
    def connect(cls, settings: Settings, migrate: bool = True) -> GraphStore:
        """Connect to the configured Neo4j (``bolt://`` or a ``neo4j://`` routing URI) and (by
        default) apply pending migrations.

        Raises:
            neo4j.exceptions.ServiceUnavailable: nothing answers at ``settings.bolt_uri``.
            neo4j.exceptions.AuthError: the credentials of ``settings.neo4j_auth`` are refused.
        """
        driver = GraphDatabase.driver(settings.bolt_uri, auth=settings.neo4j_auth, notifications_min_severity="OFF")
        driver.verify_connectivity()
        store = cls(driver, settings)
        if migrate:
            store.migrate()
        return store

    def close(self) -> None:
        """Close the driver."""
        self.driver.close()

    def migrate(self) -> list[str]:
        """Apply pending schema migrations; return the names applied."""
        return apply_migrations(self.driver, self.db, {"embedding_dim": self.settings.embedding_dim})

    @contextmanager
    def session(self, read_only: bool = False) -> Iterator[Session]:
        """A Neo4j session on the configured database: ``READ`` access mode (routed to secondaries
        in a cluster) when ``read_only``, else ``WRITE``; this process's bookmark manager, plus the
        bookmarks of the current request. When a write session closes, its last bookmark becomes
        the request's (returned to the client, see :mod:`memcubedb.api.observability`)."""
        request = current_request()
        received = Bookmarks.from_raw_values(request.bookmarks) if request is not None else None
        with self.driver.session(
            database=self.db, default_access_mode="READ" if read_only else "WRITE",
            bookmarks=received, bookmark_manager=self.bookmark_manager,
        ) as s:  # fmt: skip
            yield s
            if request is not None and not read_only:
                request.wrote(s.last_bookmarks().raw_values)

    def execute_read(
        self, work: Callable[Concatenate[ManagedTransaction, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """``work(tx, *args, **kwargs)`` in one read transaction (retried on transient errors)."""
        with self._span("neo4j.read", work), self.session(read_only=True) as s:
            return s.execute_read(work, *args, **kwargs)

    def execute_write(
        self, work: Callable[Concatenate[ManagedTransaction, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """``work(tx, *args, **kwargs)`` in one write transaction (retried on transient errors;
        ``work`` must be safe to re-run). The cubes it writes through :meth:`write_cubes_in` are
        counted (``memcubedb_cubes_written_total``) once the transaction has committed."""
        written: list[CubeWrite] = []

        def attempt(tx: ManagedTransaction) -> T:
            written.clear()
            token = _WRITTEN.set(written)
            try:
                return work(tx, *args, **kwargs)
            finally:
                _WRITTEN.reset(token)

        with self._span("neo4j.write", work), self.session() as s:
            result = s.execute_write(attempt)
        for w in written:
            CUBES_WRITTEN.labels(memory_type=w.cube.descriptive.memory_type.value).inc()
            FACTS_WRITTEN.inc(len(w.facts))
        return result

    def read(self, query: str, **params: Any) -> list[dict[str, Any]]:
        """Run a parameterised read query in a read transaction; rows as dicts."""
        with self._span("neo4j.read", query=query), self.session(read_only=True) as s:
            return s.execute_read(lambda tx: [r.data() for r in tx.run(query, params)])

    def write(self, query: str, **params: Any) -> list[dict[str, Any]]:
        """Run a parameterised write query in one write transaction; rows as dicts."""
        with self._span("neo4j.write", query=query), self.session() as s:
            return s.execute_write(lambda tx: [r.data() for r in tx.run(query, params)])

    def _span(self, name: str, work: Callable[..., Any] | None = None, query: str | None = None) -> Any:
        """A ``neo4j.read``/``neo4j.write`` span: the query text (constant Cypher) or the
        transaction function's name."""
        attributes: dict[str, str] = {"db.system.name": "neo4j", "db.namespace": self.db}
        if query is not None:
            attributes["db.query.text"] = query
        if work is not None:
            attributes["code.function.name"] = getattr(work, "__qualname__", repr(work))
        return span(name, **attributes)

    # --- writes -------------------------------------------------------------------------

    def write_cubes(self, writes: list[CubeWrite], prepare: Prepare | None = None) -> list[str]:
        """Write MemCubes with their sources, provenance, entities and facts in ONE transaction.

        Cubes whose id already exists, or repeats within the batch, are skipped (idempotent
        re-ingestion: readers derive cube ids from the source id and content hash). Returns the
        ids actually written.

        Args:
            prepare: called, inside the transaction, on the writes that will be written (new
                cubes only) before anything is stored — e.g.
                :func:`memcubedb.search.sentences.embed_writes`, so that each new cube is written with
                its embedding and sentence vectors and nothing already stored is embedded again.

        Raises:
            WriteRejected: a fact names an entity that is neither in the batch nor in the
                graph; the whole batch is rolled back.
            Whatever ``prepare`` raises; nothing is written then.
        """
        if not writes:
            return []
        return self.execute_write(self.write_cubes_in, writes, prepare)

    def write_cubes_in(
        self, tx: ManagedTransaction, writes: list[CubeWrite], prepare: Prepare | None = None
    ) -> list[str]:
        """The body of :meth:`write_cubes`, run inside the caller's transaction.

        Lets a caller commit cubes together with other changes (e.g. a scheduler job's state).

        Raises:
            WriteRejected: as for :meth:`write_cubes`.
        """
        if not writes:
            return []
        unique = list({w.cube.id: w for w in reversed(writes)}.values())[::-1]  # first write of each id
        existing = {r["id"] for r in tx.run(q.EXISTING_CUBES, ids=[w.cube.id for w in unique])}
        fresh = [w for w in unique if w.cube.id not in existing]
        if not fresh:
            return []
        if prepare is not None:
            prepare(fresh)
        rows = _rows_for(fresh)
        pending = _WRITTEN.get()
        if pending is not None:
            pending.extend(fresh)
        tx.run(q.MERGE_ACTIVITIES, rows=rows["activities"]).consume()
        tx.run(q.MERGE_SOURCES, rows=rows["sources"]).consume()
        tx.run(q.CREATE_CUBES, rows=rows["cubes"]).consume()
        if rows["sentences"]:
            tx.run(q.WRITE_SENTENCES, rows=rows["sentences"]).consume()
        tx.run(q.MERGE_ENTITIES, rows=rows["entities"]).consume()
        tx.run(q.LINK_MENTIONS, rows=rows["mentions"]).consume()
        written = tx.run(q.MERGE_FACTS, rows=rows["facts"]).single(strict=True)["written"]
        if written != len(rows["facts"]):
            raise WriteRejected(
                f"{len(rows['facts']) - written} fact(s) reference unknown entities; batch not written"
            )
        tx.run(q.RECORD_MERGES, rows=rows["merges"]).consume()
        return [w.cube.id for w in fresh]

    def create_cube(self, principal: str, write: CubeWrite) -> MemCube:
        """Write one cube (owned by ``principal``) and return it as stored.

        Raises:
            PermissionDenied: the cube's owner is not ``principal``.
        """
        if write.cube.governance.owner != principal:
            raise PermissionDenied(f"{principal!r} cannot create a cube owned by {write.cube.governance.owner!r}")
        self.write_cubes([write])
        return self.get_cube(principal, write.cube.id)

    def _raise_for_access(self, principal: str, cube_id: str) -> None:
        rows = self.read(q.CUBE_ACCESS, id=cube_id, principal=principal)
        if not rows or not rows[0]["can_read"]:
            raise NotFound(f"no MemCube {cube_id!r}")
        raise PermissionDenied(f"{principal!r} may not write MemCube {cube_id!r}")

    def update_cube(self, principal: str, cube_id: str, prepare: Prepare | None = None, **changes: Any) -> MemCube:
        """Write a new version of a cube; the old one stays, linked by ``SUPERSEDES``.

        ``changes`` may set ``text``, ``tags``, ``semantic_type``, ``priority``, ``ttl_s``.
        Grants, spaces and sources carry over to the new version; an ``edit`` Activity records it.
        ``prepare`` (as for :meth:`write_cubes`) runs on the new version in the same transaction,
        so it is written with its own embedding and sentence vectors.

        Raises:
            NotFound: no such cube readable by the principal.
            PermissionDenied: readable but not writable, or already superseded.
            TransitionError: the cube is expired or deleted (:data:`memcubedb.states.OPERATIONS`).
            pydantic.ValidationError: a change is malformed.
        """
        old = self.get_cube(principal, cube_id)
        data = old.model_dump()
        now = utcnow()
        data["descriptive"].update(id=new_id(), created_at=now, updated_at=now)
        for key in ("tags", "semantic_type"):
            if key in changes:
                data["descriptive"][key] = changes.pop(key)
        for key in ("priority", "ttl_s"):
            if key in changes:
                data["governance"][key] = changes.pop(key)
        if "text" in changes:
            data["payload"]["text"] = changes.pop("text")
        if "text" in data["payload"] and (prepare is not None or data["payload"]["text"] != old.text):
            data["embedding"] = None  # re-embedded by ``prepare`` (or left to the embedding sweep)
        if changes:
            raise ValueError(f"fields cannot be updated: {sorted(changes)}")
        data["governance"]["version"] = old.governance.version + 1
        data["behaviour"]["lineage"] = [*old.behaviour.lineage, old.id]
        new = MemCube.model_validate(data)

        edit = CubeWrite(
            cube=new, activity=ActivityRecord(kind="edit", name="update"),
            agent=AgentRecord(id=principal, kind="person", name=principal),
        )  # fmt: skip

        def work(tx: ManagedTransaction) -> list[Any]:
            self.require_in(tx, principal, cube_id, Operation.EDIT)
            if prepare is not None:
                prepare([edit])
            rows = list(
                tx.run(q.UPDATE_CUBE, id=cube_id, principal=principal, props=cube_to_props(new), now=now,
                       activity_id=new_id())
            )
            if rows and edit.sentences is not None and new.embedding is not None:
                sentences = [{"cube_id": new.id, "sentences": [x.model_dump() for x in edit.sentences]}]
                tx.run(q.WRITE_SENTENCES, rows=sentences).consume()
            return rows

        rows = self.execute_write(work)
        if not rows:
            self._raise_for_access(principal, cube_id)
        return self.get_cube(principal, new.id)

    def state_in(self, tx: ManagedTransaction, principal: str, cube_id: str) -> LifecycleState:
        """The cube's state, read in ``tx``, after checking that ``principal`` may write it.

        Raises:
            NotFound: no such cube readable by the principal.
            PermissionDenied: readable but not writable.
        """
        row = tx.run(q.CUBE_ACCESS, id=cube_id, principal=principal).single()
        if row is None or not row["can_read"]:
            raise NotFound(f"no MemCube {cube_id!r}")
        if not row["can_write"]:
            raise PermissionDenied(f"{principal!r} may not write MemCube {cube_id!r}")
        return LifecycleState(row["state"])

    def require_in(self, tx: ManagedTransaction, principal: str, cube_id: str, operation: Operation) -> LifecycleState:
        """Check, inside ``tx``, that ``principal`` may apply ``operation`` to the cube in its
        current state (:data:`memcubedb.states.OPERATIONS`); return that state.

        Raises:
            NotFound / PermissionDenied: as for :meth:`state_in`.
            TransitionError: the state does not admit the operation (e.g. promoting a deleted cube).
        """
        state = self.state_in(tx, principal, cube_id)
        check_operation(cube_id, state, operation)
        return state

    def transition_in(
        self, tx: ManagedTransaction, principal: str, cube_id: str, target: LifecycleState,
        at: datetime | None = None,
    ) -> LifecycleState:  # fmt: skip
        """Move a cube to ``target`` inside the caller's transaction — the only way ``state`` changes.

        The transition is checked against :data:`memcubedb.states.TRANSITIONS`; a ``lifecycle``
        Activity and a ``TRANSITIONED {from, to, at}`` edge record it, at ``at`` (default: now; a
        scheduler move passes the instant of its ``PROMOTED_TO``/``DEMOTED_TO`` link). Returns the
        previous state.

        Raises:
            NotFound / PermissionDenied: as for :meth:`state_in`.
            TransitionError: ``state → target`` is not allowed, or the state changed concurrently.
        """
        state = self.state_in(tx, principal, cube_id)
        check_transition(cube_id, state, target)
        row = tx.run(
            q.SET_STATE, id=cube_id, principal=principal, state=LifecycleState(target).value,
            from_state=state.value, now=at or utcnow(), activity_id=new_id(),
        ).single()  # fmt: skip
        if row is None:
            raise TransitionError(f"MemCube {cube_id!r} changed state concurrently; try again", state)
        return state

    def set_state(
        self, principal: str, cube_id: str, state: LifecycleState, at: datetime | None = None
    ) -> LifecycleState:
        """Move a cube to a lifecycle state in its own transaction (see :meth:`transition_in`);
        return the previous state.

        Raises:
            NotFound / PermissionDenied / TransitionError: as for :meth:`transition_in`.
        """
        return self.execute_write(self.transition_in, principal, cube_id, state, at)

    def delete_cube(self, principal: str, cube_id: str) -> None:
        """Soft-delete: move the cube and its KV-template copies (activation cubes promoted from it,
        which hold the same text) to the ``deleted`` state, in one transaction; purge removes the
        cube. Final — no transition leaves ``deleted``.

        Raises:
            NotFound / PermissionDenied: as for :meth:`transition_in`; TransitionError when it
            is deleted already.
        """

        def work(tx: ManagedTransaction) -> None:
            self.transition_in(tx, principal, cube_id, LifecycleState.DELETED)
            for row in tx.run(q.COPIES_OF, id=cube_id, kept=list(KEPT_STATES)).data():
                self.transition_in(tx, principal, row["id"], LifecycleState.DELETED)

        self.execute_write(work)

    def purge_cube(self, principal: str, cube_id: str) -> None:
        """Remove a deleted cube and the facts no other cube asserts.

        Raises:
            NotFound / PermissionDenied: as for :meth:`update_cube`; ``ValueError`` when the
            cube is not in the ``deleted`` state.
        """
        cube = self.get_cube(principal, cube_id)
        if cube.governance.state is not LifecycleState.DELETED:
            raise ValueError(f"MemCube {cube_id!r} must be deleted before it is purged")
        self.execute_write(lambda tx: tx.run(q.PURGE_CUBE, id=cube_id, principal=principal).consume())
        if self.read(q.CUBE_ACCESS, id=cube_id, principal=principal):
            self._raise_for_access(principal, cube_id)

    # --- reads --------------------------------------------------------------------------

    def get_cube(self, principal: str, cube_id: str) -> MemCube:
        """One cube the principal may read.

        Raises:
            NotFound: it does not exist or the principal may not read it.
        """
        rows = self.read(q.GET_CUBE, id=cube_id, principal=principal)
        if not rows:
            raise NotFound(f"no MemCube {cube_id!r}")
        return props_to_cube(rows[0]["props"], rows[0]["readers"], rows[0]["writers"])

    def list_cubes(
        self,
        principal: str,
        *,
        memory_type: str | None = None,
        states: list[str] | None = None,
        owner: str | None = None,
        tag: str | None = None,
        latest_only: bool = True,
        after: MemCube | tuple[datetime, str] | None = None,
        limit: int = 50,
    ) -> list[MemCube]:
        """Cubes the principal may read, oldest first, at most ``limit`` (1..1000).

        ``after`` is the last cube of the previous page, or its ``(created_at, id)`` key
        (keyset pagination on ``(created_at, id)``). ``states`` defaults to every state but ``deleted``.
        """
        if not 1 <= limit <= 1000:
            raise ValueError("limit must be within 1..1000")
        if isinstance(after, MemCube):
            after = (after.descriptive.created_at, after.id)
        rows = self.read(
            q.LIST_CUBES,
            principal=principal,
            memory_type=memory_type,
            states=states if states is not None else list(KEPT_STATES),
            owner=owner,
            tag=tag,
            latest_only=latest_only,
            after=after[1] if after else None,
            after_time=after[0] if after else None,
            limit=limit,
        )
        return [props_to_cube(r["props"], r["readers"], r["writers"]) for r in rows]

    def facts_of(self, principal: str, cube_id: str) -> list[Fact]:
        """The facts a readable cube asserts (empty for an unreadable or unknown cube)."""
        return [fact_from_row(r) for r in self.read(q.FACTS_OF_CUBE, id=cube_id, principal=principal)]

    def list_entities(self) -> list[Entity]:
        """Every entity with its canonical name and every alias, of all tenants (for single-owner
        tools and analysts; the write path resolves through :mod:`memcubedb.graph.entity_lookup`)."""
        return [Entity(**{**r, "aliases": r["aliases"] or []}) for r in self.read(q.LIST_ENTITIES)]

    def visible_entities(self, principal: str, limit: int = 1000) -> list[Entity]:
        """Entities mentioned by cubes the principal may read, named and aliased only by the names
        those cubes use (never the node's own name or aliases when they come from elsewhere)."""
        rows = self.read(q.VISIBLE_ENTITIES, principal=principal, limit=limit)
        return [Entity(**r["entity"]) for r in rows]

    def provenance(self, principal: str, cube_id: str) -> dict[str, Any]:
        """Sources (with offsets), activities, agents and ancestor cubes of a readable cube.

        Raises:
            NotFound: the cube does not exist or is not readable.
        """
        rows = self.read(q.PROVENANCE, id=cube_id, principal=principal)
        if not rows:
            raise NotFound(f"no MemCube {cube_id!r}")
        row = rows[0]
        row["ancestors"] = [a for a in row["ancestors"] if a["id"] is not None]
        return row

    def counts(self) -> dict[str, int]:
        """Node counts by label (MemCube, Fact, Entity, Source, Principal)."""
        return self.read(q.COUNTS)[0]
