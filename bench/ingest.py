"""MemReader ingest benchmark on LoCoMo: time until searchable (turns/s, embeddings included), with
its baselines in the same run.

PATH defaults to ``../shared/datasets/locomo-dev.json`` relative to the repository (elsewhere:
``data/locomo10.json`` of https://github.com/snap-research/LoCoMo, CC BY-NC 4.0). The graph is
the configured Neo4j (``MEMCUBEDB_NEO4J__BOLT_PORT``/``MEMCUBEDB_DATA_DIR`` or ``NEO4J_URI``); the
embedded default is started if it is not running. The database must be empty, or ``--wipe``
given, because every stage starts from an empty graph.

Stages, all on the same turns in the same process:

1. **spaCy alone** — ``nlp.pipe`` over the turn texts: the parser's ceiling (baseline);
2. **MemReader, no writes** — parse + rules + entity resolution + records;
3. **embeddings alone** — :func:`memcubedb.search.sentences.embed_writes` on the records of stage 2:
   every cube text and the sentences of multi-sentence turns, one MiniLM pass;
4. **Neo4j writes alone** — the CubeWrites of stage 2 written with ``GraphStore.write_cubes``,
   one transaction per batch, without vectors (baseline for the graph side);
5. **before: ingest, then the embedding sweep** — ``ingest()`` without an embedder, then
   ``embed_cubes`` over what it wrote (what the write paths and ``bench/locomo.py`` did before
   embeddings became part of the write): the time until everything is vector-searchable;
6. **now: time until searchable** — ``ingest(embedder=...)``: each batch is embedded inside its
   write transaction on the writer thread while MemReader parses the next one.

Stages 5 and 6 start from an empty graph; both end with every cube and sentence embedded (checked).
Model loading (spaCy pipeline, MiniLM) happens before timing and is reported on its own.

    python bench/ingest.py [PATH] [--conversations N] [--wipe]

The embedder is ``settings.embedding`` (e.g. ``MEMCUBEDB_EMBEDDING__THREADS=1``).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from contextlib import closing
from pathlib import Path

import torch
from rich.console import Console
from rich.table import Table

from memcubedb.config.extraction import ExtractionConfig
from memcubedb.embeddings import make_embedder
from memcubedb.extraction.chats import load_locomo
from memcubedb.extraction.ingest import ingest
from memcubedb.extraction.reader import MemReader, chat_units
from memcubedb.extraction.resolution import EntityResolver
from memcubedb.extraction.spacy_extractor import SpacyExtractor
from memcubedb.graph.embedded import server
from memcubedb.graph.store import GraphStore
from memcubedb.search.sentences import embed_writes
from memcubedb.search.vectors import embed_cubes
from memcubedb.settings import Settings

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "locomo-dev.json"
WIPE = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS"
COUNT = "MATCH (n) RETURN count(n) AS n"
MISSING = "MATCH (c:MemCube) WHERE c.embedding IS NULL OR c.sentence_count IS NULL RETURN count(c) AS n"


def _wipe(store: GraphStore) -> None:
    with store.session() as s:
        s.run(WIPE).consume()
    store.migrate()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT, help="LoCoMo JSON file")
    parser.add_argument("--conversations", type=int, default=None, help="use only the first N conversations")
    parser.add_argument("--wipe", action="store_true", help="allow emptying a non-empty database")
    args = parser.parse_args(argv)
    console = Console()

    chats = load_locomo(args.path)[: args.conversations]
    turns = sum(len(c.turns) for c in chats)
    settings = Settings()
    config: ExtractionConfig = settings.extraction
    console.print(f"{len(chats)} conversations, {turns} turns from {args.path}")
    console.print(f"CPU cores visible: {os.cpu_count()}, load average before: {os.getloadavg()}")

    with server.running(settings), closing(GraphStore.connect(settings)) as store:
        if store.read(COUNT)[0]["n"] and not args.wipe:
            console.print(f"[red]the database at {settings.bolt_uri} is not empty; pass --wipe to empty it[/red]")
            return 2

        t0 = time.perf_counter()
        extractor = SpacyExtractor(config)
        EntityResolver(config.resolution).prepare([])  # imports only; MiniLM loads on first use below
        if config.resolution.embedding_model:
            from memcubedb.embeddings import default_embedder

            default_embedder(config.resolution.embedding_model).embed(["warm-up"])
        embedder = make_embedder(settings.embedding, settings.embedding_dim)
        embedder.embed(["warm-up"])
        load_s = time.perf_counter() - t0

        texts = [t.text for c in chats for t in c.turns]
        t0 = time.perf_counter()
        for _ in extractor.nlp.pipe(texts, batch_size=config.spacy_batch_size, n_process=config.spacy_processes):
            pass
        spacy_s = time.perf_counter() - t0

        units = [u for c in chats for u in chat_units(c)]
        t0 = time.perf_counter()
        writes = list(MemReader(config, extractor=extractor).read_units(units))
        read_s = time.perf_counter() - t0
        facts = sum(len(w.facts) for w in writes)

        _wipe(store)
        t0 = time.perf_counter()
        size = config.write_batch_size
        for k in range(0, len(writes), size):
            store.write_cubes(writes[k : k + size])
        write_s = time.perf_counter() - t0
        for w in writes:
            w.cube.embedding = None

        t0 = time.perf_counter()
        embed_writes(embedder, writes)
        embed_s = time.perf_counter() - t0
        sentences = sum(len(w.sentences or []) for w in writes)

        _wipe(store)
        extractor.reset()
        t0 = time.perf_counter()
        ingest(store, chats, reader=MemReader(config, extractor=extractor), progress=False)
        embed_cubes(store, embedder, progress=False)
        before_s = time.perf_counter() - t0
        before_missing = store.read(MISSING)[0]["n"]

        _wipe(store)
        extractor.reset()
        reader = MemReader(config, extractor=extractor)
        report = ingest(store, chats, reader=reader, embedder=embedder, progress=False)
        missing = store.read(MISSING)[0]["n"]
        counts = store.counts()

    table = Table("stage", "seconds", "turns/s", "facts/s", title="MemReader ingest, LoCoMo")
    rows = [
        ("spaCy alone (nlp.pipe) — baseline", spacy_s, turns, None),
        ("MemReader, no writes", read_s, turns, facts),
        (f"embeddings alone ({turns} cubes + {sentences} sentences)", embed_s, turns, None),
        ("Neo4j writes alone, no vectors — baseline", write_s, turns, facts),
        ("before: ingest, then embedding sweep — until searchable", before_s, turns, facts),
        ("now: ingest with embeddings — until searchable", report.seconds, report.cubes_written, report.facts),
    ]
    for name, seconds, n_turns, n_facts in rows:
        facts_rate = f"{n_facts / seconds:,.0f}" if n_facts is not None else "—"
        table.add_row(name, f"{seconds:.2f}", f"{n_turns / seconds:,.0f}", facts_rate)
    console.print(table)
    console.print(f"model loading (not timed above): {load_s:.1f} s; pipeline {extractor.version}")
    console.print(f"graph after end to end: {counts}")
    console.print(f"cubes without a vector at the end — before: {before_missing}, now: {missing}")
    console.print(f"torch threads: {torch.get_num_threads()}; load average after: {os.getloadavg()}")
    console.print(f"time until searchable: {turns / before_s:,.0f} → {report.cubes_written / report.seconds:,.0f} "
                  "turns/s (goal: ≥ 100 turns/s with embeddings on 2 cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
