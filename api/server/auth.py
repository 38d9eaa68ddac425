"""Authentication (API key → principal and role) and role checks, as FastAPI dependencies.

A key comes in ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``; it is hashed and looked
up in the graph (:mod:`memcubedb.graph.apikeys`). The dependency yields a :class:`Caller`, and
every route acts as ``caller.principal`` — the store's queries decide what that principal may
read and write. The role only gates *kinds* of operation:

========  =====================================================================
role      may
========  =====================================================================
reader    read memories, facts, entities, provenance, graph views; search; export
writer    reader + add/update/delete memories, edit facts, grant, import, schedule
analyst   reader + run read-only Cypher and the saved analyst queries
admin     everything, including API keys and groups
========  =====================================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from memcubedb.api.server.errors import ApiError
from memcubedb.api.server.services import Services
from memcubedb.graph.permissions import Role
from memcubedb.request_context import current_request

bearer_scheme = HTTPBearer(auto_error=False, description="`Authorization: Bearer <API key>`")
api_key_scheme = APIKeyHeader(name="X-API-Key", auto_error=False, description="`X-API-Key: <API key>`")


class Capability(StrEnum):
    """Kinds of operation a role may perform."""

    READ = "read"
    WRITE = "write"
    CYPHER = "cypher"
    ADMIN = "admin"


CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.READER: frozenset({Capability.READ}),
    Role.WRITER: frozenset({Capability.READ, Capability.WRITE}),
    Role.ANALYST: frozenset({Capability.READ, Capability.CYPHER}),
    Role.ADMIN: frozenset(Capability),
}


@dataclass(frozen=True)
class Caller:
    """The authenticated principal of a request and the role of its key."""

    principal: str
    role: Role
    key_id: str

    def can(self, capability: Capability) -> bool:
        """Whether the caller's role includes ``capability``."""
        return capability in CAPABILITIES[self.role]


def get_services(request: Request) -> Services:
    """The app's :class:`Services` (built in the lifespan of :func:`memcubedb.api.app.create_app`)."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def authenticate(
    services: ServicesDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)],
    api_key: Annotated[str | None, Security(api_key_scheme)],
) -> Caller:
    """The caller behind the request's API key.

    Raises:
        ApiError: 401 when no key is sent, or the key is unknown or revoked.
    """
    return caller_for_key(services, api_key or (bearer.credentials if bearer else None))


def caller_for_key(services: Services, key: str | None) -> Caller:
    """The caller behind an API key (the one lookup every transport uses: REST, MCP over HTTP and stdio).

    Raises:
        ApiError: 401 when no key is given, or the key is unknown or revoked.
    """
    challenge = {"WWW-Authenticate": 'Bearer realm="memcubedb"'}
    if not key:
        raise ApiError(401, "no API key: send `Authorization: Bearer <key>` or `X-API-Key: <key>`",
                       "unauthorized", challenge)
    info = services.keys.authenticate(key)
    if info is None:
        raise ApiError(401, "invalid or revoked API key", "unauthorized", challenge)
    request = current_request()
    if request is not None:
        request.principal = info.principal  # for the request's log lines
    return Caller(principal=info.principal, role=info.role, key_id=info.id)


def require(capability: Capability) -> object:
    """A dependency yielding the :class:`Caller` when its role has ``capability``, else 403."""

    def check(caller: Annotated[Caller, Depends(authenticate)]) -> Caller:
        return check_role(caller, capability)

    return Depends(check)


def check_role(caller: Caller, capability: Capability) -> Caller:
    """``caller`` when its role has ``capability``.

    Raises:
        ApiError: 403 (``role-forbidden``) naming the role and the capability it lacks.
    """
    if not caller.can(capability):
        raise ApiError(403, f"role {caller.role.value!r} may not {capability.value} (needs a role with it)",
                       "role-forbidden")
    return caller


Reader = Annotated[Caller, require(Capability.READ)]
Writer = Annotated[Caller, require(Capability.WRITE)]
Analyst = Annotated[Caller, require(Capability.CYPHER)]
Admin = Annotated[Caller, require(Capability.ADMIN)]
