"""Request and response bodies of the permission, group, key and identity routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from memcubedb.graph.permissions import Right, Role
from memcubedb.graph.records import ApiKeyInfo

_ID = Field(min_length=1, max_length=128, pattern=r"^[^\s/]+$", description="principal id (no spaces or '/')")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GrantIn(_In):
    """Give ``grantee`` (a user or a group) a right on a cube the caller owns."""

    grantee: str = _ID
    right: Right = Right.CAN_READ

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"grantee": "team", "right": "CAN_READ"}]}
    )


class SpaceIn(_In):
    """Put a cube the caller owns into a Space (grants on the Space then apply to it)."""

    space_id: str = _ID


class MemberIn(_In):
    """Add ``member`` (a user or a group) to a group."""

    member: str = _ID


class Me(BaseModel):
    """Who the caller is: principal, the role of the key used, and its groups (nested ones included)."""

    principal: str
    role: Role
    key_id: str
    groups: list[str]


class KeyCreate(_In):
    """A new API key for a principal (created when missing)."""

    principal: str = _ID
    role: Role = Role.READER
    name: str = Field(default="", max_length=128, description="what the key is for")

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"principal": "alice", "role": "writer", "name": "laptop"}]}
    )


class KeyOut(BaseModel):
    """An API key as stored (never the key itself)."""

    id: str
    principal: str
    role: Role
    name: str
    created_at: datetime
    revoked_at: datetime | None = None

    @classmethod
    def of(cls, info: ApiKeyInfo) -> KeyOut:
        """The response form of a stored key."""
        return cls(id=info.id, principal=info.principal, role=info.role, name=info.name,
                   created_at=info.created_at, revoked_at=info.revoked_at)


class KeyCreated(KeyOut):
    """A new key; ``key`` is shown only in this response."""

    key: str = Field(description="the API key; store it now, it cannot be read back")
