"""``memcubedb mcp``: MemCubeDB's MCP server over stdio, for agent hosts that spawn a process.

The process connects to Neo4j itself (the settings of the environment, as ``memcubedb serve``),
acts as the principal of ``MEMCUBEDB_API_KEY`` (checked at start and again on every call, so a
revoked key stops working at once) and speaks MCP on stdin/stdout; messages for people go to
stderr.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from memcubedb.settings import Settings

if TYPE_CHECKING:
    from mcp.server.mcpserver import Context

KEY_ENV = "MEMCUBEDB_API_KEY"
err = Console(stderr=True, soft_wrap=True)


def mcp(
    key: Annotated[str | None, typer.Option("--key", envvar=KEY_ENV, show_default=False,
                                            help="API key whose principal every call acts as")] = None,
) -> None:
    """Serve MemCubeDB's memory tools over MCP on stdin/stdout (for agent hosts; key from $MEMCUBEDB_API_KEY)."""
    from neo4j.exceptions import ServiceUnavailable

    from memcubedb.api.mcp.calls import McpBackend
    from memcubedb.api.mcp.server import build_mcp
    from memcubedb.api.server.auth import caller_for_key
    from memcubedb.api.server.errors import ApiError
    from memcubedb.api.server.services import Services

    settings = Settings()
    try:
        services = Services.connect(settings)
    except ServiceUnavailable as exc:
        err.print(f"[red]error:[/red] no Neo4j answers at {settings.bolt_uri} ({exc}); "
                  "start it with `memcubedb neo4j start`")
        raise typer.Exit(code=1) from None
    try:
        caller = caller_for_key(services, key)
    except ApiError as exc:
        services.close()
        err.print(f"[red]error:[/red] {exc.detail}; set {KEY_ENV} to a key from `memcubedb keys create`")
        raise typer.Exit(code=1) from None
    err.print(f"MemCubeDB MCP server on stdio as {caller.principal} ({caller.role.value})")

    def api_key(_: Context) -> str | None:
        return key

    try:
        build_mcp(McpBackend(services=lambda: services, api_key=api_key)).run("stdio")
    finally:
        services.close()
