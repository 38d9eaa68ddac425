"""Kill -9 a private Neo4j in the middle of a large ingest, restart it, and check what survived.

One :func:`crash_run`:

1. starts its own embedded Neo4j (own port and data directory, 127.0.0.1) and, optionally, the
   HTTP API on loopback in front of it;
2. writes numbered batches of MemCubes (each with a Source, an Activity, entities and facts)
   through :meth:`GraphStore.write_cubes` from a thread — and, with the API, adds text memories
   through ``POST /v1/cubes`` from a second thread — recording every acknowledgement and error;
3. once ``kill_after`` batches were acknowledged, sends SIGKILL to the Neo4j java process;
4. waits until both writers have reported an error (or stopped), restarts Neo4j and checks:
   every acknowledged batch and memory is there; every batch is all-or-nothing; no MemCube lacks
   its Source, Activity, owner or facts; no Fact lacks its cube or ``RELATES`` edge; every batch
   not acknowledged got an error (none vanished silently);
5. re-sends every batch: nothing new may appear for what was there, and the totals must equal the
   full set exactly once (idempotent re-ingestion).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from neo4j import GraphDatabase

from memcubedb.cube import MemCube
from memcubedb.graph.apikeys import ApiKeys
from memcubedb.graph.embedded import server
from memcubedb.graph.permissions import Role
from memcubedb.graph.records import (
    ActivityRecord,
    AgentRecord,
    CubeWrite,
    EntityRecord,
    FactRecord,
    SourceRecord,
    content_hash,
    owned_source_id,
    stable_id,
)
from memcubedb.graph.store import GraphStore
from memcubedb.settings import Neo4jSettings, Settings

AGENT = AgentRecord(id="agent:crash", kind="software", name="crash harness")
NAMES = [f"Person {i}" for i in range(40)]
FACTS_PER_CUBE = 2
RETRY_S = 5.0
"""How long the harness's driver retries a transaction across a dead server before it raises, s."""

CUBE_STATE = """
MATCH (c:MemCube) WHERE c.id IN $ids
RETURN c.id AS id,
       EXISTS { (c)-[:EXTRACTED_FROM]->(:Source) } AS sourced,
       EXISTS { (c)-[:GENERATED_BY]->(:Activity) } AS generated,
       EXISTS { (:Principal)-[:OWNS]->(c) } AS owned,
       COUNT { (c)-[:ASSERTS]->(:Fact) } AS facts,
       COUNT { (c)-[:MENTIONS]->(:Entity) } AS mentions
"""
INCOMPLETE_CUBES = """
MATCH (c:MemCube)
WHERE NOT EXISTS { (c)-[:EXTRACTED_FROM]->(:Source) } OR NOT EXISTS { (c)-[:GENERATED_BY]->(:Activity) }
   OR NOT EXISTS { (:Principal)-[:OWNS]->(c) }
RETURN count(c) AS n
"""
DANGLING_FACTS = """
MATCH (f:Fact)
WHERE NOT EXISTS { (:MemCube)-[:ASSERTS]->(f) } OR NOT EXISTS { MATCH (:Entity)-[:RELATES {fact_id: f.id}]->(:Entity) }
   OR NOT EXISTS { (f)-[:SUBJECT]->(:Entity) } OR NOT EXISTS { (f)-[:OBJECT]->(:Entity) }
RETURN count(f) AS n
"""
IDS = """
CALL () { MATCH (c:MemCube) RETURN collect(c.id) AS cubes }
CALL () { MATCH (f:Fact) RETURN collect(f.id) AS facts }
CALL () { MATCH (s:Source) RETURN collect(s.id) AS sources }
RETURN cubes, facts, sources
"""
DUPLICATE_EDGES = """
MATCH (a)-[r:ASSERTS|EXTRACTED_FROM|MENTIONS|OWNS|GENERATED_BY|SUBJECT|OBJECT]->(b)
WITH a, b, type(r) AS t, count(r) AS n WHERE n > 1
RETURN count(*) AS n
"""


def crash_batch(index: int, size: int) -> list[CubeWrite]:
    """Batch ``index``: ``size`` cubes, each with its source, activity, 3 entities and 2 facts."""
    activity = ActivityRecord(id=f"crash-activity-{index}", kind="extraction", name="crash harness")
    writes = []
    for k in range(size):
        n = index * size + k
        a, b, c = NAMES[n % 40], NAMES[(n * 7 + 1) % 40], NAMES[(n * 13 + 5) % 40]
        text = f"Memo {n}: {a} met {b} and {c} about item {n}."
        source = SourceRecord(id=f"crash-source-{n}", kind="document", uri=f"crash://batch/{index}",
                              content_hash=content_hash(text), start=0, end=len(text))
        cube = MemCube.plaintext(text, owner="crash-owner", id=f"crash-cube-{n}", semantic_type="note")
        ids = [stable_id("entity", x) for x in (a, b, c)]
        entities = {i: EntityRecord(id=i, name=x, type="PERSON") for i, x in zip(ids, (a, b, c), strict=True)}
        facts = [FactRecord(id=stable_id("fact", ids[0], "met", ids[j]), subject_id=ids[0], predicate="met",
                            object_id=ids[j]) for j in (1, 2)]
        writes.append(CubeWrite(cube=cube, source=source, activity=activity, agent=AGENT,
                                entities=list(entities.values()), facts=list({f.id: f for f in facts}.values())))
    return writes


