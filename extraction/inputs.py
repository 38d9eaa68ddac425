"""Loading input files by format: plain text, Markdown, chat JSON, LoCoMo JSON.

``auto`` picks by suffix (``.md``/``.markdown`` → Markdown, ``.json`` → LoCoMo when the file is
a list of objects with a ``conversation``, otherwise chat JSON; anything else → plain text).
Every loader validates the whole file before returning, so a bad file fails before anything
of it is written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from memcubedb.extraction.chats import Chat, chat_from_json, chats_from_locomo
from memcubedb.extraction.documents import Document, load_document
from memcubedb.extraction.errors import InputError

InputFormat = Literal["auto", "text", "markdown", "chat-json", "locomo"]
Item = Document | Chat


def _json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(str(path), f"not valid UTF-8 JSON: {exc}") from exc
    except OSError as exc:
        raise InputError(str(path), f"cannot be read: {exc.strerror or exc}") from exc


def _is_locomo(data: object) -> bool:
    return isinstance(data, list) and bool(data) and all(isinstance(x, dict) and "conversation" in x for x in data)


def load_path(path: Path, fmt: InputFormat = "auto") -> list[Item]:
    """Read one file into documents or chats.

    Raises:
        InputError: when the file is missing, unreadable, or not valid for its format.
    """
    if not path.is_file():
        raise InputError(str(path), "no such file")
    suffix = path.suffix.lower()
    if fmt in {"text", "markdown"} or (fmt == "auto" and suffix != ".json"):
        kind = None if fmt == "auto" else fmt
        return [load_document(path, kind)]  # type: ignore[arg-type]
    data = _json(path)
    if fmt == "locomo" or (fmt == "auto" and _is_locomo(data)):
        return list(chats_from_locomo(data, str(path)))
    return [chat_from_json(data, path.resolve().as_uri())]


def load_paths(paths: list[Path], fmt: InputFormat = "auto") -> list[Item]:
    """Read every file (all are validated before any is returned).

    Raises:
        InputError: for the first file that cannot be read.
    """
    items: list[Item] = []
    for path in paths:
        items.extend(load_path(path, fmt))
    return items


__all__ = ["Chat", "Document", "InputError", "InputFormat", "Item", "load_path", "load_paths"]
