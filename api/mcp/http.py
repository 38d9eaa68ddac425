"""MCP over streamable HTTP at ``/mcp`` of the API process (same port, same Neo4j connection, same keys).

:func:`mount` adds the route and returns the ``MCPServer`` whose ``session_manager.run()`` the API's
lifespan enters. The transport is stateless with JSON responses: every POST carries its own
request, there is no server-side session to keep or lose between API workers, and no standalone
server-to-client stream (``GET /mcp`` is 405, as the transport specification allows). Every request needs an API
key, as ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``: without a valid one the answer is
401 problem+json (the REST API's own check) before the MCP layer sees the request, and each tool
call authenticates the key again and checks its role (:mod:`memcubedb.api.mcp.calls`). The SDK's
DNS-rebinding guard (a Host/Origin allow-list) is off, as for the REST routes: a request without a
key reaches nothing, and a rebinding page has no key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import anyio
from fastapi import FastAPI, Request
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.datastructures import Headers
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from memcubedb.api.mcp.calls import McpBackend
from memcubedb.api.mcp.server import build_mcp
from memcubedb.api.server.auth import caller_for_key
from memcubedb.api.server.errors import ApiError, problem
from memcubedb.api.server.services import Services

PATH = "/mcp"


def api_key_from_headers(headers: Mapping[str, str] | None) -> str | None:
    """The API key of a request: ``X-API-Key``, else the token of ``Authorization: Bearer`` (the
    REST API's order); ``None`` when neither is there."""
    if not headers:
        return None
    lowered = {k.lower(): v for k, v in headers.items()}
    if lowered.get("x-api-key"):
        return lowered["x-api-key"]
    scheme, _, token = lowered.get("authorization", "").partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


class McpEndpoint:
    """The ASGI app at ``/mcp``: the REST API's key check (401 problem+json), then the SDK's transport."""

    def __init__(self, server: MCPServer, services: Callable[[], Services]) -> None:
        self.server = server
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = api_key_from_headers(Headers(scope=scope))
        try:
            await anyio.to_thread.run_sync(caller_for_key, self.services(), key)
        except ApiError as exc:
            response = problem(Request(scope), exc.status, exc.detail, exc.kind, headers=exc.headers)
            await response(scope, receive, send)
            return
        await self.server.session_manager.handle_request(scope, receive, send)


def _header_key(ctx: Context) -> str | None:
    return api_key_from_headers(ctx.headers)


def mount(app: FastAPI, services: Callable[[], Services], max_body_bytes: int) -> MCPServer:
    """Serve MemCubeDB's MCP server at ``/mcp`` of ``app`` (left out of the OpenAPI document); return it.
    The caller's lifespan must run ``server.session_manager.run()`` while the app serves."""
    server = build_mcp(McpBackend(services=services, api_key=_header_key))
    server.streamable_http_app(
        stateless_http=True, json_response=True, max_request_body_size=max_body_bytes,
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )
    app.router.routes.append(Route(PATH, endpoint=McpEndpoint(server, services), methods=["POST"],
                                   include_in_schema=False))
    return server
