"""What one API request carries through the layers below it: its id, principal and bookmarks.

The API's middleware binds a :class:`RequestContext` for each request (:func:`bound`); code below
reads it with :func:`current_request` — the store opens its sessions with the request's
bookmarks and records the bookmark of each write, log records carry the request id and
principal. The context is one mutable object in a :class:`contextvars.ContextVar`, so worker
threads that copy the context (Starlette's thread pool) update the same object.

Bookmarks are Neo4j's causal-consistency tokens (Neo4j Operations Manual, *Causal
consistency*): a session started with them reads nothing older than the writes they stand for.
On the wire they travel as opaque tokens (:func:`encode_bookmarks`), several joined by commas
when a client has concurrent writes in flight (:func:`decode_bookmarks` takes their union).
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

#: Request/response header carrying the request id (accepted from the client, else generated).
REQUEST_ID_HEADER = "X-Request-ID"
#: Request/response header carrying the bookmarks of the client's latest write.
BOOKMARK_HEADER = "X-MemCubeDB-Bookmark"
MAX_BOOKMARKS = 16


@dataclass
class RequestContext:
    """One request: ``request_id``, the authenticated ``principal`` (``None`` until the key is
    checked), the Neo4j ``bookmarks`` its sessions wait for, and whether a write replaced them."""

    request_id: str
    principal: str | None = None
    bookmarks: frozenset[str] = frozenset()
    written: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def wrote(self, bookmarks: Iterable[str]) -> None:
        """Record the bookmarks a write session ended with (they cover the ones it started with)."""
        with self._lock:
            self.bookmarks = frozenset(bookmarks)
            self.written = True


_CURRENT: ContextVar[RequestContext | None] = ContextVar("memcubedb_request", default=None)


def current_request() -> RequestContext | None:
    """The request being served by this thread or task, or ``None`` outside a request."""
    return _CURRENT.get()


@contextmanager
def bound(context: RequestContext) -> Iterator[RequestContext]:
    """Make ``context`` the current request for the enclosed code."""
    token = _CURRENT.set(context)
    try:
        yield context
    finally:
        _CURRENT.reset(token)


def encode_bookmarks(bookmarks: Iterable[str]) -> str:
    """Bookmarks as one header value: URL-safe base64 of a sorted JSON list (opaque to clients)."""
    return base64.urlsafe_b64encode(json.dumps(sorted(bookmarks)).encode()).decode().rstrip("=")


def decode_bookmarks(value: str) -> frozenset[str]:
    """The union of the bookmarks of a header value: tokens written by :func:`encode_bookmarks`,
    joined by commas.

    Raises:
        ValueError: a token is not such a value, or there are more than :data:`MAX_BOOKMARKS` bookmarks.
    """
    bad = ValueError(f"{BOOKMARK_HEADER} is not a list of bookmarks this API returned")
    found: set[str] = set()
    for token in value.split(","):
        token = token.strip()
        try:
            raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        except (binascii.Error, ValueError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            raise bad from exc
        if not isinstance(raw, list) or not all(isinstance(b, str) and b for b in raw):
            raise bad
        found.update(raw)
        if len(found) > MAX_BOOKMARKS:
            raise ValueError(f"{BOOKMARK_HEADER} holds more than {MAX_BOOKMARKS} bookmarks")
    return frozenset(found)
