"""GraphExplorer: bounded, permission-filtered views of the memory graph for the dashboard.

Runs the queries of :mod:`memcubedb.cypher.dashboard` through a :class:`GraphStore` and returns
typed results. Nothing here grows with the size of the graph beyond the limits passed in:
every list is cut server-side and comes back with the count of what was left out.
"""

from __future__ import annotations

import json
import re
from typing import Any

from memcubedb.cypher import dashboard as q
from memcubedb.graph.read_models.dashboard import (
    SCHEDULER_KINDS,
    CubeDetail,
    GraphFilter,
    Hit,
    Omitted,
    Subgraph,
    Timeline,
    TimelineEvent,
)
from memcubedb.graph.store import GraphStore, NotFound

_LUCENE_OPERATORS = {"AND", "OR", "NOT", "TO"}
_WORD = re.compile(r"\w+")
_LUCENE_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/]|&&|\|\|)')


def lucene_escape(text: str) -> str:
    """User text as a Lucene query of its words: syntax characters escaped, operators lower-cased."""
    words = [w.lower() if w in _LUCENE_OPERATORS else w for w in text.split()]
    return " ".join(_LUCENE_SPECIAL.sub(r"\\\1", w) for w in words)


def _params(raw: Any) -> dict[str, Any]:
    if isinstance(raw, str):
        try:
            value = json.loads(raw)
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}
    return dict(raw) if isinstance(raw, dict) else {}


def _score(activity: dict[str, Any], params: dict[str, Any], moves: list[dict[str, Any]]) -> float | None:
    """The activity's own score, else the one in its params, else the first move's (its edge's
    score, else the scheduler's score of the cube it moved from)."""
    scores = [m.get("score") for m in moves] + [m.get("from_score") for m in moves]
    for value in (activity.get("score"), params.get("score"), *scores):
        if value is None:
            continue
        try:
            return float(value)
        except (TypeError, ValueError):
            continue
    return None


class GraphExplorer:
    """Bounded dashboard views over a GraphStore, for one principal per call."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store

    def find(self, principal: str, query: str, gf: GraphFilter, limit: int = 10) -> list[Hit]:
        """Cubes and entities whose text or names match ``query`` (full-text), best first; an entity
        matches only on the names that cubes the principal may read use for it."""
        if not query.strip():
            return []
        words = [w.casefold() for w in _WORD.findall(query)]
        rows = self._store.read(
            q.FIND_SEEDS, principal=principal, text=lucene_escape(query.strip()), words=words, scan=limit * 5,
            limit=limit, **gf.params(),
        )
        return [Hit(**r) for r in rows]

    def neighbourhood(
        self, principal: str, seeds: list[str], gf: GraphFilter, *, known: list[str] | None = None,
        limit: int = 40, edge_limit: int = 200,
    ) -> Subgraph:
        """The visible seeds, at most ``limit`` of their neighbours not in ``known``, and the edges
        among all of them (and the known nodes), at most ``edge_limit``."""
        params = gf.params()
        known = list(known or [])
        seed_rows = self._store.read(q.SEED_NODES, principal=principal, ids=seeds, **params)
        seed_nodes = [r["node"] for r in seed_rows]
        seed_ids = [n["id"] for n in seed_nodes]
        row = self._store.read(
            q.NEIGHBOURS, principal=principal, ids=seed_ids, exclude=seed_ids + known, limit=limit, **params
        )[0]
        nodes = seed_nodes + row["nodes"]
        kept_cubes = sum(1 for n in row["nodes"] if n["kind"] == "cube")
        omitted = Omitted(cubes=row["cubes"] - kept_cubes, entities=row["entities"] - (len(row["nodes"]) - kept_cubes))
        edges, omitted.facts, omitted.edges = self._edges(principal, [n["id"] for n in nodes] + known, params,
                                                          edge_limit)
        return Subgraph(nodes=nodes, edges=edges, omitted=omitted, seeds=seed_ids)

    def overview(self, principal: str, gf: GraphFilter, limit: int = 40, edge_limit: int = 200) -> Subgraph:
        """The most recently updated cubes (at most half of ``limit``) and their neighbourhood."""
        params = gf.params()
        row = self._store.read(q.OVERVIEW_SEEDS, principal=principal, limit=max(1, limit // 2), **params)[0]
        sub = self.neighbourhood(principal, row["ids"], gf, limit=limit - len(row["ids"]), edge_limit=edge_limit)
        sub.omitted.cubes += row["total"] - len(row["ids"])
        return sub

    def _edges(
        self, principal: str, ids: list[str], params: dict[str, Any], limit: int
    ) -> tuple[list[dict[str, Any]], int, int]:
        row = self._store.read(q.EDGES, principal=principal, ids=ids, limit=limit, **params)[0]
        edges = row["edges"]
        kept_facts = sum(1 for e in edges if e["type"] == "RELATES")
        return edges, row["facts"] - kept_facts, row["total"] - len(edges)

    def timeline(
        self, principal: str, gf: GraphFilter, kinds: list[str] | None = None, limit: int = 100
    ) -> Timeline:
        """Promotions, encodings and demotions (or ``kinds``) touching visible cubes, newest first."""
        rows = self._store.read(
            q.TIMELINE, principal=principal, kinds=list(kinds or SCHEDULER_KINDS), limit=limit, **gf.params()
        )
        events = []
        for r in rows:
            a = r["activity"]
            params = _params(a.get("params"))
            events.append(
                TimelineEvent(
                    id=a["id"], kind=a["kind"], name=a.get("name") or "", started_at=a.get("started_at"),
                    ended_at=a.get("ended_at"), score=_score(a, params, r["moves"]), params=params,
                    cubes=r["cubes"], moves=r["moves"],
                )
            )
        return Timeline(events=events, omitted=(rows[0]["total"] - len(events)) if rows else 0)

    def cube_detail(self, principal: str, cube_id: str, evidence_limit: int = 200) -> CubeDetail:
        """The cube (three metadata groups, payload), its provenance chain, fact evidence, versions.

        Raises:
            NotFound: no such cube, or the principal may not read it.
        """
        cube = self._store.get_cube(principal, cube_id)
        chain = self._store.read(q.PROVENANCE_CHAIN, principal=principal, id=cube_id)
        if not chain:
            raise NotFound(f"no MemCube {cube_id!r}")
        for step in chain:
            for act in step["activities"]:
                act["params"] = _params(act.get("params"))
        return CubeDetail(
            cube=cube.model_dump(mode="json", exclude={"embedding"}),
            chain=chain,
            evidence=self._store.read(q.EVIDENCE, principal=principal, id=cube_id, limit=evidence_limit),
            versions=self._store.read(q.VERSIONS, principal=principal, id=cube_id),
        )

    def sources(self, principal: str, limit: int = 50) -> list[dict[str, Any]]:
        """Source URIs of readable cubes with cube counts, most used first."""
        return self._store.read(q.FACETS, principal=principal, limit=limit)
