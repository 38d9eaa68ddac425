"""Request and response bodies of the fact and entity routes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from memcubedb.extraction.triples import EntityType
from memcubedb.graph.records import Entity, Fact


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EntityIn(_In):
    """An end of a fact: an existing entity by ``id``, or an entity by ``name`` (created when new;
    its id is derived from the normalised name, so the same name reaches the same entity)."""

    id: str | None = Field(default=None, max_length=128)
    name: str | None = Field(default=None, min_length=1, max_length=512)
    type: EntityType = EntityType.OTHER

    @model_validator(mode="after")
    def _one_of(self) -> EntityIn:
        if (self.id is None) == (self.name is None):
            raise ValueError("give exactly one of id or name")
        return self


class FactIn(_In):
    """A (subject, predicate, object) triple to assert in a cube."""

    subject: EntityIn
    predicate: str = Field(min_length=1, max_length=256)
    object: EntityIn
    negated: bool = False
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{
            "subject": {"name": "Alice", "type": "PERSON"}, "predicate": "works_at",
            "object": {"name": "Acme", "type": "ORG"},
        }]},
    )


class FactPatch(_In):
    """What to change in a fact (the rest is kept); the edited triple replaces it in the cube."""

    subject: EntityIn | None = None
    predicate: str | None = Field(default=None, min_length=1, max_length=256)
    object: EntityIn | None = None
    negated: bool | None = None
    confidence: float | None = Field(default=None, ge=0.0, le=1.0)

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"object": {"name": "Initech"}}]})

    @model_validator(mode="after")
    def _something(self) -> FactPatch:
        if not self.model_fields_set:
            raise ValueError("give at least one of subject, predicate, object, negated, confidence")
        return self


class FactPage(BaseModel):
    """Facts ordered by id; pass ``next_after`` as ``after`` for the next page."""

    items: list[Fact]
    next_after: str | None = Field(description="null on the last page")


class EntityList(BaseModel):
    """Entities mentioned by cubes the caller may read, by name."""

    items: list[Entity]
