"""How a chat turn reads as memory text, shared by MemReader (the cube's text) and search (the
speaker put in front of each sentence vector, :mod:`memcubedb.search.sentences`)."""

from __future__ import annotations


def speaker_text(speaker: str, text: str) -> str:
    """The memory text of a chat turn with its speaker: ``"<speaker>: <text>"``."""
    return f"{speaker}: {text}"
