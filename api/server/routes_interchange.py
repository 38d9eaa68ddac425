"""/v1/export and /v1/import: MemDumper / MemLoader in the JSON interchange form."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from memcubedb.api.schemas.ops import ExportIn
from memcubedb.api.server.auth import Capability, Reader, ServicesDep, Writer
from memcubedb.api.server.errors import ApiError, responses
from memcubedb.graph.records import InterchangeDocument, LoadResult

router = APIRouter(tags=["export and import"])


@router.post(
    "/v1/export", response_model=InterchangeDocument, summary="Export memories (MemDumper)",
    description="The readable cubes (given ids, or all matching the filters, oldest first) with their sources, "
                "activities, agents, entities, facts and lineage, as one interchange document. Unreadable or "
                "unknown ids are left out.",
    responses=responses(401, 422),
)
def export(body: ExportIn, caller: Reader, services: ServicesDep) -> InterchangeDocument:
    ids = list(body.cube_ids or [])
    if body.cube_ids is None:
        after = None
        while len(ids) < body.limit:
            page = services.store.list_cubes(
                caller.principal, memory_type=body.memory_type.value if body.memory_type else None, tag=body.tag,
                latest_only=not body.include_versions, after=after, limit=min(1000, body.limit - len(ids)),
            )
            ids += [c.id for c in page]
            if not page:
                break
            after = page[-1]
    return services.dumper.dump(caller.principal, ids)


@router.post(
    "/v1/import", response_model=LoadResult, status_code=201, summary="Import memories (MemLoader)",
    description="Writes the document in one transaction (all or nothing). Cubes whose id exists are skipped. "
                "Cubes owned by someone else are refused (403) unless `take_ownership` (they become the "
                "caller's) or, for an admin, `keep_owners`. 201 when cubes were written, 200 when none was new.",
    responses=responses(401, 403, 413, 422),
)
def import_(
    document: InterchangeDocument, caller: Writer, services: ServicesDep, response: Response,
    take_ownership: Annotated[bool, Query(description="make the caller the owner of every imported cube")] = False,
    keep_owners: Annotated[bool, Query(description="keep the document's owners (admin only)")] = False,
) -> LoadResult:
    if keep_owners and not caller.can(Capability.ADMIN):
        raise ApiError(403, "only an admin may import cubes keeping other owners", "role-forbidden")
    try:
        result = services.loader.load(
            caller.principal, document, take_ownership=take_ownership, keep_owners=keep_owners,
            prepare=services.vectorize,
        )
    except ValueError as exc:
        raise ApiError(422, str(exc), "validation") from None
    response.status_code = 201 if result.written else 200
    return result
