"""A plain-Python reference model of who may read and write which MemCube.

It restates the permission rules of the queries (``cypher/README.md``, *Permissions inside every
query*) without Neo4j, so the permission fuzzer can compare every answer of the store (and of
search and the API) with it:

* a principal reaches itself and every group up ``MEMBER_OF`` edges, at most
  :data:`MAX_NESTING` hops away (shortest path);
* it may **read** a cube when something it reaches holds ``OWNS``, ``CAN_READ`` or ``CAN_WRITE``
  on the cube, or on a ``Space`` the cube is in; it may **write** with ``OWNS`` or ``CAN_WRITE``;
* it **owns** a cube (may grant, revoke, put it in a space) only through a direct ``OWNS`` edge.

The model also tracks what each cube asserts and mentions, its versions (``SUPERSEDES``) and
derivations (``DERIVED_FROM``), so that the expected answer of every read path can be computed.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field

MAX_NESTING = 8
READ_RIGHTS = frozenset({"OWNS", "CAN_READ", "CAN_WRITE"})
WRITE_RIGHTS = frozenset({"OWNS", "CAN_WRITE"})
HIDDEN_STATES = frozenset({"deleted"})
CANARY = re.compile(r"\bzy[a-z]{6,}\b", re.IGNORECASE)
"""A canary token in a memory text (written by :func:`tests.support.fuzz_world.canary`)."""
SEARCH_HIDDEN_STATES = frozenset({"deleted", "expired", "archived"})  # search returns live cubes only


@dataclass
class CubeModel:
    """What the model knows of one MemCube."""

    id: str
    text: str
    owner: str
    state: str = "generated"
    source_uri: str | None = None
    mentions: set[str] = field(default_factory=set)
    facts: set[str] = field(default_factory=set)
    derived_from: set[str] = field(default_factory=set)
    supersedes: str | None = None
    grants: dict[str, set[str]] = field(default_factory=dict)
    spaces: set[str] = field(default_factory=set)


@dataclass
class AclModel:
    """Principals, memberships, grants and cubes, as the store should hold them."""

    member_of: set[tuple[str, str]] = field(default_factory=set)
    space_grants: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    cubes: dict[str, CubeModel] = field(default_factory=dict)
    facts: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    entities: dict[str, str] = field(default_factory=dict)

    # --- principals -----------------------------------------------------------------------

    def reach(self, principal: str) -> set[str]:
        """The principal and every group it belongs to within :data:`MAX_NESTING` hops."""
        seen = {principal}
        frontier = deque([(principal, 0)])
        while frontier:
            node, depth = frontier.popleft()
            if depth == MAX_NESTING:
                continue
            for member, group in self.member_of:
                if member == node and group not in seen:
                    seen.add(group)
                    frontier.append((group, depth + 1))
        return seen

    def _rights(self, principal: str, cube_id: str) -> set[str]:
        cube = self.cubes.get(cube_id)
        if cube is None:
            return set()
        rights: set[str] = set()
        for who in self.reach(principal):
            rights |= cube.grants.get(who, set())
            for space in cube.spaces:
                rights |= self.space_grants.get(space, {}).get(who, set())
        return rights

    def can_read(self, principal: str, cube_id: str) -> bool:
        """Whether ``principal`` may read the cube (False for unknown cubes)."""
        return bool(self._rights(principal, cube_id) & READ_RIGHTS)

    def can_write(self, principal: str, cube_id: str) -> bool:
        """Whether ``principal`` may write the cube."""
        return bool(self._rights(principal, cube_id) & WRITE_RIGHTS)

    def owns(self, principal: str, cube_id: str) -> bool:
        """Whether ``principal`` (or a group it reaches) holds a direct ``OWNS`` edge on the cube."""
        cube = self.cubes.get(cube_id)
        return cube is not None and any("OWNS" in cube.grants.get(who, set()) for who in self.reach(principal))

    # --- derived views ----------------------------------------------------------------------

    def superseded(self, cube_id: str) -> bool:
        """Whether a newer version of the cube exists."""
        return any(c.supersedes == cube_id for c in self.cubes.values())

    def readable(self, principal: str) -> set[str]:
        """Every cube the principal may read, in any state and version."""
        return {cid for cid in self.cubes if self.can_read(principal, cid)}

    def listed(self, principal: str) -> set[str]:
        """What ``list_cubes`` returns by default: readable, not deleted, latest versions."""
        return {
            cid
            for cid in self.readable(principal)
            if self.cubes[cid].state not in HIDDEN_STATES and not self.superseded(cid)
        }

    def searchable(self, principal: str) -> set[str]:
        """What search may return: readable, live (generated, activated, merged), latest versions."""
        return {
            cid
            for cid in self.readable(principal)
            if self.cubes[cid].state not in SEARCH_HIDDEN_STATES and not self.superseded(cid)
        }

    def asserting(self, fact_id: str) -> set[str]:
        """Cubes asserting a fact."""
        return {cid for cid, c in self.cubes.items() if fact_id in c.facts}

    def visible_facts(self, principal: str) -> set[str]:
        """Facts asserted by at least one readable cube."""
        readable = self.readable(principal)
        return {f for cid in readable for f in self.cubes[cid].facts}

    def canaries(self, principal: str) -> set[str]:
        """The canary tokens (lower-cased) of the memories the principal may read, in any state:
        the only ones a response to it may hold (see :mod:`tests.support.fuzz_world`)."""
        return {t.casefold() for cid in self.readable(principal) for t in CANARY.findall(self.cubes[cid].text)}

    def mentioned_entities(self, principal: str) -> set[str]:
        """Entities mentioned by readable cubes (``visible_entities``)."""
        return {e for cid in self.readable(principal) for e in self.cubes[cid].mentions}

    def visible_entities(self, principal: str) -> set[str]:
        """Entities a readable cube mentions or asserts a fact about (``get_entity``)."""
        out = self.mentioned_entities(principal)
        for fid in self.visible_facts(principal):
            subject, _, obj = self.facts[fid]
            out |= {subject, obj}
        return out

    def ancestors(self, cube_id: str, depth: int = MAX_NESTING) -> set[str]:
        """Cubes reachable along ``SUPERSEDES``/``DERIVED_FROM`` within ``depth`` hops."""
        seen: set[str] = set()
        frontier = deque([(cube_id, 0)])
        while frontier:
            node, d = frontier.popleft()
            if d == depth or node not in self.cubes:
                continue
            cube = self.cubes[node]
            for parent in {*cube.derived_from, *([cube.supersedes] if cube.supersedes else [])}:
                if parent in self.cubes and parent not in seen:
                    seen.add(parent)
                    frontier.append((parent, d + 1))
        seen.discard(cube_id)
        return seen

    # --- changes ----------------------------------------------------------------------------

    def add_cube(self, cube: CubeModel) -> None:
        """Record a written cube."""
        self.cubes[cube.id] = cube

    def grant(self, cube_id: str, grantee: str, right: str) -> None:
        """Add a grant edge on a cube."""
        self.cubes[cube_id].grants.setdefault(grantee, set()).add(right)

    def revoke(self, cube_id: str, grantee: str, right: str) -> None:
        """Remove a grant edge on a cube (no-op when absent)."""
        self.cubes[cube_id].grants.get(grantee, set()).discard(right)

    def grant_space(self, space: str, grantee: str, right: str) -> None:
        """Add a grant edge on a space."""
        self.space_grants.setdefault(space, {}).setdefault(grantee, set()).add(right)

    def new_version(self, old_id: str, new_id: str, text: str) -> None:
        """Record ``update_cube``: a new version copying grants, spaces and source of the old one."""
        old = self.cubes[old_id]
        self.cubes[new_id] = CubeModel(
            id=new_id,
            text=text,
            owner=old.owner,
            state=old.state,
            source_uri=old.source_uri,
            derived_from={old_id},
            supersedes=old_id,
            grants={who: set(rights) for who, rights in old.grants.items()},
            spaces=set(old.spaces),
        )

    def retract(self, cube_id: str, fact_id: str) -> None:
        """Remove a cube's assertion of a fact; the fact goes when nobody asserts it."""
        self.cubes[cube_id].facts.discard(fact_id)
        if not self.asserting(fact_id):
            self.facts.pop(fact_id, None)

    def purge(self, cube_id: str) -> None:
        """Remove a cube, the edges to it, and the facts only it asserted."""
        cube = self.cubes.pop(cube_id)
        for other in self.cubes.values():
            other.derived_from.discard(cube_id)
            if other.supersedes == cube_id:
                other.supersedes = None
        for fid in cube.facts:
            if not self.asserting(fid):
                self.facts.pop(fid, None)
