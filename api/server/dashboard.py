"""The dashboard page, served by the API itself (same origin as /v1, so no CORS).

The page is a single-page app built from ``dashboard/`` by Vite into ``api/static/dist``
(``make dashboard``; part of ``make setup``). ``/`` and ``/dashboard`` answer its
``index.html``; ``/dashboard/assets/<file>`` its content-hashed assets. The page itself holds no
data: it asks the ``/v1/graph`` and ``/v1/search`` routes with the API key the user enters.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, PlainTextResponse, Response

DIST = Path(__file__).resolve().parents[1] / "static" / "dist"
_ASSET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_MEDIA = {".js": "text/javascript", ".css": "text/css", ".map": "application/json", ".svg": "image/svg+xml"}

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
"""Headers of the page: only this origin's scripts, styles and API (Cytoscape sets inline styles)."""

NOT_BUILT = (
    "The dashboard is not built. Run `make dashboard` (or `cd dashboard && npm ci && npm run build`) "
    "and reload.\n"
)

router = APIRouter(include_in_schema=False)


def _page() -> Response:
    index = DIST / "index.html"
    if not index.is_file():
        return PlainTextResponse(NOT_BUILT, status_code=503)
    return FileResponse(index, media_type="text/html", headers={**SECURITY_HEADERS, "Cache-Control": "no-cache"})


@router.get("/")
def root() -> Response:
    """The dashboard page."""
    return _page()


@router.get("/dashboard")
@router.get("/dashboard/")
def dashboard() -> Response:
    """The dashboard page."""
    return _page()


@router.get("/dashboard/assets/{name}")
def asset(name: str) -> Response:
    """A built asset; names carry a content hash, so they are cached for a year."""
    path = DIST / "assets" / name
    if not _ASSET.match(name) or not path.is_file():
        return PlainTextResponse("no such asset\n", status_code=404)
    return FileResponse(
        path,
        media_type=_MEDIA.get(path.suffix, "application/octet-stream"),
        headers={"Cache-Control": "public, max-age=31536000, immutable", "X-Content-Type-Options": "nosniff"},
    )
