"""LoCoMo evidence retrieval: MemorySearch against BM25 and dense-only baselines, in one run.

LoCoMo ("Evaluating Very Long-Term Conversational Memory of LLM Agents", Maharana et al.,
ACL 2024) is published at https://github.com/snap-research/LoCoMo as ``data/locomo10.json``
(CC BY-NC 4.0, evaluation only — never copy it into this repository). Pass its path, or the
project's 6-conversation subset ``../shared/datasets/locomo-dev.json`` (the default, relative
to the repository root)::

    MEMCUBEDB_NEO4J__BOLT_PORT=7733 MEMCUBEDB_DATA_DIR=/tmp/mcdb-locomo \\
        .venv/bin/python bench/locomo.py [PATH] [--recipes conversation,hybrid] [--samples conv-26]

What it does:

* ingests every conversation with MemReader (spaCy facts and entities, so the graph channel
  has something to walk): one MemCube per turn, owned by the principal ``locomo:<sample_id>``
  (so each conversation is searched only by its own principal — permissions inside the
  queries keep them apart), ``dia_id`` kept as ``Source.turn_id``, speaker on the source,
  the session time as the turn's timestamp and the turn's position in the conversation as
  ``Source.seq`` (MemReader sets both). The memory text is MemReader's ``"<speaker>: <text>"``;
  the baselines index exactly the same strings;
* embeds the cubes (MiniLM, written to the Neo4j vector index), and each sentence of a
  multi-sentence turn with the speaker in front (``:Sentence`` nodes, index
  ``sentence_embedding``, matched by the ``conversation`` recipe);
* asks every question of categories 1–4 (1 multi-hop, 2 temporal, 3 open-domain,
  4 single-hop) and scores evidence recall@k (share of a question's evidence turns in the
  top k) and hit@k (at least one in the top k) for k = 5, 10, 25;
* baselines on the same turns in the same run: BM25 (``rank_bm25.BM25Okapi`` over lower-cased
  word tokens) and dense-only (same MiniLM vectors, brute-force cosine with numpy);
* search latency p50/p95 in ms (our figure includes embedding the query).

The ``conversation`` recipe's weights, RRF constant and neighbour window were chosen by a grid
sweep on this same 6-conversation dev set (fusion re-run offline over per-channel rankings);
there is no held-out split, so read its figures as tuned, the baselines' as untuned. The four
conversations of ``locomo10.json`` not in the dev file are the natural held-out check.

Malformed evidence ids (``"D:11:26"``, ``"D30:05"``, several ids in one string) are repaired;
ids that cannot be read or name no turn are dropped; both are counted and printed. The run
does not wipe the database; re-running skips cubes already stored (stable ids).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from rank_bm25 import BM25Okapi
from tqdm.auto import tqdm

from memcubedb.config.extraction import RECIPES as EXTRACTION_RECIPES
from memcubedb.embeddings import default_embedder
from memcubedb.extraction.chats import Chat, chats_from_locomo
from memcubedb.extraction.reader import MemReader
from memcubedb.graph.embedded import server
from memcubedb.graph.store import GraphStore
from memcubedb.search import recipe
from memcubedb.search.searcher import MemorySearch
from memcubedb.search.vectors import embed_cubes
from memcubedb.settings import Settings
from memcubedb.turns import speaker_text

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "datasets" / "locomo-dev.json"
KS = (5, 10, 25)
CATEGORIES = {1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop"}
_EVIDENCE = re.compile(r"^D:?(\d+):0*(\d+)$")


@dataclass
class EvidenceLog:
    """How many evidence ids were read as they were, repaired, or dropped."""

    clean: int = 0
    repaired: int = 0
    dropped: int = 0
    examples: list[str] = field(default_factory=list)


def normalise_evidence(raw: Sequence[str], known: set[str], log: EvidenceLog) -> set[str]:
    """Canonical ``D<session>:<turn>`` ids of a question's evidence that name a known turn."""
    out: set[str] = set()
    for item in raw:
        parts = [p for p in re.split(r"[;,\s]+", item.strip()) if p]
        if not parts:
            log.dropped += 1
            continue
        for part in parts:
            m = _EVIDENCE.match(part)
            if m is None:
                log.dropped += 1
                log.examples.append(f"dropped {item!r}")
                continue
            canonical = f"D{m.group(1)}:{m.group(2)}"
            if canonical not in known:
                log.dropped += 1
                log.examples.append(f"dropped {item!r} (no such turn)")
                continue
            if canonical == item.strip():
                log.clean += 1
            else:
                log.repaired += 1
                log.examples.append(f"repaired {item!r} -> {canonical}")
            out.add(canonical)
    return out


