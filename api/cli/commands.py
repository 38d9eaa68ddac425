"""CLI commands of the knowledge-base API: ``serve``, ``search``, ``cypher``, ``schedule``,
``export``, ``import``, ``keys``, ``mcp`` and ``chat`` (registered on the ``memcubedb`` Typer app by
:func:`register`).

``keys`` talks to Neo4j directly (it bootstraps the first admin key); ``serve`` runs the API; the
others are clients of a running API (``--url``, default ``$MEMCUBEDB_API_URL`` or
http://127.0.0.1:8000, and ``--key``, default ``$MEMCUBEDB_API_KEY``) and act as that key's
principal — except ``schedule run|status --local``, which run the MemScheduler in this process.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from memcubedb.api.cli.chat import chat
from memcubedb.api.cli.common import AsJson, Key, Url, api_client, console, emit_json, err, parse_param, table
from memcubedb.api.cli.schedule import schedule_app
from memcubedb.api.client_calls import DEFAULT_URL
from memcubedb.api.mcp.stdio import mcp
from memcubedb.graph.permissions import Role
from memcubedb.settings import Settings

keys_app = typer.Typer(help="API keys (stored hashed in the graph; talks to Neo4j directly).")


def serve(
    host: Annotated[str | None, typer.Option(help="listen address (default settings.api.host)")] = None,
    port: Annotated[int | None, typer.Option(help="listen port (default settings.api.port)")] = None,
) -> None:
    """Serve the knowledge-base API (and the dashboard) with uvicorn."""
    import uvicorn

    from memcubedb.api.app import create_app
    from memcubedb.logs import configure_process
    from memcubedb.scheduler.threads import apply_torch_threads

    settings = Settings()
    jobs = settings.scheduler.jobs
    apply_torch_threads("combined" if jobs.api_works_jobs else "api", jobs.torch_threads)
    host, port = host or settings.api.host, port or settings.api.port
    console.print(f"MemCubeDB API on http://{host}:{port} — OpenAPI at /docs and /openapi.json; "
                  "create a key with `memcubedb keys create --principal ID --role admin`")
    configure_process(settings.telemetry)
    uvicorn.run(create_app(settings), host=host, port=port, log_config=None, access_log=False,  # our log lines
                log_level=settings.telemetry.log_level.lower())


def search(
    query: Annotated[str, typer.Argument(help="what to look for")],
    k: Annotated[int, typer.Option("-k", help="number of results")] = 10,
    recipe: Annotated[str | None, typer.Option(help="search recipe (default: the server's)")] = None,
    url: Url = DEFAULT_URL, key: Key = None, as_json: AsJson = False,
) -> None:
    """Search the memories the key's principal may read."""
    with api_client(url, key) as client:
        results = client.search(query, k, recipe)
    if as_json:
        emit_json([r.model_dump(mode="json") for r in results])
        return
    table = Table("score", "cube", "forms", "channels", "text")
    for r in results:
        table.add_row(f"{r.score:.4f}", r.cube_id[:12], ",".join(r.forms), ",".join(r.channels), r.text[:90])
    console.print(table)


def cypher(
    query: Annotated[str | None, typer.Argument(help="read-only Cypher; values as $parameters")] = None,
    saved: Annotated[str | None, typer.Option("--saved", help="run this saved query instead")] = None,
    param: Annotated[list[str] | None, typer.Option("-p", "--param", help="NAME=VALUE (VALUE as JSON if it parses)")]
    = None,
    limit: Annotated[int | None, typer.Option(help="row limit")] = None,
    list_saved: Annotated[bool, typer.Option("--list", help="list the saved queries")] = False,
    url: Url = DEFAULT_URL, key: Key = None, as_json: AsJson = False,
) -> None:
    """Run a read-only Cypher query or a saved analyst query (analyst role)."""
    params = dict(parse_param(p) for p in param or [])
    with api_client(url, key) as client:
        if list_saved:
            rows = [q.model_dump() | {"parameters": ", ".join(q.parameters)} for q in client.saved_queries()]
            console.print(table(["name", "purpose", "parameters"], rows))
            return
        if (query is None) == (saved is None):
            raise typer.BadParameter("give a QUERY or --saved NAME")
        out = client.run_saved(saved, params, limit) if saved else client.cypher(query or "", params, limit)
    if as_json:
        emit_json(out.model_dump(mode="json"))
        return
    console.print(table(out.columns, out.rows))
    note = " (truncated: more rows exist)" if out.truncated else ""
    console.print(f"{len(out.rows)} rows in {out.elapsed_ms:.1f} ms{note}")


