"""/v1/cypher: analysts' read-only Cypher and the saved queries of ``cypher/queries``.

Queries run as :func:`memcubedb.graph.read_models.analyst.run_read_only` does: in a READ transaction (Neo4j
refuses writes), with the plan checked first (``LOAD CSV``, ``TERMINATE TRANSACTIONS`` and DBMS
procedures refused), under a server-side transaction timeout, returning at most a row limit.
Analysts see the whole graph: this endpoint is for the ``analyst`` (and ``admin``) role only.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter

from memcubedb.api.schemas.ops import CypherIn, CypherOut, SavedQuery, SavedRun
from memcubedb.api.server.auth import Analyst, ServicesDep
from memcubedb.api.server.errors import ApiError, responses
from memcubedb.api.server.services import Services
from memcubedb.cypher import LIFECYCLE_PARAMETERS, CypherFile, saved_queries
from memcubedb.graph.read_models.analyst import run_read_only

router = APIRouter(prefix="/v1/cypher", tags=["analysts' cypher"])

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_HEADER_KEY = re.compile(r"^(Purpose|Parameters|Columns):\s*(.*)$", re.IGNORECASE)


def describe(saved: CypherFile) -> SavedQuery:
    """A saved query's header split into purpose / parameters / columns, and its parameter names."""
    parts: dict[str, list[str]] = {"purpose": [], "parameters": [], "columns": []}
    current = "purpose"
    for line in saved.header.splitlines():
        match = _HEADER_KEY.match(line.strip())
        if match:
            current = match.group(1).lower()
            line = match.group(2)
        if line.strip():
            parts[current].append(line.strip())
    query = saved.statements[0]
    return SavedQuery(
        name=saved.name, purpose=" ".join(parts["purpose"]), columns=" ".join(parts["columns"]),
        parameters=sorted(set(_PARAM.findall(query)) - set(LIFECYCLE_PARAMETERS)), header=saved.header, query=query,
    )


def _run(
    services: Services, query: str, params: dict[str, Any], limit: int | None, timeout_s: float | None
) -> CypherOut:
    cfg = services.config
    rows = min(limit or cfg.cypher_max_rows, cfg.cypher_max_rows)
    timeout = min(timeout_s or cfg.cypher_timeout_s, cfg.cypher_timeout_s)
    result = run_read_only(services.store, query, params, timeout_s=timeout, max_rows=rows)
    return CypherOut(columns=result.columns, rows=result.rows, truncated=result.truncated, limit=rows,
                     elapsed_ms=result.elapsed_ms)


def _saved(name: str) -> SavedQuery:
    found = saved_queries().get(name)
    if found is None:
        raise ApiError(404, f"no saved query {name!r}", "not-found")
    return describe(found)


@router.post(
    "", response_model=CypherOut, summary="Run a read-only Cypher query",
    description="Runs in a READ transaction: Neo4j refuses CREATE, MERGE, SET, DELETE and write procedures "
                "(403). LOAD CSV, TERMINATE TRANSACTIONS and DBMS procedures are refused from the query plan "
                "(403). Past the timeout Neo4j terminates the query (504); Cypher errors are 400.",
    responses=responses(400, 401, 403, 413, 422, 504),
)
def run_cypher(body: CypherIn, caller: Analyst, services: ServicesDep) -> CypherOut:
    return _run(services, body.query, body.parameters, body.limit, body.timeout_s)


@router.get(
    "/queries", response_model=list[SavedQuery], summary="List the saved analyst queries",
    responses=responses(401, 403),
)
def list_saved(caller: Analyst) -> list[SavedQuery]:
    return [describe(q) for q in saved_queries().values()]


@router.get(
    "/queries/{name}", response_model=SavedQuery, summary="A saved analyst query", responses=responses(401, 403, 404)
)
def get_saved(name: str, caller: Analyst) -> SavedQuery:
    return _saved(name)


@router.post(
    "/queries/{name}", response_model=CypherOut, summary="Run a saved analyst query",
    description="Parameters the query declares but the request leaves out are passed as null (each saved query "
                "gives them a default); parameters it does not declare are refused (422). Lifecycle states "
                "($live_states, $expirable_states) come from the server's lifecycle table.",
    responses=responses(400, 401, 403, 404, 422, 504),
)
def run_saved(name: str, body: SavedRun, caller: Analyst, services: ServicesDep) -> CypherOut:
    saved = _saved(name)
    unknown = sorted(set(body.parameters) - set(saved.parameters))
    if unknown:
        raise ApiError(422, f"body.parameters: {name} takes {saved.parameters}, not {unknown}", "validation")
    lifecycle = {p: LIFECYCLE_PARAMETERS[p] for p in _PARAM.findall(saved.query) if p in LIFECYCLE_PARAMETERS}
    params = {p: None for p in saved.parameters} | body.parameters | lifecycle
    return _run(services, saved.query, params, body.limit, body.timeout_s)
