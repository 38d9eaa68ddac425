"""Ingestion: MemReader output written to the graph in batches, one transaction per batch.

Reading (spaCy) and writing (Neo4j) overlap: a single writer thread commits batch *n* while
the reader parses batch *n + 1*. Writes stay in input order. A batch that fails is rolled back
whole; earlier batches stay committed, and re-running the same ingest is idempotent (stable
ids; the store skips cubes it already holds), so a failed run can simply be repeated.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from tqdm import tqdm

from memcubedb.config.extraction import ExtractionConfig
from memcubedb.embeddings import Embedder
from memcubedb.extraction.chats import Chat
from memcubedb.extraction.documents import Document
from memcubedb.extraction.inputs import InputFormat, load_paths
from memcubedb.extraction.reader import MemReader
from memcubedb.extraction.resolution import EntityResolver
from memcubedb.graph.entity_lookup import GraphEntityLookup
from memcubedb.graph.records import CubeWrite
from memcubedb.search.sentences import embed_writes


class CubeSink(Protocol):
    """The part of :class:`memcubedb.graph.store.GraphStore` ingestion uses."""

    def write_cubes(
        self, writes: list[CubeWrite], prepare: Callable[[list[CubeWrite]], None] | None = None
    ) -> list[str]:
        """Write a batch in one transaction (``prepare`` runs on its new cubes first); return the
        ids of cubes written (new ones)."""
        ...

    def read(self, query: str, **params: Any) -> list[dict[str, Any]]:
        """Run a parameterised read query (entity-resolution candidates); rows as dicts."""
        ...


@dataclass
class IngestReport:
    """What an ingest did. ``seconds`` is wall-clock time of reading and writing together."""

    units: int = 0
    cubes_written: int = 0
    cubes_skipped: int = 0
    facts: int = 0
    entities: int = 0
    merges: int = 0
    seconds: float = 0.0
    written_ids: list[str] = field(default_factory=list, repr=False)

    @property
    def units_per_s(self) -> float:
        """Units (chat turns, document chunks) per second."""
        return self.units / self.seconds if self.seconds else 0.0


def ingest(
    store: CubeSink, items: Iterable[Document | Chat], *, reader: MemReader | None = None,
    config: ExtractionConfig | None = None, owner: str | None = None, embedder: Embedder | None = None,
    progress: bool = True,
) -> IngestReport:  # fmt: skip
    """Read ``items`` with MemReader and write them to ``store``, one transaction per batch.

    With ``embedder``, each new cube is written with its embedding and sentence vectors
    (:func:`memcubedb.search.sentences.embed_writes`, inside the batch's transaction, on the writer
    thread while MemReader parses the next batch), so everything written is vector-searchable
    when this returns; cubes already stored are not embedded again.

    Args:
        store: a connected graph store.
        items: documents and chats, in reading order.
        reader: a configured MemReader (default: one built from ``config`` and ``owner`` whose
            mentions resolve among the entities ``owner`` may read, looked up per batch).
        config: used when no reader is given (default ``ExtractionConfig()``).
        owner: principal id owning the new cubes (default ``config.default_owner``).
        embedder: the embedder of the vector indexes (``None``: cubes are written without
            vectors, searchable by full text and graph only, until an embedding sweep).
        progress: show a tqdm progress bar (units).

    Returns:
        counts of units read, cubes written/skipped, facts, entities and merges written.

    Raises:
        InputError: when an input holds no text (nothing of it is written).
        WriteRejected / neo4j errors: from the store; batches before the failing one stay written.
    """
    items = list(items)
    if reader is None:
        config = config or ExtractionConfig()
        owner = owner or config.default_owner
        resolver = EntityResolver(config.resolution, lookup=GraphEntityLookup(store, owner))
        reader = MemReader(config, resolver=resolver, owner=owner)
    units = list(reader.units(items))
    batch_size = reader.config.write_batch_size
    report = IngestReport(units=len(units))
    started = time.perf_counter()
    seen: set[str] = set()
    pending: list[tuple[list[CubeWrite], Future[list[str]]]] = []
    prepare = partial(embed_writes, embedder) if embedder is not None else None

    def settle(limit: int) -> None:
        while len(pending) > limit:
            batch, future = pending.pop(0)
            written = set(future.result())
            report.written_ids.extend(w.cube.id for w in batch if w.cube.id in written)
            for w in batch:
                if w.cube.id in written:
                    report.cubes_written += 1
                    report.facts += len(w.facts)
                    report.entities += len(w.entities)
                    report.merges += len(w.merges)
                else:
                    report.cubes_skipped += 1

    with (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="memreader-writer") as writer,
        tqdm(total=len(units), unit="unit", desc="MemReader", disable=not progress) as bar,
    ):
        batch: list[CubeWrite] = []
        for write in reader.read_units(units):
            bar.update(1)
            if write.cube.id in seen:  # the same text from the same source twice in this run
                report.cubes_skipped += 1
                continue
            seen.add(write.cube.id)
            batch.append(write)
            if len(batch) >= batch_size:
                pending.append((batch, writer.submit(store.write_cubes, batch, prepare)))
                batch = []
                settle(limit=1)
        if batch:
            pending.append((batch, writer.submit(store.write_cubes, batch, prepare)))
        settle(limit=0)
    report.seconds = time.perf_counter() - started
    return report


def ingest_paths(
    store: CubeSink, paths: list[Path], fmt: InputFormat = "auto", *, config: ExtractionConfig | None = None,
    owner: str | None = None, embedder: Embedder | None = None, progress: bool = True,
) -> IngestReport:  # fmt: skip
    """Load every file (all validated before anything is written), then :func:`ingest` them.

    Raises:
        InputError: when any file cannot be read or parsed; nothing is written then.
    """
    items = load_paths(paths, fmt)
    return ingest(store, items, config=config, owner=owner, embedder=embedder, progress=progress)
