"""Documents (plain text, Markdown) and their chunking with character offsets.

A chunk's text is always ``document.text[start:end]``. A chunk is one paragraph (blocks split
at blank lines; a Markdown heading starts a new block and joins the block after it); a block
longer than ``max_chars`` is split at sentence ends, then at whitespace, and the pieces are
packed back up to ``max_chars``. For extraction, Markdown
syntax is *masked* with spaces of the same length (heading marks, emphasis, list bullets, link
targets, fenced code), so offsets found in the masked text are offsets in the original.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from memcubedb.cube import Timestamp
from memcubedb.extraction.errors import InputError

DocumentFormat = Literal["text", "markdown"]

_BLOCK_BREAK = re.compile(r"\n[ \t]*\n+|\n(?=#{1,6} )")
_HEADING = re.compile(r"#{1,6} [^\n]*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
_MARKS = [
    re.compile(r"^[ \t]{0,3}#{1,6}[ \t]", re.MULTILINE),  # heading marks
    re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]", re.MULTILINE),  # list bullets
    re.compile(r"^[ \t]*>[ \t]?", re.MULTILINE),  # block quotes
    re.compile(r"\]\([^)\s]*\)"),  # link targets "](url)"
    re.compile(r"[*_`~\[\]]"),  # emphasis, code and link brackets
    re.compile(r"<[^>\n]+>"),  # inline HTML
]


class Document(BaseModel):
    """A text document to read.

    Attributes:
        uri: where it came from (a file URI, a URL, any stable name); part of the source ids.
        text: the full text (non-empty).
        format: ``text`` or ``markdown``.
        timestamp: when it was written; relative dates are resolved against it.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    uri: str = Field(min_length=1, max_length=2048)
    text: str = Field(min_length=1)
    format: DocumentFormat = "text"
    timestamp: Timestamp | None = None


class Chunk(BaseModel):
    """A slice ``document.text[start:end]`` read as one memory unit."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    index: int = Field(ge=0)
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str


def mask_markdown(text: str) -> str:
    """``text`` with Markdown syntax replaced by spaces (same length, same offsets)."""
    chars = list(text)

    def blank(match: re.Match[str]) -> str:
        for k in range(match.start(), match.end()):
            if chars[k] != "\n":
                chars[k] = " "
        return ""

    for match in _FENCE.finditer(text):
        blank(match)
    for pattern in _MARKS:
        for match in pattern.finditer(text):
            blank(match)
    return "".join(chars)


def _spans(text: str, start: int, end: int, splitter: re.Pattern[str]) -> list[tuple[int, int]]:
    out, pos = [], start
    for match in splitter.finditer(text, start, end):
        out.append((pos, match.start()))
        pos = match.end()
    out.append((pos, end))
    return [(a, b) for a, b in out if text[a:b].strip()]


def _pieces(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Split [start, end) into pieces ≤ max_chars: sentences, then whitespace, then hard cuts."""
    if end - start <= max_chars:
        return [(start, end)]
    out: list[tuple[int, int]] = []
    for a, b in _spans(text, start, end, _SENTENCE_END):
        while b - a > max_chars:
            cut = text.rfind(" ", a + 1, a + max_chars)
            cut = cut if cut > a else a + max_chars
            out.append((a, cut))
            a = cut
            while a < b and text[a].isspace():
                a += 1
        if b > a:
            out.append((a, b))
    return out


def chunk_document(document: Document, max_chars: int) -> list[Chunk]:
    """Cut ``document`` into chunks of at most ``max_chars`` characters (whitespace-trimmed).

    Raises:
        InputError: when ``max_chars`` < 1 or the document holds only whitespace.
    """
    if max_chars < 1:
        raise InputError(document.uri, f"chunk size must be ≥ 1 character, got {max_chars}")
    text = document.text
    blocks = _spans(text, 0, len(text), _BLOCK_BREAK)
    joined: list[tuple[int, int]] = []
    for a, b in blocks:  # a heading-only block joins the block after it
        if (
            joined
            and _HEADING.fullmatch(text[joined[-1][0] : joined[-1][1]].strip())
            and b - joined[-1][0] <= max_chars
        ):
            joined[-1] = (joined[-1][0], b)
        else:
            joined.append((a, b))
    packed: list[tuple[int, int]] = []
    for a, b in joined:
        pieces = _pieces(text, a, b, max_chars)
        start = len(packed)
        for p, q in pieces:
            if len(packed) > start and q - packed[-1][0] <= max_chars:
                packed[-1] = (packed[-1][0], q)
            else:
                packed.append((p, q))
    chunks = []
    for a, b in packed:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        chunks.append(Chunk(index=len(chunks), start=a, end=b, text=text[a:b]))
    if not chunks:
        raise InputError(document.uri, "the document holds no text")
    return chunks


def load_document(path: Path, fmt: DocumentFormat | None = None, timestamp: datetime | None = None) -> Document:
    """Read a UTF-8 text or Markdown file (format from the suffix unless given).

    Raises:
        InputError: when the file cannot be read, is not UTF-8 or is empty.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(str(path), f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise InputError(str(path), f"cannot be read: {exc.strerror or exc}") from exc
    if not text.strip():
        raise InputError(str(path), "the file is empty")
    kind: DocumentFormat = fmt or ("markdown" if path.suffix.lower() in {".md", ".markdown"} else "text")
    return Document(uri=path.resolve().as_uri(), text=text, format=kind, timestamp=timestamp)
