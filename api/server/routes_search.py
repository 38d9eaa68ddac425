"""/v1/search: hybrid, permission-filtered retrieval."""

from __future__ import annotations

from fastapi import APIRouter

from memcubedb.api.schemas.ops import SearchIn, SearchOut
from memcubedb.api.server.auth import Reader, ServicesDep
from memcubedb.api.server.errors import ApiError, responses
from memcubedb.search import RECIPES

router = APIRouter(tags=["search"])


@router.post(
    "/v1/search", response_model=SearchOut, summary="Search memories",
    description="Vector (Neo4j vector index), full-text and graph channels fused by reciprocal rank fusion; "
                "only memories the caller may read are considered (the permission predicate is inside every "
                "channel's query). Returned cubes have their access count and last access updated.",
    responses=responses(401, 422),
)
def search(body: SearchIn, caller: Reader, services: ServicesDep) -> SearchOut:
    config = None
    if body.recipe is not None:
        if body.recipe not in RECIPES:
            raise ApiError(422, f"body.recipe: unknown recipe {body.recipe!r}; known: {sorted(RECIPES)}",
                           "validation")
        config = RECIPES[body.recipe]
    results = services.search.search(caller.principal, body.query, body.k, body.filters, config=config)
    return SearchOut(results=results)
