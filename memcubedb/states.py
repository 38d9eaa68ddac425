"""MemLifecycle's state machine: which transitions are allowed, what "live" means, and which
operations each state admits. The one definition every layer uses.

After MemOS §MemLifecycle (``generated → activated → merged/archived → expired``); here

* ``generated`` — a memory as written;
* ``activated`` — a plaintext cube promoted to activation memory (a KV template exists);
* ``merged`` — its facts were encoded into a parametric (LoRA) cube;
* ``archived`` — retired: a demoted KV template or adapter (or a memory put away), kept for lineage;
* ``expired`` — its TTL ran out; ``deleted`` — the tombstone before a purge. Neither comes back.

The graph store applies a transition with one query inside the caller's transaction
(:meth:`memcubedb.graph.store.GraphStore.transition_in`), which checks it against
:data:`TRANSITIONS` and records a ``lifecycle`` Activity with a ``TRANSITIONED`` edge.
"""

from __future__ import annotations

from enum import StrEnum

from memcubedb.cube import LifecycleState

S = LifecycleState

#: Allowed transitions: ``TRANSITIONS[current]`` is the set of states a cube may move to.
TRANSITIONS: dict[LifecycleState, frozenset[LifecycleState]] = {
    S.GENERATED: frozenset({S.ACTIVATED, S.MERGED, S.ARCHIVED, S.EXPIRED, S.DELETED}),
    S.ACTIVATED: frozenset({S.GENERATED, S.MERGED, S.ARCHIVED, S.EXPIRED, S.DELETED}),
    S.MERGED: frozenset({S.GENERATED, S.ARCHIVED, S.EXPIRED, S.DELETED}),
    S.ARCHIVED: frozenset({S.GENERATED, S.EXPIRED, S.DELETED}),
    S.EXPIRED: frozenset({S.DELETED}),
    S.DELETED: frozenset(),
}

#: Live memories: in use — searched, scored, promoted, encoded, put into a model's context.
LIVE: frozenset[LifecycleState] = frozenset({S.GENERATED, S.ACTIVATED, S.MERGED})
#: :data:`LIVE` as the strings stored in ``MemCube.state`` (a Cypher parameter: ``c.state IN $live``).
LIVE_STATES: tuple[str, ...] = tuple(s.value for s in LifecycleState if s in LIVE)
#: Every state but ``deleted``: what listings and the dashboard show unless asked otherwise.
KEPT_STATES: tuple[str, ...] = tuple(s.value for s in LifecycleState if s is not S.DELETED)


class Operation(StrEnum):
    """What callers do to an existing cube besides moving its state."""

    EDIT = "edit"  # a new version (PATCH, /v1/natural "actually …")
    PROMOTE = "promote"  # plaintext → KV template
    ENCODE = "encode"  # its facts → a LoRA adapter
    DEMOTE = "demote"  # KV template / adapter → plaintext


#: The states in which each operation is allowed.
OPERATIONS: dict[Operation, frozenset[LifecycleState]] = {
    Operation.EDIT: LIVE | {S.ARCHIVED},
    Operation.PROMOTE: LIVE,
    Operation.ENCODE: LIVE,
    Operation.DEMOTE: LIVE,
}

_VERBS = {Operation.EDIT: "edited", Operation.PROMOTE: "promoted", Operation.ENCODE: "encoded",
          Operation.DEMOTE: "demoted"}


class TransitionError(ValueError):
    """A transition or operation that the cube's lifecycle state does not allow (HTTP 409).

    Attributes:
        state: the cube's current state.
    """

    def __init__(self, message: str, state: LifecycleState) -> None:
        super().__init__(message)
        self.state = state


def check_transition(cube_id: str, current: LifecycleState, target: LifecycleState) -> None:
    """Raise :class:`TransitionError` unless ``current → target`` is in :data:`TRANSITIONS`."""
    if target not in TRANSITIONS[current]:
        raise TransitionError(f"MemCube {cube_id!r} is {current.value}; it cannot become {target.value}", current)


def check_operation(cube_id: str, current: LifecycleState, operation: Operation) -> None:
    """Raise :class:`TransitionError` unless ``operation`` is allowed in state ``current``."""
    if current not in OPERATIONS[operation]:
        raise TransitionError(f"MemCube {cube_id!r} is {current.value}; it cannot be {_VERBS[operation]}", current)
