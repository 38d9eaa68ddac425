"""Injection: every text field, fuzzed with Cypher (and Lucene) metacharacters and payloads, is
stored and read back byte-for-byte, searches and filters on it answer normally, and nothing else
in the graph changes (a canary tenant's memories stay exactly as they were). Through the store and
through the HTTP API on loopback; plus the analyst endpoint refusing every write form.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from memcubedb.cube import MemCube
from memcubedb.embeddings import default_embedder
from memcubedb.graph.facts import FactEditor
from memcubedb.graph.permissions import Right
from memcubedb.graph.read_models.dashboard import GraphFilter
from memcubedb.graph.read_models.explorer import GraphExplorer
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
from memcubedb.search import recipe
from memcubedb.search.searcher import MemorySearch
from memcubedb.turns import speaker_text
from tests.api_helpers import Keys
from tests.factories import cube_write

pytest_plugins = ["tests.api_fixtures"]

PAYLOADS = [
    "'", '"', "`", "\\", "\\'", "''", '""', "``",
    "'}) DETACH DELETE n //",
    "\"}) MATCH (n) DETACH DELETE n //",
    "x` DETACH DELETE n //",
    "') WITH 1 AS x MATCH (c:MemCube) SET c.text = 'pwned' //",
    "$principal", "${principal}", "$1", "{id: 'x'}", "}]->(c) RETURN c //",
    "MATCH (n) RETURN n", "CALL db.clearQueryCaches()", "LOAD CSV FROM 'file:///etc/passwd' AS r RETURN r",
    "/* open comment", "*/", "// line comment", "\n// newline comment\n", ";", "; MATCH (n) DETACH DELETE n;",
    "\x00", "a\x00b", "\r\n\t", "\u2028\u2029", "\u202eevil", "\ufeffBOM", "ünïcødé 漢字 🧠 𝔘",
    "a AND b OR c*~ title:x^2 [1 TO 5] \"q\" +x -y !z (g) {r} && ||", "*", "?", "~", "\\\\\\",
    "%s %d {0} {name}", "null", "NULL", "true", "[]", "{}", "0x41", "1e309", "-0",
]
_TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=1, max_size=30)
PAYLOAD = st.one_of(
    st.sampled_from(PAYLOADS),
    st.tuples(st.sampled_from(PAYLOADS), _TEXT, st.sampled_from(PAYLOADS)).map("".join),
    _TEXT,
)
"""A Cypher/Lucene payload, a payload sandwich, or arbitrary text (no lone surrogates: not UTF-8)."""

PRINCIPAL_ID = PAYLOAD.map(lambda p: ("p-" + p.replace("/", "_").replace(" ", "_"))[:128]).filter(
    lambda p: not any(c.isspace() for c in p)
)
"""An id the API accepts for principals (no whitespace or '/'), still full of metacharacters."""

CANARY = "canary-owner"
CANARY_STATE = """
MATCH (c:MemCube {owner: $owner})
RETURN c.id AS id, c.text AS text, c.state AS state, c.tags AS tags,
       [(p:Principal)-[r]->(c) | p.id + ':' + type(r)] AS grants,
       [(c)-[:ASSERTS]->(f:Fact)-[:SUBJECT|OBJECT]->(e:Entity) | f.predicate + ':' + e.name] AS facts
ORDER BY id
"""
TOTALS = "CALL () { MATCH (n) RETURN count(n) AS nodes } CALL () { MATCH ()-[r]->() RETURN count(r) AS rels } RETURN *"
SNAPSHOT = """
CALL () { MATCH (n) RETURN count(n) AS nodes }
CALL () { MATCH ()-[r]->() RETURN count(r) AS rels }
CALL () { MATCH (n) UNWIND keys(n) AS k RETURN count(k) AS props }
CALL () { MATCH (n) UNWIND labels(n) AS l RETURN collect(DISTINCT l) AS labels }
RETURN nodes, rels, props, labels
"""
SCHEMA = ["SHOW INDEXES YIELD name RETURN name ORDER BY name", "SHOW CONSTRAINTS YIELD name RETURN name ORDER BY name",
          "CALL db.labels() YIELD label RETURN label ORDER BY label",
          "CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType ORDER BY relationshipType",
          "CALL db.propertyKeys() YIELD propertyKey RETURN propertyKey ORDER BY propertyKey"]


def snapshot(store: GraphStore) -> list[list[dict[str, Any]]]:
    """Counts, labels, indexes, constraints and the token registries (labels, types, keys) of the graph."""
    return [store.read(SNAPSHOT), *(store.read(q) for q in SCHEMA)]
def hypothesis_settings(examples: int) -> settings:
    """``examples`` runs, no deadline (each example talks to Neo4j), no example database."""
    return settings(
        max_examples=examples, deadline=None, database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@pytest.fixture
def canary(store: GraphStore) -> list[dict[str, Any]]:
    """Another tenant's memories; every test checks they are untouched at the end."""
    store.write_cubes([
        cube_write(f"Canary memo {i}: Dana runs the Lyon office.", owner=CANARY, uri=f"canary://{i}",
                   facts=[("Dana", "runs", "Lyon office")])
        for i in range(3)
    ])
    return store.read(CANARY_STATE, owner=CANARY)


