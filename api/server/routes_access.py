"""Permissions (grants on cubes, spaces, groups), API keys and the caller's identity."""

from __future__ import annotations

from fastapi import APIRouter, Response

from memcubedb.api.schemas.admin import GrantIn, KeyCreate, KeyCreated, KeyOut, Me, MemberIn, SpaceIn
from memcubedb.api.server.auth import Admin, Reader, ServicesDep, Writer
from memcubedb.api.server.errors import ApiError, responses
from memcubedb.graph.permissions import Right
from memcubedb.graph.read_models.lookups import groups_of

router = APIRouter(tags=["permissions and keys"])


@router.get("/v1/me", response_model=Me, summary="Who am I", responses=responses(401))
def me(caller: Reader, services: ServicesDep) -> Me:
    return Me(principal=caller.principal, role=caller.role, key_id=caller.key_id,
              groups=groups_of(services.store, caller.principal))


@router.post(
    "/v1/cubes/{cube_id}/grants", status_code=204, summary="Grant a right on a memory",
    description="Only an owner of the cube (directly or through a group) may grant; the check is inside the "
                "grant query.",
    responses=responses(401, 403, 404, 422),
)
def grant(cube_id: str, body: GrantIn, caller: Writer, services: ServicesDep) -> Response:
    services.store.get_cube(caller.principal, cube_id)
    services.store.permissions.grant(caller.principal, cube_id, body.grantee, body.right)
    return Response(status_code=204)


@router.delete(
    "/v1/cubes/{cube_id}/grants/{grantee}/{right}", status_code=204, summary="Revoke a right on a memory",
    responses=responses(401, 403, 404, 422),
)
def revoke(cube_id: str, grantee: str, right: Right, caller: Writer, services: ServicesDep) -> Response:
    services.store.get_cube(caller.principal, cube_id)
    services.store.permissions.revoke(caller.principal, cube_id, grantee, right)
    return Response(status_code=204)


@router.put(
    "/v1/cubes/{cube_id}/space", status_code=204, summary="Put a memory into a Space",
    responses=responses(401, 403, 404, 422),
)
def add_to_space(cube_id: str, body: SpaceIn, caller: Writer, services: ServicesDep) -> Response:
    services.store.get_cube(caller.principal, cube_id)
    services.store.permissions.add_to_space(caller.principal, cube_id, body.space_id)
    return Response(status_code=204)


@router.post(
    "/v1/spaces/{space_id}/grants", status_code=204, summary="Grant a right on a Space (admin)",
    responses=responses(401, 403, 422),
)
def grant_space(space_id: str, body: GrantIn, caller: Admin, services: ServicesDep) -> Response:
    services.store.permissions.grant_space(space_id, body.grantee, body.right)
    return Response(status_code=204)


@router.post(
    "/v1/groups/{group_id}/members", status_code=204, summary="Add a member to a group (admin)",
    responses=responses(401, 403, 422),
)
def add_member(group_id: str, body: MemberIn, caller: Admin, services: ServicesDep) -> Response:
    if body.member == group_id:
        raise ApiError(422, "a group cannot be a member of itself", "validation")
    services.store.permissions.add_member(body.member, group_id)
    return Response(status_code=204)


@router.delete(
    "/v1/groups/{group_id}/members/{member}", status_code=204, summary="Remove a member from a group (admin)",
    responses=responses(401, 403),
)
def remove_member(group_id: str, member: str, caller: Admin, services: ServicesDep) -> Response:
    services.store.permissions.remove_member(member, group_id)
    return Response(status_code=204)


@router.post(
    "/v1/keys", response_model=KeyCreated, status_code=201, summary="Create an API key (admin)",
    responses=responses(401, 403, 422),
)
def create_key(body: KeyCreate, caller: Admin, services: ServicesDep) -> KeyCreated:
    key, info = services.keys.create(body.principal, body.role, body.name)
    return KeyCreated(**KeyOut.of(info).model_dump(), key=key)


@router.get("/v1/keys", response_model=list[KeyOut], summary="List API keys (admin)", responses=responses(401, 403))
def list_keys(caller: Admin, services: ServicesDep, principal: str | None = None) -> list[KeyOut]:
    return [KeyOut.of(k) for k in services.keys.list(principal)]


@router.delete(
    "/v1/keys/{key_id}", response_model=KeyOut, summary="Revoke an API key (admin)", responses=responses(401, 403, 404)
)
def revoke_key(key_id: str, caller: Admin, services: ServicesDep) -> KeyOut:
    try:
        return KeyOut.of(services.keys.revoke(key_id))
    except LookupError as exc:
        raise ApiError(404, str(exc), "not-found") from None
