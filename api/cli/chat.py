"""``memcubedb chat``: an interactive terminal chat with memory, as an API key's principal.

Each line typed is a user turn sent to ``POST /v1/chat/completions`` with the conversation so
far; the answer is printed with a table of the memories it used (type, MemCube id, score, how:
KV prefix, memory block, adapter) and the prefill/cached token counts. ``/quit`` or end of input
ends the chat; ``/reset`` starts a new conversation.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from memcubedb.api.cli.common import Key, Url, api_client, console
from memcubedb.api.client_calls import DEFAULT_URL
from memcubedb.chat.schemas import ChatCompletion


def memories_table(completion: ChatCompletion) -> Table:
    """The memories an answer used, one row each, with the token counts in the caption."""
    report = completion.memcubedb
    rows = Table("type", "MemCube id", "score", "via", title="memories used")
    for kind in ("activation", "plaintext", "parametric"):
        for memory in getattr(report.memories, kind):
            rows.add_row(kind, memory.id, f"{memory.score:.3f}", memory.via)
    ttft = f", TTFT {report.ttft_ms:.0f} ms" if report.ttft_ms is not None else ""
    rows.caption = f"prefill {report.prefill_tokens} tokens, cached {report.cached_tokens}{ttft}"
    return rows


def chat(
    url: Url = DEFAULT_URL,
    key: Key = None,
    system: Annotated[str | None, typer.Option(help="a system message opening the conversation")] = None,
    max_tokens: Annotated[int, typer.Option(help="most answer tokens")] = 256,
    explain: Annotated[bool, typer.Option("--explain", help="also print the rendered context")] = False,
    write_back: Annotated[bool, typer.Option("--write-back", help="store each exchange as a chat memory")] = False,
) -> None:
    """Chat with your memories (interactive; /reset starts over, /quit or Ctrl-D ends)."""
    opening: list[dict[str, Any]] = [{"role": "system", "content": system}] if system else []
    history = list(opening)
    options = {"explain": explain, "write_back": write_back}
    with api_client(url, key) as client:
        model = client.models().data[0].id
        console.print(f"Chatting with {model} at {url} — /reset starts over, /quit ends.")
        while True:
            try:
                line = console.input("[bold]you>[/bold] ").strip()
            except EOFError:
                break
            if line == "/quit":
                break
            if line == "/reset":
                history = list(opening)
                continue
            if not line:
                continue
            history.append({"role": "user", "content": line})
            with console.status("generating…"):
                completion = client.chat(history, model=model, max_tokens=max_tokens, memcubedb=options)
            answer = completion.choices[0].message.content
            history.append({"role": "assistant", "content": answer})
            console.print(f"[bold]{model}>[/bold] {answer}")
            console.print(memories_table(completion))
            for note in completion.memcubedb.notes:
                console.print(f"[dim]note: {note}[/dim]")
            if explain and completion.memcubedb.context:
                console.print(completion.memcubedb.context, markup=False, highlight=False)
