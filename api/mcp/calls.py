"""How MCP tools and resources act as a caller: the REST API's key → principal lookup and role check
(:func:`memcubedb.api.server.auth.caller_for_key`, :func:`~memcubedb.api.server.auth.check_role`), and the REST API's
errors turned into MCP errors whose text says what to fix.

Tools call the REST routes' own functions (``routes_cubes.add_text``, ``routes_search.search``, …)
with the caller and the request models of the REST API, so the permission predicates, validation
and transactions are the REST API's — one code path, two protocols. An error the REST API would
answer with a 4xx becomes a :class:`~mcp.server.mcpserver.exceptions.ToolError` (or a
``ResourceError`` for resources) naming the status and problem kind; anything else propagates and
the SDK answers with its generic "Error executing tool …" (the equivalent of a 500, logged with its
traceback, nothing of it sent).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import MCPServerError, ToolError
from pydantic import ValidationError

from memcubedb.api.server.auth import Caller, Capability, caller_for_key, check_role
from memcubedb.api.server.errors import ApiError, field_errors, mapped
from memcubedb.api.server.services import Services

HINTS = {
    "unauthorized": "Configure a valid API key: MEMCUBEDB_API_KEY for `memcubedb mcp`, "
                    "`Authorization: Bearer <key>` or `X-API-Key` over HTTP.",
    "role-forbidden": "This key's role does not allow it; ask an admin for a key with the role named.",
    "forbidden": "Only the owner or a principal granted CAN_WRITE may change this memory.",
    "not-found": "Check the id or name: search_memory returns the ids of memories this key may read.",
    "superseded": "Call get_memory on the newer id and update that version.",
    "validation": "Fix the arguments named and call again.",
    "invalid-input": "Fix the input and call again.",
    "write-rejected": "Fix the input and call again; nothing was written.",
    "cypher-refused": "Only read queries run here (no CREATE, MERGE, SET, DELETE, LOAD CSV or DBMS procedures).",
    "cypher-error": "Fix the Cypher (pass values as $parameters) and call again.",
    "cypher-timeout": "Narrow the query (a LIMIT, a more selective MATCH) and call again.",
    "database-unavailable": "Neo4j is not reachable right now; call again later.",
}


def describe(status: int, kind: str, detail: str) -> str:
    """An error text for the model: what went wrong, the REST status and problem kind, what to do."""
    hint = HINTS.get(kind, "")
    return f"{detail} ({status} {kind}). {hint}".rstrip()


def describe_validation(exc: ValidationError) -> str:
    """The fields of a failed validation and what is wrong with each (never the values sent)."""
    errors = field_errors(exc.errors())
    listed = "; ".join(f"{e.field}: {e.message}" for e in errors[:5])
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return describe(422, "validation", f"invalid arguments — {listed}{more}")


@contextmanager
def mcp_errors(error: type[MCPServerError] = ToolError) -> Iterator[None]:
    """Turn the REST API's anticipated errors raised inside the block into ``error`` (``ToolError`` or
    ``ResourceError``) with a :func:`describe` text; anything else propagates unchanged."""
    try:
        yield
    except ApiError as exc:
        raise error(describe(exc.status, exc.kind, exc.detail)) from None
    except ValidationError as exc:
        raise error(describe_validation(exc)) from None
    except Exception as exc:
        known = mapped(exc)
        if known is None:
            raise
        raise error(describe(*known, str(exc) or "error")) from None


@dataclass(frozen=True)
class McpBackend:
    """What the MCP server acts through: the API's :class:`Services` and the API key of the
    current request (from ``MEMCUBEDB_API_KEY`` for stdio, from the HTTP headers for ``/mcp``)."""

    services: Callable[[], Services]
    api_key: Callable[[Context], str | None]

    def caller(self, ctx: Context, capability: Capability) -> tuple[Services, Caller]:
        """The services and the caller of this request, when its key's role has ``capability``.

        Raises:
            ApiError: 401 (no, unknown or revoked key), 403 (role lacks ``capability``).
        """
        services = self.services()
        return services, check_role(caller_for_key(services, self.api_key(ctx)), capability)
