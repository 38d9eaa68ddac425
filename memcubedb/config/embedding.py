"""Configuration of the embedder (nested in ``Settings`` as ``settings.embedding``,
``MEMCUBEDB_EMBEDDING__…``); the embedders themselves are in :mod:`memcubedb.embeddings`."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

DEFAULT_MODEL = "all-MiniLM-L6-v2"


class EmbeddingConfig(BaseModel):
    """Which embedder turns texts into vectors.

    Attributes:
        provider: ``"sentence-transformers"`` (a local model, the default) or ``"openai"``
            (an OpenAI-compatible ``/v1/embeddings`` endpoint).
        model: sentence-transformers name or path, or the remote model name.
        base_url: the endpoint up to and including ``/v1`` (``openai`` only).
        api_key: sent as ``Authorization: Bearer …`` (``openai`` only).
        dimensions: ask the endpoint for vectors of this size (OpenAI ``text-embedding-3-*``
            accept it); it must equal ``settings.embedding_dim``. ``None``: the model's own.
        timeout_s: HTTP timeout per request, seconds.
        max_retries: retries on transport errors and 5xx answers.
        batch_size: texts per forward pass / per request.
        threads: torch intra-op threads while a local model embeds (set for the call and
            restored after); ``None`` leaves torch's setting alone. A one-sentence query runs
            fastest with 1 on a small, busy machine.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: Literal["sentence-transformers", "openai"] = "sentence-transformers"
    model: str = Field(default=DEFAULT_MODEL, min_length=1)
    base_url: str = "http://127.0.0.1:8000/v1"
    api_key: SecretStr | None = None
    dimensions: int | None = Field(default=None, ge=1, le=16384)
    timeout_s: float = Field(default=30.0, gt=0)
    max_retries: int = Field(default=2, ge=0, le=10)
    batch_size: int = Field(default=64, ge=1, le=4096)
    threads: int | None = Field(default=None, ge=1, le=256)
