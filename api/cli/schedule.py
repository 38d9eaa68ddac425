"""``memcubedb schedule``: the MemScheduler from the command line.

Through the API (acting as the key's principal): ``scores``, ``promote``, ``demote``, ``encode``,
``run`` and ``status``. ``run --local PRINCIPAL`` and ``status --local`` work on Neo4j in this
process instead, without a running API (an operator's cron job).
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

import typer

from memcubedb.api.cli.common import AsJson, Key, Url, api_client, console, emit_json, table
from memcubedb.api.client_calls import DEFAULT_URL
from memcubedb.settings import Settings

schedule_app = typer.Typer(help="The MemScheduler: scores, promotion, demotion, encoding, runs and jobs.")
Wait = Annotated[bool, typer.Option("--wait/--no-wait", help="wait for the job to finish")]
JOB_COLUMNS = ["id", "kind", "state", "principal", "attempts", "result", "error"]


def _show_job(job: Any, as_json: bool) -> None:
    if as_json:
        emit_json(job.model_dump(mode="json"))
    else:
        console.print(table(JOB_COLUMNS, [job.model_dump()]))
    if job.state in ("failed", "rolled_back"):
        raise typer.Exit(code=1)


def _started(client: Any, job: Any, wait: bool, as_json: bool) -> None:
    _show_job(client.wait_for_job(job.id) if wait else job, as_json)


@schedule_app.command("scores")
def scores(
    memory_type: Annotated[str | None, typer.Option(help="plaintext, activation or parametric")] = None,
    limit: int = 20, url: Url = DEFAULT_URL, key: Key = None, as_json: AsJson = False,
) -> None:
    """The latest promotion scores, highest first."""
    with api_client(url, key) as client:
        rows = [s.model_dump(mode="json") for s in client.scores(memory_type, limit)]
    if as_json:
        emit_json(rows)
    else:
        console.print(table(["cube_id", "memory_type", "state", "score", "access_count", "scored_at"], rows))


@schedule_app.command("promote")
def promote(
    cube_id: Annotated[str, typer.Argument(help="a plaintext MemCube")], wait: Wait = True,
    url: Url = DEFAULT_URL, key: Key = None, as_json: AsJson = False,
) -> None:
    """Promote a memory to a KV template (activation memory)."""
    with api_client(url, key) as client:
        _started(client, client.promote(cube_id), wait, as_json)


@schedule_app.command("demote")
def demote(
    cube_id: Annotated[str, typer.Argument(help="an activation or parametric MemCube")],
    reason: Annotated[str, typer.Option(help="recorded on the DEMOTED_TO edge")] = "requested from the CLI",
    wait: Wait = True, url: Url = DEFAULT_URL, key: Key = None, as_json: AsJson = False,
) -> None:
    """Demote a KV template or LoRA adapter back to plaintext."""
    with api_client(url, key) as client:
        _started(client, client.demote(cube_id, reason), wait, as_json)


@schedule_app.command("encode")
def encode(
    fact_ids: Annotated[list[str], typer.Argument(help="facts to encode into one LoRA adapter")], wait: Wait = True,
    url: Url = DEFAULT_URL, key: Key = None, as_json: AsJson = False,
) -> None:
    """Encode facts into a LoRA adapter (parametric memory)."""
    with api_client(url, key) as client:
        _started(client, client.encode(fact_ids), wait, as_json)


@schedule_app.command("run")
def run(
    local: Annotated[str | None, typer.Option("--local", help="run in this process as this principal")] = None,
    wait: Wait = True, url: Url = DEFAULT_URL, key: Key = None, as_json: AsJson = False,
) -> None:
    """One MemScheduler pass: recover jobs, TTLs, graph embeddings, scores, promote, encode, demote."""
    if local is None:
        with api_client(url, key) as client:
            _started(client, client.run_scheduler(), wait, as_json)
        return
    from memcubedb.graph.store import GraphStore
    from memcubedb.scheduler.lm import load_lm
    from memcubedb.scheduler.memscheduler import MemScheduler
    from memcubedb.scheduler.vault import MemVault

    settings = Settings()
    store = GraphStore.connect(settings)
    try:
        cfg = settings.scheduler
        report = MemScheduler(store, MemVault(settings.vault_dir), cfg, lambda: load_lm(cfg.lm)).run(local)
    finally:
        store.close()
    emit_json(dataclasses.asdict(report))


@schedule_app.command("status")
def status(
    limit: int = 20,
    local: Annotated[bool, typer.Option("--local", help="read the job ledger in Neo4j directly")] = False,
    url: Url = DEFAULT_URL, key: Key = None, as_json: AsJson = False,
) -> None:
    """Recent scheduler jobs, newest first."""
    if local:
        from memcubedb.graph.store import GraphStore
        from memcubedb.scheduler.jobs import JobLedger

        store = GraphStore.connect(Settings())
        try:
            rows = [dataclasses.asdict(j) for j in JobLedger(store).recent(None, limit)]
        finally:
            store.close()
    else:
        with api_client(url, key) as client:
            rows = [j.model_dump(mode="json") for j in client.jobs(limit)]
    if as_json:
        emit_json(rows)
    else:
        console.print(table(JOB_COLUMNS, rows))
