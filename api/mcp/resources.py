"""MCP resources of MemCubeDB: ``memcube://{cube_id}`` (one MemCube as its interchange JSON document,
as ``POST /v1/export`` writes it: the cube with its source, activity, agent, entities, facts and
lineage; see :mod:`memcubedb.graph.interchange`) and ``memcubedb://saved-queries`` (the saved analyst
queries, as ``GET /v1/cypher/queries``; analysts only).

Both read through the REST route functions as the request's caller, like the tools
(:mod:`memcubedb.api.mcp.server`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import anyio
from mcp.server.lowlevel.helper_types import ReadResourceContents
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError
from mcp_types import InputRequiredResult
from pydantic import AnyUrl

from memcubedb.api.mcp.calls import McpBackend, mcp_errors
from memcubedb.api.schemas.ops import ExportIn
from memcubedb.api.server import routes_cubes, routes_cypher, routes_interchange
from memcubedb.api.server.auth import Capability
from memcubedb.cypher import saved_queries

SAVED_QUERIES = "memcubedb://saved-queries"
JSON = "application/json"


class GuardedMCPServer(MCPServer):
    """An ``MCPServer`` whose static resources may require a capability of the caller (static resource
    functions get no request context, so the check runs here, before the read)."""

    def __init__(self, backend: McpBackend, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.backend = backend
        self.guards: dict[str, Capability] = {}

    async def read_resource(
        self, uri: AnyUrl | str, context: Context | None = None
    ) -> Iterable[ReadResourceContents] | InputRequiredResult:
        """Read ``uri`` as the SDK does, after checking the caller's capability for guarded resources.

        Raises:
            ResourceError: the key is missing, unknown or revoked, or its role lacks the capability.
        """
        capability = self.guards.get(str(uri))
        if capability is not None:
            ctx = context or Context(mcp_server=self)
            with mcp_errors(ResourceError):
                await anyio.to_thread.run_sync(self.backend.caller, ctx, capability)
        return await super().read_resource(uri, context)


def register_resources(server: GuardedMCPServer, backend: McpBackend) -> None:
    """Add the ``memcube://{cube_id}`` template and the saved-query list to ``server``."""

    @server.resource("memcube://{cube_id}", name="memcube", mime_type=JSON,
                     description="A MemCube as its interchange JSON document (format memcubedb/interchange: the cube "
                                 "with its source, activity, agent, entities, facts and lineage), as the caller may "
                                 "read it.")
    def memcube(cube_id: str, ctx: Context) -> str:
        with mcp_errors(ResourceError):
            services, caller = backend.caller(ctx, Capability.READ)
            routes_cubes.get_cube(cube_id, caller, services)
            document = routes_interchange.export(ExportIn(cube_ids=[cube_id]), caller, services)
            return document.model_dump_json(indent=2)

    @server.resource(SAVED_QUERIES, name="saved-queries", mime_type=JSON,
                     description="The saved analyst queries (name, purpose, parameters, columns, Cypher); run one "
                                 "with the saved_query tool. Analysts only.")
    def saved_query_list() -> str:
        return json.dumps([routes_cypher.describe(q).model_dump() for q in saved_queries().values()],
                          indent=2)

    server.guards[SAVED_QUERIES] = Capability.CYPHER
