"""Write latency against the number of entities already in the graph: index lookups vs loading all.

One writer (``tenant-00``) adds short memories through MemReader (spaCy, entity resolution) and
``GraphStore.write_cubes``, one memory per write, while the graph holds 1k and then 100k entities
of 100 tenants (the writer owns 1 %). Each write's wall time (read + resolve + write, one
transaction) is measured for two ways of resolving its mentions, interleaved write by write:

* **load all** (the baseline, the code before issue 12) — the resolver learns
  ``store.list_entities()``: every entity of every tenant, loaded per write, fuzzy-matched in
  memory;
* **lookup** (ours) — :class:`memcubedb.graph.entity_lookup.GraphEntityLookup`: per batch of
  mentions, the ``entity_norm`` range index, the ``entity_names`` full-text index (and the
  ``entity_embedding`` vector index when the embedding stage is on), filtered to entities that
  cubes the writer may read mention, named by those cubes.

Both run the exact and fuzzy stages (``embedding_model=None``): the baseline's embedding stage
embeds every entity name on each write (minutes per write at 100k), which is not a baseline one
can run. The existing entities are bulk-loaded with ``UNWIND`` batches (cubes owned by their
tenant, each mentioning ten entities by name). The memories name the writer's own entities (full
names and first names) and other tenants' entities (full names, which must not merge).

Usage (WIPES ITS DATABASE first: point it at a private data dir and port)::

    MEMCUBEDB_NEO4J__BOLT_PORT=7701 MEMCUBEDB_DATA_DIR=build/tenants-data \\
        .venv/bin/python bench/entity_scale.py [--sizes 1000,100000] [--writes 30]

Prints p50/p95 write latency (ms) per approach and size, side by side.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from contextlib import closing

from tqdm.auto import tqdm

from memcubedb.config.extraction import ExtractionConfig, ResolutionConfig
from memcubedb.extraction.documents import Document
from memcubedb.extraction.reader import MemReader, make_extractor
from memcubedb.extraction.resolution import EntityResolver, entity_id
from memcubedb.extraction.triples import Extractor
from memcubedb.graph.embedded import server
from memcubedb.graph.entity_lookup import GraphEntityLookup
from memcubedb.graph.store import GraphStore
from memcubedb.settings import Settings

TENANTS = [f"tenant-{k:02d}" for k in range(100)]
WRITER = TENANTS[0]
PER_CUBE = 10
BATCH = 5000
FIRST = (
    "Ada", "Bram", "Cleo", "Dov", "Edda", "Finn", "Gita", "Hale", "Ines", "Jory", "Kaia", "Lars", "Mira", "Nils",
    "Odra", "Pell", "Quin", "Rhea", "Sten", "Tova", "Ugo", "Vera", "Wynn", "Xena", "Yuri", "Zita", "Arlo", "Bess",
    "Cato", "Dara", "Egon", "Fern", "Gus", "Hana", "Ivo", "Juno", "Kit", "Lina", "Milo", "Nora",
)
_CONSONANTS, _VOWELS = "bdfgklmnprstvz", "aeiou"

WIPE = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS"
LOAD = """
UNWIND $rows AS row
MERGE (o:Principal {id: row.owner}) ON CREATE SET o.kind = 'user', o.name = row.owner
CREATE (c:MemCube {id: row.id, owner: row.owner, memory_type: 'plaintext', state: 'generated', text: row.text,
                   version: 1, created_at: datetime(), updated_at: datetime()})
CREATE (o)-[:OWNS]->(c)
WITH c, row
UNWIND row.entities AS ent
MERGE (e:Entity {id: ent.id})
  ON CREATE SET e.name = ent.name, e.type = 'PERSON', e.norm_name = ent.norm, e.aliases = [], e.alias_text = '',
                e.created_at = datetime()
