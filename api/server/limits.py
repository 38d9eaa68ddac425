"""Request body size limit, as a pure ASGI middleware.

A request whose ``Content-Length`` exceeds the limit is answered 413 before any byte is read;
a body without a length (chunked) is buffered up to the limit and answered 413 as soon as it
passes it, before the route runs — so nothing is parsed or written for an oversized request.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from memcubedb.api.server.errors import PROBLEM_JSON


class BodySizeLimit:
    """Answer 413 problem+json for request bodies larger than ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                await self._reject(scope, send, 400, "Bad request", "Content-Length is not a number")
                return
            if declared > self.max_bytes:
                await self._too_large(scope, send)
                return
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            if size > self.max_bytes:
                await self._too_large(scope, send)
                return
            chunks.append(body)
            more = message.get("more_body", False)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, send: Send) -> None:
        await self._reject(
            scope, send, 413, "Content too large",
            f"request body exceeds the limit of {self.max_bytes} bytes (MEMCUBEDB_API__MAX_BODY_BYTES)",
        )

    @staticmethod
    async def _reject(scope: Scope, send: Send, status: int, title: str, detail: str) -> None:
        body = json.dumps({
            "type": "urn:memcubedb:problem:" + title.lower().replace(" ", "-"),
            "title": title, "status": status, "detail": detail, "instance": scope.get("path", ""),
        }).encode()
        await send({
            "type": "http.response.start", "status": status,
            "headers": [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode())],
        })
        await send({"type": "http.response.body", "body": body})
