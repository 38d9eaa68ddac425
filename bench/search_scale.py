"""Hybrid search latency at 10k and 100k generated MemCubes, beside a bare Neo4j vector query.

Run on a private Neo4j (the bench starts the embedded server when none answers and stops it
after); 100k cubes want a larger page cache and heap::

    MEMCUBEDB_NEO4J__BOLT_PORT=7734 MEMCUBEDB_DATA_DIR=/tmp/mcdb-scale \\
    MEMCUBEDB_NEO4J__HEAP_MB=2048 MEMCUBEDB_NEO4J__PAGECACHE_MB=1024 \\
        .venv/bin/python bench/search_scale.py [--sizes 10000,100000] [--queries 200]

Generated data: each cube has 8–20 words drawn from a synthetic vocabulary plus one or two
entity names (with a fact between them), a chat-turn source with a timestamp, and a random
L2-normalised 384-d embedding (one sentence each, so no sentence vectors: the ``hybrid`` recipe
does not query them). 90 % of the cubes belong to ``scale:reader`` (who searches),
10 % to ``scale:other`` (the permission predicate must reject those). Cubes are written
through ``GraphStore.write_cubes`` in batches (``UNWIND`` inside) and embeddings through
:func:`~memcubedb.search.vectors` 's ``SET_CUBE_EMBEDDINGS`` query. Generated ids are
``scale-<n>``; sizes grow the same store, so a second run reuses what is there (a size smaller
than what the store holds is skipped, never measured on the larger store). The bench
refuses to touch a database holding cubes other than its own.

Measured per size, interleaved query by query with the same random query vectors:

* **bare** — ``db.index.vector.queryNodes('memcube_embedding', k, $vector)`` returning ids
  and scores: no permission, no lifecycle filter, no fusion;
* **hybrid** — ``MemorySearch.search`` with the ``hybrid`` recipe (vector + full-text + graph
  channels, permission and lifecycle predicates inside each query, RRF, hydration of the
  top k), given the precomputed query vector;
* the MiniLM query embedding time is reported apart (it adds the same to any vector search).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta

import numpy as np
from tqdm.auto import tqdm

from memcubedb.cube import MemCube
from memcubedb.cypher import search as sq
from memcubedb.embeddings import default_embedder
from memcubedb.graph.embedded import server
from memcubedb.graph.records import (
    ActivityRecord,
    AgentRecord,
    CubeWrite,
    EntityRecord,
    FactRecord,
    SourceRecord,
    content_hash,
    stable_id,
)
from memcubedb.graph.store import GraphStore
from memcubedb.search import recipe
from memcubedb.search.searcher import MemorySearch
from memcubedb.settings import Settings

READER, OTHER = "scale:reader", "scale:other"
K = 10
WRITE_BATCH = 2000

BARE_VECTOR_QUERY = """
CALL db.index.vector.queryNodes('memcube_embedding', $k, $vector) YIELD node, score
RETURN node.id AS id, score
"""

COUNT_SCALE_CUBES = """
MATCH (c:MemCube)
RETURN count(c) AS total, count(CASE WHEN c.id STARTS WITH 'scale-' THEN 1 END) AS ours
"""

AGENT = AgentRecord(id="agent:bench-scale", kind="software", name="bench/search_scale.py")
ACTIVITY = ActivityRecord(id="activity:bench-scale", kind="import", name="generated cubes")
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def vocabulary(rng: random.Random, size: int) -> list[str]:
    """``size`` pronounceable synthetic words."""
    consonants, vowels = "bcdfghklmnprstvz", "aeiou"
    return [
        "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(rng.randint(2, 4))) for _ in range(size)
    ]


def lexicon() -> tuple[list[str], list[str]]:
    """The generated words (5,000) and entity names (2,000), the same in every run."""
    rng = random.Random(7)
    return vocabulary(rng, 5000), vocabulary(rng, 2000)


def generated_write(n: int, rng: random.Random, words: list[str], names: list[str]) -> CubeWrite:
    """Cube ``scale-<n>``: generated text naming one or two entities, with a fact and a source."""
    picked = rng.sample(names, rng.randint(1, 2))
    text = " ".join(rng.choices(words, k=rng.randint(8, 20)) + [p.title() for p in picked])
    uri = f"scale://session/{n // 20}"
    source = SourceRecord(
        id=f"scale-source-{n}", kind="chat_turn", uri=uri, turn_id=f"T{n}", speaker="bench",
        timestamp=T0 + timedelta(minutes=n), content_hash=content_hash(text), start=0, end=len(text), seq=n % 20,
    )  # fmt: skip
    cube = MemCube.plaintext(text, owner=READER if n % 10 else OTHER, id=f"scale-{n}", semantic_type="chat_turn")
    entities = [EntityRecord(id=stable_id("entity", p), name=p.title(), type="OTHER") for p in picked]
    facts = []
    if len(entities) == 2:
        s, o = entities
        facts.append(FactRecord(id=stable_id("fact", s.id, "relates_to", o.id), subject_id=s.id,
                                predicate="relates_to", object_id=o.id))  # fmt: skip
    return CubeWrite(cube=cube, source=source, activity=ACTIVITY, agent=AGENT, entities=entities, facts=facts)


def grow(store: GraphStore, target: int, dim: int, seed: int = 7) -> None:
    """Add generated cubes ``scale-<have>..scale-<target-1>`` with random unit embeddings."""
    have = store.read(COUNT_SCALE_CUBES)[0]["ours"]
    rng, np_rng = random.Random(seed), np.random.default_rng(seed)
    words, names = lexicon()
    with tqdm(total=target, initial=have, desc=f"writing cubes (to {target})", unit="cube") as bar:
        for start in range(have, target, WRITE_BATCH):
            ids = range(start, min(start + WRITE_BATCH, target))
            rng.seed(seed * 1_000_003 + start)
            store.write_cubes([generated_write(n, rng, words, names) for n in ids])
            vectors = np_rng.standard_normal((len(ids), dim)).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            rows = [{"id": f"scale-{n}", "embedding": v.tolist()} for n, v in zip(ids, vectors, strict=True)]
            with store.session() as s:
                s.execute_write(lambda tx, rows=rows: tx.run(sq.SET_CUBE_EMBEDDINGS, rows=rows).consume())
            bar.update(len(ids))
    store.read("CALL db.awaitIndexes(600)")


def percentiles(ms: list[float]) -> tuple[float, float]:
    p50, p95 = np.percentile(ms, [50, 95])
    return float(p50), float(p95)


def measure(store: GraphStore, searcher: MemorySearch, n_queries: int, dim: int, seed: int = 11) -> dict[str, list]:
    """Interleave bare and hybrid queries over the same random vectors; latencies in ms."""
    rng, np_rng = random.Random(seed), np.random.default_rng(seed)
    words, names = lexicon()
    vectors = np_rng.standard_normal((n_queries + 20, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    texts = [" ".join([*rng.choices(words, k=5), rng.choice(names).title()]) for _ in range(n_queries + 20)]
    out: dict[str, list] = {"bare": [], "hybrid": [], "hybrid_results": []}
    for i in tqdm(range(n_queries + 20), desc="queries", unit="q"):
        vec = vectors[i].tolist()
        t0 = time.perf_counter()
        store.read(BARE_VECTOR_QUERY, k=K, vector=vec)
        t1 = time.perf_counter()
        results = searcher.search(READER, texts[i], k=K, vector=vec)
        t2 = time.perf_counter()
        if i >= 20:  # the first 20 warm caches and plans
            out["bare"].append((t1 - t0) * 1000)
            out["hybrid"].append((t2 - t1) * 1000)
            out["hybrid_results"].append(results)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="cube counts, ascending, comma-separated")
    parser.add_argument("--queries", type=int, default=200, help="measured queries per size (after 20 warm-up)")
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    settings = Settings()
    with server.running(settings), closing(GraphStore.connect(settings)) as store:
        counts = store.read(COUNT_SCALE_CUBES)[0]
        if counts["total"] != counts["ours"]:
            foreign = counts["total"] - counts["ours"]
            print(f"refusing: {settings.bolt_uri} holds {foreign} cubes that are not this benchmark's; "
                  "point MEMCUBEDB_NEO4J__BOLT_PORT / MEMCUBEDB_DATA_DIR elsewhere")  # fmt: skip
            return 2
        embedder = default_embedder()
        question = "What did we decide about the offsite budget?"
        embedder.embed([question])
        embed_ms = []
        for _ in range(50):
            t0 = time.perf_counter()
            embedder.embed([question])
            embed_ms.append((time.perf_counter() - t0) * 1000)
        lines = []
        for size in sizes:
            held = store.read(COUNT_SCALE_CUBES)[0]["ours"]
            if held > size:
                print(f"skipping {size}: the store holds {held} generated cubes already (use a new data dir)")
                continue
            grow(store, size, settings.embedding_dim)
            with MemorySearch(store, embedder, config=recipe("hybrid")) as searcher:
                m = measure(store, searcher, args.queries, settings.embedding_dim)
            leaked = sum(1 for rs in m["hybrid_results"] for r in rs if not r.cube_id.startswith("scale-")
                         or int(r.cube_id.split("-")[1]) % 10 == 0)  # fmt: skip
            short = sum(1 for rs in m["hybrid_results"] if len(rs) < K)
            b50, b95 = percentiles(m["bare"])
            h50, h95 = percentiles(m["hybrid"])
            lines.append(f"{size:>8} cubes  bare vector p50 {b50:6.1f} p95 {b95:6.1f}   hybrid p50 {h50:6.1f} "
                         f"p95 {h95:6.1f}   p95 ratio {h95 / b95:4.2f}   unreadable returned {leaked}, "
                         f"short result lists {short}")  # fmt: skip
            print(lines[-1], flush=True)
        e50, e95 = percentiles(embed_ms)
        print(f"\nk = {K}, {args.queries} queries per size, latencies in ms, server {settings.bolt_uri}")
        print(f"MiniLM query embedding (add to any vector search from text): p50 {e50:.1f} p95 {e95:.1f}")
        print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
