"""Bad input on the MCP endpoint: well over 500 malformed calls, generated from the tools' own input
schemas (as ``tests/test_reliability_bad_input.py`` does from the OpenAPI document), sent with the
official SDK client to ``/mcp`` of the API on loopback, plus malformed JSON-RPC sent as raw HTTP.

Every tool call must come back as a tool error naming what is wrong (never the SDK's bare "Error
executing tool X", its answer to a crash); every raw request must get a status below 500; the
server must be healthy and answer a well-formed call afterwards, and the graph must be unchanged.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import AbstractAsyncContextManager
from typing import Any

import anyio
import httpx
from mcp import Client
from mcp.shared.exceptions import MCPError

from memcubedb.graph.store import GraphStore
from tests.api_helpers import Keys
from tests.mcp_clients import client_pool, graph_size, http_client, ok, resource, text

pytest_plugins = ["tests.api_fixtures"]

Call = tuple[str, dict[str, Any], str | None]
"""tool, arguments, a word the error must contain (``None``: any tool error)."""

BASE: dict[str, dict[str, Any]] = {
    "add_memory": {"text": "Fuzz base text."},
    "search_memory": {"query": "fuzz"},
    "get_memory": {"memory_id": "x"},
    "update_memory": {"memory_id": "x", "text": "y"},
    "delete_memory": {"memory_id": "x"},
    "remember": {"request": "Remember that fuzz is fine.", "execute": False},
    "about_entity": {"name": "Fuzz"},
    "run_cypher": {"query": "RETURN 1"},
    "saved_query": {"name": "x"},
    "chat": {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 4},
}
# Values no field of the JSON type accepts, even in pydantic's lax mode (no int for date-times: a Unix time).
NEVER: dict[str, list[Any]] = {
    "string": [12345, 1.5, True, {"x": 1}, [1, "x"]],
    "date-time": ["not-a-date", "2024-02-30T00:00:00Z", "", {"x": 1}, [1]],
    "integer": ["wrong", 1.5, "", {"x": 1}, [1]],
    "number": ["wrong", "", {"x": 1}, [1]],
    "boolean": ["wrong", 12345, 1.5, {"x": 1}, [1]],
    "array": ["wrong", 12345, True, {"x": 1}],
    "object": ["wrong", 12345, True, [1]],
    "enum": ["bogus-value", 12345, [1]],
}
TURN = {"speaker": "Ann", "text": "Hi."}
ODD_IDS = ["no-such-thing", str(uuid.uuid4()), "x" * 400, "ünïcødé-id", "a\x00b", "../../etc/passwd", " ", "%2F"]
BODY_LIMIT_CHARS = 100_001
"""Over-long strings past this are left to the body-size limit (413, tested in the raw requests)."""


def _alternatives(schema: dict[str, Any]) -> list[dict[str, Any]]:
    options = schema.get("anyOf", [schema])
    return [o for o in options if o.get("type") != "null"]


def _kind(schema: dict[str, Any], defs: dict[str, Any]) -> str:
    if "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    if "enum" in schema:
        return "enum"
    if schema.get("format") == "date-time":
        return "date-time"
    return str(schema.get("type", "object"))


def _out_of_range(schema: dict[str, Any], defs: dict[str, Any]) -> Iterator[Any]:
    if schema.get("minLength", 0) >= 1:
        yield ""
    if "maxLength" in schema and schema["maxLength"] < BODY_LIMIT_CHARS:
        yield "x" * (schema["maxLength"] + 1)
    if "minimum" in schema:
        yield schema["minimum"] - 1
    if "maximum" in schema:
        yield schema["maximum"] + 1
    if "exclusiveMinimum" in schema:
        yield schema["exclusiveMinimum"]
    if schema.get("minItems", 0) >= 1:
        yield []
    if "maxItems" in schema:
        yield ["x"] * (schema["maxItems"] + 1)
    items = schema.get("items")
    if items is not None:
        for value in NEVER[_kind(items, defs)][:2]:
            yield [value]


def schema_calls(tools: dict[str, dict[str, Any]]) -> list[Call]:
    """One malformed call per (tool, property, never-valid value), per missing required property, and
    per out-of-range value; every other argument is valid, so the call fails on that one field."""
    calls: list[Call] = []
    for name, schema in tools.items():
        defs, base = schema.get("$defs", {}), BASE[name]
        for prop, prop_schema in schema["properties"].items():
            for option in _alternatives(prop_schema):
                for value in [*NEVER[_kind(option, defs)], *_out_of_range(option, defs)]:
                    calls.append((name, base | {prop: value}, prop))
        turn = defs.get("ChatTurn", {}) if "turns" in schema["properties"] else {}
        for prop, prop_schema in turn.get("properties", {}).items():  # a chat turn's fields, inside a valid list
            for option in _alternatives(prop_schema):
                for value in [*NEVER[_kind(option, defs)], *_out_of_range(option, defs)]:
                    calls.append((name, {"turns": [TURN | {prop: value}]}, prop))
        for prop in schema.get("required", []):
            calls.append((name, {k: v for k, v in base.items() if k != prop}, prop))
            calls.append((name, base | {prop: None}, prop))
    return calls


def semantic_calls(saved: str) -> list[Call]:
    """Well-typed calls the tools must refuse: unknown ids, contradictions, refused Cypher, unknown tools."""
    calls: list[Call] = []
    for odd in ODD_IDS:
        calls += [("get_memory", {"memory_id": odd}, "404"), ("update_memory", {"memory_id": odd, "text": "t"}, "404"),
                  ("delete_memory", {"memory_id": odd}, "404"), ("about_entity", {"entity_id": odd}, "404"),
                  ("saved_query", {"name": odd}, None), (odd, {}, None)]
    calls += [
        ("add_memory", {}, "exactly one"), ("add_memory", {"text": "a", "turns": [{"speaker": "A", "text": "b"}]},
                                            "exactly one"),
        ("add_memory", {"text": "x", "timestamp": "9999-12-31T23:59:59-23:00"}, "timestamp"),
        ("update_memory", {"memory_id": "x"}, "give at least one"),
        ("about_entity", {}, "exactly one"), ("about_entity", {"name": "a", "entity_id": "b"}, "exactly one"),
        ("search_memory", {"query": "x", "recipe": "nope"}, "unknown recipe"),
        ("search_memory", {"query": "x", "occurred_from": "2025-01-02T00:00:00Z",
                           "occurred_to": "2025-01-01T00:00:00Z"}, "occurred_from"),
        ("run_cypher", {"query": "MATCH (n"}, "400 cypher-error"),
        ("run_cypher", {"query": "CREATE (n:Evil) RETURN n"}, "403 cypher-refused"),
        ("run_cypher", {"query": "MATCH (n) DETACH DELETE n"}, "403 cypher-refused"),
        ("run_cypher", {"query": "RETURN $x", "parameters": {"x": 2**70}}, "64-bit"),
        ("run_cypher", {"query": "LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l"}, "403"),
        ("saved_query", {"name": saved, "parameters": {"not_a_parameter": 1}}, "422"),
    ]
    return calls


RAW_BODIES: list[bytes] = [
    b"", b"{", b"null", b"[]", b"123", b'"text"', b"\xff\xfe\xfd", b"{" * 5000, b"[" * 5000 + b"]" * 5000,
    b'{"jsonrpc": "1.0", "id": 1, "method": "tools/list"}', b'{"jsonrpc": "2.0", "id": 1, "method": 5}',
    b'{"jsonrpc": "2.0", "id": 1, "method": "nope/nope", "params": {}}',
    b'{"jsonrpc": "2.0", "id": {"x": 1}, "method": "tools/list"}',
    b'{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": "x"}',
    b'{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": 5}}',
    b'{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "add_memory", "arguments": [1]}}',
    b'{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "add_memory", "arguments": "x"}}',
    b'{"jsonrpc": "2.0", "method": "tools/call", "params": {"name": "add_memory", "arguments": {"text": "x"}}}',
    b'{"jsonrpc": "2.0", "id": 1, "method": "resources/read", "params": {"uri": 5}}',
    b'{"jsonrpc": "2.0", "id": 1, "method": "resources/read", "params": {"uri": "file:///etc/passwd"}}',
    b'{"jsonrpc": "2.0", "id": 1, "method": "resources/read", "params": {"uri": "memcube://"}}',
    b'[{"jsonrpc": "2.0", "id": 1, "method": "tools/list"}, {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}]',
    b'{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "add_memory", "arguments": {"text": "'
    + b"x" * 300_000 + b'"}}}',
]


def raw_requests(url: str, key: str) -> int:
    """Send malformed JSON-RPC and HTTP to ``/mcp``; assert no answer is a 5xx; return how many were sent."""
    headers = {"Authorization": f"Bearer {key}", "Accept": "application/json, text/event-stream"}
    sent = 0
    with httpx.Client(timeout=60) as http:
        for body in RAW_BODIES:
            for content_type in ("application/json", "text/plain"):
                answer = http.post(f"{url}/mcp", content=body, headers=headers | {"Content-Type": content_type})
                assert answer.status_code < 500, (body[:80], answer.status_code, answer.text[:300])
                sent += 1
        for method in ("GET", "DELETE", "PUT", "PATCH"):
            answer = http.request(method, f"{url}/mcp", headers=headers)
            assert answer.status_code < 500, (method, answer.status_code, answer.text[:300])
            sent += 1
    return sent


async def tool_calls(client: Client, calls: list[Call]) -> None:
    """Each call must be a tool error (not a crash) naming its word."""
    for tool, arguments, word in calls:
        with anyio.fail_after(60):
            try:
                result = await client.call_tool(tool, arguments)
            except MCPError as exc:  # a protocol-level refusal (e.g. unknown tool) is an answer too
                assert word is None or word in str(exc), (tool, arguments, str(exc))
                continue
        message = text(result)
        assert result.is_error, (tool, arguments, message[:300])
        assert message.strip() != f"Error executing tool {tool}", (tool, arguments)
        assert word is None or word in message, (tool, arguments, word, message[:500])


def test_mcp_survives_malformed_calls(live_server: str, keys: Keys, store: GraphStore) -> None:
    async def body() -> int:
        def connect(principal: str) -> AbstractAsyncContextManager[Client]:  # carol sends X-API-Key
            header = "x-api-key" if principal == "carol" else "authorization"
            return http_client(live_server, keys.keys[principal], header)

        async with client_pool(connect, ["alice", "ana", "carol"]) as clients:
            await ok(clients["alice"], "add_memory", {"text": "Alice works at Acme."})
            before = graph_size(store)
            tools = {t.name: t.input_schema for t in (await clients["ana"].list_tools()).tools if t.name in BASE}
            saved = (await resource(clients["ana"], "memcubedb://saved-queries"))[0]["name"]
            malformed, refused = schema_calls(tools), semantic_calls(saved)
            analyst = [c for c in malformed + refused if c[0] in ("run_cypher", "saved_query")]
            await tool_calls(clients["alice"], [c for c in malformed + refused if c not in analyst])
            await tool_calls(clients["carol"], [c for c in malformed if c not in analyst])
            await tool_calls(clients["ana"], analyst)
            await tool_calls(clients["alice"], [("run_cypher", {"query": "RETURN 1"}, "may not cypher"),
                                                ("saved_query", {"name": saved}, "may not cypher")])
            assert graph_size(store) == before
            raw = raw_requests(live_server, keys.keys["alice"])
            assert graph_size(store) == before
            found = await ok(clients["alice"], "search_memory", {"query": "Where does Alice work?"})
            assert found["results"][0]["text"] == "Alice works at Acme."
            return 2 * len(malformed) + len(refused) - len([c for c in malformed if c in analyst]) + 2 + raw

    total = anyio.run(body)
    assert total >= 500, total
    assert httpx.get(f"{live_server}/v1/health").status_code == 200
