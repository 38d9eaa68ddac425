"""The world the permission fuzzer acts in: name pools, the tally, a ballast of other tenants'
memories, the per-example wipe and the snapshot of the graph that is compared with the model.

**Canaries**: every memory text the fuzzer writes carries a token unique to it (:func:`canary`,
e.g. "Alice Zybokadu met Bob…"), and the names a write gives its entities carry it too. A
response to a principal that holds a canary of a memory it cannot read — in a name, an alias, a
fact end, a snippet, an error message — is a read leak, whatever ids it returns
(:func:`canaries_in`).

The **ballast** is written once per run: cubes owned by ``outsider`` (readable by the group
``outsider-team`` and through the space ``s-outsider``), asserting facts about the same entities
the fuzzed principals use and matching the same search words. None of it may ever reach a
fuzzed principal. It also keeps Neo4j's statistics stable between examples, so that the
per-example wipe (which removes only what the fuzzed principals made) does not force every
query to be planned again.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from memcubedb.cube import LifecycleState, MemCube
from memcubedb.embeddings import Embedder
from memcubedb.graph.facts import fact_id
from memcubedb.graph.permissions import Right
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
from memcubedb.graph.store import GraphStore
from tests.support.acl_model import CANARY, AclModel

USERS = ["u0", "u1", "u2", "u3"]
GROUPS = ["g0", "g1", "g2"]
PRINCIPALS = USERS + GROUPS
SPACES = ["s0", "s1"]
RIGHTS = [r.value for r in Right]
ENTITY_NAMES = ["Alice", "Bob", "Acme", "Paris", "Tea", "Orchid"]
BALLAST_ENTITIES = ENTITY_NAMES[:4]
PREDICATES = ["knows", "works_at", "likes"]
TEXTS = [
    "Alice met Bob in Paris to talk about the orchid show.",
    "Acme sells green tea to Bob every spring.",
    "Bob works at Acme and likes tea.",
    "The orchid greenhouse in Paris closed for repairs.",
    "Alice knows the Acme founder from school.",
    "Weekly budget meeting moved to Thursday.",
    "Tea tasting notes: smoky, sweet, a little bitter.",
    "Paris trip planned for May with Alice and Bob.",
]
QUERIES = ["Alice", "Bob tea", "orchid Paris", "Acme", "budget meeting", "who likes tea?"]
RECIPES = ["hybrid", "conversation", "graph", "fulltext", "vector"]
STATES = [s.value for s in LifecycleState]
T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
AGENT = AgentRecord(id="agent:fuzz", kind="software", name="permission fuzzer")
OUTSIDER, OUTSIDER_TEAM, OUTSIDER_SPACE = "outsider", "outsider-team", "s-outsider"
BALLAST_CUBES = 300
SESSION_URI = "chat://session-"

_SERIAL = itertools.count(1)
_CONSONANTS, _VOWELS = "bdfgklmnprstvx", "aeiou"

WIPE_ALL = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS"
WIPE_FUZZED = """
MATCH (n) WHERE (n:MemCube AND n.owner IN $principals) OR (n:Space AND n.id IN $spaces)
  OR (n:Agent AND n.id IN $principals) OR (n:Source AND n.uri STARTS WITH $session_uri)
DETACH DELETE n
"""
WIPE_MEMBERSHIPS = "MATCH (a:Principal)-[r:MEMBER_OF]->(:Principal) WHERE a.id IN $principals DELETE r"
WIPE_ORPHAN_FACTS = "MATCH (f:Fact) WHERE NOT EXISTS { (f)<-[:ASSERTS]-(:MemCube) } DETACH DELETE f"
WIPE_ORPHAN_RELATES = "MATCH ()-[r:RELATES]->() WHERE NOT EXISTS { MATCH (:Fact {id: r.fact_id}) } DELETE r"
WIPE_ORPHAN_ACTIVITIES = "MATCH (a:Activity) WHERE NOT EXISTS { (a)--(:MemCube) } DETACH DELETE a"
WIPE_ORPHAN_ENTITIES = """
MATCH (e:Entity) WHERE NOT EXISTS { (e)<-[:MENTIONS]-(:MemCube) } AND NOT EXISTS { (e)<-[:SUBJECT|OBJECT]-(:Fact) }
DETACH DELETE e
"""

GRAPH_CUBES = """
MATCH (c:MemCube) WHERE c.owner IN $principals
RETURN c.id AS id, c.state AS state, c.text AS text, c.owner AS owner,
       [(p:Principal)-[r:OWNS|CAN_READ|CAN_WRITE]->(c) | [p.id, type(r)]] AS grants,
       [(c)-[:IN_SPACE]->(s:Space) | s.id] AS spaces,
       [(c)-[:ASSERTS]->(f:Fact) | f.id] AS facts,
       [(c)-[:MENTIONS]->(e:Entity) | e.id] AS mentions,
       [(c)-[:SUPERSEDES]->(o:MemCube) | o.id] AS supersedes,
       [(c)-[:DERIVED_FROM]->(o:MemCube) | o.id] AS derived
