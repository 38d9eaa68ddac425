"""The ``memcubedb`` command line (Typer).

``memcubedb neo4j start|stop|status`` runs the embedded-default Neo4j; ``memcubedb run`` is
the main job of the README.
"""

from __future__ import annotations

import typer
from rich.console import Console

from memcubedb.api.cli.commands import register as register_api_commands
from memcubedb.api.cli.ingest import ingest
from memcubedb.graph.embedded import server
from memcubedb.settings import Settings

app = typer.Typer(help="MemCubeDB: a knowledge-graph-centric memory database for LLM applications.")
neo4j_app = typer.Typer(help="The embedded-default Neo4j server (Neo4j 5.26 LTS Community).")
app.add_typer(neo4j_app, name="neo4j")
app.command("ingest")(ingest)
register_api_commands(app)
console = Console()


def _fail(message: str) -> None:
    console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code=1)


@neo4j_app.command("build")
def neo4j_build() -> None:
    """Resolve Neo4j from Maven Central and compile the launcher (once)."""
    try:
        target = server.build()
    except server.Neo4jServerError as exc:
        _fail(str(exc))
        return
    console.print(f"Neo4j built in {target}")


@neo4j_app.command("start")
def neo4j_start() -> None:
    """Build (first time) and start the embedded Neo4j; wait until Bolt answers."""
    settings = Settings()
    try:
        st = server.start(settings)
    except server.Neo4jServerError as exc:
        _fail(str(exc))
        return
    console.print(f"Neo4j running (pid {st.pid}) at {st.bolt_uri}, data in {st.home}")


@neo4j_app.command("stop")
def neo4j_stop() -> None:
    """Stop the embedded Neo4j cleanly."""
    stopped = server.stop(Settings())
    console.print("Neo4j stopped" if stopped else "Neo4j was not running")


@neo4j_app.command("status")
def neo4j_status() -> None:
    """Say whether the embedded Neo4j runs, and where."""
    st = server.status(Settings())
    state = f"running (pid {st.pid})" if st.running else "stopped"
    console.print(f"Neo4j {state} — {st.bolt_uri}, data in {st.home}")
    if not st.running:
        raise typer.Exit(code=3)


@neo4j_app.command("password")
def neo4j_password() -> None:
    """Print the embedded Neo4j's password (user ``neo4j``) for Neo4j Browser or cypher-shell."""
    settings = Settings()
    if not settings.embedded:
        _fail("an external Neo4j is configured (NEO4J_URI); its password is yours, not ours")
        return
    print(server.ensure_password(settings))


@app.command("run")
def run_main_job(
    serve_api: bool = typer.Option(True, "--serve/--no-serve", help="serve the API and dashboard at the end"),
) -> None:
    """The main job: start Neo4j, ingest the samples, run the scheduler once, serve the API."""
    from memcubedb.api.cli.mainjob import prepare, serve

    settings = Settings()
    store = prepare(settings, console)
    if serve_api:
        serve(settings, store, console)
    else:
        store.close()


@app.command("worker")
def worker(
    threads: int = typer.Option(1, min=1, max=16, help="jobs run at once"),
    periodic: bool = typer.Option(
        True, "--periodic/--no-periodic", help="queue a scheduler run per principal every scheduler.jobs.run_interval_s"
    ),
) -> None:
    """A scheduler worker: claim queued jobs (and jobs whose worker stopped) from Neo4j and run them."""
    from memcubedb.logs import configure_process
    from memcubedb.scheduler.worker import serve_worker

    settings = Settings()
    configure_process(settings.telemetry)  # logs, and traces when configured
    serve_worker(settings, console, threads=threads, periodic_runs=periodic)


if __name__ == "__main__":
    app()
