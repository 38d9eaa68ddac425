"""The README's main job: the whole MemCubeDB loop on the embedded-default Neo4j.

1. start Neo4j (unless ``NEO4J_URI`` points elsewhere) and migrate the schema;
2. ingest the shipped sample documents and chat (``samples/``) through MemReader, and embed
   the new cubes and their sentences with the search embedder (``settings.embedding``);
3. run the MemScheduler once for the sample's owner (graph embeddings, scores, KV-template
   promotion, LoRA encoding when enough stable facts exist, demotion);
4. print what is in the graph;
5. serve the knowledge-base API and the dashboard on ``settings.api`` (127.0.0.1:8000), with a
   fresh admin API key for the sample's owner, printing how to query it.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from rich.console import Console
from rich.table import Table

from memcubedb.embeddings import make_embedder
from memcubedb.extraction.ingest import ingest_paths
from memcubedb.graph.apikeys import ApiKeys
from memcubedb.graph.embedded import server
from memcubedb.graph.permissions import Role
from memcubedb.graph.store import GraphStore
from memcubedb.scheduler.lm import load_lm
from memcubedb.scheduler.memscheduler import MemScheduler, RunReport
from memcubedb.scheduler.threads import apply_torch_threads
from memcubedb.scheduler.vault import MemVault
from memcubedb.search.sentences import embed_writes
from memcubedb.settings import Settings

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
OWNER = "demo"


def _print_graph(store: GraphStore, console: Console) -> None:
    counts = store.counts()
    console.print("Graph: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    cubes = Table("MemCube", "type", "state", "text", title="MemCubes (first 12)")
    for cube in store.list_cubes(OWNER, limit=12):
        cubes.add_row(cube.id[:8], cube.descriptive.memory_type.value, cube.governance.state.value, cube.text[:60])
    console.print(cubes)
    facts = Table("subject", "predicate", "object", "negated", title="Facts (first 12)")
    shown = 0
    for cube in store.list_cubes(OWNER, limit=50):
        for fact in store.facts_of(OWNER, cube.id):
            if shown < 12:
                facts.add_row(fact.subject, fact.predicate, fact.object, "yes" if fact.negated else "")
                shown += 1
    console.print(facts)


def _print_run(report: RunReport, console: Console) -> None:
    if report.recovered_jobs:
        console.print(f"MemScheduler: took over and re-ran {len(report.recovered_jobs)} job(s) whose worker had "
                      "stopped (counted below)")  # fmt: skip
    if report.left_to_jobs:
        console.print(f"MemScheduler: left {report.left_to_jobs} memories/facts to jobs still running elsewhere")
    console.print(
        f"MemScheduler: KGE trained={report.kge_trained} ({report.kge_training_ms or 0:.0f} ms), "
        f"{len(report.scores)} cubes scored, promoted {len(report.promoted)} to KV templates, "
        f"encoded {report.facts_encoded} facts into {len(report.encoded)} LoRA adapter(s) "
        f"({report.facts_reproduced} reproduced), demoted {len(report.demoted)}, expired {len(report.expired)}"
    )


def prepare(settings: Settings, console: Console) -> GraphStore:
    """Steps 1–4: start Neo4j, ingest the samples, run the scheduler once, print the graph."""
    apply_torch_threads("combined", settings.scheduler.jobs.torch_threads)
    if settings.embedded:
        st = server.start(settings)
        console.print(f"Neo4j running at {st.bolt_uri} (data in {st.home})")
    store = GraphStore.connect(settings)
    paths = sorted(p for p in SAMPLES.iterdir() if p.suffix in {".md", ".txt", ".json"})
    embedder = make_embedder(settings.embedding, settings.embedding_dim)
    report = ingest_paths(store, paths, config=settings.extraction, owner=OWNER, embedder=embedder)
    console.print(
        f"MemReader: {report.units} units, {report.cubes_written} new MemCubes "
        f"({report.cubes_skipped} already present), {report.facts} facts"
    )
    scheduler = MemScheduler(store, MemVault(settings.vault_dir), settings.scheduler,
                             lambda: load_lm(settings.scheduler.lm), vectorize=partial(embed_writes, embedder))
    _print_run(scheduler.run(OWNER), console)
    _print_graph(store, console)
    return store


def serve(settings: Settings, store: GraphStore, console: Console) -> None:
    """Step 5: mint an admin key for the sample's owner, print how to use it, serve until Ctrl-C."""
    import uvicorn

    from memcubedb.api.app import create_app

    key, _ = ApiKeys(store).create(OWNER, Role.ADMIN, name="main job")
    store.close()
    base = f"http://{settings.api.host}:{settings.api.port}"
    console.print(
        f"\nMemCubeDB is serving at {base}\n"
        f"  dashboard:  {base}/dashboard   (API key below)\n"
        f"  OpenAPI:    {base}/docs\n"
        f"  API key for principal {OWNER!r} (admin): {key}\n"
        f"  search:     curl -s -H 'X-API-Key: {key}' -H 'Content-Type: application/json' "
        f"-d '{{\"query\": \"who teaches grafting?\"}}' {base}/v1/search\n"
        f"  chat:       curl -s -H 'Authorization: Bearer {key}' -H 'Content-Type: application/json' "
        f"-d '{{\"messages\": [{{\"role\": \"user\", \"content\": \"who teaches grafting?\"}}]}}' "
        f"{base}/v1/chat/completions   (or the openai package with base_url={base}/v1)\n"
        f"  Cypher:     curl -s -H 'X-API-Key: {key}' -H 'Content-Type: application/json' "
        f"-d '{{\"query\": \"MATCH (e:Entity) RETURN e.name LIMIT 5\"}}' {base}/v1/cypher\n"
        f"  Neo4j:      {settings.bolt_uri} (Neo4j Browser or cypher-shell)\n"
    )
    uvicorn.run(create_app(settings), host=settings.api.host, port=settings.api.port)