def _same(a: str, b: str) -> bool:
    return a.encode("utf-8") == b.encode("utf-8")


# --- through the store ------------------------------------------------------------------------


def _payload_write(serial: int, owner: str, text: str, name: str, predicate: str, tag: str, uri: str,
                   speaker: str, key: str, value: str) -> CubeWrite:
    source = SourceRecord(
        id=stable_id("source", uri, str(serial)), kind="chat_turn", uri=uri[:2048], turn_id=speaker,
        speaker=speaker, content_hash=content_hash(text), start=0, end=len(text),
    )
    cube = MemCube.plaintext(text, owner=owner, id=f"inj-{serial}", tags=[tag], semantic_type=tag[:64])
    subject = EntityRecord(id=stable_id("entity", "inj", name), name=name[:512], type="OTHER", aliases=[value])
    obj = EntityRecord(id=stable_id("entity", "inj-object"), name="Injection Object", type="OTHER")
    fact = FactRecord(id=stable_id("fact", subject.id, predicate, obj.id), subject_id=subject.id,
                      predicate=predicate[:256], object_id=obj.id)
    return CubeWrite(
        cube=cube, source=source, activity=ActivityRecord(id=f"inj-act-{serial}", kind="extraction",
                                                          params={key: value}),
        agent=AgentRecord(id=f"agent:{speaker}", kind="person", name=speaker), entities=[subject, obj],
        facts=[fact],
    )


@pytest.fixture(scope="module")
def embedder() -> Any:
    return default_embedder()


def test_payloads_round_trip_through_store(store: GraphStore, canary: list[dict[str, Any]], embedder: Any) -> None:
    facts_api, explorer = FactEditor(store), GraphExplorer(store)
    searcher = MemorySearch(store, embedder, "hybrid", record_access=False)
    serial = iter(range(1_000_000))

    @hypothesis_settings(20)
    @given(owner=PRINCIPAL_ID, grantee=PRINCIPAL_ID, text=PAYLOAD, name=PAYLOAD, predicate=PAYLOAD, tag=PAYLOAD,
           uri=PAYLOAD, speaker=PAYLOAD, key=PAYLOAD, value=PAYLOAD, query=PAYLOAD)
    def check(owner: str, grantee: str, text: str, name: str, predicate: str, tag: str, uri: str, speaker: str,
              key: str, value: str, query: str) -> None:
        before = store.read(TOTALS)[0]
        write = _payload_write(next(serial), owner, text, name, predicate, tag, uri, speaker, key, value)
        cid = write.cube.id
        cube = store.create_cube(owner, write)
        assert _same(cube.text, text) and cube.descriptive.tags == [tag] and cube.governance.owner == owner
        assert _same(store.get_cube(owner, cid).text, text)
        facts = store.facts_of(owner, cid)
        assert [(f.subject, f.predicate) for f in facts] == [(write.entities[0].name, write.facts[0].predicate)]
        assert write.entities[0].name in {e.name for e in store.visible_entities(owner)}
        shown = {n for e in store.visible_entities(owner) for n in (e.name, *e.aliases)}
        assert value in shown  # an alias, or the name itself when the two are equal
        prov = store.provenance(owner, cid)
        source = prov["sources"][0]
        assert (source["uri"], source["speaker"], source["turn_id"]) == (write.source.uri, speaker, speaker)
        assert json.loads(prov["activities"][0]["params"]) == {key: value}
        listed = store.list_cubes(owner, tag=tag, owner=owner, limit=1000)
        assert cid in {c.id for c in listed}
        assert all(tag in c.descriptive.tags and c.governance.owner == owner for c in listed)
        by_predicate = facts_api.find_facts(owner, predicate=write.facts[0].predicate)
        assert write.facts[0].id in {f.id for f in by_predicate}
        assert all(_same(f.predicate, write.facts[0].predicate) for f in by_predicate)
        store.permissions.grant(owner, cid, grantee, Right.CAN_READ)
        store.permissions.add_member(grantee, owner + "-group")
        assert _same(store.get_cube(grantee, cid).text, text)
        for name_ in ("hybrid", "fulltext", "graph"):
            found = searcher.search(owner, query, k=10, config=recipe(name_))
            assert {r.cube_id for r in found} <= {c.id for c in store.list_cubes(owner, limit=1000)}
        hits = explorer.find(owner, query, GraphFilter(source=query[:2048]))
        assert {h.id for h in hits if h.kind == "cube"} <= {c.id for c in store.list_cubes(owner, limit=1000)}
        after = store.read(TOTALS)[0]
        assert after["nodes"] >= before["nodes"] and after["rels"] >= before["rels"]

    try:
        check()
    finally:
        searcher.close()
    assert store.read(CANARY_STATE, owner=CANARY) == canary


