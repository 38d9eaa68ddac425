"""/v1/cubes: add memories through MemReader, read, list, version, delete; a cube's provenance."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query, Response

from memcubedb.api.schemas.cubes import (
    AddChat,
    AddDocument,
    AddText,
    CubeOut,
    CubePage,
    CubeUpdate,
    IngestResult,
    ProvenanceOut,
)
from memcubedb.api.server.auth import Reader, ServicesDep, Writer
from memcubedb.api.server.errors import ApiError, responses
from memcubedb.api.server.pagination import decode_cursor, encode_cursor
from memcubedb.api.server.services import Services
from memcubedb.cube import LifecycleState, MemoryType
from memcubedb.extraction.chats import Chat
from memcubedb.extraction.documents import Document
from memcubedb.graph.permissions import PermissionDenied
from memcubedb.graph.read_models.analyst import to_json
from memcubedb.graph.read_models.lookups import access, cubes_by_ids, successor
from memcubedb.graph.records import content_hash

router = APIRouter(prefix="/v1/cubes", tags=["memcubes"])


def _add(
    services: Services, principal: str, items: list[Document | Chat], tags: list[str], response: Response
) -> IngestResult:
    """Read ``items`` with MemReader as ``principal``, add ``tags``, write all cubes in one transaction;
    201 when cubes were written, 200 when every one already existed."""
    writes = list(services.reader(principal).read(items))
    for w in writes:
        w.cube.descriptive.tags = list(dict.fromkeys([*w.cube.descriptive.tags, *tags]))
    written = services.store.write_cubes(writes, prepare=services.vectorize)
    fresh = set(written)
    ids = list(dict.fromkeys(w.cube.id for w in writes))
    response.status_code = 201 if written else 200
    return IngestResult(
        written=written,
        skipped=[i for i in ids if i not in fresh],
        facts=sum(len(w.facts) for w in writes if w.cube.id in fresh),
        cubes=[CubeOut.of(c) for c in cubes_by_ids(services.store, principal, ids)],
    )


def _document(body: AddText, uri: str) -> Document:
    return Document(uri=uri, text=body.text, format=body.format, timestamp=body.timestamp)


@router.post(
    "", response_model=IngestResult, status_code=201, summary="Add a text memory",
    description="MemReader reads the text (one cube per chunk) with its entities and facts. 201 when cubes "
                "were written, 200 when all of them already existed (same text and uri).",
    responses=responses(401, 403, 413, 422),
)
def add_text(body: AddText, caller: Writer, services: ServicesDep, response: Response) -> IngestResult:
    uri = body.uri or f"api://{caller.principal}/{content_hash(body.text)[:16]}"
    return _add(services, caller.principal, [_document(body, uri)], body.tags, response)


@router.post(
    "/document", response_model=IngestResult, status_code=201, summary="Add a document",
    description="A text or Markdown document, chunked with character offsets kept on each cube's Source.",
    responses=responses(401, 403, 413, 422),
)
def add_document(body: AddDocument, caller: Writer, services: ServicesDep, response: Response) -> IngestResult:
    return _add(services, caller.principal, [_document(body, body.uri)], body.tags, response)


@router.post(
    "/chat", response_model=IngestResult, status_code=201, summary="Add a chat",
    description="One cube per turn; each Source carries the turn id, speaker and timestamp.",
    responses=responses(401, 403, 413, 422),
)
def add_chat(body: AddChat, caller: Writer, services: ServicesDep, response: Response) -> IngestResult:
    chat = Chat.model_validate({"uri": body.uri, "turns": [t.model_dump() for t in body.turns]})
    return _add(services, caller.principal, [chat], body.tags, response)


@router.get(
    "", response_model=CubePage, summary="List memories",
    description="Cubes the caller may read, oldest first, keyset-paginated.", responses=responses(401, 422),
)
def list_cubes(
    caller: Reader,
    services: ServicesDep,
    memory_type: MemoryType | None = None,
    state: Annotated[list[LifecycleState] | None, Query(description="default: every state but deleted")] = None,
    owner: str | None = None,
    tag: str | None = None,
    latest_only: Annotated[bool, Query(description="hide versions superseded by a newer one")] = True,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
) -> CubePage:
    cubes = services.store.list_cubes(
        caller.principal,
        memory_type=memory_type.value if memory_type else None,
        states=[s.value for s in state] if state else None,
        owner=owner, tag=tag, latest_only=latest_only,
        after=decode_cursor(cursor) if cursor else None,
        limit=limit,
    )
    last = cubes[-1] if len(cubes) == limit else None
    return CubePage(
        items=[CubeOut.of(c) for c in cubes],
        next_cursor=encode_cursor(last.descriptive.created_at, last.id) if last else None,
    )


@router.get("/{cube_id}", response_model=CubeOut, summary="Get a memory", responses=responses(401, 404))
def get_cube(cube_id: str, caller: Reader, services: ServicesDep) -> CubeOut:
    return CubeOut.of(services.store.get_cube(caller.principal, cube_id))


@router.patch(
    "/{cube_id}", response_model=CubeOut, summary="Update a memory (new version)",
    description="Writes a new version (new id, version + 1) that SUPERSEDES this one; the old one stays. "
                "409 when this version was already superseded.",
    responses=responses(401, 403, 404, 409, 422),
)
def update_cube(cube_id: str, body: CubeUpdate, caller: Writer, services: ServicesDep) -> CubeOut:
    changes = body.model_dump(exclude_unset=True)
    try:
        return CubeOut.of(services.store.update_cube(caller.principal, cube_id, prepare=services.vectorize, **changes))
    except PermissionDenied:
        newer = successor(services.store, caller.principal, cube_id)
        if newer is not None and access(services.store, caller.principal, cube_id)[1]:
            raise ApiError(409, f"MemCube {cube_id!r} was superseded by {newer!r}; update the latest version",
                           "superseded") from None
        raise


@router.delete(
    "/{cube_id}", status_code=204, summary="Delete a memory",
    description="Moves the cube to the `deleted` state; with `purge=true` it is then removed with the facts "
                "no other cube asserts.",
    responses=responses(401, 403, 404),
)
def delete_cube(
    cube_id: str, caller: Writer, services: ServicesDep,
    purge: Annotated[bool, Query(description="remove the node after deleting it")] = False,
) -> Response:
    cube = services.store.get_cube(caller.principal, cube_id)
    if cube.governance.state is not LifecycleState.DELETED:
        services.store.delete_cube(caller.principal, cube_id)
    if purge:
        services.store.purge_cube(caller.principal, cube_id)
    return Response(status_code=204)


@router.get(
    "/{cube_id}/provenance", response_model=ProvenanceOut, summary="A memory's provenance",
    description="W3C PROV lineage: the Sources it was extracted from (with offsets), the Activities that "
                "generated it, the Agents, and the cubes it derives from (SUPERSEDES, DERIVED_FROM, "
                "PROMOTED_TO, DEMOTED_TO, up to 8 steps).",
    responses=responses(401, 404),
)
def provenance(cube_id: str, caller: Reader, services: ServicesDep) -> ProvenanceOut:
    lineage = to_json(services.store.provenance(caller.principal, cube_id))
    for activity in lineage["activities"]:
        if isinstance(activity.get("params"), str):
            activity["params"] = json.loads(activity["params"])
    return ProvenanceOut(**lineage)