@dataclass
class Writer:
    """A bounded writer thread's record: what was acknowledged, what failed (and how)."""

    acked: list[int] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    sent: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    @property
    def done(self) -> bool:
        return bool(self.errors) or self.stop.is_set()


def _store_writer(store: GraphStore, batches: int, size: int, log: Writer) -> None:
    for i in range(batches):
        if log.stop.is_set():
            return
        log.sent = i + 1
        try:
            store.write_cubes(crash_batch(i, size))
        except Exception as exc:  # the client must see the failure; record it and stop writing
            log.errors.append((i, type(exc).__name__))
            return
        log.acked.append(i)


def _api_writer(base: str, key: str, limit: int, log: Writer, written: dict[int, list[str]]) -> None:
    with httpx.Client(base_url=base, timeout=60, headers={"Authorization": f"Bearer {key}"}) as client:
        for i in range(limit):
            if log.stop.is_set():
                return
            log.sent = i + 1
            try:
                r = client.post("/v1/cubes", json={"text": f"API memo {i}: Person {i % 40} met Person {(i + 3) % 40}.",
                                                   "uri": f"crash-api://{i}"})
            except httpx.HTTPError as exc:
                log.errors.append((i, type(exc).__name__))
                return
            if r.status_code not in (200, 201):
                problem = r.headers.get("content-type", "").startswith("application/problem+json")
                log.errors.append((i, f"{r.status_code} {'problem+json' if problem else r.text[:80]}"))
                return
            written[i] = r.json()["written"]
            log.acked.append(i)


@dataclass
class CrashReport:
    """What one crash run found."""

    batches: int
    size: int
    acked: int = 0
    errored: list[tuple[int, str]] = field(default_factory=list)
    unsent: int = 0
    in_doubt_committed: int = 0
    lost_acked: list[int] = field(default_factory=list)
    partial_batches: list[int] = field(default_factory=list)
    incomplete_cubes: int = 0
    dangling_facts: int = 0
    api_acked: int = 0
    api_errors: list[tuple[int, str]] = field(default_factory=list)
    api_lost: list[int] = field(default_factory=list)
    api_healthy_after: bool | None = None
    silent: list[int] = field(default_factory=list)
    duplicate_edges: int = 0
    restart_s: float = 0.0
    resend_new: int = 0
    second_resend_new: int = 0
    totals_after_resend: dict[str, int] = field(default_factory=dict)
    expected_totals: dict[str, int] = field(default_factory=dict)

    @property
    def problems(self) -> list[str]:
        """Everything that went wrong; empty when the run survived as it must."""
        checks = {
            "acknowledged batches lost": self.lost_acked,
            "batches stored only in part": self.partial_batches,
            "batches stored although the client was told nothing": self.silent,
            "cubes without source, activity, owner or facts": self.incomplete_cubes,
            "facts without cube, entities or RELATES edge": self.dangling_facts,
            "duplicated edges": self.duplicate_edges,
            "acknowledged API memories lost": self.api_lost,
            "API unhealthy after the restart": self.api_healthy_after is False,
            "second re-send wrote cubes": self.second_resend_new,
            "totals after re-send differ": self.totals_after_resend != self.expected_totals,
            "no batch hit by the kill": not self.errored and self.unsent == 0,
        }
        return [f"{what}: {value}" for what, value in checks.items() if value]


def private_settings(data_dir: Path, port: int) -> Settings:
    """Settings of a small private embedded Neo4j on 127.0.0.1:``port`` under ``data_dir``."""
    return Settings(data_dir=data_dir, neo4j=Neo4jSettings(bolt_port=port, heap_mb=512, pagecache_mb=64))


def _connect(settings: Settings) -> GraphStore:
    driver = GraphDatabase.driver(settings.bolt_uri, auth=settings.neo4j_auth, max_transaction_retry_time=RETRY_S,
                                  notifications_min_severity="OFF")
    driver.verify_connectivity()
    store = GraphStore(driver, settings)
    store.migrate()
    return store


def _kill(settings: Settings) -> None:
    pid = server.status(settings).pid
    assert pid is not None, "the private Neo4j is not running"
    os.kill(pid, signal.SIGKILL)
    try:
        os.waitpid(pid, 0)  # our child: reap it so the pid is gone for the restart
    except ChildProcessError:
        while server.status(settings).running:
            time.sleep(0.1)


