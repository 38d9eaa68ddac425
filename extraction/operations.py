"""The memory operations that intent parsing (:mod:`memcubedb.extraction.intent`) turns requests
into, and that ``POST /v1/natural`` answers with: pydantic only, so clients read them without spaCy."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Op(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AddMemory(_Op):
    """Store ``text`` as a new memory."""

    op: Literal["add"] = "add"
    text: str = Field(min_length=1)


class DeleteMemory(_Op):
    """Delete memories about ``about``."""

    op: Literal["delete"] = "delete"
    about: str = Field(min_length=1)


class SearchMemory(_Op):
    """Retrieve memories matching ``query``."""

    op: Literal["search"] = "search"
    query: str = Field(min_length=1)


class UpdateMemory(_Op):
    """Correct a memory: the new statement ``text``, replacing ``replaces`` when said ("…, not X")."""

    op: Literal["update"] = "update"
    text: str = Field(min_length=1)
    replaces: str | None = None


MemoryOperation = Annotated[AddMemory | DeleteMemory | SearchMemory | UpdateMemory, Field(discriminator="op")]
