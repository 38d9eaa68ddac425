"""MemReader ingest benchmark on LoCoMo: turns/s and facts/s, with its baselines in the same run.

    python bench/ingest.py [PATH] [--conversations N] [--wipe]

PATH defaults to ``../shared/datasets/locomo-dev.json`` relative to the repository (elsewhere:
``data/locomo10.json`` of https://github.com/snap-research/LoCoMo, CC BY-NC 4.0). The graph is
the configured Neo4j (``MEMCUBEDB_NEO4J__BOLT_PORT``/``MEMCUBEDB_DATA_DIR`` or ``NEO4J_URI``); the
embedded default is started if it is not running. The database must be empty, or ``--wipe``
given, because every stage starts from an empty graph.

Stages, all on the same turns in the same process:

1. **spaCy alone** — ``nlp.pipe`` over the turn texts: the parser's ceiling (baseline);
2. **MemReader, no writes** — parse + rules + entity resolution + records;
3. **Neo4j writes alone** — the CubeWrites of stage 2 written with ``GraphStore.write_cubes``,
   one transaction per batch (baseline for the graph side);
4. **end to end** — ``ingest()``: reading and writing overlapped, from an empty graph.

Model loading (spaCy pipeline, MiniLM) happens before timing and is reported on its own.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from memcubedb.extraction.chats import load_locomo
from memcubedb.extraction.config import ExtractionConfig
from memcubedb.extraction.ingest import ingest
from memcubedb.extraction.reader import MemReader, chat_units
from memcubedb.extraction.resolution import EntityResolver
from memcubedb.extraction.spacy_extractor import SpacyExtractor
from memcubedb.graph import server
from memcubedb.graph.store import GraphStore
from memcubedb.settings import Settings

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "locomo-dev.json"
WIPE = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS"
COUNT = "MATCH (n) RETURN count(n) AS n"


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

    started_server = False
    if settings.embedded and not server.status(settings).running:
        server.start(settings)
        started_server = True
    store = GraphStore.connect(settings)
    try:
        if store.read(COUNT)[0]["n"] and not args.wipe:
            console.print(f"[red]the database at {settings.bolt_uri} is not empty; pass --wipe to empty it[/red]")
            return 2

        t0 = time.perf_counter()
        extractor = SpacyExtractor(config)
        EntityResolver(config.resolution).prepare([])  # imports only; MiniLM loads on first use below
        if config.resolution.embedding_model:
            from memcubedb.embeddings import default_embedder

            default_embedder(config.resolution.embedding_model).embed(["warm-up"])
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

        _wipe(store)
        reader = MemReader(config, extractor=extractor)
        extractor.reset()
        report = ingest(store, chats, reader=reader, progress=False)
        counts = store.counts()
    finally:
        store.close()
        if started_server:
            server.stop(settings)

    table = Table("stage", "seconds", "turns/s", "facts/s", title="MemReader ingest, LoCoMo")
    rows = [
        ("spaCy alone (nlp.pipe) — baseline", spacy_s, turns, None),
        ("MemReader, no writes", read_s, turns, facts),
        ("Neo4j writes alone — baseline", write_s, turns, facts),
        ("end to end (ingest)", report.seconds, report.cubes_written, report.facts),
    ]
    for name, seconds, n_turns, n_facts in rows:
        facts_rate = f"{n_facts / seconds:,.0f}" if n_facts is not None else "—"
        table.add_row(name, f"{seconds:.2f}", f"{n_turns / seconds:,.0f}", facts_rate)
    console.print(table)
    console.print(f"model loading (not timed above): {load_s:.1f} s; pipeline {extractor.version}")
    console.print(f"graph after end to end: {counts}")
    console.print(f"load average after: {os.getloadavg()}; goal: ≥ 200 turns/s end to end on 2 cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
