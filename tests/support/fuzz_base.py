"""The base of the permission state machine: the model, the tally, the checks and the graph invariant.

Rules live in subclasses: :class:`tests.support.fuzz_machine.StoreRules` (the Python API of the store,
search and dashboard views) and :class:`tests.support.fuzz_api.ApiRules` (the same through HTTP). The
classes are bound to a store, a tally and (optionally) a running API by
:func:`tests.support.fuzz_machine.permission_machine`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant

from memcubedb.graph.permissions import PermissionDenied
from memcubedb.graph.store import GraphStore, NotFound, WriteRejected
from tests.support.acl_model import AclModel
from tests.support.fuzz_world import Tally, canaries_in, graph_differences, wipe_fuzzed


def outcome(call: Callable[[], Any]) -> tuple[str, Any]:
    """Run a store call; ``("ok", result)`` or the kind of error it raised (``not_found``, ``denied``…)."""
    try:
        return "ok", call()
    except NotFound:
        return "not_found", None
    except PermissionDenied:
        return "denied", None
    except WriteRejected:
        return "rejected", None
    except ValueError:
        return "invalid", None


class FuzzBase(RuleBasedStateMachine):
    """Shared state and checks; ``store`` and ``tally`` are bound by the factory."""

    store: ClassVar[GraphStore]
    tally: ClassVar[Tally]

    def __init__(self) -> None:
        super().__init__()
        self.model = AclModel()
        self.known: list[str] = ["ghost-cube"]
        self.serial = 0
        self.dirty = True

    # --- helpers ------------------------------------------------------------------------

    def op(self, call: Callable[[], Any], who: str | None = None) -> tuple[str, Any]:
        """Run a store call; with ``who`` (the principal it acts as) its answer is scanned for canaries."""
        self.tally.operations += 1
        got, result = outcome(call)
        if who is not None and got == "ok":
            self.scan(who, "store call", result)
        return got, result

    def scan(self, who: str, what: str, answer: Any) -> None:
        """The canary oracle: ``answer`` (a response text, or any result, read through its ``repr``)
        may hold only canaries of memories ``who`` may read; any other is a read leak."""
        self.tally.scanned += 1
        found = canaries_in(answer if isinstance(answer, str) else repr(answer))
        foreign = found - self.model.canaries(who) if found else set()
        if foreign:
            self.tally.read_leak(f"{what} for {who}: canaries {sorted(foreign)} of memories it may not read")

    def pick(self, i: int) -> str:
        return self.known[i % len(self.known)]

    def expect_write(self, what: str, expected: str, got: str) -> None:
        """Compare a write's outcome; a success the model forbids is a write leak."""
        if expected != "ok":
            self.tally.denied += 1
        if got == expected:
            return
        if got == "ok":
            self.tally.write_leak(f"{what}: succeeded, expected {expected}")
        else:
            self.tally.mismatch(f"{what}: {got}, expected {expected}")

    def access_outcome(self, actor: str, cid: str, owner_only: bool = False) -> str:
        m = self.model
        if owner_only:
            return "ok" if m.owns(actor, cid) else "denied"
        if not m.can_read(actor, cid):
            return "not_found"
        return "ok" if m.can_write(actor, cid) else "denied"

    def check_subset(self, what: str, got: set[str], allowed: set[str]) -> None:
        extra = got - allowed
        if extra:
            self.tally.read_leak(f"{what}: returned {sorted(extra)} not readable")

    def check_equal(self, what: str, got: set[str], expected: set[str]) -> None:
        self.check_subset(what, got, expected)
        missing = expected - got
        if missing:
            self.tally.mismatch(f"{what}: missing {sorted(missing)}")

    # --- set-up and whole-graph invariant -----------------------------------------------

    @initialize()
    def wipe(self) -> None:
        self.model.entities = wipe_fuzzed(self.store)

    @invariant()
    def graph_matches_model(self) -> None:
        if not self.dirty:
            return
        self.dirty = False
        leaks, mismatches = graph_differences(self.store, self.model)
        for message in leaks:
            self.tally.write_leak(message)
        for message in mismatches:
            self.tally.mismatch(message)

    def shown(self, who: str) -> tuple[set[str], set[str], set[str]]:
        """Cubes, entities and facts the dashboard may show (readable, not deleted)."""
        m = self.model
        cubes = {c for c in m.readable(who) if m.cubes[c].state != "deleted"}
        entities = {e for c in cubes for e in m.cubes[c].mentions}
        facts = {f for c in cubes for f in m.cubes[c].facts}
        return cubes, entities, facts

    def check_subgraph(self, what: str, who: str, sub: Any) -> None:
        cubes, entities, facts = self.shown(who)
        nodes = {n["id"] for n in sub.nodes}
        self.check_subset(what + " nodes", nodes, cubes | entities)
        ends = {e["source"] for e in sub.edges} | {e["target"] for e in sub.edges}
        self.check_subset(what + " edge ends", ends, cubes | entities)
        relates = {e["id"].removeprefix("fact:") for e in sub.edges if e["type"] == "RELATES"}
        self.check_subset(what + " facts", relates, facts)
