"""The MemCube: one memory unit of MemOS, with its three metadata groups and a typed payload.

After "MemOS: A Memory OS for AI Systems" (MemTensor et al., 2025), §MemCube: every memory
unit carries *descriptive* metadata (identity, type, origin), *governance* metadata (owner,
access control, lifecycle, priority, version) and *behaviour* metadata (usage, scores,
lineage). The payload depends on the memory type:

* ``plaintext`` — editable text (facts extracted from it live as ``Fact`` nodes);
* ``activation`` — a KV template: the transformer KV cache of the text, stored in the vault;
* ``parametric`` — a LoRA adapter encoding facts, stored in the vault.

The JSON form produced by :meth:`MemCube.model_dump_json` is the interchange format; its JSON
Schema is published at ``memcubedb/schema/memcube.schema.json``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

MAX_UTC_OFFSET = timedelta(hours=18)
"""The widest UTC offset Neo4j stores (``java.time.ZoneOffset``: -18:00 to +18:00)."""


def utcnow() -> datetime:
    """Current time, timezone-aware UTC."""
    return datetime.now(UTC)


def storable_instant(moment: datetime) -> datetime:
    """Check that Neo4j can store a datetime: its UTC offset must lie within ±18:00 (Neo4j's range,
    from ``java.time.ZoneOffset``; ISO 8601 and Python allow up to ±24:00), and the instant in UTC
    must lie within Python's years 1 to 9999 (the driver sends it as UTC). Naive datetimes pass
    unchanged (Neo4j stores them as ``LocalDateTime``).

    Raises:
        ValueError: the offset is outside ±18:00, or the instant in UTC outside years 1 to 9999
            (pydantic reports either as a validation error).
    """
    offset = moment.utcoffset()
    if offset is None:
        return moment
    if abs(offset) > MAX_UTC_OFFSET:
        raise ValueError(f"UTC offset {offset} is outside the range -18:00 to +18:00")
    try:
        moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("the instant in UTC is outside the years 1 to 9999") from None
    return moment


Timestamp = Annotated[datetime, AfterValidator(storable_instant)]
"""A datetime field of anything written to or compared in the graph (see :func:`storable_instant`)."""


def new_id() -> str:
    """A fresh random identifier (UUID4, 36 characters)."""
    return str(uuid.uuid4())


class MemoryType(StrEnum):
    """The three MemOS memory types."""

    PLAINTEXT = "plaintext"
    ACTIVATION = "activation"
    PARAMETRIC = "parametric"


class LifecycleState(StrEnum):
    """MemLifecycle states (MemOS §MemLifecycle): generated → activated → merged/archived → expired.

    ``deleted`` is the tombstone a delete leaves before the purge removes the node.
    """

    GENERATED = "generated"
    ACTIVATED = "activated"
    MERGED = "merged"
    ARCHIVED = "archived"
    EXPIRED = "expired"
    DELETED = "deleted"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class Descriptive(_Strict):
    """What the memory is and where it came from."""

    id: str = Field(default_factory=new_id, min_length=1, max_length=128)
    memory_type: MemoryType = MemoryType.PLAINTEXT
    created_at: Timestamp = Field(default_factory=utcnow)
    updated_at: Timestamp = Field(default_factory=utcnow)
    source_signature: str | None = Field(
        default=None, description="sha256 (hex) of the source content this memory was read from"
    )
    semantic_type: str | None = Field(default=None, max_length=64, description="e.g. chat_turn, document")
    tags: list[str] = Field(default_factory=list, max_length=64)


class Governance(_Strict):
    """Who owns the memory, who may use it, and how long it lives."""

    owner: str = Field(min_length=1, max_length=128, description="principal id of the owner")
    readers: list[str] = Field(default_factory=list, description="principal ids granted CAN_READ")
    writers: list[str] = Field(default_factory=list, description="principal ids granted CAN_WRITE")
    state: LifecycleState = LifecycleState.GENERATED
    ttl_s: int | None = Field(default=None, ge=1, description="time to live, seconds")
    priority: int = Field(default=50, ge=0, le=100)
    version: int = Field(default=1, ge=1)


class ScorePoint(_Strict):
    """One entry of a cube's score history."""

    at: Timestamp
    score: float
    reason: str = ""


class Behaviour(_Strict):
    """How the memory has been used."""

    access_count: int = Field(default=0, ge=0)
    last_access: Timestamp | None = None
    relevance: float | None = None
    score_history: list[ScorePoint] = Field(default_factory=list)
    lineage: list[str] = Field(default_factory=list, description="ids of cubes this one derives from")


class PlaintextPayload(_Strict):
    """Editable text memory."""

    kind: Literal["plaintext"] = "plaintext"
    text: str = Field(min_length=1, max_length=100_000)


class KVTemplatePayload(_Strict):
    """Reference to a KV template (activation memory) stored in the vault."""

    kind: Literal["activation"] = "activation"
    text: str = Field(min_length=1, description="the memory text the template was prefilled from")
    model_id: str
    layers: int = Field(ge=1)
    token_count: int = Field(ge=1, description="tokens in the template, tokens")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="content hash of the vault entry")


class LoRAAdapterPayload(_Strict):
    """Reference to a LoRA adapter (parametric memory) stored in the vault."""

    kind: Literal["parametric"] = "parametric"
    base_model: str
    rank: int = Field(ge=1)
    facts_encoded: list[str] = Field(default_factory=list, description="ids of the encoded Fact nodes")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="content hash of the vault entry")


Payload = Annotated[PlaintextPayload | KVTemplatePayload | LoRAAdapterPayload, Field(discriminator="kind")]


class MemCube(_Strict):
    """A memory unit. ``payload.kind`` always equals ``descriptive.memory_type``.

    Raises:
        pydantic.ValidationError: on any malformed field or a payload/type mismatch.
    """

    descriptive: Descriptive = Field(default_factory=Descriptive)
    governance: Governance
    behaviour: Behaviour = Field(default_factory=Behaviour)
    payload: Payload
    embedding: list[float] | None = Field(default=None, description="sentence embedding, embedding_dim floats")

    @model_validator(mode="after")
    def _payload_matches_type(self) -> MemCube:
        if self.payload.kind != self.descriptive.memory_type.value:
            raise ValueError(
                f"payload kind {self.payload.kind!r} does not match memory_type "
                f"{self.descriptive.memory_type.value!r}"
            )
        return self

    @property
    def id(self) -> str:
        """The cube id (``descriptive.id``)."""
        return self.descriptive.id

    @property
    def text(self) -> str:
        """The memory text (every payload type keeps its text or an empty string)."""
        return getattr(self.payload, "text", "")

    @classmethod
    def plaintext(cls, text: str, owner: str, **descriptive: object) -> MemCube:
        """Build a plaintext cube owned by ``owner``; extra keywords go to :class:`Descriptive`."""
        return cls(
            descriptive=Descriptive(memory_type=MemoryType.PLAINTEXT, **descriptive),  # type: ignore[arg-type]
            governance=Governance(owner=owner),
            payload=PlaintextPayload(text=text),
        )
