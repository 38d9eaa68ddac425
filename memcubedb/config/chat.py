"""Declarative configuration of memory-augmented chat, nested into the settings as ``chat``.

Every field can be set from the environment, e.g. ``MEMCUBEDB_CHAT__BACKEND=upstream``,
``MEMCUBEDB_CHAT__UPSTREAM__BASE_URL=http://127.0.0.1:8080/v1`` or ``MEMCUBEDB_CHAT__MEMORY_K=8``.
Units are in the field names: tokens, seconds (``_s``), MiB (``_mb``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UpstreamConfig(_Group):
    """An OpenAI-compatible chat-completions endpoint (plaintext memory only: it has no access to
    the KV cache or the weights)."""

    base_url: str = Field(default="http://127.0.0.1:8080/v1", description="endpoint root; /chat/completions is added")
    model: str = Field(default="gpt-4o-mini", description="model name sent upstream and listed by /v1/models")
    api_key: str | None = Field(default=None, description="sent as `Authorization: Bearer` when set")
    timeout_s: float = Field(default=120.0, gt=0)


class ChatConfig(_Group):
    """Memory-augmented chat (``POST /v1/chat/completions``).

    Attributes:
        backend: ``local`` — the Hugging Face causal LM of ``scheduler.lm`` (all three memory
            types); ``upstream`` — an OpenAI-compatible endpoint (plaintext memory only).
        memory_k: plaintext memories put into the memory block (hybrid search over the conversation).
        search_recipe: the search recipe of the plaintext channel.
        query_turns: how many of the last user turns form the search query.
        max_prefix_tokens: activation budget of one request: live KV templates are chained into the
            cached prefix by score until their tokens would pass this.
        max_input_tokens: longest rendered prompt (prefix + memory block + conversation), tokens;
            longer requests are refused with 400.
        max_new_tokens: the largest ``max_tokens`` a request may ask for; also the default.
        default_temperature: temperature when a request sends none (0 = greedy, deterministic).
        max_queue: generations admitted at once (one runs, the others wait); more → 429.
        queue_timeout_s: how long an admitted request may wait for the model; longer → 503.
        retry_after_s: the ``Retry-After`` sent with 429/503.
        template_cache_mb: in-process cache of loaded and chained KV templates, MiB.
        write_back: ``on_request`` — a request may set ``memcubedb.write_back`` to store the
            exchange as a chat memory through MemReader; ``off`` — refused.
    """

    backend: Literal["local", "upstream"] = "local"
    upstream: UpstreamConfig = Field(default_factory=UpstreamConfig)
    memory_k: int = Field(default=5, ge=0, le=50)
    search_recipe: str = "hybrid"
    query_turns: int = Field(default=1, ge=1, le=20)
    max_prefix_tokens: int = Field(default=4096, ge=0)
    max_input_tokens: int = Field(default=8192, ge=16)
    max_new_tokens: int = Field(default=512, ge=1)
    default_temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    max_queue: int = Field(default=8, ge=1)
    queue_timeout_s: float = Field(default=60.0, gt=0)
    retry_after_s: int = Field(default=2, ge=1)
    template_cache_mb: int = Field(default=1024, ge=0)
    write_back: Literal["on_request", "off"] = "on_request"
