"""``memcubedb ingest PATH…``: read documents and chats with MemReader into the graph."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console


class FormatChoice(StrEnum):
    """Input formats accepted on the command line."""

    AUTO = "auto"
    TEXT = "text"
    MARKDOWN = "markdown"
    CHAT_JSON = "chat-json"
    LOCOMO = "locomo"


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="text, Markdown, chat-JSON or LoCoMo files")],
    owner: Annotated[str | None, typer.Option("--owner", help="principal id owning the new MemCubes")] = None,
    fmt: Annotated[FormatChoice, typer.Option("--format", help="input format (auto: by suffix/content)")] = (
        FormatChoice.AUTO
    ),
    quiet: Annotated[bool, typer.Option("--quiet", help="no progress bar")] = False,
) -> None:
    """Read files with MemReader (spaCy or LLM extractor, see settings) and write MemCubes,
    entities, facts and provenance to the graph, each cube with its embedding and sentence vectors
    (searchable when the command returns). Re-ingesting the same files changes nothing."""
    from memcubedb.embeddings import make_embedder
    from memcubedb.extraction.errors import ExtractorError, InputError
    from memcubedb.extraction.ingest import ingest as run_ingest
    from memcubedb.extraction.inputs import load_paths
    from memcubedb.graph.embedded import server
    from memcubedb.graph.store import GraphStore
    from memcubedb.settings import Settings

    console = Console(stderr=True, soft_wrap=True)
    settings = Settings()
    try:
        items = load_paths(paths, fmt.value)  # type: ignore[arg-type]
    except InputError as exc:
        console.print(f"[red]error:[/red] {exc} — nothing was written")
        raise typer.Exit(code=2) from exc
    if settings.embedded and not server.status(settings).running:
        console.print("starting the embedded Neo4j …")
        server.start(settings)
    store = GraphStore.connect(settings)
    try:
        embedder = make_embedder(settings.embedding, settings.embedding_dim)
        report = run_ingest(store, items, config=settings.extraction, owner=owner, embedder=embedder,
                            progress=not quiet)
    except (InputError, ExtractorError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(code=1) from exc
    finally:
        store.close()
    console.print(
        f"{report.units} units read in {report.seconds:.1f} s ({report.units_per_s:.0f}/s): "
        f"{report.cubes_written} MemCubes written, {report.cubes_skipped} already present, "
        f"{report.facts} facts, {report.entities} entity mentions, {report.merges} merges"
    )