def ingest(store: GraphStore, chats: list[Chat], embedder) -> dict[str, int]:
    """MemReader every chat into cubes owned by ``locomo:<sample>``; embed them. Returns counts."""
    counts = {"turns": 0, "written": 0, "facts": 0, "entities": 0}
    for chat in chats:
        reader = MemReader(EXTRACTION_RECIPES["fast"], owner=chat.uri)
        reader.resolver.learn(store.list_entities())
        bar = tqdm(reader.read([chat]), total=len(chat.turns), desc=f"MemReader {chat.uri}", unit="turn")
        writes = list(bar)
        written: list[str] = []
        for i in range(0, len(writes), 500):
            written += store.write_cubes(writes[i : i + 500])
        counts["turns"] += len(writes)
        counts["written"] += len(written)
        counts["facts"] += sum(len(w.facts) for w in writes)
        counts["entities"] += len({e.id for w in writes for e in w.entities})
    embed_cubes(store, embedder)
    return counts


@dataclass
class Scores:
    """Recall@k and hit@k per category, and per-query latencies (ms)."""

    recall: dict[int, list[list[float]]] = field(default_factory=lambda: defaultdict(list))
    hit: dict[int, list[list[float]]] = field(default_factory=lambda: defaultdict(list))
    latency_ms: list[float] = field(default_factory=list)

    def add(self, category: int, ranked: Sequence[str], evidence: set[str], ms: float) -> None:
        self.recall[category].append([len(evidence & set(ranked[:k])) / len(evidence) for k in KS])
        self.hit[category].append([float(bool(evidence & set(ranked[:k]))) for k in KS])
        self.latency_ms.append(ms)

    def mean(self, table: dict[int, list[list[float]]], category: int | None) -> list[float]:
        rows = [r for c, v in table.items() if category in (None, c) for r in v]
        return list(np.mean(rows, axis=0)) if rows else [float("nan")] * len(KS)


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens for BM25."""
    return re.findall(r"\w+", text.casefold())


def top_ids(ids: list[str], scores: np.ndarray) -> list[str]:
    """The ``max(KS)`` ids of highest score (stable: earlier turns win ties)."""
    return [ids[i] for i in np.argsort(-scores, kind="stable")[: max(KS)]]


def ms_since(t0: float) -> float:
    """Milliseconds elapsed since ``t0`` (a ``time.perf_counter()`` reading)."""
    return (time.perf_counter() - t0) * 1000.0


def evaluate(store: GraphStore, data: list[dict], chats: dict[str, Chat], recipes: list[str], embedder):
    """Ask every category 1–4 question of every sample with each method; return scores and the evidence log."""
    methods: dict[str, Scores] = {"BM25 (rank_bm25)": Scores(), "dense (MiniLM, brute force)": Scores()}
    methods.update({f"MemCubeDB {name}": Scores() for name in recipes})
    log = EvidenceLog()
    searchers = {name: MemorySearch(store, embedder, config=recipe(name)) for name in recipes}
    try:
        for sample in data:
            chat = chats[f"locomo:{sample['sample_id']}"]
            ids = [t.turn_id for t in chat.turns]
            texts = [speaker_text(t.speaker, t.text) for t in chat.turns]
            bm25 = BM25Okapi([tokens(t) for t in texts])
            vectors = embedder.embed(texts)
            questions = [q for q in sample["qa"] if q.get("category") in CATEGORIES]
            for qa in tqdm(questions, desc=f"questions {sample['sample_id']}", unit="q"):
                evidence = normalise_evidence(qa.get("evidence", []), set(ids), log)
                if not evidence:
                    continue
                question, cat = qa["question"], qa["category"]
                t0 = time.perf_counter()
                ranked = top_ids(ids, bm25.get_scores(tokens(question)))
                methods["BM25 (rank_bm25)"].add(cat, ranked, evidence, ms_since(t0))
                t0 = time.perf_counter()
                ranked = top_ids(ids, vectors @ embedder.embed([question])[0])
                methods["dense (MiniLM, brute force)"].add(cat, ranked, evidence, ms_since(t0))
                for name, searcher in searchers.items():
                    t0 = time.perf_counter()
                    results = searcher.search(chat.uri, question, k=max(KS))
                    ms = ms_since(t0)
                    ranked = [r.turn_ids[0] if r.turn_ids else "" for r in results]
                    methods[f"MemCubeDB {name}"].add(cat, ranked, evidence, ms)
    finally:
        for searcher in searchers.values():
            searcher.close()
    return methods, log


def report(methods: dict[str, Scores], log: EvidenceLog, counts: dict[str, int], n_questions: int) -> None:
    print()
    print(f"turns ingested: {counts['turns']} ({counts['written']} new), MemReader facts: {counts['facts']}, "
          f"entities: {counts['entities']}")  # fmt: skip
    print(f"questions (categories 1-4, with evidence): {n_questions}")
    print(f"evidence ids: {log.clean} clean, {log.repaired} repaired, {log.dropped} dropped")
    for line in sorted(set(log.examples)):
        print(f"  {line}")
    header = "  ".join(f"{m}@{k:<2}" for m in ("R", "hit") for k in KS)
    for category in [*CATEGORIES, None]:
        name = "overall (1-4)" if category is None else f"{category} {CATEGORIES[category]}"
        n = sum(len(s) for c, s in next(iter(methods.values())).recall.items() if category in (None, c))
        print(f"\n{name}  (n={n})")
        print(f"  {'method':<34}{header}")
        for method, scores in methods.items():
            values = scores.mean(scores.recall, category) + scores.mean(scores.hit, category)
            print(f"  {method:<34}" + "  ".join(f"{v:5.3f}" for v in values))
    print("\nsearch latency per question, ms (ours includes query embedding and Neo4j round trips)")
    for method, scores in methods.items():
        p50, p95 = np.percentile(scores.latency_ms, [50, 95])
        print(f"  {method:<34}p50 {p50:7.1f}   p95 {p95:7.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_DATA, help="LoCoMo JSON (locomo10.json layout)")
    parser.add_argument("--recipes", default="conversation,hybrid", help="search recipes to evaluate, comma-separated")
    parser.add_argument("--samples", default=None, help="sample ids to keep, comma-separated (default: all)")
    args = parser.parse_args(argv)
    data = json.loads(args.path.read_text(encoding="utf-8"))
    if args.samples:
        keep = set(args.samples.split(","))
        data = [s for s in data if s["sample_id"] in keep]
    chats = {c.uri: c for c in chats_from_locomo(data, str(args.path))}
    settings = Settings()
    with server.running(settings), closing(GraphStore.connect(settings)) as store:
        embedder = default_embedder()
        print("ingest: MemReader (spaCy rules, 'fast' extraction recipe) -> GraphStore.write_cubes -> embed_cubes")
        counts = ingest(store, list(chats.values()), embedder)
        methods, log = evaluate(store, data, chats, args.recipes.split(","), embedder)
        n_questions = sum(len(v) for v in next(iter(methods.values())).recall.values())
        report(methods, log, counts, n_questions)
    return 0


if __name__ == "__main__":
    sys.exit(main())
