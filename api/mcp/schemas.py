"""What MemCubeDB's MCP tools take and return beyond the REST API's own request and response models
(:mod:`memcubedb.api.schemas.cubes`, :mod:`memcubedb.api.schemas.ops`), which the tools reuse."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from memcubedb.api.schemas.cubes import CubeOut, ProvenanceOut
from memcubedb.chat.schemas import MemoryReport
from memcubedb.cube import MemCube, Timestamp
from memcubedb.graph.records import Entity, Fact

ABOUT_MEMORIES = 20
"""Most memories ``about_entity`` returns with an entity's facts."""


class ChatTurn(BaseModel):
    """One turn of a conversation to remember."""

    speaker: str = Field(min_length=1, max_length=256, description="who said it, e.g. 'Alice' or 'assistant'")
    text: str = Field(min_length=1, max_length=100_000, description="what was said")
    time: Timestamp | None = Field(default=None, description="when it was said, ISO 8601 with a UTC offset")
    turn_id: str | None = Field(default=None, min_length=1, max_length=256,
                                description="unique within the chat; default: the turn's position (t1, t2, …)")


class MemoryBrief(BaseModel):
    """A memory in short: its id, text, memory type, lifecycle state and version."""

    id: str
    text: str
    memory_type: str
    state: str
    version: int

    @classmethod
    def of(cls, cube: MemCube) -> MemoryBrief:
        """The brief form of a stored cube."""
        return cls(id=cube.id, text=cube.text, memory_type=cube.descriptive.memory_type.value,
                   state=cube.governance.state.value, version=cube.governance.version)


class AddMemoryOut(BaseModel):
    """What add_memory stored: every memory of the input (``written`` now, ``skipped`` already there)
    and the facts they assert."""

    written: list[str] = Field(description="ids of memories written by this call")
    skipped: list[str] = Field(description="ids that already existed (same text and source): unchanged")
    memories: list[MemoryBrief]
    facts: list[Fact] = Field(description="facts the memories assert, with the ids of the memories asserting them")


class MemoryOut(BaseModel):
    """One memory with its three metadata groups (descriptive, governance, behaviour), its payload, the
    facts it asserts and its W3C PROV provenance chain."""

    memory: CubeOut
    facts: list[Fact]
    provenance: ProvenanceOut


class DeleteOut(BaseModel):
    """The deleted memory (lifecycle state ``deleted``; ``purged``: the node was removed too)."""

    id: str
    state: Literal["deleted"] = "deleted"
    purged: bool


class EntityOut(BaseModel):
    """An entity, the facts about it and the memories those facts came from."""

    entity: Entity
    facts: list[Fact]
    memories: list[MemoryBrief] = Field(description=f"the memories asserting these facts (at most {ABOUT_MEMORIES})")


class ChatOut(BaseModel):
    """The memory-augmented answer: its text, why generation stopped, the model, and which memories (by
    type: activation KV templates, plaintext, parametric adapter) it used."""

    answer: str
    finish_reason: str = Field(description="stop (the model ended) or length (max_tokens reached)")
    model: str
    memory: MemoryReport
