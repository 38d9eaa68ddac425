"""The analysts' Cypher endpoint: read-only (Neo4j refuses writes), bounded in time and rows."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from memcubedb.graph.store import GraphStore
from tests.api_helpers import Keys, assert_problem
from tests.factories import cube_write

pytest_plugins = ["tests.api_fixtures"]

SNAPSHOT = """
CALL () { MATCH (n) RETURN count(n) AS nodes }
CALL () { MATCH ()-[r]->() RETURN count(r) AS rels }
CALL () { MATCH (n) UNWIND keys(n) AS k RETURN count(k) AS props }
CALL () { CALL db.labels() YIELD label RETURN collect(label) AS labels }
CALL () { CALL db.propertyKeys() YIELD propertyKey RETURN collect(propertyKey) AS keys }
RETURN nodes, rels, props, labels, keys
"""
INDEXES = "SHOW INDEXES YIELD name RETURN collect(name) AS names"


def snapshot(store: GraphStore) -> list[dict[str, object]]:
    """Counts of nodes, relationships and properties; labels, property keys and indexes."""
    return store.read(SNAPSHOT) + store.read(INDEXES)

WRITES = [
    "CREATE (n:Evil {x: 1}) RETURN n",
    "MERGE (n:MemCube {id: 'injected'}) RETURN n",
    "MATCH (c:MemCube) SET c.text = 'pwned' RETURN count(c)",
    "MATCH (c:MemCube) REMOVE c.text RETURN count(c)",
    "MATCH (n) DETACH DELETE n",
    "CALL db.createLabel('Evil')",
    "CALL db.createProperty('evil')",
    "CALL db.create.setNodeVectorProperty(null, 'embedding', [1.0])",
    "CREATE INDEX evil IF NOT EXISTS FOR (n:Evil) ON (n.x)",
    "CALL { CREATE (:Evil) } IN TRANSACTIONS",
    "MATCH (c:MemCube) WITH c LIMIT 1 CALL (c) { SET c.evil = true } RETURN 1",
]

OUTSIDE = [
    "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row",
    "load csv with headers from 'http://127.0.0.1:9/x.csv' as row return row",
    "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
    "CALL db.clearQueryCaches()",
    "CALL dbms.listConfig() YIELD name RETURN name",
]


@pytest.fixture
def graph(store: GraphStore) -> GraphStore:
    store.write_cubes([cube_write(f"Memo {i}.", facts=[(f"P{i}", "knows", "Q")], uri=f"t://{i}") for i in range(5)])
    return store


def test_runs_parameterised_read_queries(client: TestClient, keys: Keys, graph: GraphStore) -> None:
    body = {"query": "MATCH (c:MemCube) WHERE c.text STARTS WITH $prefix RETURN c.text AS text, c ORDER BY text",
            "parameters": {"prefix": "Memo"}}
    r = client.post("/v1/cypher", json=body, headers=keys["ana"])
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["columns"] == ["text", "c"] and out["truncated"] is False
    assert [row["text"] for row in out["rows"]] == [f"Memo {i}." for i in range(5)]
    node = out["rows"][0]["c"]
    assert node["labels"] == ["MemCube"] and node["properties"]["owner"] == "alice"
    assert isinstance(node["properties"]["created_at"], str)
    path = client.post("/v1/cypher", headers=keys["ana"], json={
        "query": "MATCH p = (:Entity)-[:RELATES]->(:Entity) RETURN p LIMIT 1"}).json()["rows"][0]["p"]
    assert path["relationships"][0]["type"] == "RELATES" and len(path["nodes"]) == 2
    admin = client.post("/v1/cypher", json={"query": "RETURN 1 AS one"}, headers=keys["root"])
    assert admin.json()["rows"] == [{"one": 1}]


def test_row_limit_and_timeout(client: TestClient, keys: Keys, graph: GraphStore) -> None:
    r = client.post("/v1/cypher", json={"query": "UNWIND range(1, 100000) AS x RETURN x", "limit": 10},
                    headers=keys["ana"]).json()
    assert len(r["rows"]) == 10 and r["truncated"] is True and r["limit"] == 10
    capped = client.post("/v1/cypher", json={"query": "UNWIND range(1, 100000) AS x RETURN x", "limit": 10**6},
                         headers=keys["ana"]).json()
    assert len(capped["rows"]) == 500 and capped["limit"] == 500  # the server's cypher_max_rows
    slow = client.post("/v1/cypher", headers=keys["ana"], json={
        "query": "UNWIND range(1, 1000000000) AS x RETURN count(x) AS n", "timeout_s": 1})
    problem = assert_problem(slow, 504)
    assert "timeout" in str(problem["detail"])


@pytest.mark.parametrize("query", WRITES)
def test_writes_are_refused_by_neo4j_and_change_nothing(
    client: TestClient, keys: Keys, graph: GraphStore, query: str
) -> None:
    before = snapshot(graph)
    problem = assert_problem(client.post("/v1/cypher", json={"query": query}, headers=keys["ana"]), 403)
    assert "refused by Neo4j" in str(problem["detail"])
    assert snapshot(graph) == before


@pytest.mark.parametrize("query", OUTSIDE)
def test_reaching_outside_the_graph_is_refused(client: TestClient, keys: Keys, graph: GraphStore, query: str) -> None:
    before = snapshot(graph)
    assert_problem(client.post("/v1/cypher", json={"query": query}, headers=keys["ana"]), 403)
    assert snapshot(graph) == before


def test_errors_and_roles(client: TestClient, keys: Keys, graph: GraphStore) -> None:
    for who in ("alice", "carol"):
        assert_problem(client.post("/v1/cypher", json={"query": "RETURN 1"}, headers=keys[who]), 403)
        assert_problem(client.get("/v1/cypher/queries", headers=keys[who]), 403)
    assert_problem(client.post("/v1/cypher", json={"query": "RETURN 1"}), 401)
    syntax = assert_problem(client.post("/v1/cypher", json={"query": "MATCH (n RETURN n"}, headers=keys["ana"]), 400)
    assert "Invalid input" in str(syntax["detail"]) or "SyntaxError" in str(syntax["detail"])
    assert_problem(client.post("/v1/cypher", json={"query": "RETURN $missing"}, headers=keys["ana"]), 400)
    assert_problem(client.post("/v1/cypher", json={"query": ""}, headers=keys["ana"]), 422, field="body.query")
    assert_problem(client.post("/v1/cypher", json={"query": "RETURN 1", "limit": 0}, headers=keys["ana"]), 422,
                   field="body.limit")
    big = {"query": "RETURN $n", "parameters": {"n": {"deep": [1, 2**63]}}}  # past Cypher's 64-bit INTEGER
    problem = assert_problem(client.post("/v1/cypher", json=big, headers=keys["ana"]), 422, field="body.parameters")
    assert "n.deep[1]" in str(problem["detail"])
    fits = client.post("/v1/cypher", json={"query": "RETURN $n AS n", "parameters": {"n": 2**63 - 1}},
                       headers=keys["ana"])
    assert fits.status_code == 200 and fits.json()["rows"] == [{"n": 2**63 - 1}]


def test_saved_queries_listed_described_and_run(client: TestClient, keys: Keys, graph: GraphStore) -> None:
    listed = client.get("/v1/cypher/queries", headers=keys["ana"]).json()
    assert len(listed) >= 12
    by_name = {q["name"]: q for q in listed}
    degree = by_name["entities_by_degree"]
    assert degree["purpose"].startswith("The most connected entities")
    assert degree["parameters"] == ["limit", "type"] and degree["columns"].startswith("entity_id")
    assert client.get("/v1/cypher/queries/entities_by_degree", headers=keys["ana"]).json() == degree
    rows = client.post("/v1/cypher/queries/entities_by_degree", json={"parameters": {"limit": 1}},
                       headers=keys["ana"]).json()["rows"]
    assert rows[0]["name"] == "Q" and rows[0]["degree"] == 5
    assert_problem(client.get("/v1/cypher/queries/nope", headers=keys["ana"]), 404)
    assert_problem(client.post("/v1/cypher/queries/nope", json={}, headers=keys["ana"]), 404)
    assert_problem(client.post("/v1/cypher/queries/entities_by_degree", json={"parameters": {"evil": 1}},
                               headers=keys["ana"]), 422)
