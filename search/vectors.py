"""Writing sentence embeddings onto MemCubes and entities, so Neo4j's vector indexes serve them.

Run :func:`embed_cubes` after :meth:`~memcubedb.graph.store.GraphStore.write_cubes` (with the
written ids) or as a sweep over every cube lacking an embedding. A cube gets the embedding of
its whole text and, when the text has several sentences, one ``:Sentence`` node per sentence
with its own embedding (:mod:`memcubedb.search.sentences`), both in one transaction. Embeddings are
written with ``UNWIND`` batches through ``db.create.setNodeVectorProperty`` (stored as float32
arrays, the form the vector index reads).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from neo4j import ManagedTransaction
from tqdm.auto import tqdm

from memcubedb.cypher import search as q
from memcubedb.cypher import store as gq
from memcubedb.embeddings import Embedder
from memcubedb.graph.store import GraphStore
from memcubedb.search.sentences import embed_with_sentences


def _write(store: GraphStore, query: str, ids: list[str], texts: list[str], embedder: Embedder) -> int:
    vectors = embedder.embed(texts)
    rows = [{"id": i, "embedding": v.tolist()} for i, v in zip(ids, vectors, strict=True)]
    return int(store.write(query, rows=rows)[0]["written"])


def _write_cubes(store: GraphStore, cubes: list[dict[str, Any]], embedder: Embedder) -> int:
    """Embed ``cubes`` (rows ``{id, text, speaker}``) and their sentences; write both in one transaction."""
    ids = [c["id"] for c in cubes]
    vectors, sentences = embed_with_sentences(embedder, ids, [c["text"] for c in cubes], [c["speaker"] for c in cubes])
    rows = [{"id": i, "embedding": v.tolist()} for i, v in zip(ids, vectors, strict=True)]
    parts = [{"cube_id": i, "sentences": [x.model_dump() for x in ss]} for i, ss in zip(ids, sentences, strict=True)]

    def work(tx: ManagedTransaction) -> int:
        written = tx.run(q.SET_CUBE_EMBEDDINGS, rows=rows).single(strict=True)["written"]
        tx.run(gq.WRITE_SENTENCES, rows=parts).consume()
        return written

    return store.execute_write(work)


def _check_dim(store: GraphStore, embedder: Embedder) -> None:
    if embedder.dim != store.settings.embedding_dim:
        raise ValueError(
            f"embedder gives {embedder.dim}-d vectors but the vector index expects "
            f"settings.embedding_dim = {store.settings.embedding_dim}"
        )


def embed_cubes(
    store: GraphStore,
    embedder: Embedder,
    ids: Sequence[str] | None = None,
    batch_size: int = 256,
    progress: bool = True,
) -> int:
    """Embed the text of every MemCube that has none (or only those of ``ids``) and store it,
    with the cube's sentence vectors.

    Args:
        ids: restrict to these cube ids (e.g. what ``write_cubes`` returned); ``None`` = all.
        batch_size: cubes embedded and written per transaction.
        progress: show a tqdm progress bar.

    Returns:
        the number of cubes that received an embedding.

    Raises:
        ValueError: the embedder's dimension differs from ``settings.embedding_dim``.
    """
    _check_dim(store, embedder)
    id_list = list(ids) if ids is not None else None
    total = store.read(q.COUNT_WITHOUT_EMBEDDING, ids=id_list)[0]["n"]
    done = 0
    with tqdm(total=total, desc="embedding MemCubes", unit="cube", disable=not progress or total == 0) as bar:
        while done < total:
            rows = store.read(q.CUBES_WITHOUT_EMBEDDING, ids=id_list, limit=batch_size)
            if not rows:
                break
            done += _write_cubes(store, rows, embedder)
            bar.update(len(rows))
    return done


def embed_entities(store: GraphStore, embedder: Embedder, batch_size: int = 512, progress: bool = True) -> int:
    """Embed the name of every Entity that has none (vector index ``entity_embedding``).

    Returns:
        the number of entities that received an embedding.

    Raises:
        ValueError: the embedder's dimension differs from ``settings.embedding_dim``.
    """
    _check_dim(store, embedder)
    total = store.read(q.COUNT_ENTITIES_WITHOUT_EMBEDDING)[0]["n"]
    done = 0
    with tqdm(total=total, desc="embedding entities", unit="entity", disable=not progress or total == 0) as bar:
        while done < total:
            rows = store.read(q.ENTITIES_WITHOUT_EMBEDDING, limit=batch_size)
            if not rows:
                break
            done += _write(store, q.SET_ENTITY_EMBEDDINGS, [r["id"] for r in rows], [r["text"] for r in rows], embedder)
            bar.update(len(rows))
    return done
