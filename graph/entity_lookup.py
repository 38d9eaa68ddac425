"""Entity-resolution candidates looked up in Neo4j, among the entities a writer may read.

MemReader's resolver (:mod:`memcubedb.extraction.resolution`) asks, per batch of mentions, for
the known entities that could match them, instead of loading every entity of every tenant:

* **exact** — ``Entity.norm_name`` equal to a mention's case-folded or normalised name (range
  index ``entity_norm``);
* **text** — a Lucene query of the mention's words, fuzzy (``word~``) for words of four letters
  or more, on the ``entity_names`` full-text index (names and aliases);
* **vector** — the mention-name embeddings on the ``entity_embedding`` vector index (a new named
  entity is stored with its name embedding when MemReader's embedding stage is on).

Only entities that a cube the writer may read mentions are kept, and each comes back with the
names those cubes use for it (the ``MENTIONS.names``; ``cypher/README.md``, *Entity names and
tenants*), never the node's own name or aliases: the resolver matches, and merge records name, only what the writer
can already see. Index hits are cut at ``limit`` per query before the permission filter, so
latency depends on the mentions of a write, not on how many entities the graph holds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Protocol

from memcubedb.cypher import facts as fq
from memcubedb.graph.records import Entity

_WORD = re.compile(r"\w+")

class GraphReads(Protocol):
    """The part of :class:`memcubedb.graph.store.GraphStore` the lookup uses."""

    def read(self, query: str, **params: Any) -> list[dict[str, Any]]:
        """Run a parameterised read query; rows as dicts."""
        ...


def fulltext_query(norm: str) -> str | None:
    """A Lucene query for a normalised name: its words, fuzzy from four letters ("melany~");
    ``None`` when it has no word. Words are ``\\w+`` runs of a lower-cased name, so no Lucene
    operator or special character can occur."""
    words = _WORD.findall(norm.casefold())
    return " ".join(w + "~" if len(w) >= 4 else w for w in words) or None


class GraphEntityLookup:
    """Resolution candidates for one writer (``principal``), read from the graph per batch.

    Args:
        store: the connected graph store.
        principal: the writer; only entities named in cubes it may read are returned.
        limit: hits taken from each index per query (1..1000).
    """

    def __init__(self, store: GraphReads, principal: str, limit: int = 20) -> None:
        if not 1 <= limit <= 1000:
            raise ValueError("limit must be within 1..1000")
        self.store = store
        self.principal = principal
        self.limit = limit

    def candidates(
        self, norms: Sequence[str], names: Sequence[str], vectors: Sequence[Sequence[float]] = ()
    ) -> list[Entity]:
        """Entities the writer may read that could match: ``norms`` compared exactly with
        ``Entity.norm_name``, ``names`` (normalised) searched by words, ``vectors`` (name
        embeddings, ``settings.embedding_dim`` floats) by cosine similarity. Each entity is named
        and aliased only by names of cubes the writer may read."""
        queries = sorted({q for q in (fulltext_query(n) for n in names) if q})
        if not norms and not queries and not vectors:
            return []
        rows = self.store.read(
            fq.CANDIDATES, principal=self.principal, norms=sorted(set(norms)), queries=queries,
            vectors=[[float(x) for x in v] for v in vectors], limit=self.limit,
        )  # fmt: skip
        return [Entity(**r["entity"]) for r in rows]
