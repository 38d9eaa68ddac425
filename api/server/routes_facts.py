"""/v1/cubes/{id}/facts, /v1/facts and /v1/entities: read and edit fact triples and entities."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from memcubedb.api.schemas.facts import EntityIn, EntityList, FactIn, FactPage, FactPatch
from memcubedb.api.server.auth import Reader, ServicesDep, Writer
from memcubedb.api.server.errors import ApiError, responses
from memcubedb.graph.facts import EntityRef
from memcubedb.graph.records import Entity, EntityRecord, Fact
from memcubedb.graph.store import WriteRejected

router = APIRouter(tags=["facts and entities"])


def _ref(entity: EntityIn) -> EntityRef:
    if entity.id is not None:
        return entity.id
    from memcubedb.extraction.resolution import entity_id

    assert entity.name is not None
    return EntityRecord(id=entity_id(entity.name), name=entity.name, type=entity.type.value)


@router.get(
    "/v1/cubes/{cube_id}/facts", response_model=list[Fact], summary="Facts a memory asserts",
    responses=responses(401, 404),
)
def cube_facts(cube_id: str, caller: Reader, services: ServicesDep) -> list[Fact]:
    services.store.get_cube(caller.principal, cube_id)
    return services.store.facts_of(caller.principal, cube_id)


@router.post(
    "/v1/cubes/{cube_id}/facts", response_model=Fact, status_code=201, summary="Assert a fact in a memory",
    responses=responses(401, 403, 404, 422),
)
def add_fact(cube_id: str, body: FactIn, caller: Writer, services: ServicesDep) -> Fact:
    return services.facts.add_fact(
        caller.principal, cube_id, _ref(body.subject), body.predicate, _ref(body.object),
        negated=body.negated, confidence=body.confidence,
    )


@router.patch(
    "/v1/cubes/{cube_id}/facts/{fact_id}", response_model=Fact, summary="Edit a fact of a memory",
    description="The edited triple replaces the fact in this cube (new fact id when the triple changes, linked "
                "DERIVED_FROM the old fact while another cube still asserts it); recorded as an edit Activity.",
    responses=responses(401, 403, 404, 422),
)
def edit_fact(cube_id: str, fact_id: str, body: FactPatch, caller: Writer, services: ServicesDep) -> Fact:
    changes = {
        "subject": _ref(body.subject) if body.subject else None,
        "obj": _ref(body.object) if body.object else None,
        "predicate": body.predicate, "negated": body.negated, "confidence": body.confidence,
    }
    try:
        return services.facts.replace_fact(caller.principal, cube_id, fact_id, **changes)
    except WriteRejected:
        raise
    except ValueError as exc:
        raise ApiError(422, f"body: {exc}", "validation") from None


@router.delete(
    "/v1/cubes/{cube_id}/facts/{fact_id}", status_code=204, summary="Retract a fact from a memory",
    responses=responses(401, 403, 404),
)
def retract_fact(cube_id: str, fact_id: str, caller: Writer, services: ServicesDep) -> Response:
    services.facts.retract_fact(caller.principal, cube_id, fact_id)
    return Response(status_code=204)


@router.get("/v1/facts", response_model=FactPage, summary="Find facts", responses=responses(401, 422))
def find_facts(
    caller: Reader,
    services: ServicesDep,
    predicate: str | None = None,
    subject_id: str | None = None,
    object_id: str | None = None,
    entity_id: Annotated[str | None, Query(description="subject or object")] = None,
    after: Annotated[str | None, Query(description="next_after of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> FactPage:
    facts = services.facts.find_facts(
        caller.principal, predicate=predicate, subject_id=subject_id, object_id=object_id, entity_id=entity_id,
        after=after, limit=limit,
    )
    return FactPage(items=facts, next_after=facts[-1].id if len(facts) == limit else None)


@router.get("/v1/facts/{fact_id}", response_model=Fact, summary="Get a fact", responses=responses(401, 404))
def get_fact(fact_id: str, caller: Reader, services: ServicesDep) -> Fact:
    return services.facts.get_fact(caller.principal, fact_id)


@router.get("/v1/entities", response_model=EntityList, summary="List entities", responses=responses(401, 422))
def list_entities(
    caller: Reader, services: ServicesDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> EntityList:
    return EntityList(items=services.store.visible_entities(caller.principal, limit=limit))


@router.get("/v1/entities/{entity_id}", response_model=Entity, summary="Get an entity", responses=responses(401, 404))
def get_entity(entity_id: str, caller: Reader, services: ServicesDep) -> Entity:
    return services.facts.get_entity(caller.principal, entity_id)