# --- through the HTTP API on loopback -----------------------------------------------------------


@pytest.fixture
def http(live_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server, timeout=60) as client:
        yield client


def _ok(response: httpx.Response, *statuses: int) -> Any:
    """Assert one of ``statuses`` (a 4xx must be problem+json); return the JSON body."""
    assert response.status_code in statuses, (response.status_code, response.text[:500])
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json"), response.text[:200]
        assert response.json()["detail"]
    return response.json() if response.content else None


def test_payloads_round_trip_through_api(
    http: httpx.Client, keys: Keys, store: GraphStore, canary: list[dict[str, Any]]
) -> None:
    alice, serial = keys["alice"], iter(range(1_000_000))

    @hypothesis_settings(15)
    @given(text=PAYLOAD, edit=PAYLOAD, tag=PAYLOAD, speaker=PAYLOAD, name=PAYLOAD, predicate=PAYLOAD,
           query=PAYLOAD, grantee=PRINCIPAL_ID)
    def check(text: str, edit: str, tag: str, speaker: str, name: str, predicate: str, query: str,
              grantee: str) -> None:
        n = next(serial)
        body_text = f"Memo {n}: {text}"
        added = _ok(http.post("/v1/cubes", headers=alice,
                              json={"text": body_text, "uri": f"inj://{n}/{text}"[:2048], "tags": [tag]}), 201)
        cid = added["cubes"][0]["id"]
        for cube in added["cubes"]:
            assert tag in cube["descriptive"]["tags"]
            src = _ok(http.get(f"/v1/cubes/{cube['id']}/provenance", headers=alice), 200)["sources"][0]
            assert _same(cube["payload"]["text"], body_text[src["start"]:src["end"]])
        updated = _ok(http.patch(f"/v1/cubes/{cid}", headers=alice, json={"text": edit}), 200)
        assert _same(updated["payload"]["text"], edit)
        assert _same(_ok(http.get(f"/v1/cubes/{updated['id']}", headers=alice), 200)["payload"]["text"], edit)
        chat = {"uri": f"chat://inj/{n}", "turns": [{"speaker": speaker[:256], "text": f"Turn {n}: {text}",
                                                      "turn_id": speaker[:256]}]}
        turns = _ok(http.post("/v1/cubes/chat", headers=alice, json=chat), 201)["cubes"]
        turn = turns[0]
        said = chat["turns"][0]["text"]
        assert _same(turn["payload"]["text"], speaker_text(speaker[:256], said))  # "<speaker>: <text>"
        src = _ok(http.get(f"/v1/cubes/{turn['id']}/provenance", headers=alice), 200)["sources"][0]
        assert (src["speaker"], src["turn_id"]) == (speaker[:256], speaker[:256])
        assert src["content_hash"] == content_hash(said)
        subject = f"N{n} {name}"[:512]  # a fresh entity: an existing one would keep its first name
        relation = f"p{n} {predicate}"[:256]  # never blank: a blank predicate is a 422 (docs/limits.md)
        fact = _ok(http.post(f"/v1/cubes/{turn['id']}/facts", headers=alice, json={
            "subject": {"name": subject}, "predicate": relation, "object": {"name": "Injection Object"},
        }), 201)
        assert _same(fact["subject"], subject) and _same(fact["predicate"], relation)
        found = _ok(http.get("/v1/facts", headers=alice, params={"predicate": relation}), 200)
        assert fact["id"] in {f["id"] for f in found["items"]}
        _ok(http.post(f"/v1/cubes/{turn['id']}/grants", headers=alice, json={"grantee": grantee}), 204)
        latest = _ok(http.get("/v1/cubes", headers=alice, params={"limit": 1000}), 200)["items"]
        versions = _ok(http.get("/v1/cubes", headers=alice, params={"limit": 1000, "latest_only": "false"}), 200)
        results = _ok(http.post("/v1/search", headers=alice, json={"query": query, "recipe": "fulltext"}), 200)
        assert {r["cube_id"] for r in results["results"]} <= {c["id"] for c in latest}
        hits = _ok(http.get("/v1/graph/find", headers=alice, params={"q": query[:500], "source": query}), 200)
        assert {h["id"] for h in hits if h["kind"] == "cube"} <= {c["id"] for c in versions["items"]}
        _ok(http.get("/v1/cubes", headers=alice, params={"tag": query, "owner": query}), 200)
        _ok(http.get(f"/v1/cubes/x{quote(query, safe='')}", headers=alice), 404)
        _ok(http.get(f"/v1/entities/x{quote(query, safe='')}", headers=alice), 404)

    check()
    assert store.read(CANARY_STATE, owner=CANARY) == canary


