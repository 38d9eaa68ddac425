"""Request and response bodies of search, scheduler, export/import and analysts' Cypher routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from memcubedb.cube import MemoryType
from memcubedb.extraction.operations import MemoryOperation
from memcubedb.search import SearchFilters, SearchResult


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- search ----------------------------------------------------------------------------------

class SearchIn(_In):
    """A hybrid search (vector + full-text + graph channels, reciprocal rank fusion)."""

    query: str = Field(min_length=1, max_length=2000)
    k: int = Field(default=10, ge=1, le=100, description="number of results")
    recipe: str | None = Field(default=None, description="search recipe: hybrid, hybrid_mmr, conversation, "
                                                         "vector, fulltext, graph (default: the server's)")
    filters: SearchFilters | None = None

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"query": "Where does Alice work?"}]})


class SearchOut(BaseModel):
    """Results best first, each with its score, channels and source ids."""

    results: list[SearchResult]


# --- scheduler -------------------------------------------------------------------------------

class ScoreOut(BaseModel):
    """A cube's latest promotion score as recorded by the MemScheduler."""

    cube_id: str
    memory_type: MemoryType
    state: str
    score: float
    scored_at: datetime | None = None
    access_count: int = 0
    last_access: datetime | None = None


class PromoteIn(_In):
    """Promote a plaintext cube to activation memory (build and store its KV template)."""

    cube_id: str = Field(min_length=1)
    score: float = Field(default=0.0, ge=0.0, le=1.0, description="score recorded on the PROMOTED_TO edge")


class EncodeIn(_In):
    """Encode facts into a LoRA adapter (parametric memory)."""

    fact_ids: list[str] = Field(min_length=1, max_length=1000)


class DemoteIn(_In):
    """Demote an activation or parametric cube back to plaintext."""

    cube_id: str = Field(min_length=1)
    reason: str = Field(default="requested through the API", max_length=500)


class JobOut(BaseModel):
    """A durable scheduler job as recorded in the graph (``kind``: promotion, encoding, demotion,
    run; ``state``: queued, running, succeeded, failed; ``attempts``: claims by workers, more than
    one when a worker stopped and another took the job over)."""

    id: str
    kind: str
    state: str
    principal: str
    params: dict[str, Any]
    attempts: int
    result: dict[str, Any] | None = None
    error: str | None = None


# --- export / import -------------------------------------------------------------------------

class ExportIn(_In):
    """Which readable cubes to export: the given ids, or every readable cube matching the filters."""

    cube_ids: list[str] | None = Field(default=None, max_length=10_000)
    memory_type: MemoryType | None = None
    tag: str | None = None
    include_versions: bool = Field(default=True, description="also export versions superseded by newer ones")
    limit: int = Field(default=1000, ge=1, le=10_000)


# --- analysts' Cypher ------------------------------------------------------------------------

BOLT_INT_RANGE = (-(2**63), 2**63 - 1)
"""Integers Bolt carries (Cypher's INTEGER is a signed 64-bit integer)."""


def _bolt_value(value: Any, where: str) -> None:
    if isinstance(value, bool) or value is None or isinstance(value, float | str):
        return
    if isinstance(value, int):
        low, high = BOLT_INT_RANGE
        if not low <= value <= high:
            raise ValueError(f"{where}: integer outside Cypher's 64-bit INTEGER range")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _bolt_value(item, f"{where}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            _bolt_value(item, f"{where}.{key}")


def bolt_parameters(parameters: dict[str, Any]) -> dict[str, Any]:
    """Check that Neo4j can take every query parameter (JSON values; integers within 64 bits).

    Raises:
        ValueError: naming the first parameter (dotted path) whose integer is out of range.
    """
    for name, value in parameters.items():
        _bolt_value(value, name)
    return parameters


CypherParameters = Annotated[dict[str, Any], AfterValidator(bolt_parameters)]


class CypherIn(_In):
    """A parameterised, read-only Cypher query. Values go in ``parameters``, never into the text."""

    query: str = Field(min_length=1, max_length=20_000)
    parameters: CypherParameters = Field(default_factory=dict)
    limit: int | None = Field(default=None, ge=1, description="row limit (at most the server's)")
    timeout_s: float | None = Field(default=None, gt=0, description="transaction timeout, s (at most the server's)")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{
            "query": "MATCH (c:MemCube {memory_type: $type}) RETURN c.id AS id, c.text AS text LIMIT 10",
            "parameters": {"type": "plaintext"},
        }]},
    )


class SavedRun(_In):
    """Parameters of a saved query; declared parameters left out are passed as null."""

    parameters: CypherParameters = Field(default_factory=dict)
    limit: int | None = Field(default=None, ge=1)
    timeout_s: float | None = Field(default=None, gt=0)


class CypherOut(BaseModel):
    """Rows as JSON objects keyed by column; nodes as ``{element_id, labels, properties}``,
    relationships as ``{element_id, type, start, end, properties}``, temporal values as ISO 8601."""

    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool = Field(description="true when more rows existed than the limit")
    limit: int
    elapsed_ms: float


class SavedQuery(BaseModel):
    """A saved analyst query from ``cypher/queries``: its header and text."""

    name: str
    purpose: str
    parameters: list[str] = Field(description="parameter names the query uses (without $)")
    columns: str
    header: str
    query: str


class NaturalIn(_In):
    """A natural-language memory request, e.g. "remember that Alice moved to Lyon"."""

    text: str = Field(min_length=1, max_length=10_000)
    execute: bool = Field(default=False, description="run the parsed operations as the caller")


class OperationResult(BaseModel):
    """One parsed operation and, when executed, what it did."""

    operation: MemoryOperation
    executed: bool = False
    cube_ids: list[str] = Field(default_factory=list, description="cubes added, found, deleted or newly versioned")
    detail: str = ""


class NaturalOut(BaseModel):
    """The operations the request was parsed into, in order (empty when it asks for none)."""

    text: str
    operations: list[OperationResult]
