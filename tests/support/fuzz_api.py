"""The permission fuzzer's HTTP side: the real API on loopback and the rules that go through it.

:class:`ApiServer` runs ``create_app(settings)`` under uvicorn on 127.0.0.1 (a free port) in a
daemon thread and creates one API key per fuzzed user (``u3`` gets a *reader* key, so role gating
is fuzzed too) and an *analyst* key for the saved Cypher query that takes a principal.
:class:`ApiRules` is mixed into the permission state machine: the same writes and reads as the
store rules, sent as HTTP requests, with the answer's status mapped to the model's outcome.
"""

from __future__ import annotations

import json
from contextlib import ExitStack
from typing import Any, ClassVar
from urllib.parse import quote

import httpx
from hypothesis import strategies as st
from hypothesis.stateful import rule

from memcubedb.api.app import create_app
from memcubedb.graph.apikeys import ApiKeys
from memcubedb.graph.facts import fact_id
from memcubedb.graph.permissions import Role
from memcubedb.graph.store import GraphStore
from memcubedb.settings import Settings
from tests.support.acl_model import CubeModel
from tests.support.fuzz_base import FuzzBase
from tests.support.fuzz_world import (
    ENTITY_NAMES,
    PREDICATES,
    PRINCIPALS,
    QUERIES,
    RIGHTS,
    SESSION_URI,
    SPACES,
    TEXTS,
    USERS,
    canary,
    entity_record,
    with_canary,
)
from tests.support.loopback import serve

ROLES = {"u0": Role.WRITER, "u1": Role.WRITER, "u2": Role.WRITER, "u3": Role.READER}
ANALYST = "fuzz-analyst"
STATUS_OUTCOMES = {404: "not_found", 403: "denied", 409: "conflict", 422: "rejected"}
WRITTEN_CUBES = """
MATCH (c:MemCube) WHERE c.id IN $ids
RETURN c.id AS id, c.text AS text, c.owner AS owner,
       [(c)-[:MENTIONS]->(e:Entity) | [e.id, e.name]] AS mentions,
       [(c)-[:ASSERTS]->(f:Fact) | [f.id, f.subject_id, f.predicate, f.object_id]] AS facts,
       [(c)-[:EXTRACTED_FROM]->(s:Source) | s.uri] AS uris
"""


class ApiServer:
    """The API under uvicorn on loopback, with keys for the fuzzed users. Use as a context manager."""

    def __init__(self, settings: Settings, store: GraphStore | None = None) -> None:
        self.settings = settings
        self.store = store
        self.serving = ExitStack()
        self.keys: dict[str, str] = {}
        self.client: httpx.Client | None = None
        self.calls = 0

    def __enter__(self) -> ApiServer:
        self.client = httpx.Client(base_url=self.serving.enter_context(serve(create_app(self.settings))), timeout=120)
        return self

    def create_keys(self) -> None:
        """One key per fuzzed user (by :data:`ROLES`) and one analyst key (after the database was emptied)."""
        assert self.store is not None, "create_keys needs the store"
        api_keys = ApiKeys(self.store)
        self.keys = {who: api_keys.create(who, role, name="fuzz")[0] for who, role in ROLES.items()}
        self.keys[ANALYST] = api_keys.create(ANALYST, Role.ANALYST, name="fuzz")[0]

    def __exit__(self, *exc: object) -> None:
        if self.client is not None:
            self.client.close()
        self.serving.close()

    def call(self, who: str, method: str, path: str, **kwargs: Any) -> tuple[str, Any]:
        """Send a request as ``who``; return ``(outcome, JSON body or None)``."""
        assert self.client is not None
        self.calls += 1
        r = self.client.request(method, path, headers={"Authorization": f"Bearer {self.keys[who]}"}, **kwargs)
        body = r.json() if r.content and "json" in r.headers.get("content-type", "") else None
        if r.status_code < 300:
            return "ok", body
        return STATUS_OUTCOMES.get(r.status_code, f"http {r.status_code}"), body


def _q(cube_id: str) -> str:
    return quote(cube_id, safe="")


