"""The extractor-neutral output of MemReader: mentions and (subject, predicate, object) triples.

Both extractors (spaCy rules, :mod:`memcubedb.extraction.spacy_extractor`; an LLM,
:mod:`memcubedb.extraction.llm`) turn a :class:`TextUnit` into an :class:`Extraction`; entity
resolution and the graph records are built from it the same way whichever produced it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from enum import StrEnum
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, model_validator


class EntityType(StrEnum):
    """Our one coarse entity-type set; NER labels of every scheme map onto it (see ``labels``).

    ``CONCEPT`` is a common-noun thing ("the payments team"), ``LITERAL`` a value that is not a
    thing (an adjective, a number), ``DATE`` a normalised time expression.
    """

    PERSON = "PERSON"
    ORG = "ORG"
    PLACE = "PLACE"
    DATE = "DATE"
    EVENT = "EVENT"
    PRODUCT = "PRODUCT"
    CONCEPT = "CONCEPT"
    LITERAL = "LITERAL"
    OTHER = "OTHER"


#: Types that name something (may merge by alias/fuzzy/embedding); the others merge exactly only.
NAME_TYPES: frozenset[EntityType] = frozenset(
    {EntityType.PERSON, EntityType.ORG, EntityType.PLACE, EntityType.EVENT, EntityType.PRODUCT, EntityType.OTHER}
)


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TextUnit(_Frozen):
    """One piece of input text with its context: a document chunk or a chat turn.

    Attributes:
        text: the text (non-empty).
        timestamp: when it was said/written; relative dates ("yesterday") are resolved against it.
        speaker / addressee: chat participants; "I"/"my" resolve to the speaker, "you" to the
            addressee.
        context_id: units with the same id share discourse state (pronoun antecedents) and must
            be given in reading order.
        opens_context: the first unit of a context; earlier state of ``context_id`` is dropped.
    """

    text: str = Field(min_length=1)
    timestamp: datetime | None = None
    speaker: str | None = None
    addressee: str | None = None
    context_id: str = ""
    opens_context: bool = False


class Mention(_Frozen):
    """A reference to an entity in a unit's text.

    Attributes:
        text: the surface form as written ("my sister", "she", "Acme Corp").
        name: the canonical name proposed for the entity ("Melanie's sister", "Dana", "Acme Corp").
        type: coarse entity type.
        start / end: character offsets of ``text`` in the unit text.
        named: True for proper names (they may merge by alias/fuzzy/embedding).
        via: how a pronoun or descriptor was resolved, ``None`` for a plain mention.
    """

    text: str = Field(min_length=1)
    name: str = Field(min_length=1, max_length=512)
    type: EntityType = EntityType.OTHER
    start: int = Field(default=0, ge=0)
    end: int = Field(default=0, ge=0)
    named: bool = False
    via: Literal["speaker", "addressee", "antecedent", "relative", "descriptor"] | None = None

    @model_validator(mode="after")
    def _offsets(self) -> Mention:
        if self.end < self.start:
            raise ValueError(f"mention end {self.end} < start {self.start}")
        return self


class Triple(_Frozen):
    """A (subject, predicate, object) triple read from a unit.

    Attributes:
        predicate: lower-case lemma phrase ("work at", "is cto of", "want to learn").
        negated: the unit states the triple does *not* hold ("Carol does not like coffee").
        confidence: 0..1, from the rule (or the LLM), lowered for resolved pronouns.
        start / end: character offsets of the evidence (the sentence) in the unit text.
        valid_from: the time the statement refers to, when the clause carries a date.
        rule: the rule (or extractor) that produced it, for provenance and debugging.
        object_value / datatype: set when the object is a value, not a thing: the normalised
            lexical form and its XSD datatype — ``("1936-06-27", "xsd:date")``,
            ``("2014", "xsd:gYear")``, ``("1998-11", "xsd:gYearMonth")``, ``("737", "xsd:integer")``,
            ``("296521000.0", "xsd:decimal")`` (see :mod:`memcubedb.extraction.literals`).
            ``object`` is then the literal's mention (type ``DATE`` or ``LITERAL``).
        unit: the unit a number was given in ("square kilometres"), when there was one.
    """

    subject: Mention
    predicate: str = Field(min_length=1, max_length=256)
    object: Mention
    negated: bool = False
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)
    start: int = Field(default=0, ge=0)
    end: int = Field(default=0, ge=0)
    valid_from: datetime | None = None
    rule: str = "unknown"
    object_value: str | None = Field(default=None, min_length=1, max_length=512)
    datatype: str | None = Field(default=None, pattern=r"^xsd:[A-Za-z]+$")
    unit: str | None = Field(default=None, min_length=1, max_length=64)

    def key(self) -> tuple[str, str, str, bool]:
        """``(subject name, predicate, object name, negated)``, names case-folded: for tests/dedup."""
        return (self.subject.name.casefold(), self.predicate, self.object.name.casefold(), self.negated)


class Extraction(_Frozen):
    """Everything read from one :class:`TextUnit`."""

    mentions: list[Mention] = Field(default_factory=list)
    triples: list[Triple] = Field(default_factory=list)


class Extractor(Protocol):
    """What MemReader needs from an extractor (spaCy rules or an LLM).

    Attributes:
        name: ``"spacy"`` or ``"llm"``.
        version: the pipeline or model behind it, e.g. ``"en_ud_ewt_sm-0.1.0"``.
    """

    name: str
    version: str

    def extract(self, units: Iterable[TextUnit]) -> Iterator[Extraction]:
        """One :class:`Extraction` per unit, in the order given."""
        ...
