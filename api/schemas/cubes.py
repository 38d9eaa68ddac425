"""Request and response bodies of the MemCube routes (separate from the graph's storage form)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from memcubedb.cube import Behaviour, Descriptive, Governance, MemCube, Payload, Timestamp


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CubeOut(BaseModel):
    """A MemCube in its JSON interchange form (without the embedding vector)."""

    id: str
    descriptive: Descriptive
    governance: Governance
    behaviour: Behaviour
    payload: Payload

    @classmethod
    def of(cls, cube: MemCube) -> CubeOut:
        """The response form of a stored cube."""
        return cls(id=cube.id, descriptive=cube.descriptive, governance=cube.governance, behaviour=cube.behaviour,
                   payload=cube.payload)


class CubePage(BaseModel):
    """One page of cubes, oldest first; pass ``next_cursor`` as ``cursor`` for the next page."""

    items: list[CubeOut]
    next_cursor: str | None = Field(description="null on the last page")


class AddText(_In):
    """A text memory, read by MemReader into one cube per chunk, with entities and facts."""

    text: str = Field(min_length=1, max_length=1_000_000, description="the memory text")
    uri: str | None = Field(
        default=None, max_length=2048,
        description="stable name of the input (part of the cube ids); default: derived from the text, "
                    "so adding the same text twice changes nothing",
    )
    format: Literal["text", "markdown"] = "text"
    timestamp: Timestamp | None = Field(default=None, description="when it was written (resolves relative dates)")
    tags: list[str] = Field(default_factory=list, max_length=64, description="added to every cube")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"text": "Alice works at Acme in Paris.", "tags": ["hr"]}]},
    )


class TurnIn(_In):
    """One chat turn."""

    speaker: str = Field(min_length=1, max_length=256)
    text: str = Field(min_length=1, max_length=100_000)
    timestamp: Timestamp | None = None
    turn_id: str = Field(min_length=1, max_length=256, description="unique within the chat")


class AddChat(_In):
    """A chat, read by MemReader into one cube per turn (pronouns resolved to speakers)."""

    uri: str = Field(min_length=1, max_length=2048, description="stable name of the conversation")
    turns: list[TurnIn] = Field(min_length=1, max_length=10_000)
    tags: list[str] = Field(default_factory=list, max_length=64)

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{
            "uri": "chat://support/42",
            "turns": [
                {"speaker": "Dana", "text": "I moved to Lyon last year.", "turn_id": "t1"},
                {"speaker": "Bot", "text": "Noted, Dana.", "turn_id": "t2"},
            ],
        }]},
    )


class IngestResult(BaseModel):
    """What an add did: the cubes written now, the ids that already existed (unchanged)."""

    written: list[str]
    skipped: list[str]
    facts: int = Field(description="facts asserted by the written cubes")
    cubes: list[CubeOut] = Field(description="every cube of the input, as stored")


class CubeUpdate(_In):
    """Changes for a new version of a cube; at least one field."""

    text: str | None = Field(default=None, min_length=1, max_length=100_000)
    tags: list[str] | None = Field(default=None, max_length=64)
    semantic_type: str | None = Field(default=None, max_length=64)
    priority: int | None = Field(default=None, ge=0, le=100)
    ttl_s: int | None = Field(default=None, ge=1, description="time to live, seconds")

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"text": "Alice works at Initech."}]})

    @model_validator(mode="after")
    def _something(self) -> CubeUpdate:
        if not self.model_fields_set:
            raise ValueError("give at least one of text, tags, semantic_type, priority, ttl_s")
        return self


class ProvenanceOut(BaseModel):
    """A cube's lineage (W3C PROV): sources with offsets, activities, agents, ancestor cubes."""

    id: str
    sources: list[dict[str, Any]]
    activities: list[dict[str, Any]]
    agents: list[dict[str, Any]]
    ancestors: list[dict[str, Any]] = Field(description="{id, relation} of cubes this one derives from")


class AddDocument(AddText):
    """A document (plain text or Markdown), chunked with character offsets; ``uri`` names it."""

    uri: str = Field(min_length=1, max_length=2048, description="where the document came from (file URI, URL, name)")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{
            "uri": "file:///notes/team.md", "format": "markdown",
            "text": "# Team\n\nBob leads the payments team. Carol joined Acme in 2021.",
        }]},
    )
