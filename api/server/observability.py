"""Per-request context, metrics and access logs, as a pure ASGI middleware; the ``/metrics`` route.

For every HTTP request :class:`RequestObservability`:

- takes the client's ``X-Request-ID`` (1–128 visible ASCII characters) or makes one, and returns
  it on the response;
- takes the client's ``X-MemCubeDB-Bookmark`` (tokens earlier write responses returned, perhaps
  by another API process) so that the request's Neo4j sessions read nothing older than those
  writes, and, when the request wrote, returns the bookmark of its last write — clients that send
  back what they got read their own writes on any API process (Neo4j causal consistency;
  :class:`~memcubedb.graph.store.GraphStore`; the SDK does it); a malformed value is a 400;
- binds both, and the principal once its key is checked, as the
  :class:`~memcubedb.request_context.RequestContext` that logs and the store read;
- observes ``memcubedb_http_request_duration_seconds{method, route, status}`` with the route
  *template* (``/v1/cubes/{cube_id}``), never the raw path, and logs one ``request`` line.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Sequence

from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.datastructures import Headers, MutableHeaders
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from memcubedb.api.server.limits import BodySizeLimit
from memcubedb.metrics import REQUEST_SECONDS, JobQueueDepth, exposition, registry_with
from memcubedb.request_context import (
    BOOKMARK_HEADER,
    REQUEST_ID_HEADER,
    RequestContext,
    bound,
    decode_bookmarks,
    encode_bookmarks,
)

UNMATCHED = "<unmatched>"
log = logging.getLogger("memcubedb.api.access")


def _request_id(value: str | None) -> str:
    if value and len(value) <= 128 and value.isascii() and value.isprintable() and " " not in value:
        return value
    return uuid.uuid4().hex


def route_template(scope: Scope, routes: Sequence[BaseRoute]) -> str:
    """The matched route's path template (``/v1/cubes/{cube_id}``; a plain Starlette route or mount
    of ``routes`` found by its endpoint), or ``<unmatched>`` — a bounded label set whatever paths
    clients send."""
    path = getattr(scope.get("route"), "path", None)
    if isinstance(path, str):
        return path
    endpoint = scope.get("endpoint")
    if endpoint is not None:
        for route in routes:
            if getattr(route, "endpoint", None) is endpoint or getattr(route, "app", None) is endpoint:
                return str(getattr(route, "path", UNMATCHED))
    return UNMATCHED


class RequestObservability:
    """See the module docstring."""

    def __init__(self, app: ASGIApp, routes: Sequence[BaseRoute]) -> None:
        self.app = app
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        context = RequestContext(_request_id(headers.get(REQUEST_ID_HEADER)))
        started = time.perf_counter()
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                out = MutableHeaders(scope=message)
                out[REQUEST_ID_HEADER] = context.request_id
                if context.written and context.bookmarks:
                    out[BOOKMARK_HEADER] = encode_bookmarks(context.bookmarks)
            await send(message)

        with bound(context):
            try:
                received = headers.get(BOOKMARK_HEADER)
                try:
                    context.bookmarks = decode_bookmarks(received) if received else frozenset()
                except ValueError as exc:
                    await BodySizeLimit._reject(scope, send_with_headers, 400, "Bad request", str(exc))
                    return
                await self.app(scope, receive, send_with_headers)
            finally:
                elapsed = time.perf_counter() - started
                route = route_template(scope, self.routes)
                REQUEST_SECONDS.labels(method=scope["method"], route=route, status=str(status)).observe(elapsed)
                log.info(
                    "request", extra={"method": scope["method"], "route": route, "status": status,
                                      "duration_ms": round(elapsed * 1000, 3), "wrote": context.written},
                )  # fmt: skip


def install(app: FastAPI, queue_depth: Callable[[], dict[str, int]], serve_metrics: bool) -> None:
    """Add :class:`RequestObservability` (outermost, so it times every answer, 413s included) and,
    when ``serve_metrics``, ``GET /metrics``: this process's metrics plus the job queue depth
    ``queue_depth()`` reads from the ledger in Neo4j (not in the OpenAPI document; no key — no
    series names a principal or holds text)."""
    app.add_middleware(RequestObservability, routes=app.router.routes)
    if not serve_metrics:
        return
    registry = registry_with([JobQueueDepth(queue_depth)])

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(exposition(registry), media_type=CONTENT_TYPE_LATEST)
