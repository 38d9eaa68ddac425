"""What the dashboard's graph endpoints answer (``/v1/graph/...``) and the filter they take: the read
models :class:`~memcubedb.graph.read_models.explorer.GraphExplorer` fills. Pydantic only, so the SDK
reads them without the store or the driver."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from memcubedb.cube import LifecycleState, MemoryType, Timestamp
from memcubedb.states import KEPT_STATES

SCHEDULER_KINDS = ("promotion", "encoding", "demotion")
"""Activity kinds the scheduler records when it moves knowledge between memory types."""


class GraphFilter(BaseModel):
    """What the dashboard shows: memory types, lifecycle states, creation time range, source URI."""

    memory_types: list[MemoryType] | None = Field(default=None, description="None: every type")
    states: list[LifecycleState] | None = Field(default=None, description="None: every state but deleted")
    created_from: Timestamp | None = None
    created_to: Timestamp | None = None
    source: str | None = Field(default=None, max_length=2048, description="substring of the source URI")

    def params(self) -> dict[str, Any]:
        """The filter as the query parameters of :mod:`memcubedb.cypher.dashboard`."""
        return {
            "memory_types": [t.value for t in self.memory_types] if self.memory_types is not None else None,
            "states": [s.value for s in self.states] if self.states is not None else list(KEPT_STATES),
            "created_from": self.created_from,
            "created_to": self.created_to,
            "source": self.source or None,
        }


class Omitted(BaseModel):
    """How much of the neighbourhood the server left out of a bounded subgraph."""

    cubes: int = 0
    entities: int = 0
    facts: int = 0
    edges: int = 0


class Subgraph(BaseModel):
    """Nodes (cubes and entities), edges (facts, mentions, lineage) and what was left out."""

    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    omitted: Omitted
    seeds: list[str] = Field(default_factory=list)


class Hit(BaseModel):
    """A full-text hit: a cube or an entity."""

    id: str
    kind: str
    score: float
    label: str


class TimelineEvent(BaseModel):
    """One scheduler activity with the cubes it touched and its score (when it recorded one)."""

    id: str
    kind: str
    name: str = ""
    started_at: str | None = None
    ended_at: str | None = None
    score: float | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    cubes: list[dict[str, Any]]
    moves: list[dict[str, Any]] = Field(default_factory=list, description="from/to cubes, memory types, score")


class Timeline(BaseModel):
    """Scheduler activity, newest first, and how many events were left out."""

    events: list[TimelineEvent]
    omitted: int


class CubeDetail(BaseModel):
    """Everything the detail panel shows about one cube."""

    cube: dict[str, Any]
    chain: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    versions: list[dict[str, Any]]
