"""MCP clients for the tests, from the official SDK (``mcp.Client``): over streamable HTTP against the
API on loopback (the key in a header), and over stdio spawning ``memcubedb mcp`` (the key in
``MEMCUBEDB_API_KEY``), both acting as one principal of :data:`tests.api_helpers.PRINCIPALS`.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp_types import CallToolResult, TextResourceContents

from memcubedb.graph.store import GraphStore

Connect = Callable[[str], AbstractAsyncContextManager[Client]]
"""principal → a connected MCP client acting as that principal's key."""

MEMCUBEDB = str(Path(sys.executable).with_name("memcubedb"))
CALL_TIMEOUT_S = 120
"""Longest a test waits for one tool call (the first search loads the embedding model)."""
GRAPH_SIZE = "CALL () { MATCH (n) RETURN count(n) AS n } CALL () { MATCH ()-[r]->() RETURN count(r) AS r } RETURN *"


@asynccontextmanager
async def http_client(url: str, key: str, header: str = "authorization") -> AsyncIterator[Client]:
    """A client of ``{url}/mcp`` sending ``key`` as ``Authorization: Bearer`` (or ``X-API-Key``)."""
    headers = {"Authorization": f"Bearer {key}"} if header == "authorization" else {"X-API-Key": key}
    async with create_mcp_http_client(headers=headers) as http, Client(
        streamable_http_client(f"{url}/mcp", http_client=http), cache=None
    ) as client:
        yield client


@asynccontextmanager
async def stdio_client(key: str) -> AsyncIterator[Client]:
    """A client of a spawned ``memcubedb mcp`` acting as ``key`` (the test settings come from the
    environment: Neo4j port and data directory)."""
    env = {k: v for k, v in os.environ.items() if k.startswith(("MEMCUBEDB_", "NEO4J_"))}
    params = StdioServerParameters(command=MEMCUBEDB, args=["mcp"], env=env | {"MEMCUBEDB_API_KEY": key})
    async with Client(params, cache=None, read_timeout_seconds=120) as client:
        yield client


def http_connect(url: str, keys: dict[str, str]) -> Connect:
    """Clients over streamable HTTP for the principals of ``keys``."""
    return lambda principal: http_client(url, keys[principal])


def stdio_connect(keys: dict[str, str]) -> Connect:
    """Clients over stdio (a ``memcubedb mcp`` process each) for the principals of ``keys``."""
    return lambda principal: stdio_client(keys[principal])


@asynccontextmanager
async def client_pool(connect: Connect, principals: list[str]) -> AsyncIterator[dict[str, Client]]:
    """Connected clients by principal, opened at once (each held by its own task, so stdio processes start
    in parallel) and closed together."""
    clients: dict[str, Client] = {}
    done = anyio.Event()

    async def hold(principal: str, ready: anyio.Event) -> None:
        async with connect(principal) as client:
            clients[principal] = client
            ready.set()
            await done.wait()

    async with anyio.create_task_group() as tasks:
        ready = {p: anyio.Event() for p in principals}
        for principal, event in ready.items():
            tasks.start_soon(hold, principal, event)
        for event in ready.values():
            await event.wait()
        try:
            yield clients
        finally:
            done.set()


def text(result: CallToolResult) -> str:
    """All text content of a tool result, joined."""
    return "\n".join(getattr(c, "text", "") for c in result.content)


async def ok(client: Client, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """Call ``tool``; assert it succeeded; return its structured content."""
    with anyio.fail_after(CALL_TIMEOUT_S):
        result = await client.call_tool(tool, arguments)
    assert not result.is_error, text(result)
    assert result.structured_content is not None
    return result.structured_content


async def refused(client: Client, tool: str, arguments: dict[str, Any], *needles: str) -> str:
    """Call ``tool``; assert a tool error whose text contains every needle; return the text."""
    with anyio.fail_after(CALL_TIMEOUT_S):
        result = await client.call_tool(tool, arguments)
    message = text(result)
    assert result.is_error, message
    for needle in needles:
        assert needle in message, message
    return message


async def resource(client: Client, uri: str) -> Any:
    """The JSON content of resource ``uri``."""
    read = await client.read_resource(uri)
    content = read.contents[0]
    assert isinstance(content, TextResourceContents)
    return json.loads(content.text)


def graph_size(store: GraphStore) -> dict[str, int]:
    """Node and relationship counts of the whole graph."""
    return store.read(GRAPH_SIZE)[0]
