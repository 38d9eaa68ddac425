"""What a search takes besides the query (filters) and what it returns (results)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from memcubedb.cube import Timestamp


class SearchFilters(BaseModel):
    """Restrictions applied inside every channel query.

    Attributes:
        occurred_from / occurred_to: keep cubes read from a source whose ``timestamp`` (when the
            chat turn was said or the document dated) lies in ``[occurred_from, occurred_to]``;
            either bound may be open. Timezone-aware datetimes.
        valid_at: drop cubes asserting a fact that is not valid at this instant
            (``valid_from > valid_at`` or ``valid_to <= valid_at``); cubes whose facts carry no
            validity bounds pass.
        memory_types: keep only these memory types (``plaintext``, ``activation``, ``parametric``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    occurred_from: Timestamp | None = None
    occurred_to: Timestamp | None = None
    valid_at: Timestamp | None = None
    memory_types: list[str] | None = None

    @model_validator(mode="after")
    def _ordered(self) -> SearchFilters:
        if self.occurred_from and self.occurred_to and self.occurred_from > self.occurred_to:
            raise ValueError("occurred_from must not be after occurred_to")
        return self


class SearchResult(BaseModel):
    """One retrieved memory.

    Attributes:
        cube_id: the MemCube id.
        text: the memory text.
        score: fused score (weighted reciprocal rank fusion; after MMR the order may differ
            from the score order).
        channels: the channels that found it, in :class:`~memcubedb.search.config.Channel` order.
        ranks: channel → 1-based rank within that channel's candidate list.
        memory_type: the returned cube's memory type.
        forms: every form this memory has, as memory types: ``plaintext`` (the cube itself),
            ``activation`` (a live KV template of it), ``parametric`` (a live LoRA adapter
            encoding one of its facts). A KV-template copy found by a channel is returned as
            the cube it was promoted from, so each memory appears once.
        source_ids / turn_ids / uris: provenance of the cube (its ``EXTRACTED_FROM`` sources).
        occurred_at: the earliest source timestamp, if any.
    """

    model_config = ConfigDict(extra="forbid")

    cube_id: str
    text: str
    score: float
    channels: list[str]
    ranks: dict[str, int]
    memory_type: str = "plaintext"
    forms: list[str] = Field(default_factory=lambda: ["plaintext"])
    source_ids: list[str] = Field(default_factory=list)
    turn_ids: list[str] = Field(default_factory=list)
    uris: list[str] = Field(default_factory=list)
    occurred_at: datetime | None = None
