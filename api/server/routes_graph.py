"""/v1/graph: bounded, permission-filtered subgraphs for visualisation (the dashboard's data).

Every answer is bounded (``limit`` nodes, ``edge_limit`` edges, both capped by
``MEMCUBEDB_API__GRAPH_MAX_NODES``) and says how much it left out (``omitted``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from memcubedb.api.server.auth import Reader, ServicesDep
from memcubedb.api.server.errors import responses
from memcubedb.api.server.services import Services
from memcubedb.cube import LifecycleState, MemoryType, Timestamp
from memcubedb.graph.read_models.dashboard import SCHEDULER_KINDS, CubeDetail, GraphFilter, Hit, Subgraph, Timeline

router = APIRouter(prefix="/v1/graph", tags=["graph"])

SHAPE = """
**Shape.** `nodes`: `{id, kind: "cube"|"entity", memory_type, state, text (first 160 chars), created_at,
access_count, relevance, version}` for cubes, `{id, kind: "entity", name, type}` for entities.
`edges`: `{id, source, target, type, predicate, negated, score}` where `type` is `RELATES` (a fact,
`id` = `fact:<fact id>`, with `predicate` and `negated`), `MENTIONS` (cube → entity), `SUPERSEDES`,
`DERIVED_FROM`, `PROMOTED_TO` (with `score`), `DEMOTED_TO` or `ENCODES` (cube → cube).
`omitted`: `{cubes, entities, facts, edges}` counts of what the bounds left out. `seeds`: the
visible seed ids.
"""


class NeighbourhoodIn(BaseModel):
    """Seeds to expand, nodes the client already shows, the filter and the bounds."""

    model_config = ConfigDict(extra="forbid")

    seeds: list[str] = Field(min_length=1, max_length=50, description="cube or entity ids")
    known: list[str] = Field(default_factory=list, max_length=5000, description="ids already displayed")
    filter: GraphFilter = Field(default_factory=GraphFilter)
    limit: int = Field(default=40, ge=1, le=5000, description="most new nodes")
    edge_limit: int = Field(default=200, ge=1, le=20_000)


def graph_filter(
    memory_type: Annotated[list[MemoryType] | None, Query()] = None,
    state: Annotated[list[LifecycleState] | None, Query(description="default: every state but deleted")] = None,
    created_from: Timestamp | None = None,
    created_to: Timestamp | None = None,
    source: Annotated[str | None, Query(max_length=2048, description="substring of the source URI")] = None,
) -> GraphFilter:
    """The dashboard filter from query parameters."""
    return GraphFilter(memory_types=memory_type, states=state, created_from=created_from, created_to=created_to,
                       source=source)


Filter = Annotated[GraphFilter, Depends(graph_filter)]


def _cap(services: Services, limit: int) -> int:
    return min(limit, services.config.graph_max_nodes)


@router.get(
    "/overview", response_model=Subgraph, summary="Overview subgraph",
    description="The most recently updated readable cubes and their neighbourhood." + SHAPE,
    responses=responses(401, 422),
)
def overview(
    caller: Reader, services: ServicesDep, gf: Filter,
    limit: Annotated[int, Query(ge=2, le=5000)] = 40, edge_limit: Annotated[int, Query(ge=1, le=20_000)] = 200,
) -> Subgraph:
    return services.explorer.overview(caller.principal, gf, _cap(services, limit), edge_limit)


@router.post(
    "/neighbourhood", response_model=Subgraph, summary="Expand around nodes",
    description="The visible seeds, at most `limit` neighbours not in `known`, and the edges among them." + SHAPE,
    responses=responses(401, 422),
)
def neighbourhood(body: NeighbourhoodIn, caller: Reader, services: ServicesDep) -> Subgraph:
    return services.explorer.neighbourhood(
        caller.principal, body.seeds, body.filter, known=body.known, limit=_cap(services, body.limit),
        edge_limit=body.edge_limit,
    )


@router.get(
    "/find", response_model=list[Hit], summary="Find cubes and entities by text",
    description="Full-text matches among readable cubes and the entities they mention, best first.",
    responses=responses(401, 422),
)
def find(
    caller: Reader, services: ServicesDep, gf: Filter, q: Annotated[str, Query(min_length=1, max_length=500)],
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> list[Hit]:
    return services.explorer.find(caller.principal, q, gf, limit)


@router.get(
    "/timeline", response_model=Timeline, summary="Scheduler activity",
    description="Promotions, encodings and demotions touching readable cubes, newest first.",
    responses=responses(401, 422),
)
def timeline(
    caller: Reader, services: ServicesDep, gf: Filter,
    kind: Annotated[list[str] | None, Query(description=f"activity kinds (default {list(SCHEDULER_KINDS)})")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Timeline:
    return services.explorer.timeline(caller.principal, gf, kind, limit)


@router.get(
    "/cubes/{cube_id}", response_model=CubeDetail, summary="A cube's detail panel",
    description="The cube's three metadata groups and payload, its provenance chain back to the source text "
                "(with offsets), the evidence of its facts and its versions.",
    responses=responses(401, 404),
)
def cube_detail(cube_id: str, caller: Reader, services: ServicesDep) -> CubeDetail:
    return services.explorer.cube_detail(caller.principal, cube_id)


@router.get(
    "/sources", response_model=list[dict[str, Any]], summary="Source URIs with cube counts",
    responses=responses(401, 422),
)
def sources(
    caller: Reader, services: ServicesDep, limit: Annotated[int, Query(ge=1, le=1000)] = 50
) -> list[dict[str, Any]]:
    return services.explorer.sources(caller.principal, limit)