class ApiRules(FuzzBase):
    """Rules of the permission machine that act through the HTTP API (mixed into the machine class)."""

    api: ClassVar[ApiServer]

    # --- writes ---------------------------------------------------------------------------

    def _gate(self, actor: str, expected: str) -> str:
        return "denied" if ROLES[actor] is Role.READER else expected

    @rule(actor=st.sampled_from(USERS), text=st.sampled_from(TEXTS))
    def api_add(self, actor: str, text: str) -> None:
        text = with_canary(text, canary())
        self.serial += 1
        uri = f"{SESSION_URI}api-{self.serial}"
        got, body = self.http(actor, "POST", "/v1/cubes", scan=False, json={"text": text, "uri": uri})
        self.expect_write(f"api add by {actor}", self._gate(actor, "ok"), got)
        self.dirty = True
        if got != "ok" or ROLES[actor] is Role.READER:
            self.scan(actor, "POST /v1/cubes", json.dumps(body))
            return
        m = self.model
        for row in self.store.read(WRITTEN_CUBES, ids=body["written"]):
            m.entities.update(dict(row["mentions"]))
            for fid, s, p, o in row["facts"]:
                m.facts[fid] = (s, p, o)
            m.add_cube(
                CubeModel(
                    id=row["id"],
                    text=row["text"],
                    owner=row["owner"],
                    source_uri=(row["uris"] or [None])[0],
                    mentions={e for e, _ in row["mentions"]},
                    facts={f[0] for f in row["facts"]},
                    grants={row["owner"]: {"OWNS"}},
                )
            )
            self.known.append(row["id"])
        self.scan(actor, "POST /v1/cubes", json.dumps(body))

    @rule(actor=st.sampled_from(USERS), i=st.integers(0, 999), text=st.sampled_from(TEXTS))
    def api_update(self, actor: str, i: int, text: str) -> None:
        text = with_canary(text, canary())
        cid = self.pick(i)
        m = self.model
        expected = self.access_outcome(actor, cid)
        if expected == "ok" and m.superseded(cid):
            expected = "conflict"
        got, body = self.http(actor, "PATCH", f"/v1/cubes/{_q(cid)}", scan=False, json={"text": text})
        expected = self._gate(actor, expected)
        self.expect_write(f"api update {cid} by {actor}", expected, got)
        self.dirty = True
        if got == "ok" == expected:
            m.new_version(cid, body["id"], text)
            self.known.append(body["id"])
        self.scan(actor, f"PATCH {cid}", json.dumps(body))

    @rule(
        actor=st.sampled_from(USERS),
        i=st.integers(0, 999),
        grantee=st.sampled_from(PRINCIPALS),
        right=st.sampled_from(RIGHTS),
        revoke=st.booleans(),
    )
    def api_grant(self, actor: str, i: int, grantee: str, right: str, revoke: bool) -> None:
        cid = self.pick(i)
        m = self.model
        expected = "not_found" if not m.can_read(actor, cid) else ("ok" if m.owns(actor, cid) else "denied")
        expected = self._gate(actor, expected)
        if revoke:
            got, _ = self.http(actor, "DELETE", f"/v1/cubes/{_q(cid)}/grants/{grantee}/{right}")
        else:
            got, _ = self.http(actor, "POST", f"/v1/cubes/{_q(cid)}/grants", json={"grantee": grantee, "right": right})
        self.expect_write(
            f"api {'revoke' if revoke else 'grant'} {right} on {cid} by {actor} to {grantee}", expected, got
        )
        self.dirty = True
        if got == "ok" == expected:
            (m.revoke if revoke else m.grant)(cid, grantee, right)

    @rule(actor=st.sampled_from(USERS), i=st.integers(0, 999), space=st.sampled_from(SPACES))
    def api_add_to_space(self, actor: str, i: int, space: str) -> None:
        cid = self.pick(i)
        m = self.model
        expected = "not_found" if not m.can_read(actor, cid) else ("ok" if m.owns(actor, cid) else "denied")
        expected = self._gate(actor, expected)
        got, _ = self.http(actor, "PUT", f"/v1/cubes/{_q(cid)}/space", json={"space_id": space})
        self.expect_write(f"api add {cid} to {space} by {actor}", expected, got)
        self.dirty = True
        if got == "ok" == expected:
            m.cubes[cid].spaces.add(space)

    @rule(actor=st.sampled_from(USERS), i=st.integers(0, 999), purge=st.booleans())
    def api_delete(self, actor: str, i: int, purge: bool) -> None:
        cid = self.pick(i)
        m = self.model
        if not m.can_read(actor, cid):
            expected = "not_found"
        elif m.cubes[cid].state == "deleted" and not purge:
            expected = "ok"  # already deleted: nothing to do
        else:
            expected = "ok" if m.can_write(actor, cid) else "denied"
        expected = self._gate(actor, expected)
        got, _ = self.http(actor, "DELETE", f"/v1/cubes/{_q(cid)}", params={"purge": str(purge).lower()})
        self.expect_write(f"api delete {cid} (purge={purge}) by {actor}", expected, got)
        self.dirty = True
        if got == "ok" == expected:
            if purge:
                m.purge(cid)
            else:
                m.cubes[cid].state = "deleted"

    @rule(
        actor=st.sampled_from(USERS),
        i=st.integers(0, 999),
        s=st.sampled_from(ENTITY_NAMES),
        p=st.sampled_from(PREDICATES),
        o=st.sampled_from(ENTITY_NAMES),
    )
    def api_add_fact(self, actor: str, i: int, s: str, p: str, o: str) -> None:
        cid = self.pick(i)
        m = self.model
        sid, oid = entity_record(s).id, entity_record(o).id
        expected = self.access_outcome(actor, cid)
        if expected == "ok" and not {sid, oid} <= m.visible_entities(actor):
            expected = "rejected"  # an entity given by id must be one the actor can see
        expected = self._gate(actor, expected)
        body = {"subject": {"id": sid}, "predicate": p, "object": {"id": oid}}
        got, fact = self.http(actor, "POST", f"/v1/cubes/{_q(cid)}/facts", json=body)
        self.expect_write(f"api add_fact to {cid} by {actor}", expected, got)
        self.dirty = True
        if got == "ok" == expected:
            fid = fact_id(sid, p, oid)
            m.facts[fid] = (sid, p, oid)
            m.cubes[cid].facts.add(fid)
            m.cubes[cid].mentions |= {sid, oid}
            self.check_subset(f"api add_fact cube_ids for {actor}", set(fact["cube_ids"]), m.readable(actor))

    @rule(actor=st.sampled_from(USERS), i=st.integers(0, 999), j=st.integers(0, 999))
    def api_retract_fact(self, actor: str, i: int, j: int) -> None:
        cid = self.pick(i)
        m = self.model
        facts = sorted(m.facts) or ["ghost-fact"]
        fid = facts[j % len(facts)]
        expected = self.access_outcome(actor, cid)
        if expected == "ok" and fid not in m.cubes[cid].facts:
            expected = "not_found"
        expected = self._gate(actor, expected)
        got, _ = self.http(actor, "DELETE", f"/v1/cubes/{_q(cid)}/facts/{fid}")
        self.expect_write(f"api retract {fid} from {cid} by {actor}", expected, got)
        self.dirty = True
        if got == "ok" == expected:
            m.retract(cid, fid)

    # --- reads ----------------------------------------------------------------------------

    def http(self, who: str, method: str, path: str, scan: bool = True, **kwargs: Any) -> tuple[str, Any]:
        """Send a request as ``who``; its answer (error bodies too) goes through the canary oracle
        unless ``scan`` is off (a write whose answer holds the new text: scanned once modelled)."""
        self.tally.operations += 1
        self.tally.http += 1
        got, body = self.api.call(who, method, path, **kwargs)
        if got.startswith("http "):
            self.tally.mismatch(f"{method} {path} as {who}: {got} {body}")
        if scan and who != ANALYST:  # analysts see the whole graph by design
            self.scan(who, f"{method} {path}", json.dumps(body))
        return got, body

    def _found(self, what: str, got: str, visible: bool) -> bool:
        if (got == "ok") != visible:
            (self.tally.read_leak if got == "ok" else self.tally.mismatch)(f"{what}: {got}")
        return got == "ok" and visible

    @rule(who=st.sampled_from(USERS), i=st.integers(0, 999))
    def api_read_cube(self, who: str, i: int) -> None:
        cid = self.pick(i)
        m = self.model
        readable = m.readable(who)
        visible = cid in readable
        got, cube = self.http(who, "GET", f"/v1/cubes/{_q(cid)}")
        if self._found(f"GET cube {cid} as {who}", got, visible) and cube["payload"]["text"] != m.cubes[cid].text:
            self.tally.mismatch(f"GET cube {cid}: text differs")
        got, facts = self.http(who, "GET", f"/v1/cubes/{_q(cid)}/facts")
        if self._found(f"GET facts of {cid} as {who}", got, visible):
            self.check_equal(f"api facts of {cid} for {who}", {f["id"] for f in facts}, m.cubes[cid].facts)
            for f in facts:
                self.check_equal(
                    f"api facts of {cid}: cube_ids of {f['id']} for {who}",
                    set(f["cube_ids"]),
                    m.asserting(f["id"]) & readable,
                )
        got, prov = self.http(who, "GET", f"/v1/cubes/{_q(cid)}/provenance")
        if self._found(f"GET provenance of {cid} as {who}", got, visible):
            self.check_equal(
                f"api provenance ancestors of {cid} for {who}",
                {a["id"] for a in prov["ancestors"]},
                m.ancestors(cid) & readable,
            )
        got, detail = self.http(who, "GET", f"/v1/graph/cubes/{_q(cid)}")
        if self._found(f"GET graph detail of {cid} as {who}", got, visible):
            ids = {c["id"] for c in detail["chain"]} | {v["id"] for v in detail["versions"]}
            self.check_subset(f"api cube detail of {cid} for {who}", ids, readable)

    @rule(who=st.sampled_from(USERS))
    def api_read_lists(self, who: str) -> None:
        m = self.model
        readable = m.readable(who)
        _, page = self.http(who, "GET", "/v1/cubes", params={"limit": 1000})
        self.check_equal(f"api list for {who}", {c["id"] for c in page["items"]}, m.listed(who))
        _, entities = self.http(who, "GET", "/v1/entities", params={"limit": 1000})
        self.check_equal(f"api entities for {who}", {e["id"] for e in entities["items"]}, m.mentioned_entities(who))
        _, facts = self.http(who, "GET", "/v1/facts", params={"limit": 1000})
        self.check_equal(f"api facts for {who}", {f["id"] for f in facts["items"]}, m.visible_facts(who))
        for f in facts["items"]:
            self.check_subset(f"api facts cube_ids of {f['id']} for {who}", set(f["cube_ids"]), readable)
        _, sources = self.http(who, "GET", "/v1/graph/sources", params={"limit": 1000})
        uris = {m.cubes[c].source_uri for c in readable}
        self.check_subset(f"api sources for {who}", {s["uri"] for s in sources}, uris)

    @rule(
        who=st.sampled_from(USERS),
        j=st.integers(0, 999),
        e=st.sampled_from(ENTITY_NAMES),
        p=st.sampled_from(PREDICATES),
    )
    def api_read_facts(self, who: str, j: int, e: str, p: str) -> None:
        m = self.model
        visible_facts = m.visible_facts(who)
        facts = sorted(m.facts) or ["ghost-fact"]
        fid = facts[j % len(facts)]
        got, fact = self.http(who, "GET", f"/v1/facts/{fid}")
        if self._found(f"GET fact {fid} as {who}", got, fid in visible_facts):
            self.check_equal(
                f"api fact {fid} cube_ids for {who}", set(fact["cube_ids"]), m.asserting(fid) & m.readable(who)
            )
        eid = entity_record(e).id
        got, _ = self.http(who, "GET", f"/v1/entities/{eid}")
        self._found(f"GET entity {e} as {who}", got, eid in m.visible_entities(who))
        _, page = self.http(who, "GET", "/v1/facts", params={"predicate": p, "limit": 1000})
        self.check_equal(
            f"api facts predicate={p} for {who}",
            {f["id"] for f in page["items"]},
            {f for f in visible_facts if m.facts[f][1] == p},
        )

    @rule(who=st.sampled_from(USERS), picks=st.lists(st.integers(0, 999), min_size=1, max_size=6))
    def api_export(self, who: str, picks: list[int]) -> None:
        m = self.model
        readable = m.readable(who)
        ids = [self.pick(i) for i in picks]
        _, doc = self.http(who, "POST", "/v1/export", json={"cube_ids": ids})
        self.check_equal(
            f"api export by {who}", {c["cube"]["descriptive"]["id"] for c in doc["cubes"]}, set(ids) & readable
        )
        _, doc = self.http(who, "POST", "/v1/export", json={})
        self.check_equal(
            f"api export-all by {who}",
            {c["cube"]["descriptive"]["id"] for c in doc["cubes"]},
            {c for c in readable if m.cubes[c].state != "deleted"},
        )
        for item in doc["cubes"]:
            lineage = set(item["derived_from"]) | set(item["supersedes"])
            self.check_subset(f"api export lineage for {who}", lineage, readable)

    @rule(
        who=st.sampled_from(USERS),
        q=st.sampled_from(QUERIES),
        seeds=st.lists(st.integers(0, 999), max_size=3),
        known=st.lists(st.integers(0, 999), max_size=4),
        view=st.sampled_from(["find", "overview", "expand"]),
    )
    def api_explore(self, who: str, q: str, seeds: list[int], known: list[int], view: str) -> None:
        cubes, entities, _ = self.shown(who)
        if view == "find":
            _, hits = self.http(who, "GET", "/v1/graph/find", params={"q": q})
            self.check_subset(f"api find {q!r} for {who}", {h["id"] for h in hits}, cubes | entities)
            return
        if view == "overview":
            _, sub = self.http(who, "GET", "/v1/graph/overview")
        else:
            body = {"seeds": [self.pick(i) for i in seeds] or ["ghost-cube"], "known": [self.pick(i) for i in known]}
            _, sub = self.http(who, "POST", "/v1/graph/neighbourhood", json=body)
        ends = {e["source"] for e in sub["edges"]} | {e["target"] for e in sub["edges"]}
        self.check_subset(f"api graph {view} for {who}", {n["id"] for n in sub["nodes"]} | ends, cubes | entities)

    @rule(who=st.sampled_from(USERS), q=st.sampled_from(QUERIES), about=st.sampled_from(ENTITY_NAMES))
    def api_timeline_and_natural(self, who: str, q: str, about: str) -> None:
        cubes, _, _ = self.shown(who)
        kinds = {"kind": ["lifecycle", "edit", "extraction", "promotion"]}
        _, timeline = self.http(who, "GET", "/v1/graph/timeline", params=kinds)
        touched = {c["id"] for ev in timeline["events"] for c in ev["cubes"]}
        self.check_subset(f"api timeline for {who}", touched, cubes)
        for text in (f"What do you know about {about}?", q):
            got, out = self.http(who, "POST", "/v1/natural", json={"text": text, "execute": True})
            if got == "ok":
                found = {cid for op in out["operations"] for cid in op["cube_ids"]}
                self.check_subset(f"api natural {text!r} for {who}", found, self.model.searchable(who))

    @rule(q=st.sampled_from(QUERIES), recipe=st.sampled_from(["hybrid", "conversation", "graph"]))
    def api_search(self, q: str, recipe: str) -> None:
        for who in USERS:
            _, out = self.http(who, "POST", "/v1/search", json={"query": q, "k": 20, "recipe": recipe})
            found = {r["cube_id"] for r in out["results"]}
            self.tally.search_hits += len(found)
            self.check_subset(f"api search {q!r} for {who}", found, self.model.searchable(who))

    @rule(who=st.sampled_from(PRINCIPALS))
    def api_saved_readable(self, who: str) -> None:
        body = {"parameters": {"principal": who, "limit": 1000}}
        _, out = self.http(ANALYST, "POST", "/v1/cypher/queries/readable_by_principal", json=body)
        got = {r["cube_id"] for r in out["rows"]}
        want = self.model.readable(who)
        if out["truncated"]:
            self.check_subset(f"saved query readable_by_principal({who})", got, want)
        else:
            self.check_equal(f"saved query readable_by_principal({who})", got, want)
