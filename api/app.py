"""The knowledge-base API: ``create_app(settings)`` builds a FastAPI app (nothing at import time).

The app's lifespan connects to Neo4j (applying pending migrations) and builds the
:class:`~memcubedb.api.server.services.Services` the routes use; closing the app closes them. Routes
are versioned under ``/v1``; every error is RFC 9457 problem+json; request bodies are limited
to ``settings.api.max_body_bytes``. ``memcubedb serve`` runs it with uvicorn.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from pydantic import BaseModel

from memcubedb.api.mcp import http as mcp_http
from memcubedb.api.server import (
    dashboard,
    observability,
    routes_access,
    routes_chat,
    routes_cubes,
    routes_cypher,
    routes_facts,
    routes_graph,
    routes_interchange,
    routes_natural,
    routes_scheduler,
    routes_search,
)
from memcubedb.api.server.auth import ServicesDep
from memcubedb.api.server.errors import install_error_handlers, responses
from memcubedb.api.server.limits import BodySizeLimit
from memcubedb.api.server.services import Services
from memcubedb.graph.read_models.lookups import server_version
from memcubedb.settings import Settings

API_VERSION = "1.0.0"
ROUTERS = (
    routes_cubes.router,
    routes_facts.router,
    routes_search.router,
    routes_access.router,
    routes_scheduler.router,
    routes_interchange.router,
    routes_natural.router,
    routes_graph.router,
    routes_cypher.router,
    routes_chat.router,
    dashboard.router,
)

DESCRIPTION = """
MemCubeDB's knowledge-base API: MemCubes (add from text, documents and chats through MemReader; read,
list, version, delete), facts and entities, hybrid search, provenance (W3C PROV), permissions,
the MemScheduler, export/import (MemDumper/MemLoader), natural-language memory requests, graph views
for visualisation, and read-only Cypher for analysts.

**Auth.** Send an API key as `Authorization: Bearer <key>` or `X-API-Key: <key>`. Keys map to a
principal and a role (`reader`, `writer`, `analyst`, `admin`); create the first with
`memcubedb keys create --principal ID --role admin`. Every route acts as the key's principal and the
graph's permission edges decide what it may read and write.

**Errors** are RFC 9457 `application/problem+json`. **Limits:** request bodies up to
`MEMCUBEDB_API__MAX_BODY_BYTES` (default 8 MiB, else 413).
"""


class Health(BaseModel):
    """Liveness and the Neo4j the API talks to."""

    status: str
    neo4j: str
    api_version: str


def create_app(settings: Settings) -> FastAPI:
    """A new API app for ``settings``; it connects to Neo4j when it starts (lifespan).

    Raises (at startup):
        neo4j.exceptions.ServiceUnavailable: nothing answers at ``settings.bolt_uri``.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.services = Services.connect(settings)
        try:
            async with mcp.session_manager.run():
                yield
        finally:
            app.state.services.close()

    app = FastAPI(
        title="MemCubeDB", version=API_VERSION, description=DESCRIPTION, lifespan=lifespan,
        redirect_slashes=False,  # "/v1/cubes/x%2F" is an unknown id (404), not a redirect to "/v1/cubes/x"
        openapi_tags=[{"name": "memcubes", "description": "Memory units (MemOS MemCubes)"}],
    )
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.api.max_body_bytes)
    for router in ROUTERS:
        app.include_router(router)
    mcp = mcp_http.mount(app, lambda: app.state.services, settings.api.max_body_bytes)
    observability.install(app, lambda: app.state.services.ledger.queue_depth(), settings.telemetry.metrics)

    @app.get("/v1/health", response_model=Health, summary="Health", tags=["health"], responses=responses(503))
    def health(services: ServicesDep) -> Health:
        return Health(status="ok", neo4j=server_version(services.store), api_version=API_VERSION)

    return app
