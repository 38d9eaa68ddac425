"""Typed records the graph store writes: sources, agents, activities, entities, facts.

These are the storage-side shapes of W3C PROV (https://www.w3.org/TR/prov-o/): a ``Source``
is a ``prov:Entity`` the memory was read from, an ``Activity`` is a ``prov:Activity``
(extraction run, promotion, demotion, edit), an ``Agent`` a ``prov:Agent`` (a pipeline, a
model, a person). Identifiers are stable so that re-ingesting the same input is idempotent.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from memcubedb.cube import MemCube, Timestamp, new_id, utcnow
from memcubedb.graph.permissions import Role


def stable_id(*parts: str) -> str:
    """A deterministic id: sha256 (hex, first 32 chars) of the parts joined by U+001F."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def owned_source_id(owner: str, source_id: str) -> str:
    """The id of a ``Source`` node as stored: one node per owner and source, so that what one
    principal's reader recorded of an input (speaker, timestamp, hash, offsets) never becomes the
    provenance of another principal's memory, even when both name the same URI and turn ids."""
    return stable_id("source", owner, source_id)


def content_hash(text: str) -> str:
    """sha256 (hex, 64 chars) of a text, UTF-8 encoded."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SourceRecord(_Record):
    """Where a memory was read from: a document chunk or a chat turn (``prov:Entity``).

    ``start``/``end`` are character offsets of the memory text within the source document
    (for chat turns: within the turn text, usually ``0..len``). ``seq`` orders the sources of
    one ``uri``: a chat turn's 0-based position in its chat (``None`` when there is no order,
    e.g. document chunks, which have their offsets).
    """

    id: str
    kind: Literal["document", "chat_turn", "api", "derived"]
    uri: str = Field(max_length=2048)
    turn_id: str | None = None
    speaker: str | None = None
    timestamp: Timestamp | None = None
    content_hash: str
    start: int = Field(default=0, ge=0)
    end: int = Field(default=0, ge=0)
    seq: int | None = Field(default=None, ge=0)


class AgentRecord(_Record):
    """Who or what is responsible (``prov:Agent``): a principal, a pipeline, a model."""

    id: str
    kind: Literal["person", "software", "model"] = "software"
    name: str


class ActivityRecord(_Record):
    """What produced or changed memory (``prov:Activity``)."""

    id: str = Field(default_factory=new_id)
    kind: str = Field(description="extraction, promotion, demotion, encoding, edit, lifecycle, import")
    name: str = ""
    started_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None
    params: dict[str, str] = Field(default_factory=dict)


class EntityRecord(_Record):
    """A resolved real-world thing. ``id`` is stable for the normalised canonical name and type."""

    id: str
    name: str = Field(min_length=1, max_length=512)
    type: str = "OTHER"
    aliases: list[str] = Field(default_factory=list)
    embedding: list[Annotated[float, Field(ge=-1.0, le=1.0)]] | None = Field(
        default=None, min_length=1,
        description="L2-normalised name embedding for the entity_embedding vector index (set on a new entity by "
        "MemReader when its embedding stage embedded the name); kept once stored",
    )  # fmt: skip


class MergeRecord(_Record):
    """An entity-resolution decision: mention ``alias`` was merged into ``entity_id``."""

    alias: str
    entity_id: str
    method: Literal["exact", "fuzzy", "embedding", "manual"]
    score: float = Field(ge=0.0, le=1.0)


class FactRecord(_Record):
    """A reified (subject, predicate, object) triple with its own confidence and validity.

    ``object_id`` names an Entity; a literal object (a number, an adjective) is stored as an
    entity of type ``LITERAL`` (a date as one of type ``DATE``) so every fact is an edge between
    two entities. When the object is a value, the fact also carries it typed, after RDF 1.1 typed
    literals: ``object_value`` (ISO 8601 date/time or canonical number), ``datatype`` (XSD:
    ``xsd:date``, ``xsd:gYear``, ``xsd:gYearMonth``, ``xsd:dateTime``, ``xsd:integer``,
    ``xsd:decimal``) and ``unit`` ("square kilometres") — see ``extraction/literals.py``.
    """

    id: str
    subject_id: str
    predicate: str = Field(min_length=1, max_length=256)
    object_id: str
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)
    negated: bool = False
    valid_from: Timestamp | None = None
    valid_to: Timestamp | None = None
    start: int = Field(default=0, ge=0, description="character offset of the evidence in the cube text")
    end: int = Field(default=0, ge=0)
    object_value: str | None = Field(default=None, min_length=1, max_length=512)
    datatype: str | None = Field(default=None, pattern=r"^xsd:[A-Za-z]+$")
    unit: str | None = Field(default=None, min_length=1, max_length=64)


class SentenceRecord(_Record):
    """One sentence of a multi-sentence MemCube with its own embedding (a ``:Sentence`` node,
    ``PART_OF`` the cube; vector index ``sentence_embedding``).

    ``start``/``end`` are character offsets into the cube text (the text itself is not copied);
    ``embedding`` has ``settings.embedding_dim`` floats, L2-normalised.
    """

    id: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    embedding: list[float]


class CubeWrite(_Record):
    """Everything one memory unit brings into the graph, written in one transaction.

    ``sentences`` is ``None`` when the cube's sentences were not embedded (the embedding sweep
    does it later), ``[]`` when its text is one sentence, else one record per sentence.
    """

    cube: MemCube
    source: SourceRecord | None = None
    activity: ActivityRecord
    agent: AgentRecord
    entities: list[EntityRecord] = Field(default_factory=list)
    facts: list[FactRecord] = Field(default_factory=list)
    merges: list[MergeRecord] = Field(default_factory=list)
    derived_from: list[str] = Field(default_factory=list, description="ids of cubes this one derives from")
    sentences: list[SentenceRecord] | None = None


class Entity(_Record):
    """An Entity as read back from the graph."""

    id: str
    name: str
    type: str
    aliases: list[str] = Field(default_factory=list)


class Fact(_Record):
    """A Fact as read back from the graph, with its endpoints' names."""

    id: str
    subject_id: str
    subject: str
    predicate: str
    object_id: str
    object: str
    confidence: float
    negated: bool
    valid_from: Timestamp | None = None
    valid_to: Timestamp | None = None
    cube_ids: list[str] = Field(default_factory=list)
    object_value: str | None = Field(default=None, description="the object as a typed value (ISO 8601, number)")
    datatype: str | None = Field(default=None, description="XSD datatype of object_value, e.g. xsd:date")
    unit: str | None = Field(default=None, description="unit of a numeric object_value, as written")


#: The interchange form (``/v1/export``, ``/v1/import``, ``memcubedb export|import``).
FORMAT = "memcubedb/interchange"
MAX_CUBES = 10_000


class InterchangeCube(CubeWrite):
    """One cube of the document: a :class:`CubeWrite` plus the ids of the versions it supersedes."""

    supersedes: list[str] = Field(default_factory=list, description="ids of older versions this cube replaces")


class InterchangeDocument(BaseModel):
    """The MemCube interchange form: cubes with their facts and W3C PROV provenance."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["memcubedb/interchange"] = FORMAT
    version: Literal[1] = 1
    exported_at: Timestamp = Field(default_factory=utcnow)
    exported_by: str | None = Field(default=None, description="principal id of the exporter")
    cubes: list[InterchangeCube] = Field(default_factory=list, max_length=MAX_CUBES)


class LoadResult(BaseModel):
    """What a load wrote: ids of new cubes, ids skipped because they already existed."""

    written: list[str]
    skipped: list[str]


@dataclass(frozen=True)
class ApiKeyInfo:
    """An API key as stored (never the key itself)."""

    id: str
    principal: str
    role: Role
    name: str
    created_at: datetime
    revoked_at: datetime | None = None
