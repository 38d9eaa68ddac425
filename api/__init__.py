"""The knowledge-base API and its clients:

* :mod:`memcubedb.api.schemas` — the wire models (request and response bodies), pydantic only;
* :mod:`memcubedb.api.client` / :mod:`~memcubedb.api.client_async` — the Python SDK (httpx,
  pydantic and the wire models only);
* :mod:`memcubedb.api.server` — the FastAPI routes, auth, errors, limits and services, assembled
  with the MCP endpoint and the dashboard by :func:`memcubedb.api.app.create_app`;
* :mod:`memcubedb.api.mcp` — the MCP server (stdio and streamable HTTP) over the same routes;
* :mod:`memcubedb.api.cli` — the ``memcubedb`` command (local commands and HTTP commands).
"""
