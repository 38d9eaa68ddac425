"""Behaviour metrics off the hot path: access counts and last-access times of retrieved cubes.

:class:`AccessRecorder` takes the ids a search returned (a queue put, no I/O), aggregates them
in a background thread and writes them with one ``UNWIND`` query per flush
(:data:`~memcubedb.cypher.search.RECORD_ACCESS`). The scheduler reads ``access_count`` and
``last_access`` to score cubes for promotion.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from memcubedb.cube import utcnow
from memcubedb.cypher import search as q
from memcubedb.graph.store import GraphStore

log = logging.getLogger(__name__)


@dataclass
class _Flush:
    done: threading.Event = field(default_factory=threading.Event)


_STOP = object()


class AccessRecorder:
    """Batches access updates and writes them from a daemon thread.

    Args:
        store: where to write.
        interval_s: the longest time (s) an access waits before it is written.
        max_pending: write early once this many distinct cubes are pending.

    Call :meth:`flush` to wait until everything recorded so far is written (tests, shutdown)
    and :meth:`close` when done. A failed write is logged and its counts are dropped (metrics
    never fail a search); :attr:`errors` counts such failures.
    """

    def __init__(self, store: GraphStore, interval_s: float = 1.0, max_pending: int = 5000) -> None:
        self.store = store
        self.interval_s = interval_s
        self.max_pending = max_pending
        self.errors = 0
        self._queue: queue.Queue[object] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="memcubedb-access-recorder", daemon=True)
        self._closed = False
        self._thread.start()

    def record(self, ids: Sequence[str], at: datetime | None = None) -> None:
        """Count one access of each id at ``at`` (default now, UTC). Returns at once."""
        if ids and not self._closed:
            self._queue.put((list(ids), at or utcnow()))

    def flush(self, timeout_s: float | None = 30.0) -> bool:
        """Block until every access recorded before this call is written; False on timeout."""
        if self._closed:
            return True
        marker = _Flush()
        self._queue.put(marker)
        return marker.done.wait(timeout_s)

    def close(self, timeout_s: float = 30.0) -> None:
        """Write what is pending and stop the thread."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(_STOP)
        self._thread.join(timeout_s)

    def _write(self, pending: dict[str, list]) -> None:
        if not pending:
            return
        rows = [{"id": i, "count": c, "at": at} for i, (c, at) in sorted(pending.items())]
        pending.clear()
        try:
            self.store.write(q.RECORD_ACCESS, rows=rows)
        except Exception:  # metrics must never take the searcher down
            self.errors += 1
            log.exception("writing %d access records failed", len(rows))

    def _run(self) -> None:
        pending: dict[str, list] = {}
        deadline = time.monotonic() + self.interval_s
        while True:
            try:
                item = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                item = None
            if item is _STOP:
                self._write(pending)
                return
            if isinstance(item, _Flush):
                self._write(pending)
                item.done.set()
            elif item is not None:
                ids, at = item  # type: ignore[misc]
                for cube_id in ids:
                    entry = pending.setdefault(cube_id, [0, at])
                    entry[0] += 1
                    entry[1] = max(entry[1], at)
            if len(pending) >= self.max_pending or time.monotonic() >= deadline:
                self._write(pending)
                deadline = time.monotonic() + self.interval_s
