"""Shared pieces of the API's CLI commands: options, the SDK client with error handling, tables."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.table import Table

console = Console()
err = Console(stderr=True, soft_wrap=True)
Url = Annotated[str, typer.Option("--url", envvar="MEMCUBEDB_API_URL", help="base URL of the API")]
Key = Annotated[str | None, typer.Option("--key", envvar="MEMCUBEDB_API_KEY", help="API key", show_default=False)]
AsJson = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]


@contextmanager
def api_client(url: str, key: str | None) -> Iterator[Any]:
    """A :class:`~memcubedb.api.client.MemCubeClient`; API errors and transport failures end the
    command with a message and exit code 1."""
    from memcubedb.api.client import MemCubeClient, MemCubeError

    try:
        with MemCubeClient(url, key) as client:
            yield client
    except MemCubeError as exc:
        err.print(f"[red]error {exc.status}:[/red] {exc.problem.detail}")
        raise typer.Exit(code=1) from None
    except httpx.TransportError as exc:
        err.print(f"[red]error:[/red] no API answers at {url} ({exc}); start it with `memcubedb serve`")
        raise typer.Exit(code=1) from None


def emit_json(data: Any) -> None:
    """Write ``data`` as JSON on stdout (plain text: safe to pipe into jq or a file)."""
    sys.stdout.write(json.dumps(data, default=str, indent=2) + "\n")


def table(columns: list[str], rows: list[dict[str, Any]]) -> Table:
    """A rich table of ``rows`` (non-strings as JSON)."""
    table = Table(*columns)
    for row in rows:
        table.add_row(*[v if isinstance(v, str) else json.dumps(v, default=str) for v in (row.get(c) for c in columns)])
    return table


def parse_param(text: str) -> tuple[str, Any]:
    """``NAME=VALUE`` → (name, value), the value parsed as JSON when it parses, else the string."""
    name, sep, raw = text.partition("=")
    if not sep or not name:
        raise typer.BadParameter(f"{text!r}: expected NAME=VALUE")
    try:
        return name, json.loads(raw)
    except json.JSONDecodeError:
        return name, raw
