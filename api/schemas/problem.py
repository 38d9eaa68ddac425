"""The error body of every failed request: RFC 9457 ``application/problem+json``."""

from __future__ import annotations

from pydantic import BaseModel, Field


class FieldError(BaseModel):
    """One invalid field: where it is, what is wrong, the validator's error type."""

    field: str = Field(description="dotted path, e.g. body.text or query.limit")
    message: str
    type: str


class Problem(BaseModel):
    """An RFC 9457 problem details object."""

    type: str = Field(description="URN of the problem kind, e.g. urn:memcubedb:problem:not-found")
    title: str
    status: int
    detail: str
    instance: str = Field(description="the request path")
    errors: list[FieldError] | None = None
