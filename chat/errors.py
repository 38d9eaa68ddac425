"""Errors of memory-augmented chat; the API maps each to its problem+json status once
(:mod:`memcubedb.api.server.routes_chat`)."""

from __future__ import annotations


class ChatError(Exception):
    """Base class of chat errors."""


class UnsupportedParameters(ChatError, ValueError):
    """The request sets parameters this server does not support (``names``)."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(f"unsupported parameter(s): {', '.join(names)}")
        self.names = names


class UnknownModel(ChatError, LookupError):
    """The request names a model this server does not serve."""


class PromptTooLong(ChatError, ValueError):
    """The rendered prompt (memories included) is longer than ``chat.max_input_tokens``."""


class WriteBackRefused(ChatError, PermissionError):
    """Write-back was asked by a key that may not write, or is switched off."""


class Overloaded(ChatError):
    """Too many generations admitted (``chat.max_queue``); retry after ``retry_after_s`` seconds."""

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class QueueTimeout(Overloaded):
    """An admitted request waited longer than ``chat.queue_timeout_s`` for the model."""


class UpstreamFailed(ChatError):
    """The upstream OpenAI-compatible endpoint failed or answered with an error."""
