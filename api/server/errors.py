"""Errors as RFC 9457 problem details (``application/problem+json``), mapped in one place.

Every 4xx/5xx answer of the API is a :class:`Problem`: ``type`` (a URN naming the problem
kind), ``title`` (the kind in words), ``status``, ``detail`` (this occurrence in words) and
``instance`` (the request path). Validation problems add ``errors``, one entry per offending
field, each naming the field as a dotted path (``body.turns.0.text``, ``query.limit``).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from neo4j.exceptions import ServiceUnavailable, SessionExpired
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from memcubedb.api.schemas.problem import FieldError, Problem
from memcubedb.extraction.errors import InputError
from memcubedb.graph.permissions import PermissionDenied
from memcubedb.graph.read_models.analyst import CypherFailed, CypherRefused, CypherTimeout
from memcubedb.graph.store import NotFound, WriteRejected
from memcubedb.states import TransitionError

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("memcubedb.api")

TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Content too large",
    422: "Unprocessable content",
    500: "Internal server error",
    501: "Not implemented",
    503: "Service unavailable",
    504: "Gateway timeout",
}


class ApiError(Exception):
    """An error with its HTTP status, raised by routes and dependencies."""

    def __init__(self, status: int, detail: str, kind: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.kind = kind or TITLES.get(status, "error").lower().replace(" ", "-")
        self.headers = headers


def problem(
    request: Request, status: int, detail: str, kind: str | None = None, *,
    errors: list[FieldError] | None = None, headers: dict[str, str] | None = None,
) -> JSONResponse:
    """The problem+json response for ``status`` with ``detail``."""
    body = Problem(
        type="urn:memcubedb:problem:" + (kind or TITLES.get(status, "error").lower().replace(" ", "-")),
        title=TITLES.get(status, "Error"),
        status=status,
        detail=detail,
        instance=request.url.path,
        errors=errors,
    )
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status, media_type=PROBLEM_JSON,
                        headers=headers)


def field_errors(errors: list[dict[str, Any]] | Any) -> list[FieldError]:
    """Pydantic/FastAPI error dicts as :class:`FieldError` entries."""
    return [
        FieldError(field=".".join(str(p) for p in e.get("loc", ())) or "body", message=e.get("msg", ""),
                   type=e.get("type", ""))
        for e in errors
    ]


def _validation(request: Request, errors: list[FieldError]) -> JSONResponse:
    summary = "; ".join(f"{e.field}: {e.message}" for e in errors[:5])
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return problem(request, 422, f"invalid request — {summary}{more}", "validation", errors=errors)


# Exceptions of the lower layers → (status, problem kind). The first matching class wins.
_MAPPED: list[tuple[type[BaseException], int, str]] = [
    (NotFound, 404, "not-found"),
    (PermissionDenied, 403, "forbidden"),
    (CypherRefused, 403, "cypher-refused"),
    (CypherTimeout, 504, "cypher-timeout"),
    (CypherFailed, 400, "cypher-error"),
    (WriteRejected, 422, "write-rejected"),
    (TransitionError, 409, "lifecycle-state"),
    (InputError, 422, "invalid-input"),
    (ServiceUnavailable, 503, "database-unavailable"),
    (SessionExpired, 503, "database-unavailable"),
]


def mapped(exc: BaseException) -> tuple[int, str] | None:
    """The (HTTP status, problem kind) the API answers ``exc`` with, when it is an error of the lower
    layers it maps (not found, forbidden, refused Cypher, rejected write, bad input, database down);
    ``None`` for anything else (an internal error)."""
    return next(((status, kind) for cls, status, kind in _MAPPED if isinstance(exc, cls)), None)


def install_error_handlers(app: FastAPI) -> None:
    """Register the one mapping from exceptions to problem responses on ``app``."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return problem(request, exc.status, exc.detail, exc.kind, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _request_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _validation(request, field_errors(exc.errors()))

    @app.exception_handler(ValidationError)
    async def _model_validation(request: Request, exc: ValidationError) -> JSONResponse:
        return _validation(request, field_errors([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "error")
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no route {request.method} {request.url.path}"
        return problem(request, exc.status_code, detail, headers=getattr(exc, "headers", None))

    for cls, status, kind in _MAPPED:
        app.add_exception_handler(cls, _mapped_handler(status, kind))

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(request, 500, f"internal error ({type(exc).__name__}); the server log has the details")


def _mapped_handler(status: int, kind: str) -> Any:
    async def handler(request: Request, exc: Exception) -> JSONResponse:
        return problem(request, status, str(exc) or TITLES[status], kind)

    return handler


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries documenting problem answers for the given statuses."""
    return {
        s: {"model": Problem, "description": TITLES.get(s, "Error"), "content": {PROBLEM_JSON: {}}} for s in statuses
    }
