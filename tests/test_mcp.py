"""The MCP server through the official SDK's client, over streamable HTTP (``/mcp`` of the API on
loopback, one test per scenario) and over stdio (``memcubedb mcp`` spawned as a host would: one
process per principal, all scenarios in one test so the processes start once).

Scenarios: tools and resources are listed and every tool is called; a second principal sees none
of the first's memories (canary strings in every answer); a reader key cannot write; a non-analyst
cannot run Cypher; malformed arguments give tool errors and leave the graph unchanged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import anyio
import httpx
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from memcubedb.graph.store import GraphStore
from tests.api_helpers import Keys
from tests.mcp_clients import (
    Connect,
    client_pool,
    graph_size,
    http_client,
    http_connect,
    ok,
    refused,
    resource,
    stdio_connect,
    text,
)

pytest_plugins = ["tests.api_fixtures", "tests.chat_fixtures"]

Clients = dict[str, Client]
TOOLS = {"add_memory", "search_memory", "get_memory", "update_memory", "delete_memory", "remember", "about_entity",
         "chat", "run_cypher", "saved_query"}
CANARY = "Quixotl"


async def lists_tools_and_resources(clients: Clients, store: GraphStore) -> None:
    client = clients["carol"]
    tools = {t.name: t for t in (await client.list_tools()).tools}
    assert set(tools) >= TOOLS, sorted(tools)
    for tool in tools.values():
        assert len(tool.description or "") > 60 and tool.input_schema["type"] == "object"
        assert tool.output_schema is not None
    assert {"text", "turns", "uri", "timestamp", "tags"} <= set(tools["add_memory"].input_schema["properties"])
    assert {"query", "k", "recipe", "memory_types", "occurred_from", "source"} <= set(
        tools["search_memory"].input_schema["properties"])
    assert tools["search_memory"].annotations.read_only_hint
    assert tools["delete_memory"].annotations.destructive_hint
    assert tools["run_cypher"].input_schema["required"] == ["query"]
    resources = {str(r.uri) for r in (await client.list_resources()).resources}
    templates = {t.uri_template for t in (await client.list_resource_templates()).resource_templates}
    assert "memcubedb://saved-queries" in resources and "memcube://{cube_id}" in templates


async def every_tool(clients: Clients, store: GraphStore) -> None:
    alice, ana = clients["alice"], clients["ana"]
    added = await ok(alice, "add_memory", {"text": "Alice works at Acme. Bob lives in Paris.", "tags": ["hr"]})
    assert len(added["written"]) == 1 and added["skipped"] == []
    cube_id = added["written"][0]
    assert ("Bob", "Paris") in {(f["subject"], f["object"]) for f in added["facts"]}
    assert all(cube_id in f["cube_ids"] for f in added["facts"])
    again = await ok(alice, "add_memory", {"text": "Alice works at Acme. Bob lives in Paris.", "tags": ["hr"]})
    assert again["written"] == [] and again["skipped"] == [cube_id]

    chat = await ok(alice, "add_memory", {"uri": "chat://support/1", "turns": [
        {"speaker": "Dana", "text": "I moved to Lyon last year.", "time": "2024-05-01T10:00:00Z"},
        {"speaker": "Bot", "text": "Noted, Dana."}]})
    assert len(chat["written"]) == 2 and chat["memories"][0]["text"].endswith("I moved to Lyon last year.")

    found = await ok(alice, "search_memory", {"query": "Where does Bob live?", "k": 5})
    assert cube_id in [r["cube_id"] for r in found["results"]]
    hit = next(r for r in found["results"] if r["cube_id"] == cube_id)
    assert hit["score"] > 0 and hit["uris"] and hit["text"].startswith("Alice works at Acme")
    chats = await ok(alice, "search_memory", {"query": "Lyon", "source": "chat://support/", "k": 5})
    assert chats["results"] and all(r["uris"][0] == "chat://support/1" for r in chats["results"])
    dated = await ok(alice, "search_memory", {"query": "Lyon", "occurred_from": "2030-01-01T00:00:00Z"})
    assert dated["results"] == []

    full = await ok(alice, "get_memory", {"memory_id": cube_id})
    assert full["memory"]["governance"]["owner"] == "alice" and "hr" in full["memory"]["descriptive"]["tags"]
    assert full["memory"]["behaviour"] is not None and full["facts"]
    assert full["provenance"]["sources"][0]["uri"].startswith("api://alice/")

    newer = await ok(alice, "update_memory", {"memory_id": cube_id, "text": "Alice works at Initech."})
    assert newer["governance"]["version"] == 2 and newer["id"] != cube_id
    await refused(alice, "update_memory", {"memory_id": cube_id, "text": "again"}, "409 superseded")
    gone = await ok(alice, "delete_memory", {"memory_id": newer["id"]})
    assert gone == {"id": newer["id"], "state": "deleted", "purged": False}

    remembered = await ok(alice, "remember", {"request": "Remember that Carol moved to Oslo."})
    operation = remembered["operations"][0]
    assert operation["executed"] and operation["operation"]["op"] == "add" and operation["cube_ids"]

    entity = await ok(alice, "about_entity", {"name": "Dana"})
    assert entity["entity"]["name"] == "Dana" and entity["facts"]
    assert {m["id"] for m in entity["memories"]} <= set(chat["written"])

    document = await resource(alice, f"memcube://{cube_id}")
    assert [c["cube"]["descriptive"]["id"] for c in document["cubes"]] == [cube_id]

    rows = await ok(ana, "run_cypher", {"query": "MATCH (c:MemCube {owner: $o}) RETURN count(c) AS n",
                                        "parameters": {"o": "alice"}})
    assert rows["columns"] == ["n"] and rows["rows"][0]["n"] >= 4
    await refused(ana, "run_cypher", {"query": "MATCH (c:MemCube) SET c.owner = 'ana'"}, "403 cypher-refused")
    saved = await resource(ana, "memcubedb://saved-queries")
    assert saved and {"name", "purpose", "parameters", "query"} <= set(saved[0])
    ran = await ok(ana, "saved_query", {"name": saved[0]["name"]})
    assert isinstance(ran["rows"], list)


async def second_principal_sees_none_of_the_first(clients: Clients, store: GraphStore) -> None:
    alice, bob = clients["alice"], clients["bob"]
    added = await ok(alice, "add_memory", {"text": f"{CANARY} Smith works at {CANARY} Corp in Paris."})
    chat = await ok(alice, "add_memory", {"turns": [{"speaker": CANARY, "text": f"I am {CANARY}."}]})
    cube_id, turn_id = added["memories"][0]["id"], chat["memories"][0]["id"]
    answers: list[str] = []
    for query in (CANARY, f"Where does {CANARY} work?", "Paris"):
        found = await ok(bob, "search_memory", {"query": query})
        assert found["results"] == []
        answers.append(str(found))
    for memory_id in (cube_id, turn_id):
        answers.append(await refused(bob, "get_memory", {"memory_id": memory_id}, "404 not-found"))
        answers.append(await refused(bob, "update_memory", {"memory_id": memory_id, "text": "mine"}, "404"))
        answers.append(await refused(bob, "delete_memory", {"memory_id": memory_id}, "404"))
        with pytest.raises(MCPError) as denied:
            await bob.read_resource(f"memcube://{memory_id}")
        answers.append(str(denied.value))
    answers.append(await refused(bob, "about_entity", {"name": f"{CANARY} Corp"}, "404"))
    answers.append(await refused(bob, "about_entity", {"name": CANARY}, "404"))
    for request in (f"What do you know about {CANARY}?", f"Forget what I said about {CANARY}.",
                    f"Actually it's Rome, not {CANARY}."):
        answers.append(str(await ok(bob, "remember", {"request": request})))
    assert not any(f"{CANARY} Smith" in a or f"{CANARY} Corp in" in a or f"I am {CANARY}" in a for a in answers)
    mine = await ok(alice, "get_memory", {"memory_id": cube_id})
    assert mine["memory"]["governance"]["state"] != "deleted" and mine["memory"]["governance"]["version"] == 1
    assert mine["memory"]["payload"]["text"].startswith(f"{CANARY} Smith")


async def reader_cannot_write(clients: Clients, store: GraphStore) -> None:
    alice, carol = clients["alice"], clients["carol"]
    cube_id = (await ok(alice, "add_memory", {"text": "Alice works at Acme."}))["memories"][0]["id"]
    store.permissions.grant("alice", cube_id, "carol", "CAN_READ")
    before = graph_size(store)
    assert (await ok(carol, "get_memory", {"memory_id": cube_id}))["memory"]["id"] == cube_id
    await refused(carol, "add_memory", {"text": "Carol writes."}, "role 'reader' may not write", "403")
    await refused(carol, "update_memory", {"memory_id": cube_id, "text": "Carol edits."}, "may not write")
    await refused(carol, "delete_memory", {"memory_id": cube_id}, "may not write")
    await refused(carol, "remember", {"request": "Remember that Carol moved to Oslo."}, "writer role")
    parsed = await ok(carol, "remember", {"request": "Remember that Carol moved to Oslo.", "execute": False})
    assert parsed["operations"][0]["executed"] is False
    assert graph_size(store) == before


async def non_analyst_cannot_run_cypher(clients: Clients, store: GraphStore) -> None:
    for principal in ("alice", "carol"):
        client = clients[principal]
        await refused(client, "run_cypher", {"query": "MATCH (n) RETURN n LIMIT 1"}, "may not cypher", "403")
        await refused(client, "saved_query", {"name": "anything"}, "may not cypher")
        with pytest.raises(MCPError, match="may not cypher"):
            await client.read_resource("memcubedb://saved-queries")


MALFORMED = [
    ("add_memory", {}, "exactly one of text or turns"),
    ("add_memory", {"text": "a", "turns": [{"speaker": "A", "text": "b"}]}, "exactly one of text or turns"),
    ("add_memory", {"text": ""}, "text"),
    ("add_memory", {"text": 42}, "text"),
    ("add_memory", {"turns": []}, "turns"),
    ("add_memory", {"turns": [{"text": "no speaker"}]}, "speaker"),
    ("add_memory", {"text": "When?", "timestamp": "yesterday-ish"}, "timestamp"),
    ("add_memory", {"text": "Far future.", "timestamp": "9999-12-31T23:59:59-23:00"}, "timestamp"),
    ("add_memory", {"text": "tags", "tags": "not-a-list"}, "tags"),
    ("search_memory", {}, "query"),
    ("search_memory", {"query": "x", "k": 0}, "k"),
    ("search_memory", {"query": "x", "recipe": "nope"}, "unknown recipe"),
    ("search_memory", {"query": "x", "memory_types": ["dream"]}, "memory_types"),
    ("search_memory", {"query": "x", "occurred_from": "2025-01-02T00:00:00Z", "occurred_to": "2025-01-01T00:00:00Z"},
     "occurred_from must not be after occurred_to"),
    ("get_memory", {"memory_id": ""}, "memory_id"),
    ("get_memory", {"memory_id": "no-such-memory"}, "404 not-found"),
    ("update_memory", {"memory_id": "no-such-memory"}, "give at least one of"),
    ("update_memory", {"memory_id": "x", "priority": 101}, "priority"),
    ("delete_memory", {}, "memory_id"),
    ("remember", {"request": ""}, "request"),
    ("about_entity", {}, "exactly one of name or entity_id"),
    ("about_entity", {"name": "Nobody At All"}, "no entity named"),
    ("no_such_tool", {"x": 1}, "no_such_tool"),
]


async def malformed_arguments_change_nothing(clients: Clients, store: GraphStore) -> None:
    alice = clients["alice"]
    await ok(alice, "add_memory", {"text": "Alice works at Acme."})
    before = graph_size(store)
    for tool, arguments, needle in MALFORMED:
        message = await refused(alice, tool, arguments, needle)
        assert message.strip() != f"Error executing tool {tool}", (tool, arguments)
    assert graph_size(store) == before


Scenario = Callable[[Clients, GraphStore], Awaitable[None]]
SCENARIOS: dict[str, tuple[list[str], Scenario]] = {
    "lists": (["carol"], lists_tools_and_resources),
    "every_tool": (["alice", "ana"], every_tool),
    "tenant_wall": (["alice", "bob"], second_principal_sees_none_of_the_first),
    "reader": (["alice", "carol"], reader_cannot_write),
    "analyst_only": (["alice", "carol"], non_analyst_cannot_run_cypher),
    "malformed": (["alice"], malformed_arguments_change_nothing),
}


def _run(connect: Connect, principals: list[str], scenarios: list[Scenario], store: GraphStore) -> None:
    async def body() -> None:
        async with client_pool(connect, principals) as clients:
            for scenario in scenarios:
                await scenario(clients, store)

    anyio.run(body)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_over_http(name: str, live_server: str, keys: Keys, store: GraphStore) -> None:
    principals, scenario = SCENARIOS[name]
    _run(http_connect(live_server, keys.keys), principals, [scenario], store)


def test_over_stdio(keys: Keys, store: GraphStore) -> None:
    """Every scenario through ``memcubedb mcp`` processes, one per principal (spawned in parallel)."""
    principals = sorted({p for needed, _ in SCENARIOS.values() for p in needed})
    _run(stdio_connect(keys.keys), principals, [s for _, s in SCENARIOS.values()], store)


def test_http_needs_a_key(live_server: str, keys: Keys) -> None:
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    headers = {"Accept": "application/json, text/event-stream"}
    for sent in ({}, {"Authorization": "Bearer wrong"}, {"X-API-Key": "wrong"}):
        answer = httpx.post(f"{live_server}/mcp", json=body, headers=headers | sent)
        assert answer.status_code == 401 and answer.headers["content-type"].startswith("application/problem+json")
        assert "API key" in answer.json()["detail"]
    assert "/mcp" not in httpx.get(f"{live_server}/openapi.json").json()["paths"]

    async def scenario() -> None:
        async with http_client(live_server, keys.keys["carol"], header="x-api-key") as client:
            assert (await client.list_tools()).tools
            result = await client.call_tool("search_memory", {"query": "anything"})
            assert not result.is_error, text(result)

    anyio.run(scenario)


def test_chat_tool_answers_with_the_callers_memories_only(serve_chat: Callable[..., tuple[str, object]],
                                                          keys: Keys) -> None:
    """The chat tool over HTTP (a small random Llama as the chat model): alice's answer used her memory; bob's
    answer to the same question used none of hers and names none of her text."""
    url, _ = serve_chat()

    async def body() -> None:
        async with client_pool(http_connect(url, keys.keys), ["alice", "bob"]) as clients:
            added = await ok(clients["alice"], "add_memory", {"text": f"{CANARY} keeps the bicycle in the cellar."})
            ask = {"messages": [{"role": "user", "content": f"Where does {CANARY} keep the bicycle?"}],
                   "max_tokens": 8, "memory_types": ["plaintext"]}
            mine = await ok(clients["alice"], "chat", ask)
            assert mine["finish_reason"] in ("stop", "length") and isinstance(mine["answer"], str)
            assert added["written"][0] in [m["id"] for m in mine["memory"]["memories"]["plaintext"]]
            theirs = await ok(clients["bob"], "chat", ask)
            assert theirs["memory"]["memories"]["plaintext"] == []
            assert "bicycle in the cellar" not in str(theirs)
            await refused(clients["bob"], "chat", {"messages": []}, "messages")

    anyio.run(body)