# --- the analyst endpoint ---------------------------------------------------------------------

WRITE_FORMS = [
    "CREATE (n:Evil {x: 1}) RETURN n",
    "MERGE (n:MemCube {id: 'injected'}) RETURN n",
    "MATCH (c:MemCube) SET c.text = 'pwned' RETURN count(c)",
    "MATCH (c:MemCube) SET c += {evil: true} RETURN count(c)",
    "MATCH (c:MemCube) SET c:Evil RETURN count(c)",
    "MATCH (c:MemCube) REMOVE c.text RETURN count(c)",
    "MATCH (c:MemCube) REMOVE c:MemCube RETURN count(c)",
    "MATCH (n) DETACH DELETE n",
    "MATCH ()-[r]->() DELETE r",
    "MATCH (a:MemCube), (b:MemCube) WITH a, b LIMIT 1 CREATE (a)-[:EVIL]->(b)",
    "MATCH (n) WITH n LIMIT 1 FOREACH (x IN [1] | CREATE (:Evil))",
    "RETURN 1 AS x UNION CREATE (e:Evil) RETURN 1 AS x",
    "CALL { CREATE (:Evil) } IN TRANSACTIONS",
    "MATCH (c:MemCube) WITH c LIMIT 1 CALL (c) { SET c.evil = true } RETURN 1",
    "UNWIND range(1, 3) AS i CREATE (:Evil {i: i})",
    "CALL db.createLabel('Evil')",
    "CALL db.createProperty('evil')",
    "CALL db.createRelationshipType('EVIL')",
    "MATCH (c:MemCube) WITH c LIMIT 1 CALL db.create.setNodeVectorProperty(c, 'embedding', [1.0]) RETURN 1",
    "CREATE INDEX evil IF NOT EXISTS FOR (n:Evil) ON (n.x)",
    "CREATE CONSTRAINT evil IF NOT EXISTS FOR (n:Evil) REQUIRE n.x IS UNIQUE",
    "DROP INDEX memcube_state",
    "DROP CONSTRAINT memcube_id",
    "CALL db.index.vector.createNodeIndex('evil', 'Evil', 'e', 3, 'cosine')",
    "CREATE FULLTEXT INDEX evil_ft FOR (n:Evil) ON EACH [n.x]",
    "CREATE USER evil SET PASSWORD 'secret-password'",
    "CREATE DATABASE evil",
    "STOP DATABASE neo4j",
    "LOAD CSV FROM 'file:///etc/passwd' AS row CREATE (:Evil {line: row[0]})",
    "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
    "SHOW TRANSACTIONS YIELD parameters RETURN parameters",
    "CALL db.clearQueryCaches()",
    "CALL db.stats.collect('QUERIES')",
    "CALL db.prepareForReplanning()",
    "CALL dbms.killConnections(['bolt-1'])",
]
UNSUPPORTED = {"CREATE DATABASE evil", "STOP DATABASE neo4j"}
"""Administration commands Neo4j Community does not know (400); every other form is refused (403)."""
DISGUISES = [
    lambda q: q,
    lambda q: q.lower(),
    lambda q: "  \n\t" + q.replace(" ", "\n  ") + "\n",
    lambda q: "// harmless comment\n/* and a block */ " + q,
    lambda q: "CYPHER 5 " + q,
    lambda q: "PROFILE " + q,
]


def test_analyst_endpoint_refuses_every_write_form(
    http: httpx.Client, keys: Keys, store: GraphStore, canary: list[dict[str, Any]]
) -> None:
    before = snapshot(store)
    refused = 0
    for form in WRITE_FORMS:
        for disguise in DISGUISES:
            query = disguise(form)
            r = http.post("/v1/cypher", headers=keys["ana"], json={"query": query, "parameters": {"x": "'}) //"}})
            _ok(r, 400, 403)
            refused += 1
        r = http.post("/v1/cypher", headers=keys["ana"], json={"query": form})
        _ok(r, 400 if form in UNSUPPORTED else 403)
    assert refused == len(WRITE_FORMS) * len(DISGUISES)
    assert snapshot(store) == before
    assert store.read(CANARY_STATE, owner=CANARY) == canary