CREATE (c)-[:MENTIONS {names: [ent.name]}]->(e)
"""
COUNT_ENTITIES = "MATCH (e:Entity) RETURN count(e) AS n"


def surname(n: int) -> str:
    """A made-up surname, distinct for each ``n`` below 70**3: three consonant-vowel syllables."""
    letters = ""
    for _ in range(3):
        n, k = divmod(n, len(_CONSONANTS) * len(_VOWELS))
        letters += _CONSONANTS[k % len(_CONSONANTS)] + _VOWELS[k // len(_CONSONANTS)]
    return letters.capitalize()


def name(n: int) -> str:
    """The ``n``-th entity name: a first name and a surname."""
    return f"{FIRST[n % len(FIRST)]} {surname(n // len(FIRST))}"


def owner_of(n: int) -> str:
    """The tenant whose memories mention entity ``n`` (the writer holds every 100th)."""
    return TENANTS[n % len(TENANTS)]


def load(store: GraphStore, start: int, stop: int) -> None:
    """Bulk-load entities ``start..stop`` with their cubes, ``UNWIND`` batches of :data:`BATCH` cubes."""
    by_owner: dict[str, list[int]] = {}
    for n in range(start, stop):
        by_owner.setdefault(owner_of(n), []).append(n)
    rows = [
        {
            "id": f"escale-{chunk[0]}", "owner": owner, "text": ", ".join(name(n) for n in chunk) + ".",
            "entities": [{"id": entity_id(name(n)), "name": name(n), "norm": name(n).casefold()} for n in chunk],
        }
        for owner, ns in by_owner.items()
        for chunk in (ns[k : k + PER_CUBE] for k in range(0, len(ns), PER_CUBE))
    ]  # fmt: skip
    with store.session() as s, tqdm(total=len(rows), unit="cube", desc=f"load {start}..{stop}") as bar:
        for k in range(0, len(rows), BATCH):
            s.execute_write(lambda tx, part=rows[k : k + BATCH]: tx.run(LOAD, rows=part).consume())
            bar.update(len(rows[k : k + BATCH]))


def texts(size: int, count: int, rng: random.Random) -> list[str]:
    """Memories naming the writer's own entities and other tenants' ones among the first ``size``."""
    own = [n for n in range(size) if owner_of(n) == WRITER]
    other = [n for n in range(size) if owner_of(n) != WRITER]
    out = []
    for i in range(count):
        mine, theirs = name(rng.choice(own)), name(rng.choice(other))
        first = mine.split()[0]
        out.append(
            f"{mine} met {theirs} at the market on Tuesday."
            if i % 2
            else f"{first} called {theirs} about the invoice, and {mine} agreed to pay it."
        )
    return out


def percentile(values: list[float], q: int) -> float:
    """The ``q``-th percentile (1..99) of ``values`` (inclusive method)."""
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def measure(
    store: GraphStore, extractor: Extractor, config: ExtractionConfig, size: int, writes: int
) -> dict[str, list[float]]:
    """Milliseconds per write for each approach, interleaved, on fresh memories (unique URIs)."""
    def load_all() -> MemReader:
        reader = MemReader(config, extractor=extractor, owner=WRITER)
        reader.resolver.learn(store.list_entities())
        return reader

    def lookup() -> MemReader:
        resolver = EntityResolver(config.resolution, lookup=GraphEntityLookup(store, WRITER))
        return MemReader(config, extractor=extractor, resolver=resolver, owner=WRITER)

    approaches: dict[str, Callable[[], MemReader]] = {"load all (baseline)": load_all, "lookup (ours)": lookup}
    times: dict[str, list[float]] = {k: [] for k in approaches}
    rng = random.Random(size)
    memories = texts(size, writes + 2, rng)
    for i, text in enumerate(tqdm(memories, unit="write", desc=f"writes at {size}")):
        for label, build in approaches.items():
            started = time.perf_counter()
            reader = build()
            doc = Document(uri=f"escale://{size}/{label[:4]}/{i}", text=text)
            store.write_cubes(list(reader.read([doc])))
            if i >= 2:  # the first two warm caches and query plans
                times[label].append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,100000", help="entity counts, ascending, comma-separated")
    parser.add_argument("--writes", type=int, default=30, help="measured writes per approach and size")
    args = parser.parse_args()
    sizes = sorted(int(x) for x in args.sizes.split(","))

    settings = Settings()
    config = ExtractionConfig(resolution=ResolutionConfig(embedding_model=None))
    extractor = make_extractor(config)
    results = {}
    with server.running(settings), closing(GraphStore.connect(settings)) as store:
        with store.session() as s:
            s.run(WIPE).consume()
        store.migrate()
        loaded = 0
        for size in sizes:
            load(store, loaded, size)
            loaded = size
            total = store.read(COUNT_ENTITIES)[0]["n"]
            results[size] = (total, measure(store, extractor, config, size, args.writes))

    print(f"\nwrite latency, one memory per write, writer {WRITER} ({args.writes} writes each; ms)")
    print(f"{'entities in graph':>18} {'approach':<22} {'p50':>9} {'p95':>9} {'mean':>9}")
    for total, times in results.values():
        for label, values in times.items():
            print(f"{total:>18,} {label:<22} {percentile(values, 50):>9.1f} {percentile(values, 95):>9.1f} "
                  f"{statistics.fmean(values):>9.1f}")


if __name__ == "__main__":
    main()