def crash_run(settings: Settings, batches: int, size: int, kill_after: int, api_base: str | None = None,
              api_key: str | None = None, wait_s: float = 120.0) -> CrashReport:
    """One crash run on the (already started, empty) private Neo4j of ``settings``; see the module docstring.

    ``api_base``/``api_key``: an API server on loopback in front of the same Neo4j (optional).
    """
    report = CrashReport(batches=batches, size=size)
    store = _connect(settings)
    writer, api_log, api_written = Writer(), Writer(), {}
    threads = [threading.Thread(target=_store_writer, args=(store, batches, size, writer), daemon=True)]
    if api_base and api_key:
        threads.append(threading.Thread(target=_api_writer, args=(api_base, api_key, 100_000, api_log, api_written),
                                        daemon=True))
    deadline = time.monotonic() + wait_s
    for t in reversed(threads):  # the API writer first: its first request loads MemReader's pipeline
        t.start()
        while t is not threads[0] and not api_log.acked and not api_log.done and time.monotonic() < deadline:
            time.sleep(0.05)
    while len(writer.acked) < kill_after and threads[0].is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    _kill(settings)
    while threads[0].is_alive() and not writer.done and time.monotonic() < deadline:
        time.sleep(0.05)
    t0 = time.monotonic()
    server.start(settings)
    report.restart_s = time.monotonic() - t0
    writer.stop.set()
    api_log.stop.set()
    for t in threads:
        t.join(timeout=wait_s)
    store.close()
    store = _connect(settings)
    try:
        _verify(store, report, writer, batches, size)
        if api_base and api_key:
            _verify_api(store, report, api_log, api_written, api_base, api_key)
        _resend(store, report, batches, size)
    finally:
        store.close()
    return report


def _verify(store: GraphStore, report: CrashReport, writer: Writer, batches: int, size: int) -> None:
    report.acked = len(writer.acked)
    report.errored = list(writer.errors)
    errored = {i for i, _ in writer.errors}
    report.unsent = batches - writer.sent
    shape = {w.cube.id: (len(w.facts), len(w.entities)) for i in range(batches) for w in crash_batch(i, size)}
    found: dict[int, int] = {}
    for r in store.read(CUBE_STATE, ids=list(shape)):
        batch = int(r["id"].rsplit("-", 1)[1]) // size
        found[batch] = found.get(batch, 0) + 1
        if not (r["sourced"] and r["generated"] and r["owned"]) or (r["facts"], r["mentions"]) != shape[r["id"]]:
            report.incomplete_cubes += 1
    report.partial_batches = sorted(i for i, n in found.items() if n != size)
    report.lost_acked = sorted(i for i in writer.acked if found.get(i, 0) != size)
    report.in_doubt_committed = sum(1 for i in errored if found.get(i) == size)
    report.silent = sorted(i for i in found if i not in set(writer.acked) | errored)
    report.incomplete_cubes += store.read(INCOMPLETE_CUBES)[0]["n"]
    report.dangling_facts = store.read(DANGLING_FACTS)[0]["n"]
    report.duplicate_edges = store.read(DUPLICATE_EDGES)[0]["n"]


def _verify_api(store: GraphStore, report: CrashReport, log: Writer, written: dict[int, list[str]], base: str,
                key: str) -> None:
    report.api_acked = len(log.acked)
    report.api_errors = list(log.errors)
    present = {r["id"] for r in store.read(CUBE_STATE, ids=[c for ids in written.values() for c in ids])}
    report.api_lost = sorted(i for i, ids in written.items() if not set(ids) <= present)
    healthy = False
    with httpx.Client(base_url=base, timeout=60, headers={"Authorization": f"Bearer {key}"}) as client:
        for _ in range(30):  # the API's driver reconnects to the restarted Neo4j by itself
            try:
                healthy = client.get("/v1/health").status_code == 200 and client.get("/v1/cubes").status_code == 200
            except httpx.HTTPError:
                healthy = False
            if healthy:
                break
            time.sleep(1)
    report.api_healthy_after = healthy


def _resend(store: GraphStore, report: CrashReport, batches: int, size: int) -> None:
    before = store.read(IDS)[0]
    everything = [w for i in range(batches) for w in crash_batch(i, size)]
    expected = {
        "cubes": set(before["cubes"]) | {w.cube.id for w in everything},
        "facts": set(before["facts"]) | {f.id for w in everything for f in w.facts},
        "sources": set(before["sources"])
        | {owned_source_id(w.cube.governance.owner, w.source.id) for w in everything if w.source},
    }
    report.resend_new = sum(len(store.write_cubes(crash_batch(i, size))) for i in range(batches))
    report.second_resend_new = sum(len(store.write_cubes(crash_batch(i, size))) for i in range(batches))
    after = store.read(IDS)[0]
    report.totals_after_resend = {k: len(after[k]) for k in expected} | {"distinct_cubes": len(set(after["cubes"]))}
    report.expected_totals = {k: len(v) for k, v in expected.items()} | {"distinct_cubes": len(expected["cubes"])}
    report.duplicate_edges += store.read(DUPLICATE_EDGES)[0]["n"]


def make_api_key(settings: Settings, principal: str = "crash-api") -> str:
    """A writer key on the private Neo4j, for the API writer."""
    store = GraphStore.connect(settings, migrate=False)
    try:
        return ApiKeys(store).create(principal, Role.WRITER, name="crash")[0]
    finally:
        store.close()
