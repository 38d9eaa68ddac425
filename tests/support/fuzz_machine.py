"""The permission state machine shared by the CI fuzz test and ``bench/fuzz_permissions.py``.

Rules call the real :class:`GraphStore`, :class:`Permissions`, :class:`FactEditor`,
:class:`MemDumper`, :class:`GraphExplorer` and :class:`MemorySearch` on a real Neo4j and check
each answer against :class:`tests.support.acl_model.AclModel`; after every step that wrote, the whole
graph (cubes, grants, spaces, memberships, facts, mentions, versions) is compared with the model.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule

from memcubedb.cube import LifecycleState, MemCube
from memcubedb.embeddings import Embedder
from memcubedb.graph.facts import FactEditor, fact_id
from memcubedb.graph.interchange import MemDumper
from memcubedb.graph.permissions import Right
from memcubedb.graph.read_models.dashboard import GraphFilter
from memcubedb.graph.read_models.explorer import GraphExplorer
from memcubedb.graph.records import ActivityRecord, CubeWrite, FactRecord, SourceRecord, content_hash, stable_id
from memcubedb.graph.store import GraphStore
from memcubedb.search.searcher import MemorySearch
from memcubedb.states import OPERATIONS, TRANSITIONS, Operation
from tests.support.acl_model import CubeModel
from tests.support.fuzz_api import ApiRules, ApiServer
from tests.support.fuzz_base import FuzzBase
from tests.support.fuzz_world import (
    AGENT,
    ENTITY_NAMES,
    GROUPS,
    PREDICATES,
    PRINCIPALS,
    QUERIES,
    RECIPES,
    RIGHTS,
    SESSION_URI,
    SPACES,
    STATES,
    T0,
    TEXTS,
    USERS,
    Tally,
    canary,
    entity_record,
    named_entity,
    seed_ballast,
    with_canary,
)

EVERYTHING = GraphFilter()


class StoreRules(FuzzBase):
    """Rules calling the store, the fact editor, the dumper, the explorer and search directly."""

    embedder: ClassVar[Embedder]
    vectors: ClassVar[dict[str, list[float]]]
    facts_api: ClassVar[FactEditor]
    dumper: ClassVar[MemDumper]
    explorer: ClassVar[GraphExplorer]

    @initialize(texts=st.lists(st.sampled_from(TEXTS), min_size=len(USERS), max_size=len(USERS)))
    def wipe(self, texts: list[str]) -> None:
        """Empty the fuzzed part of the graph, then give each user one memory of its own, so that
        every example's searches and views have something readable to return (and to leak)."""
        super().wipe()
        for user, text in zip(USERS, texts, strict=True):
            self.create(user, 1, text, set(), set(), [], set(), 1, -1, 1)

    # --- principals, groups, grants -----------------------------------------------------

    @rule(member=st.sampled_from(PRINCIPALS), group=st.sampled_from(GROUPS))
    def add_member(self, member: str, group: str) -> None:
        self.op(lambda: self.store.permissions.add_member(member, group))
        self.model.member_of.add((member, group))
        self.dirty = True

    @rule(member=st.sampled_from(PRINCIPALS), group=st.sampled_from(GROUPS))
    def remove_member(self, member: str, group: str) -> None:
        self.op(lambda: self.store.permissions.remove_member(member, group))
        self.model.member_of.discard((member, group))
        self.dirty = True

    @rule(
        actor=st.sampled_from(PRINCIPALS),
        i=st.integers(0, 999),
        grantee=st.sampled_from(PRINCIPALS),
        right=st.sampled_from(RIGHTS),
        revoke=st.booleans(),
    )
    def grant_or_revoke(self, actor: str, i: int, grantee: str, right: str, revoke: bool) -> None:
        cid = self.pick(i)
        call = self.store.permissions.revoke if revoke else self.store.permissions.grant
        expected = self.access_outcome(actor, cid, owner_only=True)
        got, _ = self.op(lambda: call(actor, cid, grantee, Right(right)))
        self.expect_write(f"{'revoke' if revoke else 'grant'} {right} on {cid} by {actor} to {grantee}", expected, got)
        if got == "ok" == expected:
            (self.model.revoke if revoke else self.model.grant)(cid, grantee, right)
        self.dirty = True

    @rule(space=st.sampled_from(SPACES), grantee=st.sampled_from(PRINCIPALS), right=st.sampled_from(RIGHTS))
    def grant_space(self, space: str, grantee: str, right: str) -> None:
        self.op(lambda: self.store.permissions.grant_space(space, grantee, Right(right)))
        self.model.grant_space(space, grantee, right)
        self.dirty = True

    @rule(actor=st.sampled_from(PRINCIPALS), i=st.integers(0, 999), space=st.sampled_from(SPACES))
    def add_to_space(self, actor: str, i: int, space: str) -> None:
        cid = self.pick(i)
        expected = self.access_outcome(actor, cid, owner_only=True)
        got, _ = self.op(lambda: self.store.permissions.add_to_space(actor, cid, space))
        self.expect_write(f"add {cid} to {space} by {actor}", expected, got)
        if got == "ok" == expected:
            self.model.cubes[cid].spaces.add(space)
        self.dirty = True

    # --- cube writes ----------------------------------------------------------------------

    @rule(
        actor=st.sampled_from(USERS),
        owner_is_actor=st.integers(0, 7),
        text=st.sampled_from(TEXTS),
        readers=st.sets(st.sampled_from(PRINCIPALS), max_size=2),
        writers=st.sets(st.sampled_from(PRINCIPALS), max_size=1),
        triples=st.lists(
            st.tuples(st.sampled_from(ENTITY_NAMES), st.sampled_from(PREDICATES), st.sampled_from(ENTITY_NAMES)),
            max_size=2,
        ),
        mentions=st.sets(st.sampled_from(ENTITY_NAMES), max_size=2),
        omit_entities=st.integers(0, 5),
        parent=st.integers(-3, 999),
        replay=st.integers(0, 9),
    )
    def create(
        self,
        actor: str,
        owner_is_actor: int,
        text: str,
        readers: set[str],
        writers: set[str],
        triples: list[tuple[str, str, str]],
        mentions: set[str],
        omit_entities: int,
        parent: int,
        replay: int,
    ) -> None:
        m = self.model
        self.serial += 1
        owner = actor if owner_is_actor else USERS[(USERS.index(actor) + 1) % len(USERS)]
        existing = self.pick(parent) if replay == 0 and parent >= 0 else None
        existing = None if existing == "ghost-cube" else existing
        cid = existing or f"cube-{self.serial}"
        token = canary()
        write = self._cube_write(
            cid,
            owner,
            text,
            token,
            readers,
            writers,
            triples,
            mentions,
            omit_entities == 0,
            self.pick(parent) if parent >= 0 else None,
        )
        batch_entities = {e.id for e in write.entities}
        dangling = any(
            ent not in batch_entities and ent not in m.entities
            for f in write.facts
            for ent in (f.subject_id, f.object_id)
        )
        if owner != actor:
            expected = "denied"
        elif cid in m.cubes:
            expected = "ok" if m.can_read(actor, cid) else "not_found"
        else:
            expected = "rejected" if dangling else "ok"
        got, cube = self.op(lambda: self.store.create_cube(actor, write))
        self.expect_write(f"create {cid} owned by {owner} as {actor}", expected, got)
        self.dirty = True
        if got != "ok" or expected != "ok":
            return
        if cid in m.cubes:  # a re-sent id: the stored cube is returned unchanged
            if cube.text != m.cubes[cid].text:
                self.tally.write_leak(f"re-sent {cid} overwrote the text")
            return
        for e in write.entities:
            m.entities[e.id] = e.name
        for f in write.facts:
            m.facts[f.id] = (f.subject_id, f.predicate, f.object_id)
        grants: dict[str, set[str]] = {owner: {"OWNS"}}
        for who in readers:
            grants.setdefault(who, set()).add("CAN_READ")
        for who in writers:
            grants.setdefault(who, set()).add("CAN_WRITE")
        m.add_cube(
            CubeModel(
                id=cid,
                text=write.cube.text,
                owner=owner,
                source_uri=write.source.uri if write.source else None,
                mentions=batch_entities,
                facts={f.id for f in write.facts},
                derived_from=set(write.derived_from) & set(m.cubes),
                grants=grants,
            )
        )
        self.scan(actor, f"create {cid}", cube)
        if cid not in self.known:
            self.known.append(cid)

    def _cube_write(
        self,
        cid: str,
        owner: str,
        text: str,
        token: str,
        readers: set[str],
        writers: set[str],
        triples: list[tuple[str, str, str]],
        mentions: set[str],
        omit: bool,
        parent: str | None,
    ) -> CubeWrite:
        uri = f"{SESSION_URI}{self.serial % 2}"
        vector, text = self.vectors[text], with_canary(text, token)
        source = SourceRecord(
            id=stable_id("source", uri, str(self.serial)),
            kind="chat_turn",
            uri=uri,
            turn_id=f"t{self.serial}",
            speaker=owner,
            timestamp=T0 + timedelta(seconds=self.serial),
            content_hash=content_hash(text),
            start=0,
            end=len(text),
        )
        cube = MemCube.plaintext(text, owner=owner, id=cid, semantic_type="chat_turn")
        cube.governance.readers = sorted(readers)
        cube.governance.writers = sorted(writers)
        cube.embedding = vector
        entities = {entity_record(n).id: named_entity(n, token) for n in mentions}
        facts = []
        for s, p, o in triples:
            se, oe = named_entity(s, token), named_entity(o, token)
            if not omit:
                entities[se.id], entities[oe.id] = se, oe
            facts.append(FactRecord(id=fact_id(se.id, p, oe.id), subject_id=se.id, predicate=p, object_id=oe.id))
        return CubeWrite(
            cube=cube,
            source=source,
            agent=AGENT,
            activity=ActivityRecord(id=f"act-{self.serial}", kind="extraction", name="fuzz"),
            entities=list(entities.values()),
            facts=list({f.id: f for f in facts}.values()),
            derived_from=[parent] if parent else [],
        )

    @rule(actor=st.sampled_from(PRINCIPALS), i=st.integers(0, 999), text=st.sampled_from(TEXTS))
    def update(self, actor: str, i: int, text: str) -> None:
        text = with_canary(text, canary())
        cid = self.pick(i)
        m = self.model
        expected = self.access_outcome(actor, cid)
        if expected == "ok" and LifecycleState(m.cubes[cid].state) not in OPERATIONS[Operation.EDIT]:
            expected = "invalid"  # expired or deleted: a 409, whatever the version
        elif expected == "ok" and m.superseded(cid):
            expected = "denied"
        got, new = self.op(lambda: self.store.update_cube(actor, cid, text=text))
        self.expect_write(f"update {cid} by {actor}", expected, got)
        self.dirty = True
        if got == "ok" == expected:
            m.new_version(cid, new.id, text)
            self.scan(actor, f"update {cid}", new)
            self.known.append(new.id)

    @rule(actor=st.sampled_from(PRINCIPALS), i=st.integers(0, 999), state=st.sampled_from(STATES))
    def set_state(self, actor: str, i: int, state: str) -> None:
        cid = self.pick(i)
        expected = self.access_outcome(actor, cid)
        if expected == "ok" and LifecycleState(state) not in TRANSITIONS[LifecycleState(self.model.cubes[cid].state)]:
            expected = "invalid"  # MemLifecycle refuses the transition
        got, _ = self.op(lambda: self.store.set_state(actor, cid, LifecycleState(state)))
        self.expect_write(f"set_state {state} on {cid} by {actor}", expected, got)
        self.dirty = True
        if got == "ok" == expected:
            self.model.cubes[cid].state = state

    @rule(actor=st.sampled_from(PRINCIPALS), i=st.integers(0, 999))
    def purge(self, actor: str, i: int) -> None:
        cid = self.pick(i)
        m = self.model
        expected = self.access_outcome(actor, cid)
        if expected != "not_found" and m.cubes[cid].state != "deleted":
            expected = "invalid"
        got, _ = self.op(lambda: self.store.purge_cube(actor, cid))
        self.expect_write(f"purge {cid} by {actor}", expected, got)
        self.dirty = True
        if got == "ok" == expected:
            m.purge(cid)

    @rule(
        actor=st.sampled_from(PRINCIPALS),
        i=st.integers(0, 999),
        s=st.sampled_from(ENTITY_NAMES),
        p=st.sampled_from(PREDICATES),
        o=st.sampled_from(ENTITY_NAMES),
    )
    def add_fact(self, actor: str, i: int, s: str, p: str, o: str) -> None:
        cid = self.pick(i)
        m = self.model
        se, oe = entity_record(s), entity_record(o)
        expected = self.access_outcome(actor, cid)
        got, fact = self.op(lambda: self.facts_api.add_fact(actor, cid, se, p, oe))
        self.expect_write(f"add_fact to {cid} by {actor}", expected, got)
        self.dirty = True
        if got == "ok" == expected:
            fid = fact_id(se.id, p, oe.id)
            m.entities[se.id], m.entities[oe.id] = s, o
            m.facts[fid] = (se.id, p, oe.id)
            m.cubes[cid].facts.add(fid)
            m.cubes[cid].mentions |= {se.id, oe.id}
            self.check_subset(f"add_fact cube_ids for {actor}", set(fact.cube_ids), m.readable(actor))
            self.scan(actor, f"add_fact to {cid}", fact)

    @rule(actor=st.sampled_from(PRINCIPALS), i=st.integers(0, 999), j=st.integers(0, 999))
    def retract_fact(self, actor: str, i: int, j: int) -> None:
        cid = self.pick(i)
        m = self.model
        facts = sorted(m.facts) or ["ghost-fact"]
        fid = facts[j % len(facts)]
        expected = self.access_outcome(actor, cid)
        if expected == "ok" and fid not in m.cubes[cid].facts:
            expected = "not_found"
        got, _ = self.op(lambda: self.facts_api.retract_fact(actor, cid, fid))
        self.expect_write(f"retract {fid} from {cid} by {actor}", expected, got)
        self.dirty = True
        if got == "ok" == expected:
            m.retract(cid, fid)

    # --- reads ------------------------------------------------------------------------------

    @rule(who=st.sampled_from(PRINCIPALS), i=st.integers(0, 999))
    def read_cube(self, who: str, i: int) -> None:
        cid = self.pick(i)
        m = self.model
        readable = m.readable(who)
        visible = cid in readable
        got, cube = self.op(lambda: self.store.get_cube(who, cid), who=who)
        if got == "ok" and not visible:
            self.tally.read_leak(f"get_cube {cid} by {who}")
        elif got != "ok" and visible:
            self.tally.mismatch(f"get_cube {cid} by {who}: {got}")
        elif got == "ok":
            want = m.cubes[cid]
            readers = {w for w, r in want.grants.items() if "CAN_READ" in r}
            if (cube.text, cube.governance.owner, set(cube.governance.readers)) != (want.text, want.owner, readers):
                self.tally.mismatch(f"get_cube {cid}: content differs from the model")
        _, facts = self.op(lambda: self.store.facts_of(who, cid), who=who)
        self.check_equal(f"facts_of {cid} by {who}", {f.id for f in facts}, m.cubes[cid].facts if visible else set())
        for f in facts:
            self.check_equal(
                f"facts_of {cid} cube_ids of {f.id} for {who}", set(f.cube_ids), m.asserting(f.id) & readable
            )
        got, prov = self.op(lambda: self.store.provenance(who, cid), who=who)
        if (got == "ok") != visible:
            (self.tally.read_leak if got == "ok" else self.tally.mismatch)(f"provenance {cid} by {who}: {got}")
        elif got == "ok":
            self.check_equal(
                f"provenance ancestors of {cid} for {who}",
                {a["id"] for a in prov["ancestors"]},
                m.ancestors(cid) & readable,
            )
        got, detail = self.op(lambda: self.explorer.cube_detail(who, cid), who=who)
        if (got == "ok") != visible:
            (self.tally.read_leak if got == "ok" else self.tally.mismatch)(f"cube_detail {cid} by {who}: {got}")
        elif got == "ok":
            self.check_subset(f"cube_detail chain of {cid} for {who}", {c["id"] for c in detail.chain}, readable)
            self.check_subset(f"cube_detail versions of {cid} for {who}", {v["id"] for v in detail.versions}, readable)
            self.check_equal(f"cube_detail evidence of {cid}", {e["id"] for e in detail.evidence}, m.cubes[cid].facts)

    @rule(who=st.sampled_from(PRINCIPALS))
    def read_lists(self, who: str) -> None:
        m = self.model
        readable = m.readable(who)
        _, cubes = self.op(lambda: self.store.list_cubes(who, limit=1000), who=who)
        self.check_equal(f"list_cubes for {who}", {c.id for c in cubes}, m.listed(who))
        _, entities = self.op(lambda: self.store.visible_entities(who), who=who)
        self.check_equal(f"visible_entities for {who}", {e.id for e in entities}, m.mentioned_entities(who))
        _, facts = self.op(lambda: self.facts_api.find_facts(who, limit=1000), who=who)
        self.check_equal(f"find_facts for {who}", {f.id for f in facts}, m.visible_facts(who))
        for f in facts:
            self.check_equal(f"find_facts cube_ids of {f.id} for {who}", set(f.cube_ids), m.asserting(f.id) & readable)
        _, sources = self.op(lambda: self.explorer.sources(who), who=who)
        want: dict[str, int] = {}
        for cid in readable:
            uri = m.cubes[cid].source_uri
            if uri:
                want[uri] = want.get(uri, 0) + 1
        got = {s["uri"]: s["cubes"] for s in sources}
        if got != want:
            (
                self.tally.read_leak
                if set(got) - set(want) or any(got[u] > want.get(u, 0) for u in got)
                else self.tally.mismatch
            )(f"sources for {who}: {got}, expected {want}")

    @rule(
        who=st.sampled_from(PRINCIPALS),
        j=st.integers(0, 999),
        e=st.sampled_from(ENTITY_NAMES),
        p=st.sampled_from(PREDICATES),
    )
    def read_facts(self, who: str, j: int, e: str, p: str) -> None:
        m = self.model
        readable = m.readable(who)
        visible_facts = m.visible_facts(who)
        facts = sorted(set(m.facts) | {fact_id(entity_record(e).id, p, entity_record(e).id)})
        fid = facts[j % len(facts)]
        got, fact = self.op(lambda: self.facts_api.get_fact(who, fid), who=who)
        if (got == "ok") != (fid in visible_facts):
            (self.tally.read_leak if got == "ok" else self.tally.mismatch)(f"get_fact {fid} by {who}: {got}")
        elif got == "ok":
            self.check_equal(f"get_fact cube_ids of {fid} for {who}", set(fact.cube_ids), m.asserting(fid) & readable)
        eid = entity_record(e).id
        got, _ = self.op(lambda: self.facts_api.get_entity(who, eid), who=who)
        if (got == "ok") != (eid in m.visible_entities(who)):
            (self.tally.read_leak if got == "ok" else self.tally.mismatch)(f"get_entity {e} by {who}: {got}")
        _, by_pred = self.op(lambda: self.facts_api.find_facts(who, predicate=p, limit=1000), who=who)
        self.check_equal(
            f"find_facts predicate={p} for {who}",
            {f.id for f in by_pred},
            {f for f in visible_facts if m.facts[f][1] == p},
        )
        _, by_entity = self.op(lambda: self.facts_api.find_facts(who, entity_id=eid, limit=1000), who=who)
        self.check_equal(
            f"find_facts entity={e} for {who}",
            {f.id for f in by_entity},
            {f for f in visible_facts if eid in (m.facts[f][0], m.facts[f][2])},
        )

    @rule(who=st.sampled_from(PRINCIPALS), picks=st.lists(st.integers(0, 999), min_size=1, max_size=6))
    def export(self, who: str, picks: list[int]) -> None:
        m = self.model
        readable = m.readable(who)
        ids = [self.pick(i) for i in picks]
        _, doc = self.op(lambda: self.dumper.dump(who, ids), who=who)
        self.check_equal(f"export by {who}", {c.cube.id for c in doc.cubes}, set(ids) & readable)
        for item in doc.cubes:
            cid = item.cube.id
            self.check_subset(f"export derived_from of {cid} for {who}", set(item.derived_from), readable)
            self.check_subset(f"export supersedes of {cid} for {who}", set(item.supersedes), readable)
            if cid in m.cubes:
                self.check_equal(f"export facts of {cid}", {f.id for f in item.facts}, m.cubes[cid].facts)

    @rule(
        who=st.sampled_from(PRINCIPALS),
        view=st.sampled_from(["find", "overview", "neighbourhood", "timeline"]),
        q=st.sampled_from(QUERIES),
        seeds=st.lists(st.integers(0, 999), max_size=4),
        known=st.lists(st.integers(0, 999), max_size=4),
        seed_entities=st.sets(st.sampled_from(ENTITY_NAMES), max_size=2),
    )
    def explore(self, who: str, view: str, q: str, seeds: list[int], known: list[int], seed_entities: set[str]) -> None:
        cubes, entities, _ = self.shown(who)
        if view == "find":
            _, hits = self.op(lambda: self.explorer.find(who, q, EVERYTHING), who=who)
            self.check_subset(f"self.explorer.find {q!r} for {who}", {h.id for h in hits}, cubes | entities)
        elif view == "overview":
            _, sub = self.op(lambda: self.explorer.overview(who, EVERYTHING), who=who)
            self.check_subgraph(f"overview for {who}", who, sub)
        elif view == "neighbourhood":
            seed_ids = [self.pick(i) for i in seeds] + [entity_record(e).id for e in seed_entities]
            known_ids = [self.pick(i) for i in known]
            _, sub = self.op(
                lambda: self.explorer.neighbourhood(who, seed_ids, EVERYTHING, known=known_ids), who=who
            )
            self.check_subgraph(f"neighbourhood of {seed_ids} (known {known_ids}) for {who}", who, sub)
        else:
            kinds = ["lifecycle", "edit", "extraction"]
            _, timeline = self.op(lambda: self.explorer.timeline(who, EVERYTHING, kinds=kinds), who=who)
            events = {c["id"] for ev in timeline.events for c in ev.cubes}
            self.check_subset(f"timeline for {who}", events, cubes)

    @rule(q=st.sampled_from(QUERIES), recipe=st.sampled_from(RECIPES))
    def search(self, q: str, recipe: str) -> None:
        with MemorySearch(self.store, self.embedder, recipe, record_access=False) as searcher:
            for who in USERS:
                _, results = self.op(lambda who=who: searcher.search(who, q, k=20, vector=self.vectors[q]), who=who)
                self.tally.search_hits += len(results)
                found = {r.cube_id for r in results}
                self.check_subset(f"search {q!r} ({recipe}) for {who}", found, self.model.searchable(who))


def permission_machine(
    store: GraphStore, embedder: Embedder, vectors: dict[str, list[float]], tally: Tally, api: ApiServer | None = None
) -> type[RuleBasedStateMachine]:
    """A state machine class bound to a store, an embedder, the vocabulary vectors, a tally and,
    when given, a running API (its rules are added then).

    Empties the database and writes the ballast of :mod:`tests.support.fuzz_world` first (and the API keys).
    """
    seed_ballast(store, vectors)
    bases: tuple[type, ...] = (StoreRules,)
    attrs: dict[str, Any] = {
        "store": store,
        "tally": tally,
        "embedder": embedder,
        "vectors": vectors,
        "facts_api": FactEditor(store),
        "dumper": MemDumper(store),
        "explorer": GraphExplorer(store),
    }
    if api is not None:
        api.create_keys()
        bases = (StoreRules, ApiRules)
        attrs["api"] = api
    return type("PermissionMachine", bases, attrs)