"""
GRAPH_MEMBERS = "MATCH (a:Principal)-[:MEMBER_OF]->(b:Principal) RETURN a.id AS member, b.id AS grp"
GRAPH_SPACE_GRANTS = """
MATCH (p:Principal)-[r]->(s:Space) WHERE s.id IN $spaces
RETURN s.id AS space, p.id AS who, type(r) AS right
"""
GRAPH_FACTS = "MATCH (c:MemCube)-[:ASSERTS]->(f:Fact) WHERE c.owner IN $principals RETURN DISTINCT f.id AS id"
GRAPH_ENTITIES = "MATCH (e:Entity) RETURN e.id AS id, e.name AS name"


@dataclass
class Tally:
    """What a fuzz run did and found. ``strict``: raise at the first finding (tests)."""

    strict: bool = True
    operations: int = 0
    http: int = 0
    scanned: int = 0
    denied: int = 0
    search_hits: int = 0
    read_leaks: list[str] = field(default_factory=list)
    write_leaks: list[str] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)

    def _found(self, bucket: list[str], message: str) -> None:
        bucket.append(message)
        if self.strict:
            raise AssertionError(message)

    def read_leak(self, message: str) -> None:
        """Something came back that the principal may not read."""
        self._found(self.read_leaks, message)

    def write_leak(self, message: str) -> None:
        """A write succeeded without the rights it needs."""
        self._found(self.write_leaks, message)

    def mismatch(self, message: str) -> None:
        """The store and the model disagree otherwise."""
        self._found(self.mismatches, message)

    @property
    def leaks(self) -> int:
        """Read and write leaks found."""
        return len(self.read_leaks) + len(self.write_leaks)


def canary() -> str:
    """A fresh canary token, unique in this process: "Zy" + consonant-vowel syllables of a serial."""
    n, letters = next(_SERIAL), ""
    for _ in range(3):
        n, k = divmod(n, len(_CONSONANTS) * len(_VOWELS))
        letters += _CONSONANTS[k % len(_CONSONANTS)] + _VOWELS[k // len(_CONSONANTS)]
    return "Zy" + letters


def with_canary(text: str, token: str) -> str:
    """``text`` with ``token`` after its first pool name ("Alice Zybokadu met Bob…", so extraction
    makes it part of an entity's name), or in front when it names none."""
    for name in ENTITY_NAMES:
        at = text.find(name)
        if at >= 0:
            return text[: at + len(name)] + " " + token + text[at + len(name) :]
    return f"{token} noted: {text}"


def canaries_in(text: str) -> set[str]:
    """The canary tokens in a text, lower-cased."""
    return {t.casefold() for t in CANARY.findall(text)}


def named_entity(name: str, token: str) -> EntityRecord:
    """The pool entity of ``name`` as a canaried memory names it: ``name`` and "``name`` ``token``"."""
    return entity_record(name).model_copy(update={"aliases": [f"{name} {token}"]})


def vocabulary_vectors(embedder: Embedder) -> dict[str, list[float]]:
    """Real sentence embeddings of every text and query the fuzzer uses (computed once)."""
    words = TEXTS + QUERIES
    return {w: [float(x) for x in v] for w, v in zip(words, embedder.embed(words), strict=True)}


def entity_record(name: str) -> EntityRecord:
    """The entity of a pool name (id derived from the name)."""
    return EntityRecord(id=stable_id("entity", name.casefold()), name=name, type="OTHER")


def seed_ballast(store: GraphStore, vectors: dict[str, list[float]]) -> None:
    """Empty the database and write the other tenant's memories (see the module docstring)."""
    with store.session() as s:
        s.run(WIPE_ALL).consume()
    activity = ActivityRecord(id="activity:ballast", kind="extraction", name="ballast")
    writes = []
    for i in range(BALLAST_CUBES):
        token = canary()
        text = with_canary(TEXTS[i % len(TEXTS)], token)
        cube = MemCube.plaintext(text, owner=OUTSIDER, id=f"ballast-{i}", semantic_type="note")
        cube.governance.readers = [OUTSIDER_TEAM] if i % 3 else []
        cube.embedding = vectors[TEXTS[i % len(TEXTS)]]
        subject = named_entity(BALLAST_ENTITIES[i % 4], token)
        obj = named_entity(BALLAST_ENTITIES[(i + 1) % 4], token)
        predicate = PREDICATES[i % len(PREDICATES)]
        source = SourceRecord(
            id=f"ballast-source-{i}",
            kind="document",
            uri=f"ballast://{i % 10}",
            content_hash=content_hash(text),
            start=0,
            end=len(text),
        )
        writes.append(
            CubeWrite(
                cube=cube,
                source=source,
                activity=activity,
                agent=AGENT,
                entities=[subject, obj],
                facts=[
                    FactRecord(
                        id=fact_id(subject.id, predicate, obj.id),
                        subject_id=subject.id,
                        predicate=predicate,
                        object_id=obj.id,
                    )
                ],
            )
        )
    store.write_cubes(writes)
    store.permissions.grant_space(OUTSIDER_SPACE, OUTSIDER_TEAM, Right.CAN_READ)
    for i in range(0, BALLAST_CUBES, 5):
        store.permissions.add_to_space(OUTSIDER, f"ballast-{i}", OUTSIDER_SPACE)


def wipe_fuzzed(store: GraphStore) -> dict[str, str]:
    """Remove what the fuzzed principals made (the ballast and API keys stay); return the entities left."""
    with store.session() as s:
        s.run(WIPE_FUZZED, principals=PRINCIPALS, spaces=SPACES, session_uri=SESSION_URI).consume()
        s.run(WIPE_MEMBERSHIPS, principals=PRINCIPALS).consume()
        for query in (WIPE_ORPHAN_FACTS, WIPE_ORPHAN_RELATES, WIPE_ORPHAN_ACTIVITIES, WIPE_ORPHAN_ENTITIES):
            s.run(query).consume()
    return {r["id"]: r["name"] for r in store.read(GRAPH_ENTITIES)}


def graph_differences(store: GraphStore, m: AclModel) -> tuple[list[str], list[str]]:
    """Compare the fuzzed part of the graph with the model: ``(write leaks, other mismatches)``."""
    leaks: list[str] = []
    rows = {r["id"]: r for r in store.read(GRAPH_CUBES, principals=PRINCIPALS)}
    if set(rows) != set(m.cubes):
        return [f"graph cubes {sorted(set(rows) ^ set(m.cubes))} differ from the model"], []
    for cid, cube in m.cubes.items():
        got = _cube_snapshot(rows[cid])
        want: dict[str, Any] = {
            "state": cube.state,
            "text": cube.text,
            "owner": cube.owner,
            "grants": {(who, right) for who, rights in cube.grants.items() for right in rights},
            "spaces": cube.spaces,
            "facts": cube.facts,
            "mentions": cube.mentions,
            "supersedes": {cube.supersedes} if cube.supersedes else set(),
            "derived": cube.derived_from,
        }
        leaks += [f"cube {cid} {k}: graph {got[k]!r}, model {v!r}" for k, v in want.items() if got[k] != v]
    space_grants = {(r["space"], r["who"], r["right"]) for r in store.read(GRAPH_SPACE_GRANTS, spaces=SPACES)}
    want_space = {(s, w, r) for s, g in m.space_grants.items() for w, rs in g.items() for r in rs}
    if space_grants != want_space:
        leaks.append(f"space grants: graph {sorted(space_grants)}, model {sorted(want_space)}")
    mismatches = []
    members = {(r["member"], r["grp"]) for r in store.read(GRAPH_MEMBERS)}
    if members != m.member_of:
        mismatches.append(f"memberships: graph {sorted(members)}, model {sorted(m.member_of)}")
    if {r["id"] for r in store.read(GRAPH_FACTS, principals=PRINCIPALS)} != set(m.facts):
        mismatches.append("facts asserted by fuzzed cubes differ from the model")
    return leaks, mismatches


def _cube_snapshot(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "state": r["state"],
        "text": r["text"],
        "owner": r["owner"],
        "grants": {tuple(g) for g in r["grants"]},
        "spaces": set(r["spaces"]),
        "facts": set(r["facts"]),
        "mentions": set(r["mentions"]),
        "supersedes": set(r["supersedes"]),
        "derived": set(r["derived"]),
    }
