"""API keys of the knowledge-base API: hashed credentials that map to a principal and a role.

``(:Principal)-[:HAS_KEY]->(:ApiKey {id, key_hash, role, name, created_at, revoked_at})``.
A key is ``mcdb_<id>_<secret>`` where ``secret`` is 32 random bytes (``secrets.token_urlsafe``,
256 bits); only ``key_hash`` = sha256 (hex) of the whole key is stored, so the graph never holds
a usable credential. With 256 bits of entropy a plain sha256 is enough (no password stretching
is needed: there is nothing to guess). The key is shown once, when it is created.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING, Any, Literal

from memcubedb.cypher import access as q
from memcubedb.graph.mapping import native
from memcubedb.graph.permissions import Role
from memcubedb.graph.records import ApiKeyInfo

if TYPE_CHECKING:
    from memcubedb.graph.store import GraphStore

KEY_PREFIX = "mcdb_"

def hash_key(key: str) -> str:
    """sha256 (hex, 64 chars) of a key, UTF-8 encoded."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _info(row: dict[str, Any]) -> ApiKeyInfo:
    k = {name: native(v) for name, v in row["key"].items()}
    return ApiKeyInfo(
        id=k["id"], principal=row["principal"], role=Role(k["role"]), name=k["name"] or "",
        created_at=k["created_at"], revoked_at=k.get("revoked_at"),
    )


class ApiKeys:
    """Creates, checks, lists and revokes API keys in the graph."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store

    def create(
        self, principal: str, role: Role, name: str = "", kind: Literal["user", "service"] = "user"
    ) -> tuple[str, ApiKeyInfo]:
        """Create a key for ``principal`` (created when missing); return ``(key, info)``.

        The plain key is returned only here; store it — it cannot be read back.

        Raises:
            ValueError: an empty principal id or an unknown role.
        """
        if not principal.strip():
            raise ValueError("principal id must not be empty")
        key_id = secrets.token_hex(8)
        key = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
        rows = self._store.write(
            q.CREATE_KEY, principal=principal, kind=kind, id=key_id, key_hash=hash_key(key),
            role=Role(role).value, name=name,
        )
        return key, _info(rows[0])

    def authenticate(self, key: str) -> ApiKeyInfo | None:
        """The live key matching ``key``, or ``None`` (unknown, malformed or revoked)."""
        if not key.startswith(KEY_PREFIX) or len(key) > 256:
            return None
        rows = self._store.read(q.AUTHENTICATE, key_hash=hash_key(key))
        return _info(rows[0]) if rows else None

    def revoke(self, key_id: str) -> ApiKeyInfo:
        """Revoke a key (idempotent); return it.

        Raises:
            LookupError: no key with that id.
        """
        rows = self._store.write(q.REVOKE_KEY, id=key_id)
        if not rows:
            raise LookupError(f"no API key {key_id!r}")
        return _info(rows[0])

    def list(self, principal: str | None = None) -> list[ApiKeyInfo]:
        """Every key (of one principal, or all), oldest first, revoked ones included."""
        return [_info(r) for r in self._store.read(q.LIST_KEYS, principal=principal)]
