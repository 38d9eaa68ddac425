"""MemLifecycle: the states a MemCube moves through, and the TTL policy.

After MemOS §MemLifecycle: ``generated → activated → merged/archived → expired``. Here

* ``activated`` — a plaintext cube promoted to activation memory (a KV template exists);
* ``merged`` — its facts were encoded into a parametric (LoRA) cube;
* ``archived`` — retired: a demoted KV template or adapter, kept for lineage;
* ``expired`` — its TTL ran out; ``deleted`` — tombstone before a purge.

Every transition goes through :meth:`GraphStore.set_state`, which records an ``Activity`` of
kind ``lifecycle`` and a ``TRANSITIONED {from, to, at}`` edge in the same transaction.
"""

from __future__ import annotations

from datetime import datetime

from memcubedb.config.scheduler import TTLPolicy
from memcubedb.cube import LifecycleState, MemCube, MemoryType
from memcubedb.graph.store import GraphStore

S = LifecycleState


def ttl_for(cube: MemCube, policy: TTLPolicy) -> float | None:
    """The cube's time to live, seconds: its own ``ttl_s`` or the policy's for its memory type."""
    if cube.governance.ttl_s is not None:
        return float(cube.governance.ttl_s)
    by_type = {
        MemoryType.PLAINTEXT: policy.plaintext_s,
        MemoryType.ACTIVATION: policy.activation_s,
        MemoryType.PARAMETRIC: policy.parametric_s,
    }
    return by_type[cube.descriptive.memory_type]


def is_due(cube: MemCube, policy: TTLPolicy, now: datetime) -> bool:
    """True when the cube outlived its TTL (age from ``created_at``); priority ≥ 90 never expires."""
    ttl = ttl_for(cube, policy)
    if ttl is None or cube.governance.priority >= 90:
        return False
    return (now - cube.descriptive.created_at).total_seconds() > ttl


class MemLifecycle:
    """Applies lifecycle transitions and the TTL policy as a principal."""

    def __init__(self, store: GraphStore, policy: TTLPolicy) -> None:
        self.store = store
        self.policy = policy

    def transition(self, principal: str, cube_id: str, target: LifecycleState) -> None:
        """Move one cube to ``target``, recorded as an Activity.

        Raises:
            TransitionError: not allowed from the cube's current state.
            NotFound / PermissionDenied: from the store.
        """
        self.store.set_state(principal, cube_id, target)

    def expire_due(self, principal: str, now: datetime, page: int = 500) -> list[str]:
        """Expire every cube the principal may write whose TTL ran out; return their ids."""
        expired: list[str] = []
        after = None
        while True:
            cubes = self.store.list_cubes(
                principal,
                latest_only=False,
                after=after,
                limit=page,
                states=[S.GENERATED.value, S.ACTIVATED.value, S.MERGED.value, S.ARCHIVED.value],
            )
            for cube in cubes:
                if cube.governance.owner == principal and is_due(cube, self.policy, now):
                    self.transition(principal, cube.id, S.EXPIRED)
                    expired.append(cube.id)
            if len(cubes) < page:
                return expired
            after = cubes[-1]