def export(
    out: Annotated[Path | None, typer.Option("--out", "-o", help="file to write (default: stdout)")] = None,
    cube_id: Annotated[list[str] | None, typer.Option("--id", help="export these cubes (repeatable)")] = None,
    memory_type: Annotated[str | None, typer.Option(help="plaintext, activation or parametric")] = None,
    tag: Annotated[str | None, typer.Option(help="only cubes with this tag")] = None,
    latest_only: Annotated[bool, typer.Option("--latest-only", help="leave out superseded versions")] = False,
    limit: Annotated[int, typer.Option(help="most cubes")] = 1000,
    url: Url = DEFAULT_URL, key: Key = None,
) -> None:
    """Export readable memories with facts and provenance as an interchange document (MemDumper)."""
    with api_client(url, key) as client:
        doc = client.export(cube_ids=cube_id or None, memory_type=memory_type, tag=tag,
                            include_versions=not latest_only, limit=limit)
    text = doc.model_dump_json(indent=2)
    if out is None:
        sys.stdout.write(text + "\n")
    else:
        out.write_text(text + "\n", encoding="utf-8")
        err.print(f"{len(doc.cubes)} MemCubes written to {out}")


def import_(
    path: Annotated[Path, typer.Argument(help="an interchange document (from `memcubedb export`)")],
    take_ownership: Annotated[bool, typer.Option("--take-ownership", help="become the owner of every cube")] = False,
    keep_owners: Annotated[bool, typer.Option("--keep-owners", help="keep the document's owners (admin)")] = False,
    url: Url = DEFAULT_URL, key: Key = None,
) -> None:
    """Import an interchange document in one transaction (MemLoader)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        err.print(f"[red]error:[/red] cannot read {path}: {exc}")
        raise typer.Exit(code=2) from None
    with api_client(url, key) as client:
        result = client.import_(document, take_ownership, keep_owners)
    console.print(f"{len(result.written)} MemCubes written, {len(result.skipped)} already present")


@keys_app.command("create")
def keys_create(
    principal: Annotated[str, typer.Option("--principal", help="principal id (created when missing)")],
    role: Annotated[Role, typer.Option("--role", help="reader, writer, analyst or admin")] = Role.READER,
    name: Annotated[str, typer.Option(help="what the key is for")] = "",
) -> None:
    """Create an API key and print it (once: only its hash is stored)."""
    from memcubedb.graph.apikeys import ApiKeys
    from memcubedb.graph.store import GraphStore

    store = GraphStore.connect(Settings())
    try:
        key, info = ApiKeys(store).create(principal, role, name)
    finally:
        store.close()
    err.print(f"key {info.id} for {info.principal} ({info.role.value}) — store it now, it is not shown again:")
    console.print(key)


@keys_app.command("list")
def keys_list(principal: Annotated[str | None, typer.Option(help="only this principal's keys")] = None) -> None:
    """List API keys (never the keys themselves)."""
    from memcubedb.graph.apikeys import ApiKeys
    from memcubedb.graph.store import GraphStore

    store = GraphStore.connect(Settings())
    try:
        found = ApiKeys(store).list(principal)
    finally:
        store.close()
    console.print(table(["id", "principal", "role", "name", "created_at", "revoked_at"],
                         [vars(k) | {"role": k.role.value} for k in found]))


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="the key's id (from `keys list`)")]) -> None:
    """Revoke an API key."""
    from memcubedb.graph.apikeys import ApiKeys
    from memcubedb.graph.store import GraphStore

    store = GraphStore.connect(Settings())
    try:
        ApiKeys(store).revoke(key_id)
    except LookupError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(code=1) from None
    finally:
        store.close()
    console.print(f"key {key_id} revoked")


def register(app: typer.Typer) -> None:
    """Add the API's commands to the ``memcubedb`` app."""
    app.command("serve")(serve)
    app.command("search")(search)
    app.command("cypher")(cypher)
    app.command("export")(export)
    app.command("import")(import_)
    app.command("mcp")(mcp)
    app.command("chat")(chat)
    app.add_typer(keys_app, name="keys")
    app.add_typer(schedule_app, name="schedule")
