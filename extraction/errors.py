"""Errors MemReader raises on bad input or a failing extractor."""

from __future__ import annotations


class InputError(ValueError):
    """An input (file, document, chat) cannot be read; nothing of it was written.

    Attributes:
        source: the file path or URI at fault.
        detail: what is wrong, with the position when known (``turn 12: …``).
    """

    def __init__(self, source: str, detail: str) -> None:
        super().__init__(f"{source}: {detail}")
        self.source = source
        self.detail = detail


class ExtractorError(RuntimeError):
    """An extractor failed (e.g. the LLM endpoint answered with an error or unusable output)."""
